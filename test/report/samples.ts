import type { Sample } from '../../src/probe/sample.ts';

/** A successful cold start of `variant` known by its Init Duration, as the probe reads it from a REPORT line. */
export function coldStart(variant: string, { initMs, durationMs, billedMs, ...other }: Pick<Sample, 'initMs' | 'durationMs' | 'billedMs'> & Partial<Sample>): Sample {
  return {
    variant,
    kind: 'cold',
    coldBy: 'init-duration',
    requestId: null,
    initMs,
    restoreMs: null,
    billedRestoreMs: null,
    durationMs,
    billedMs,
    memoryMB: 512,
    maxMemoryMB: 50,
    status: 'success',
    errorType: null,
    clientMs: null,
    ...other,
  };
}

/** Five cold starts of app@512 around `median` ms (init + 10 ms duration), tight enough that any change is significant. */
export function tightColdStarts(median: number): Sample[] {
  return [-4, -2, 0, 2, 4].map((d) => coldStart('app@512', { initMs: median + d - 10, durationMs: 10, billedMs: Math.ceil(median + d) }));
}
