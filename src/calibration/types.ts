/**
 * What a calibration holds (docs/calibration.md): the reference points it was fitted to, the
 * local medians measured for them, the fitted model and where both came from. JSON-safe, so the
 * file `coldbench calibrate` writes reads back as a Calibration.
 */
import type { Architecture } from '../vocabulary.ts';

export type PointMetric = 'init' | 'duration';

/** A real-Lambda figure: the median of a measured quantity, its spread and its source. */
export interface ReferenceValue {
  medianMs: number;
  /** p10–p90 of single samples (what one cold start may be), when the source gives it */
  p10Ms: number | null;
  p90Ms: number | null;
  /** p10–p90 of the median itself (e.g. lambda-perf's daily medians): how sure the median is */
  medianP10Ms: number | null;
  medianP90Ms: number | null;
  /** Where the figure comes from, e.g. "maxday/lambda-perf 2026-06-23…2026-08-22" */
  source: string;
}

/** One configuration of a probe function: measured locally, known on Lambda. */
export interface CalibrationPoint {
  /** e.g. `hello-node@128 init` */
  id: string;
  probe: string;
  runtime: string;
  architecture: Architecture;
  memoryMB: number;
  metric: PointMetric;
  /** Median of the local cold samples (Init Duration, or Duration of the cold invoke) */
  localMs: number;
  reference: ReferenceValue;
}

/**
 * The model version `coldbench calibrate` writes; a file of an older one is used with a warning.
 * 2: this machine's CPU per throttled pause; 3: fitted on local Durations that include the Runtime
 * API relay's CPU (docs/cpu-model.md), so a v2 file's runtime-client CPU counts that work twice.
 */
export const MODEL_VERSION = 3;

/** What a file of each older model version lacks, for its warning. */
export const OLDER_MODEL_GAPS: Record<number, string> = {
  1: "without this machine's CPU per throttled pause",
  2: "fitted before local Durations included the Runtime API relay's CPU",
};

/**
 * Lambda time from local time:
 *   Init     = initOffsetMs[runtime/arch] + speed × local Init
 *   Duration = expectedWall(speed × localWork + invokeCpuMs[runtime/arch], memory)
 * where localWork is the CPU work behind the local Duration at the same memory (both throttle per
 * 20 ms), less localPauseCpuMs per throttled pause (since version 2; version 1 had no such term).
 */
export interface CalibrationModel {
  kind: 'offset-speed-throttle';
  version: 1 | 2 | 3;
  /**
   * Local CPU ms this machine spends again after each throttled pause (caches refilled), measured
   * by a CPU-bound probe throttled vs at a full vCPU; 0 in version 1 files
   */
  localPauseCpuMs?: number;
  /**
   * Whether the local probes ran throttled (a cgroup v1 cpu controller); false: their Durations
   * were full-speed CPU work (macOS, cgroup v2-only hosts). Absent in version 1 files (throttled).
   */
  localThrottled?: boolean;
  /** Lambda CPU ms per local CPU ms */
  speed: number;
  /** Per `runtime/architecture`: start-up time Lambda adds that the local runtime does not have (ms, may be negative) */
  initOffsetMs: Record<string, number>;
  /** Per `runtime/architecture`: CPU work (Lambda ms) Lambda's runtime client adds to a cold invoke */
  invokeCpuMs: Record<string, number>;
  periodMs: number;
  /** Standard deviation of the log error of a prediction (leave-one-out and the reference's own uncertainty), per metric */
  logSd: Record<PointMetric, number>;
}

export interface LeaveOneOut {
  id: string;
  /** The point's prediction by a model fitted without it; null when no other point fixes its offset */
  predictedMs: number | null;
  referenceMs: number;
  /** (predicted − reference) / reference; null with predictedMs */
  error: number | null;
}

export interface FitResult {
  model: CalibrationModel;
  /** In-sample prediction of every point */
  fitted: Record<string, number>;
  leaveOneOut: LeaveOneOut[];
}

export interface MachineFingerprint {
  /** sha256 of the fields below, first 16 hex digits */
  id: string;
  cpuModel: string;
  cores: number;
  arch: string;
  platform: string;
  memoryGB: number;
}

export interface ReferenceInfo {
  name: string;
  source: string;
  commit: string | null;
  /** The first and last day of measurements it holds */
  from: string | null;
  to: string | null;
  /** When the reference file was built */
  builtOn: string;
}

export interface Calibration {
  format: 'coldbench-calibration';
  formatVersion: 1;
  createdAt: string;
  machine: MachineFingerprint;
  /** Median wall time of the host CPU probe while calibrating (ms): bench runs are corrected by their own probe against it */
  cpuProbeMs: number;
  reference: ReferenceInfo;
  model: CalibrationModel;
  points: CalibrationPoint[];
  fitted: Record<string, number>;
  leaveOneOut: LeaveOneOut[];
}
