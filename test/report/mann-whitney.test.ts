import { describe, expect, it } from 'vitest';
import { mannWhitney, normalSf } from '../../src/report/mann-whitney.ts';

// Expected p-values from scipy.stats.mannwhitneyu (two-sided): method='exact' without ties for
// n1 + n2 ≤ 40, else method='asymptotic' (tie and continuity corrections). scipy's default
// method='auto' agrees only where it makes the same choice (see src/report/mann-whitney.ts).
describe('mannWhitney', () => {
  it('gives U = 0 and the exact p = 2/20 = 0.1 for [1,2,3] vs [4,5,6]', () => {
    expect(mannWhitney([1, 2, 3], [4, 5, 6])).toEqual({ u: 0, p: 0.1, method: 'exact' });
  });

  it('gives U = 9 and the same p when the samples swap', () => {
    expect(mannWhitney([4, 5, 6], [1, 2, 3])).toEqual({ u: 9, p: 0.1, method: 'exact' });
  });

  it('gives p = 1 for n = 1 against n = 1 (two arrangements, one as extreme)', () => {
    expect(mannWhitney([1], [2])).toEqual({ u: 0, p: 1, method: 'exact' });
  });

  it('uses mid-ranks and the tie-corrected normal approximation when values tie: U = 2.5, p = 0.136658', () => {
    const r = mannWhitney([1, 2, 2, 3], [2, 3, 4, 5]);
    expect(r.u).toBe(2.5);
    expect(r.method).toBe('normal');
    expect(r.p).toBeCloseTo(0.1366582477, 6);
  });

  it('uses the normal approximation above 40 values: 0..29 vs 5.5..34.5 → p = 0.027086', () => {
    const a = Array.from({ length: 30 }, (_, i) => i);
    const b = a.map((x) => x + 5.5);
    const r = mannWhitney(a, b);
    expect(r.u).toBe(300);
    expect(r.p).toBeCloseTo(0.0270863184, 6);
  });

  it("stays exact for 10 vs 10 values without ties, where scipy's default method='auto' would not: p = 0.028806 (method='exact'; 'auto' gives 0.031209)", () => {
    const a = Array.from({ length: 10 }, (_, i) => i);
    const r = mannWhitney(
      a,
      a.map((x) => x + 3.5),
    );
    expect(r.method).toBe('exact');
    expect(r.u).toBe(21);
    expect(r.p).toBeCloseTo(0.0288055598, 9);
  });

  it('returns p = 1 for identical samples and when every value ties', () => {
    expect(mannWhitney([1, 2, 3, 4], [1, 2, 3, 4]).p).toBe(1);
    expect(mannWhitney([0, 0], [0, 0, 0]).p).toBe(1);
  });

  it('returns a null p when a side is empty', () => {
    expect(mannWhitney([], [1, 2])).toEqual({ u: 0, p: null, method: null });
  });
});

describe('normalSf', () => {
  it('gives 0.5 at 0 and 0.025 at 1.959964', () => {
    expect(normalSf(0)).toBeCloseTo(0.5, 7);
    expect(normalSf(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalSf(-1.959964)).toBeCloseTo(0.975, 6);
  });
});
