import { describe as group, expect, it } from 'vitest';
import { bootstrapQuantileCI, describe, findOutliers, mad, mean, quantileSorted, resampleQuantile, sampleSd, sortedCopy } from '../../src/report/stats.ts';
import { makeRng } from '../../src/report/random.ts';

group('quantileSorted', () => {
  it('interpolates linearly between order statistics (type 7): [1..6] → p75 4.75, median 3.5', () => {
    const x = [1, 2, 3, 4, 5, 6];
    expect(quantileSorted(x, 0.75)).toBe(4.75);
    expect(quantileSorted(x, 0.5)).toBe(3.5);
    expect(quantileSorted(x, 0)).toBe(1);
    expect(quantileSorted(x, 1)).toBe(6);
  });

  it('returns the only value for n = 1 and null for an empty column', () => {
    expect(quantileSorted([7.5], 0.9)).toBe(7.5);
    expect(quantileSorted([], 0.5)).toBeNull();
  });

  it('returns the tied value when all values are equal, zeros included', () => {
    expect(quantileSorted([0, 0, 0], 0.9)).toBe(0);
    expect(quantileSorted([2, 2, 2, 2], 0.5)).toBe(2);
  });

  it('gives p90 of 1..10 as 9.1', () => {
    expect(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 12);
  });
});

group('mean and sampleSd', () => {
  it('computes mean 5 and the n − 1 standard deviation √(32/7) of [2,4,4,4,5,5,7,9]', () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(x)).toBe(5);
    expect(sampleSd(x)).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('returns null sd for n = 1 and null mean for an empty column', () => {
    expect(sampleSd([3])).toBeNull();
    expect(mean([])).toBeNull();
    expect(sampleSd([0, 0])).toBe(0);
  });
});

group('describe', () => {
  it('leaves p90 and p99 null below n = 10 and n = 100', () => {
    const s = describe([1, 2, 3, 4, 5, 6, 7, 8, 9], makeRng(1));
    expect(s).toMatchObject({ n: 9, median: 5, p90: null, p99: null, mean: 5, min: 1, max: 9 });
  });

  it('fills p90 from n = 10 and p99 from n = 100', () => {
    const ten = describe([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], makeRng(1));
    expect(ten.p90).toBeCloseTo(9.1, 12);
    expect(ten.p99).toBeNull();
    const hundred = describe(
      Array.from({ length: 100 }, (_, i) => i + 1),
      makeRng(1),
    );
    expect(hundred.p99).toBeCloseTo(99.01, 10);
  });

  it('describes an empty column with n = 0 and nulls everywhere', () => {
    expect(describe([], makeRng(1))).toEqual({ n: 0, median: null, p90: null, p99: null, mean: null, sd: null, min: null, max: null, medianCI: null });
  });

  it('gives n = 1 a degenerate interval at the value and no sd', () => {
    expect(describe([12.5], makeRng(1))).toMatchObject({ n: 1, median: 12.5, sd: null, medianCI: [12.5, 12.5] });
  });
});

group('bootstrapQuantileCI', () => {
  it('is reproducible: the same seed gives the same interval, pinned here', () => {
    const x = sortedCopy([212.4, 205.1, 230.8, 219.9, 208.3, 240.1, 201.7, 214.6, 226.0, 209.2]);
    const a = bootstrapQuantileCI(x, 0.5, makeRng(42));
    expect(a).toEqual(bootstrapQuantileCI(x, 0.5, makeRng(42)));
    expect(a).toEqual([208.27125, 226]);
  });

  it('agrees with a naive resample-and-sort bootstrap of the same data', () => {
    const x = sortedCopy([212.4, 205.1, 230.8, 219.9, 208.3, 240.1, 201.7, 214.6, 226.0, 209.2, 199.4]);
    const rng = makeRng(9);
    const medians = new Float64Array(20_000);
    for (let b = 0; b < medians.length; b++) {
      const resample = sortedCopy(Array.from(x, () => x[Math.floor(rng() * x.length)]));
      medians[b] = quantileSorted(resample, 0.5) as number;
    }
    medians.sort();
    const fast = bootstrapQuantileCI(x, 0.5, makeRng(10), 20_000)!;
    expect(fast[0]).toBeCloseTo(quantileSorted(medians, 0.025) as number, 0);
    expect(fast[1]).toBeCloseTo(quantileSorted(medians, 0.975) as number, 0);
  });

  it('collapses to the value when all values are equal (zeros too)', () => {
    expect(bootstrapQuantileCI([0, 0, 0, 0], 0.5, makeRng(3))).toEqual([0, 0]);
    expect(bootstrapQuantileCI([4, 4, 4], 0.5, makeRng(3))).toEqual([4, 4]);
  });

  it('returns null for an empty column', () => {
    expect(bootstrapQuantileCI([], 0.5, makeRng(3))).toBeNull();
  });
});

group('resampleQuantile', () => {
  const frequencies = (x: number[], draws: number) => {
    const rng = makeRng(2024);
    const seen = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const v = resampleQuantile(x, 0.5, rng);
      seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    return new Map([...seen].map(([k, c]) => [k, c / draws]));
  };

  it('draws the median of a resample of [1,2,3] with the exact bootstrap probabilities 7/27, 13/27, 7/27', () => {
    const f = frequencies([1, 2, 3], 27_000);
    expect([...f.keys()].sort()).toEqual([1, 2, 3]);
    expect(f.get(1)).toBeCloseTo(7 / 27, 2);
    expect(f.get(2)).toBeCloseTo(13 / 27, 2);
    expect(f.get(3)).toBeCloseTo(7 / 27, 2);
  });

  it('draws the median of a resample of [1,2] as 1, 1.5 or 2 with probabilities ¼, ½, ¼', () => {
    const f = frequencies([1, 2], 20_000);
    expect(f.get(1)).toBeCloseTo(0.25, 2);
    expect(f.get(1.5)).toBeCloseTo(0.5, 2);
    expect(f.get(2)).toBeCloseTo(0.25, 2);
  });
});

group('mad and findOutliers', () => {
  it('computes the MAD of [1,1,2,2,4,6,9] as 1', () => {
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });

  it('flags 100 in [1,2,3,4,5,100] (|100 − 3.5| / 1.5 = 64.3 > 14.826) and nothing else', () => {
    const values = [100, 1, 2, 3, 4, 5];
    const o = findOutliers(values, sortedCopy(values));
    expect(o).toEqual({ count: 1, indices: [0], values: [100], slowFirst: true });
  });

  it("keeps a value 9 robust σ out (below hyperfine's threshold of 10)", () => {
    // median 10, MAD 1: 10 + 9 × 1.4826 = 23.34 is not an outlier, 10 + 10.1 × 1.4826 is.
    const inside = [9, 10, 10, 11, 23.34];
    expect(findOutliers(inside, sortedCopy(inside)).count).toBe(0);
    const outside = [9, 10, 10, 11, 24.98];
    expect(findOutliers(outside, sortedCopy(outside)).indices).toEqual([4]);
  });

  it('flags every value off the median when the MAD is 0, as hyperfine does', () => {
    const values = [5, 5, 5, 5, 6];
    expect(findOutliers(values, sortedCopy(values))).toEqual({ count: 1, indices: [4], values: [6], slowFirst: false });
  });

  it('finds none in an empty column or a single value', () => {
    expect(findOutliers([], []).count).toBe(0);
    expect(findOutliers([3], [3]).count).toBe(0);
  });
});
