import { describe, expect, it } from 'vitest';
import { familyOf, summarize } from '../../src/report/summarize.ts';
import type { Sample } from '../../src/probe/sample.ts';
import type { RunInfo } from '../../src/report/run-info.ts';

function sample(over: Partial<Sample> & Pick<Sample, 'variant' | 'kind'>): Sample {
  return {
    coldBy: over.kind === 'cold' ? 'init-duration' : 'none',
    requestId: 'r',
    initMs: null,
    restoreMs: null,
    billedRestoreMs: null,
    durationMs: 10,
    billedMs: 10,
    memoryMB: 512,
    maxMemoryMB: 50,
    status: 'success',
    errorType: null,
    clientMs: null,
    ...over,
  };
}

const cold = (variant: string, initMs: number, durationMs: number, billedMs: number, extra: Partial<Sample> = {}) =>
  sample({ variant, kind: 'cold', initMs, durationMs, billedMs, ...extra });
const warm = (variant: string, durationMs: number, billedMs: number, extra: Partial<Sample> = {}) => sample({ variant, kind: 'warm', durationMs, billedMs, ...extra });

function measured(summary: ReturnType<typeof summarize>, name: string) {
  const v = summary.variants.find((x) => x.name === name);
  if (v?.state !== 'measured') throw new Error(`${name} not measured`);
  return v;
}

