/**
 * What run.json holds (docs/results-format.md). Written by the harness (src/bench), read by
 * the report; every field but `runId` is optional so runs from `coldbench import` (no run.json)
 * and older runs still report.
 */
export interface PlannedVariant {
  name: string;
  function: string;
  memoryMB: number;
  architecture: 'x86_64' | 'arm64';
  runtime: string;
  packaging: 'bundled' | 'layer' | 'esbuild';
  handler: string;
  cold: number;
  warm: number;
}

export interface RunInfo {
  runId: string;
  tool?: { name: string; version: string; node: string };
  suite?: { name: string; file: string };
  target?: { kind: 'local' | 'aws' | 'url'; endpoint?: string; region?: string };
  startedAt?: string;
  endedAt?: string;
  coldStrategy?: 'burst' | 'config-bump' | 'version';
  seed?: number;
  plan?: { variants: PlannedVariant[]; order?: string[] };
  compare?: Array<[string, string]>;
  emulator?: { cpu?: { throttled: boolean; reason: string }; runtimes?: Record<string, string>; burstCap?: number; coldStartSlots?: number };
  host?: { cores: number; loadavgStart?: number[]; loadavgEnd?: number[] };
  status?: 'running' | 'completed' | 'interrupted' | 'failed';
  [extra: string]: unknown;
}
