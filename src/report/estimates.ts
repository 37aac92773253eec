/**
 * "On Lambda (est.)": each measured variant's cold and warm medians estimated for real Lambda
 * from a calibration (src/calibration, docs/calibration.md). Estimates sit beside the measured
 * figures (`lambdaEstimate` on a block), never in them, and only for runs on the local emulator:
 * a real-account run is Lambda already. Pure.
 */
import { estimateLambda, groupOf } from '../calibration/predict.ts';
import type { CalibrationModel, ReferenceInfo } from '../calibration/types.ts';
import type { PlannedVariant, RunInfo } from './run-info.ts';
import type { Stats, VariantSummary } from './types.ts';

/** What a report needs of a calibration file. */
export interface ReportCalibration {
  model: CalibrationModel;
  reference: ReferenceInfo;
  createdAt: string;
  /** The host CPU probe while calibrating (ms) */
  cpuProbeMs: number;
  /** Per `runtime/architecture`: the local Init of the calibration's hello probe (median over its memory sizes), the control probes' baseline */
  controlInitMs: Record<string, number>;
  /** Where it was read from, for the footnote */
  file: string;
}

/** RunSummary.estimates: how the "On Lambda (est.)" figures were made. */
export interface EstimatesInfo {
  model: string;
  speed: number;
  reference: { name: string; source: string; from: string | null; to: string | null };
  calibratedAt: string;
  file: string;
  /** Run CPU probe ÷ calibration CPU probe: local Durations were divided by it (1 without a run probe) */
  loadFactor: number;
  /**
   * Per `runtime/architecture`: the control probe's Init in this run ÷ in the calibration; local
   * Init of that runtime was divided by it. A runtime without a control falls back to loadFactor.
   */
  initLoadFactors: Record<string, number>;
  /** Variants without an estimate, and why */
  missing: Record<string, string>;
  /** Whether the run throttled the invoke phase; false: its Durations were full-speed CPU work, throttled only in the estimate */
  localThrottled: boolean;
}

/** Whether the run throttled its invoke phase (a run that does not say so was throttled: older runs always were). */
export function runThrottled(run: Pick<RunInfo, 'emulator'> | undefined): boolean {
  return run?.emulator?.cpu?.throttled !== false;
}

/** The run's host CPU probe (ms): the mean of the timings before and after it; null without one. */
export function cpuProbeMs(run: RunInfo | undefined): number | null {
  const probe = run?.host?.cpuProbe;
  return probe ? (probe.startMs + probe.endMs) / 2 : null;
}

/** Whether the run measured the local emulator (where estimates mean something). */
export function isLocalRun(run: RunInfo | undefined): boolean {
  return run?.target?.kind === 'local';
}

function local(stats: Stats): { median: number; ci: [number, number] | null } | null {
  return stats.median === null ? null : { median: stats.median, ci: stats.medianCI };
}

/**
 * Adds `lambdaEstimate` to each measured variant's cold and warm block (in place) and returns
 * how they were made; null when the run is not a local one.
 */
export function addLambdaEstimates(
  variants: VariantSummary[],
  run: RunInfo | undefined,
  calibration: ReportCalibration,
  controlInitMs: Record<string, number> = {},
): EstimatesInfo | null {
  if (!isLocalRun(run)) return null;
  const runProbe = cpuProbeMs(run);
  const loadFactor = runProbe !== null && runProbe > 0 && calibration.cpuProbeMs > 0 ? runProbe / calibration.cpuProbeMs : 1;
  const initLoadFactors: Record<string, number> = {};
  for (const [group, now] of Object.entries(controlInitMs)) {
    const then = calibration.controlInitMs[group];
    if (then > 0 && now > 0) initLoadFactors[group] = now / then;
  }
  const localThrottled = runThrottled(run);
  const planned = new Map<string, PlannedVariant>((run?.plan?.variants ?? []).map((v) => [v.name, v]));
  const missing: Record<string, string> = {};
  for (const v of variants) {
    const plan = planned.get(v.name);
    if (v.state !== 'measured') continue;
    if (!plan) {
      missing[v.name] = 'not in the run plan (runtime unknown)';
      continue;
    }
    const initLoadFactor = initLoadFactors[groupOf(plan.runtime, plan.architecture)] ?? loadFactor;
    const base = { runtime: plan.runtime, architecture: plan.architecture, memoryMB: plan.memoryMB, loadFactor, initLoadFactor, localThrottled };
    const cold = v.cold;
    const duration = local(cold.duration);
    if (duration) {
      const r = estimateLambda(calibration.model, { ...base, kind: 'cold', init: local(cold.init), duration });
      if (r.state === 'estimated') cold.lambdaEstimate = r.estimate;
      else missing[v.name] = r.reason;
    }
    const warm = v.warm;
    const warmDuration = local(warm.latency);
    if (warmDuration && !(v.name in missing)) {
      const r = estimateLambda(calibration.model, { ...base, kind: 'warm', init: null, duration: warmDuration });
      if (r.state === 'estimated') warm.lambdaEstimate = r.estimate;
    }
  }
  return {
    model: `${calibration.model.kind} v${calibration.model.version}`,
    speed: calibration.model.speed,
    reference: { name: calibration.reference.name, source: calibration.reference.source, from: calibration.reference.from, to: calibration.reference.to },
    calibratedAt: calibration.createdAt,
    file: calibration.file,
    loadFactor,
    initLoadFactors,
    missing,
    localThrottled,
  };
}
