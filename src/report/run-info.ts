/**
 * What run.json holds (docs/results-format.md). Written by the harness (src/bench), read by
 * the report; every field but `runId` is optional so runs from `coldbench import` (no run.json)
 * and older runs still report.
 */
import type { Architecture, ColdStrategy, Packaging } from '../vocabulary.ts';

export interface PlannedVariant {
  name: string;
  function: string;
  memoryMB: number;
  architecture: Architecture;
  runtime: string;
  packaging: Packaging;
  handler: string;
  cold: number;
  warm: number;
  /** Provisioned environments the variant ran on (the `provisioned` axis; absent = on-demand) */
  provisioned?: number;
  /** SnapStart on published versions (the `snapStart` axis; absent = off) */
  snapStart?: boolean;
  /** A control probe (src/bench/controls.ts): measured for the estimates' load correction, shown in no table */
  control?: true;
}

/** run.json `emulator.interpreters[runtime]`: what ran a runtime of the run, as the emulator reported it. */
export interface RunInterpreter {
  /** How it was found: `python3.12` / `python3` on PATH, `node`, a `--node` path; null for provided.* */
  command: string | null;
  /** The real executable (behind any shim); null for provided.* or when there was none */
  path: string | null;
  /** Its version, without a leading v: `3.11.7`, `20.20.2` */
  version: string | null;
  /** Its version is the runtime's own; when false, the variants' times are another version's */
  exact: boolean;
  problem?: string;
  /** The run's variants of this runtime */
  variants: string[];
}

export interface RunInfo {
  runId: string;
  tool?: { name: string; version: string; node: string };
  suite?: { name: string; file: string };
  target?: { kind: 'local' | 'aws' | 'url'; endpoint?: string; region?: string };
  startedAt?: string;
  endedAt?: string;
  coldStrategy?: ColdStrategy;
  seed?: number;
  plan?: { variants: PlannedVariant[]; order?: string[] };
  compare?: Array<[string, string]>;
  emulator?: {
    cpu?: { throttled: boolean; reason: string };
    runtimes?: Record<string, string>;
    /** Per runtime of the plan: the interpreter that ran it and whether it is the runtime's own version */
    interpreters?: Record<string, RunInterpreter>;
    burstCap?: number;
    coldStartSlots?: number;
  };
  /** cpuProbe: the host CPU probe (src/bench/cpu-probe.ts) before and after a local run, for calibrated estimates */
  host?: { cores: number; loadavgStart?: number[]; loadavgEnd?: number[]; cpuProbe?: { startMs: number; endMs: number } };
  status?: 'running' | 'completed' | 'interrupted' | 'failed';
  [extra: string]: unknown;
}
