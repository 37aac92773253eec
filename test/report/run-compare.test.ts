import { describe, expect, it } from 'vitest';
import { compareRuns, NoCommonVariantsError, ReferenceVariantError, summarize } from '../../src/report/index.ts';
import type { Sample } from '../../src/probe/sample.ts';
import { fixtureSummary } from './fixture-runs.ts';
import { coldStart, tightColdStarts } from './samples.ts';

const base = fixtureSummary('baseline');
const regression = fixtureSummary('regression');
const rerun = fixtureSummary('rerun');

describe('compareRuns', () => {
  it('finds no change when a run is compared with itself', () => {
    const c = compareRuns(base, base, { threshold: 0.1, metric: 'cold.median' });
    expect(c.regressions).toBe(0);
    expect(c.changes.map((ch) => [ch.variant, ch.ratio, ch.significant, ch.p])).toEqual([
      ['reuse@512', 1, false, 1],
      ['percall@512', 1, false, 1],
      ['reuse@1024', 1, false, 1],
    ]);
  });

  it('flags the 60 % slower cold start of percall@512 as a significant regression, and only it', () => {
    const c = compareRuns(base, regression, { threshold: 0.1, metric: 'cold.median' });
    expect(c.regressions).toBe(1);
    const percall = c.changes.find((ch) => ch.variant === 'percall@512')!;
    expect(percall.regression).toBe(true);
    expect(percall.ratio).toBeCloseTo(425.9 / 261.6, 2);
    expect(percall.ratioCI![0]).toBeGreaterThan(1.1);
    expect(percall.p).toBeLessThan(0.001);
    expect(percall.text).toMatch(
      /^percall@512: cold median 261\.6 ms → 425\.9 ms, \+62\.8 % \(95 % CI \+\d+\.\d % to \+\d+\.\d %, Mann–Whitney p < 0\.001\): regression at or beyond the 10 % threshold$/,
    );
    expect(c.changes.filter((ch) => ch.variant !== 'percall@512').every((ch) => !ch.regression)).toBe(true);
  });

  it('finds no regression between two runs of the same code (noise only)', () => {
    expect(compareRuns(base, rerun, { threshold: 0.1, metric: 'cold.median' }).regressions).toBe(0);
    expect(compareRuns(base, rerun, { threshold: 0.1, metric: 'warm.median' }).regressions).toBe(0);
  });

  describe('a change equal to the threshold', () => {
    const run = (median: number) => summarize(tightColdStarts(median));
    const base1000 = run(1000);
    const change = (cur: number, threshold: number) => compareRuns(base1000, run(cur), { threshold, metric: 'cold.median' }).changes[0];

    it.each([
      ['15 % (1150 / 1000 − 1 < 0.15 in doubles)', 1150, 0.15],
      ['24.9 % as --threshold 24.9% parses it', 1249, 24.9 / 100],
      ['10 %', 1100, 0.1],
      ['7 %', 1070, 0.07],
    ])('counts as a regression: %s', (_name, cur, threshold) => {
      const ch = change(cur, threshold);
      expect(ch.ratio).toBe(cur / 1000);
      expect(ch.significant).toBe(true);
      expect(ch.regression).toBe(true);
    });

    it('prints the threshold as given (24.9 %, not 25 %), and a change just below it is within the threshold', () => {
      const at = change(1249, 0.249);
      expect(at.text).toMatch(
        /^app@512: cold median 1000\.0 ms → 1249\.0 ms, \+24\.9 % \(95 % CI \+\d+\.\d % to \+\d+\.\d %, Mann–Whitney p = 0\.008\): regression at or beyond the 24\.9 % threshold$/,
      );
      const below = change(1248.9, 0.249);
      expect(below.ratio).toBeCloseTo(1.2489, 12);
      expect(below.significant).toBe(true);
      expect(below.regression).toBe(false);
      expect(below.text).toMatch(/: significant but within the 24\.9 % threshold$/);
      expect(compareRuns(base1000, run(1248.9), { threshold: 0.249, metric: 'cold.median' }).regressions).toBe(0);
    });

    it('counts as an improvement in the other direction', () => {
      expect(change(751, 0.249).improvement).toBe(true);
      expect(change(751.1, 0.249).improvement).toBe(false);
    });
  });

  it('does not call a change beyond the threshold a regression when its interval includes 1', () => {
    const c = compareRuns(base, regression, { threshold: 0.01, metric: 'cold.median' });
    const reuse = c.changes.find((ch) => ch.variant === 'reuse@512')!;
    expect(reuse.ratio).toBeGreaterThan(1.01);
    expect(reuse.ratioCI![0]).toBeLessThan(1);
    expect(reuse.regression).toBe(false);
  });

  it('normalises by a reference variant of the same run: a uniformly 2× slower machine is no regression', () => {
    const slowMachine = (s: Sample): Sample => ({ ...s, initMs: s.initMs === null ? null : s.initMs * 2, durationMs: s.durationMs === null ? null : s.durationMs * 2 });
    /** Ten cold starts of `variant`, the i-th with from + i·k ms of init. */
    const ten = (variant: string, from: number, billedMs: number, k: number) =>
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => coldStart(variant, { initMs: from + i * k, durationMs: 10, billedMs, maxMemoryMB: null }));
    const mk = (k: number) => [...ten('ref@512', 100, 111, k), ...ten('app@512', 200, 211, k)];
    const here = summarize(mk(1));
    const there = summarize(mk(1).map(slowMachine));
    expect(compareRuns(here, there, { threshold: 0.1, metric: 'cold.median' }).regressions).toBe(2);
    const normalised = compareRuns(here, there, { threshold: 0.1, metric: 'cold.median', normalizeBy: 'ref@512' });
    expect(normalised.regressions).toBe(0);
    expect(normalised.normalizeBy).toBe('ref@512');
    expect(normalised.changes.map((ch) => ch.variant)).toEqual(['app@512']);
    expect(normalised.changes[0].ratio).toBeCloseTo(1, 10);
    expect(normalised.changes[0].p).toBeNull();
  });

  it('flags the regression relative to reuse@512 as well', () => {
    const c = compareRuns(base, regression, { threshold: 0.1, metric: 'cold.median', normalizeBy: 'reuse@512' });
    expect(c.changes.find((ch) => ch.variant === 'percall@512')!.regression).toBe(true);
    expect(c.changes.find((ch) => ch.variant === 'percall@512')!.text).toContain('cold median relative to reuse@512');
  });

  it("compares cost per 1 M invocations at CUR's cold ratio: the slower cold start costs more only when cold starts count", () => {
    const atOnePercent = compareRuns(base, regression, { threshold: 0.1, metric: 'cost' }).changes.find((ch) => ch.variant === 'percall@512')!;
    expect(atOnePercent.regression).toBe(false);
    const allCold = compareRuns(base, fixtureSummary('regression', { coldRatio: 1 }), { threshold: 0.1, metric: 'cost' });
    const percall = allCold.changes.find((ch) => ch.variant === 'percall@512')!;
    expect(percall.regression).toBe(true);
    expect(percall.ratio).toBeGreaterThan(1.5);
    expect(percall.p).toBeNull();
    expect(percall.text).toMatch(/^percall@512: cost per 1 M \$\d+\.\d\d → \$\d+\.\d\d/);
  });

  it('says n/a for cold p90 when a run has fewer than 10 cold samples', () => {
    const few = summarize([coldStart('reuse@512', { initMs: 200, durationMs: 20, billedMs: 220 })]);
    const c = compareRuns(base, few, { threshold: 0.1, metric: 'cold.p90' });
    expect(c.changes[0].text).toBe('reuse@512: cold p90 n/a (the cold p90 needs at least 10 samples, has 1)');
    expect(c.onlyInBase).toEqual(['percall@512', 'reuse@1024']);
    expect(c.regressions).toBe(0);
  });

  it('throws NoCommonVariantsError naming the variants of each side', () => {
    const other = fixtureSummary('failures');
    expect(() => compareRuns(base, other, { threshold: 0.1, metric: 'cold.median' })).toThrow(NoCommonVariantsError);
    expect(() => compareRuns(base, other, { threshold: 0.1, metric: 'cold.median' })).toThrow(
      'the two runs have no measured variant in common: BASE has reuse@512, percall@512, reuse@1024; CUR has snap@1024, flaky@256',
    );
  });

  it('throws ReferenceVariantError when --normalize-by names a variant missing from a side', () => {
    expect(() => compareRuns(base, regression, { threshold: 0.1, metric: 'cold.median', normalizeBy: 'nope@1' })).toThrow(ReferenceVariantError);
    expect(() => compareRuns(base, regression, { threshold: 0.1, metric: 'cold.median', normalizeBy: 'nope@1' })).toThrow(
      '--normalize-by nope@1: BASE has no measured variant of that name (it has reuse@512, percall@512, reuse@1024)',
    );
  });

  it('compares a summary that went through JSON (an exported baseline) the same way', () => {
    const exported = JSON.parse(JSON.stringify(base));
    expect(compareRuns(exported, regression, { threshold: 0.1, metric: 'cold.median' })).toEqual(compareRuns(base, regression, { threshold: 0.1, metric: 'cold.median' }));
  });
});
