/**
 * Descriptive statistics on sorted numeric columns. Pure; every function takes a sorted
 * ascending array unless its name says otherwise.
 */
import type { MaybeNumber, Outliers, Stats } from './types.ts';
import { beta, type Rng } from './random.ts';

/** p90 is an interpolation between the top two of ten values below this; not worth printing. */
export const P90_MIN_N = 10;
/** p99 needs at least one value beyond the 99th in a hundred to mean anything. */
export const P99_MIN_N = 100;
/** Resamples per bootstrap interval: the 2.5 % tails then rest on 50 draws each. */
export const BOOTSTRAP_RESAMPLES = 2000;
/** hyperfine's outlier rule: |x − median| / MAD above 1.4826 × 10, i.e. ten robust σ. */
export const OUTLIER_THRESHOLD = 1.4826 * 10;

/**
 * The p-quantile (0 ≤ p ≤ 1) of sorted values by linear interpolation (Hyndman–Fan type 7,
 * numpy's default); null for an empty array.
 * @example quantileSorted([1, 2, 3, 4, 5, 6], 0.75) // 4.75
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): MaybeNumber {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const frac = h - lo;
  if (frac === 0 || lo + 1 >= n) return sorted[lo];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/** Arithmetic mean; null for an empty array. */
export function mean(values: ArrayLike<number>): MaybeNumber {
  if (values.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sample standard deviation (n − 1 denominator, two-pass); null when n < 2. */
export function sampleSd(values: ArrayLike<number>): MaybeNumber {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values) as number;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** Sorts a copy numerically (typed-array sort: no comparator, no string conversion). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values as ArrayLike<number>);
  copy.sort();
  return copy;
}

/**
 * The median of values in any order (sorts a copy); null for an empty array.
 * @example median([3, 1, 2, 10]) // 2.5
 */
export function median(values: ArrayLike<number>): MaybeNumber {
  return quantileSorted(sortedCopy(values), 0.5);
}

/**
 * One bootstrap replicate of the p-quantile of sorted `x`, drawn without materialising the
 * resample: the k-th smallest of n uniforms is Beta(k, n − k + 1), and the next one lies above
 * it like the minimum of the remaining n − k, so a resample's order statistics are exact in
 * distribution and each replicate costs O(1) whatever n is.
 */
export function resampleQuantile(x: ArrayLike<number>, p: number, rng: Rng): number {
  const n = x.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const frac = h - lo;
  const k = lo + 1;
  const u1 = n === 1 ? rng() : beta(rng, k, n - k + 1);
  const at = (u: number) => x[Math.min(n - 1, Math.floor(n * u))];
  const v1 = at(u1);
  if (frac === 0 || k >= n) return v1;
  const u2 = u1 + (1 - u1) * (1 - (1 - rng()) ** (1 / (n - k)));
  return v1 + frac * (at(u2) - v1);
}

/** The 2.5 % and 97.5 % points of the replicates (sorted in place); null when any is not finite. */
export function percentileInterval(replicates: Float64Array): [number, number] | null {
  replicates.sort();
  const lo = quantileSorted(replicates, 0.025);
  const hi = quantileSorted(replicates, 0.975);
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  return [lo, hi];
}

/** 95 % percentile-bootstrap interval of the p-quantile of sorted x; null when x is empty. */
export function bootstrapQuantileCI(sorted: ArrayLike<number>, p: number, rng: Rng, resamples = BOOTSTRAP_RESAMPLES): [number, number] | null {
  if (sorted.length === 0) return null;
  const reps = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) reps[b] = resampleQuantile(sorted, p, rng);
  return percentileInterval(reps);
}

/** n, median, p90, p99, mean, sd, min, max and the bootstrap CI of the median of a sorted column. */
export function describe(sorted: ArrayLike<number>, rng: Rng): Stats {
  const n = sorted.length;
  return {
    n,
    median: quantileSorted(sorted, 0.5),
    p90: n >= P90_MIN_N ? quantileSorted(sorted, 0.9) : null,
    p99: n >= P99_MIN_N ? quantileSorted(sorted, 0.99) : null,
    mean: mean(sorted),
    sd: sampleSd(sorted),
    min: n ? sorted[0] : null,
    max: n ? sorted[n - 1] : null,
    medianCI: bootstrapQuantileCI(sorted, 0.5, rng),
  };
}

/** Median absolute deviation from the median (unscaled); null for an empty array. */
export function mad(sorted: ArrayLike<number>): MaybeNumber {
  const med = quantileSorted(sorted, 0.5);
  if (med === null) return null;
  const dev = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) dev[i] = Math.abs(sorted[i] - med);
  dev.sort();
  return quantileSorted(dev, 0.5);
}

/**
 * Values whose modified z-score |x − median| / MAD exceeds OUTLIER_THRESHOLD (hyperfine). With
 * MAD = 0 (most values equal) any value off the median counts, as hyperfine's ε-guard does.
 * `values` are in arrival order; `sorted` is the same column sorted.
 */
export function findOutliers(values: ArrayLike<number>, sorted: ArrayLike<number>): Outliers {
  const result: Outliers = { count: 0, indices: [], values: [], slowFirst: false };
  const med = quantileSorted(sorted, 0.5);
  const m = mad(sorted);
  if (med === null || m === null) return result;
  for (let i = 0; i < values.length; i++) {
    const dev = Math.abs(values[i] - med);
    const outlying = m === 0 ? dev > 0 : dev / m > OUTLIER_THRESHOLD;
    if (outlying) {
      result.indices.push(i);
      result.values.push(values[i]);
    }
  }
  result.count = result.indices.length;
  result.slowFirst = result.indices[0] === 0 && values[0] > med;
  return result;
}
