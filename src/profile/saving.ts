/**
 * A measured saving: how much lower the variant's median is than the baseline's, with a 95 %
 * percentile-bootstrap interval (seeded, so a profile is reproducible from its samples). Built
 * on src/report's resampling, the same one behind every interval in `coldbench report`.
 */
import { makeRng } from '../report/random.ts';
import { BOOTSTRAP_RESAMPLES, percentileInterval, quantileSorted, resampleQuantile, sortedCopy } from '../report/stats.ts';

export interface MeasuredSaving {
  /** median(baseline) − median(variant), ms; positive when the variant is faster */
  savingMs: number;
  ci: [number, number];
  n: { baseline: number; variant: number };
}

/** Seed of the bootstrap: fixed, so the same samples always give the same interval. */
export const SAVING_SEED = 7;

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * Difference of medians with its bootstrap interval; null when either side has no sample.
 * @example measuredSaving([110, 120, 130], [60, 70, 80]) // → { savingMs: 50, ci: [30, 70], n: { baseline: 3, variant: 3 } }
 */
export function measuredSaving(baseline: number[], variant: number[], seed = SAVING_SEED, resamples = BOOTSTRAP_RESAMPLES): MeasuredSaving | null {
  if (baseline.length === 0 || variant.length === 0) return null;
  const a = sortedCopy(baseline);
  const b = sortedCopy(variant);
  const rng = makeRng(seed);
  const reps = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) reps[i] = resampleQuantile(a, 0.5, rng) - resampleQuantile(b, 0.5, rng);
  const ci = percentileInterval(reps);
  const savingMs = (quantileSorted(a, 0.5) as number) - (quantileSorted(b, 0.5) as number);
  return { savingMs: round(savingMs), ci: ci ? [round(ci[0]), round(ci[1])] : [round(savingMs), round(savingMs)], n: { baseline: baseline.length, variant: variant.length } };
}
