/**
 * Ratios between two samples with their bootstrap interval, and the sentences that say who
 * is faster. Pure; the PRNG is handed in.
 */
import { BOOTSTRAP_RESAMPLES, percentileInterval, quantileSorted, resampleQuantile } from './stats.ts';
import { mannWhitney } from './mann-whitney.ts';
import { ratio as fmtRatio, pValue } from './format.ts';
import type { LatencyKind, MaybeNumber, VariantComparison } from './types.ts';
import { makeRng } from './random.ts';

export interface RatioEstimate {
  ratio: MaybeNumber;
  ci: [number, number] | null;
}

/**
 * num's p-quantile over den's, with a 95 % percentile-bootstrap interval (both samples
 * resampled independently). A zero or missing denominator gives null: "n/a", never Infinity.
 */
export function quantileRatio(num: ArrayLike<number>, den: ArrayLike<number>, p: number, rng: () => number, resamples = BOOTSTRAP_RESAMPLES): RatioEstimate {
  const qn = quantileSorted(num, p);
  const qd = quantileSorted(den, p);
  if (qn === null || qd === null || qd === 0) return { ratio: null, ci: null };
  const reps = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) reps[b] = resampleQuantile(num, p, rng) / resampleQuantile(den, p, rng);
  return { ratio: qn / qd, ci: percentileInterval(reps) };
}

const KIND_PHRASE: Record<LatencyKind, string> = { cold: 'cold starts', warm: 'warm invocations ran' };

/**
 * Compares the medians of two variants on one kind and phrases it like hyperfine:
 * "reuse@512 cold starts 1.42× faster than percall@512 (95 % CI 1.31–1.55, Mann–Whitney p < 0.001)".
 */
export function compareVariants(kind: LatencyKind, a: { name: string; values: number[] }, b: { name: string; values: number[] }, seed: number): VariantComparison {
  const ma = quantileSorted(a.values, 0.5);
  const mb = quantileSorted(b.values, 0.5);
  const [fast, slow] = ma !== null && mb !== null && mb < ma ? [b, a] : [a, b];
  const rng = makeRng(seed);
  const est = quantileRatio(slow.values, fast.values, 0.5, rng);
  const mw = mannWhitney(fast.values, slow.values);
  const base = { kind, faster: fast.name, slower: slow.name, ratio: est.ratio, ratioCI: est.ci, p: mw.p, pMethod: mw.method };
  if (est.ratio === null) {
    const why = ma === null || mb === null ? `no successful ${kind} samples for ${ma === null ? a.name : b.name}` : `the median of ${fast.name} is 0 ms`;
    return { ...base, text: `${fast.name} vs ${slow.name}, ${kind}: n/a (${why})` };
  }
  const details: string[] = [];
  if (est.ci) details.push(`95 % CI ${fmtRatio(est.ci[0])}–${fmtRatio(est.ci[1])}`);
  if (mw.p !== null) details.push(`Mann–Whitney ${pValue(mw.p)}`);
  const tail = details.length ? ` (${details.join(', ')})` : '';
  return { ...base, text: `${fast.name} ${KIND_PHRASE[kind]} ${fmtRatio(est.ratio)}× faster than ${slow.name}${tail}` };
}