describe('summarize', () => {
  it('computes cold latency as Init + Duration besides each part', () => {
    const s = summarize([cold('a@512', 200, 20, 220), cold('a@512', 100, 10, 110), cold('a@512', 300, 30, 330)]);
    const v = measured(s, 'a@512');
    expect(v.cold.values).toEqual([110, 220, 330]);
    expect(v.cold.latency).toMatchObject({ n: 3, median: 220, mean: 220, min: 110, max: 330, p90: null });
    expect(v.cold.init.median).toBe(200);
    expect(v.cold.duration.median).toBe(20);
  });

  it('computes SnapStart cold latency as Restore + Duration and bills Billed Restore Duration too', () => {
    const s = summarize([sample({ variant: 'snap@1024', kind: 'cold', coldBy: 'restore', restoreMs: 150, billedRestoreMs: 151, durationMs: 30, billedMs: 31, memoryMB: 1024 })]);
    const v = measured(s, 'snap@1024');
    expect(v.cold.latency.median).toBe(180);
    expect(v.cold.restore.median).toBe(150);
    expect(v.cold.init.n).toBe(0);
    expect(v.cold.billedValues).toEqual([182]);
    expect(v.cold.coldBy).toEqual({ restore: 1 });
  });

  it('uses the reported Billed Duration, not Init + Duration, for GB-seconds', () => {
    // Billed 100 ms although Init + Duration is 220 ms: as before on-demand init billing began.
    const s = summarize([cold('a@1024', 200, 20, 100, { memoryMB: 1024 }), warm('a@1024', 5, 5, { memoryMB: 1024 })]);
    expect(measured(s, 'a@1024').cost).toMatchObject({ coldGBs: 0.1, warmGBs: 0.005, memoryMB: 1024, measuredColdRatio: 0.5 });
  });

  it('counts errors and timeouts apart and keeps them out of the statistics', () => {
    const s = summarize([
      cold('f@256', 300, 90, 390),
      cold('f@256', 0, 3000, 3000, { status: 'timeout', initMs: 310 }),
      warm('f@256', 30, 30),
      warm('f@256', 31, 31, { status: 'error', errorType: 'Runtime.ExitError' }),
      warm('f@256', 0, 0, { status: 'success', durationMs: null }),
    ]);
    const v = measured(s, 'f@256');
    expect(v.cold.counts).toEqual({ total: 2, success: 1, error: 0, timeout: 1, unmeasured: 0, errorTypes: { timeout: 1 } });
    expect(v.warm.counts).toEqual({ total: 3, success: 1, error: 1, timeout: 0, unmeasured: 1, errorTypes: { 'Runtime.ExitError': 1 } });
    expect(v.cold.latency.n).toBe(1);
    expect(s.notes).toContain('f@256 cold: 1 of 2 cold samples failed (timeout ×1); statistics use the 1 successful ones.');
  });

  it('counts a success without a Duration (as other platforms log some) as unmeasured, not as a failure', () => {
    const s = summarize([warm('g@256', 12, 12), warm('g@256', 0, 0, { durationMs: null, billedMs: null })]);
    const v = measured(s, 'g@256');
    expect(v.warm.counts).toEqual({ total: 2, success: 1, error: 0, timeout: 0, unmeasured: 1, errorTypes: {} });
    expect(v.warm.latency.n).toBe(1);
    expect(s.notes).toEqual(['g@256 warm: 1 of 2 samples succeeded without a Duration in the log; they are in no statistic.']);
    const none = summarize([warm('h@256', 0, 0, { durationMs: null })]);
    expect(none.variants[0]).toMatchObject({ state: 'failed', name: 'h@256', error: 'none of the 1 warm samples has a Duration in the log' });
  });

  it('reports forced cold invokes that came back warm and counts them as warm', () => {
    const s = summarize([cold('a@512', 200, 20, 220, { forced: true }), warm('a@512', 2, 2, { forced: true }), warm('a@512', 2, 2, { forced: false })]);
    const v = measured(s, 'a@512');
    expect(v.forcedButWarm).toBe(1);
    expect(v.warm.latency.n).toBe(2);
    expect(s.notes).toContain('a@512: 1 forced cold invoke came back warm (the platform reused an environment); counted as warm.');
  });

  it('marks a variant whose every sample failed as failed, with the error types', () => {
    const s = summarize([
      cold('b@128', 0, 0, 0, { status: 'error', errorType: 'Runtime.InvalidEntrypoint', durationMs: null }),
      cold('b@128', 0, 0, 0, { status: 'error', errorType: 'Runtime.InvalidEntrypoint', durationMs: null }),
    ]);
    expect(s.variants[0]).toMatchObject({ state: 'failed', name: 'b@128', error: '2 of 2 cold samples failed (Runtime.InvalidEntrypoint ×2)' });
  });

  it("lists planned variants in the suite's order (not the shuffled run order), one without samples as failed", () => {
    const run: RunInfo = {
      runId: 'r1',
      plan: {
        variants: [
          { name: 'x@128', function: 'x', memoryMB: 128, architecture: 'arm64', runtime: 'python3.11', packaging: 'bundled', handler: 'app.h', cold: 1, warm: 1 },
          { name: 'y@128', function: 'y', memoryMB: 128, architecture: 'x86_64', runtime: 'python3.11', packaging: 'bundled', handler: 'app.h', cold: 1, warm: 1 },
        ],
        order: ['y@128', 'x@128'],
      },
    };
    const s = summarize([warm('z@128', 1, 1), warm('x@128', 5, 5)], run);
    expect(s.variants.map((v) => [v.name, v.state])).toEqual([
      ['x@128', 'measured'],
      ['y@128', 'failed'],
      ['z@128', 'measured'],
    ]);
    expect(s.notes).toContain('y@128: no samples recorded.');
    expect(summarize([], { ...run, status: 'running' }).variants[0]).toMatchObject({ state: 'failed', error: 'no samples recorded yet (the run is still running)' });
    expect(measured(s, 'x@128')).toMatchObject({ architecture: 'arm64', memoryMB: 128, function: 'x' });
    expect(s.run.runId).toBe('r1');
  });

  it("compares the run's compare pairs, phrased with the ratio of medians", () => {
    const run: RunInfo = { runId: 'r', compare: [['fast@512', 'slow@512']] };
    const samples = [...[100, 101, 102, 103, 104].map((x) => cold('fast@512', x - 10, 10, x)), ...[200, 202, 204, 206, 208].map((x) => cold('slow@512', x - 10, 10, x))];
    const s = summarize(samples, run, { seed: 1 });
    expect(s.comparisons).toHaveLength(1);
    const c = s.comparisons[0];
    expect(c).toMatchObject({ kind: 'cold', faster: 'fast@512', slower: 'slow@512', ratio: 2, p: 2 / 252, pMethod: 'exact' });
    expect(c.text).toMatch(/^fast@512 cold starts 2\.00× faster than slow@512 \(95 % CI 1\.\d\d–2\.\d\d, Mann–Whitney p = 0\.008\)$/);
  });

  it('compares each variant against the fastest when the run names no pairs', () => {
    const samples = [warm('a@128', 10, 10), warm('b@128', 5, 5), warm('c@128', 20, 20)];
    const s = summarize(samples);
    expect(s.comparisons.map((c) => [c.faster, c.slower, c.ratio])).toEqual([
      ['b@128', 'a@128', 2],
      ['b@128', 'c@128', 4],
    ]);
    expect(s.comparisons[0].text.startsWith('b@128 warm invocations ran 2.00× faster than a@128')).toBe(true);
  });

  it('says n/a instead of dividing by a zero median', () => {
    const s = summarize([warm('z@128', 0, 1), warm('w@128', 3, 3)]);
    expect(s.comparisons[0]).toMatchObject({ ratio: null, ratioCI: null, text: 'z@128 vs w@128, warm: n/a (the median of z@128 is 0 ms)' });
  });

  it('gives the expected latency at the cold ratio and recommends a memory size per family', () => {
    const samples = [
      cold('r@128', 390, 10, 400, { memoryMB: 128 }),
      warm('r@128', 100, 100, { memoryMB: 128 }),
      cold('r@1024', 190, 10, 200, { memoryMB: 1024 }),
      warm('r@1024', 10, 10, { memoryMB: 1024 }),
    ];
    const s = summarize(samples, undefined, { coldRatio: 0.1, optimize: 'speed' });
    expect(measured(s, 'r@128').expectedLatencyMs).toBeCloseTo(0.1 * 400 + 0.9 * 100, 10);
    expect(s.recommendations).toHaveLength(1);
    expect(s.recommendations[0]).toMatchObject({ family: 'r@*', best: 'r@1024', optimize: 'speed', coldRatio: 0.1 });
  });

  it('falls back to us-east-1 prices with a note for a region the table lacks', () => {
    const s = summarize([warm('a@128', 1, 1)], { runId: 'r', target: { kind: 'aws', region: 'ap-south-2' } });
    expect(s.options.region).toBe('us-east-1');
    expect(s.notes).toContain('No prices for ap-south-2 in src/report/prices.ts; costs use us-east-1.');
  });

  it('accepts any iterable, e.g. a generator, and returns the same summary as for an array', () => {
    const list = [cold('a@512', 200, 20, 220), warm('a@512', 2, 2)];
    function* gen() {
      yield* list;
    }
    expect(summarize(gen(), undefined, { seed: 5 })).toEqual(summarize(list, undefined, { seed: 5 }));
  });

  it('summarizes no samples at all as no variants', () => {
    expect(summarize([]).variants).toEqual([]);
  });
});

describe('familyOf', () => {
  it('replaces the memory size so variants differing only in memory share a family', () => {
    expect(familyOf('reuse@512')).toBe('reuse@*');
    expect(familyOf('deps@1024-layer')).toBe('deps@*-layer');
    expect(familyOf('orders-api')).toBe('orders-api');
  });
});
