/**
 * BASE run vs CUR run, variant by variant: the regression check behind `coldbench compare`.
 * A change is a regression only when it reaches the threshold AND its 95 % bootstrap
 * interval of cur/base lies wholly above 1 (significant); an interval is used rather than the
 * rank test because it also covers normalised ratios and cost, where no rank test applies.
 */
import type { CompareMetric, MaybeNumber, RunComparison, RunSummary, VariantChange, VariantSummary } from './types.ts';
import { BOOTSTRAP_RESAMPLES, P90_MIN_N, mean, percentileInterval, quantileSorted, resampleQuantile, sampleSd } from './stats.ts';
import { makeRng, normal, type Rng } from './random.ts';
import { mannWhitney } from './mann-whitney.ts';
import { DASH, hash32, percentChange, pValue } from './format.ts';
import { perMillion } from './cost.ts';
import { NoCommonVariantsError, ReferenceVariantError } from './errors.ts';

type Measured = Extract<VariantSummary, { state: 'measured' }>;

export interface CompareOptions {
  /** Relative change that counts, e.g. 0.1 for 10 %. */
  threshold: number;
  metric: CompareMetric;
  normalizeBy?: string;
}

/** A metric of one variant: its point value and a function drawing one bootstrap replicate. */
interface MetricSampler {
  value: MaybeNumber;
  draw: (rng: Rng) => number;
  /** The raw values for the rank test (latency metrics only). */
  raw: number[] | null;
  unit: 'ms' | 'USD';
  missing?: string;
}

function latencySampler(values: number[], p: number, minN: number, what: string): MetricSampler {
  if (values.length < minN) return { value: null, draw: () => NaN, raw: values, unit: 'ms', missing: `${what} needs at least ${minN} samples, has ${values.length}` };
  return { value: quantileSorted(values, p), draw: (rng) => resampleQuantile(values, p, rng), raw: values, unit: 'ms' };
}

/** Draws a mean from its normal approximation (mean ± sd/√n): the bootstrap distribution of a mean for all but tiny n. */
function meanDraw(values: number[]): { value: MaybeNumber; draw: (rng: Rng) => number } {
  const m = mean(values);
  const se = values.length > 1 ? (sampleSd(values) as number) / Math.sqrt(values.length) : 0;
  return { value: m, draw: (rng) => (m as number) + se * normal(rng) };
}

function costSampler(v: Measured, coldRatio: number): MetricSampler {
  const cold = meanDraw(v.cold.billedValues);
  const warm = meanDraw(v.warm.billedValues);
  const mem = v.cost.memoryMB / 1024 / 1000;
  const at = (c: MaybeNumber, w: MaybeNumber) =>
    perMillion({ coldGBs: c === null ? null : c * mem, warmGBs: w === null ? null : w * mem, coldRatio, gbSecondPrice: v.cost.gbSecondPrice, requestPrice: v.cost.requestPrice });
  const value = v.cost.memoryMB ? at(cold.value, warm.value) : null;
  return {
    value,
    draw: (rng) => at(cold.value === null ? null : cold.draw(rng), warm.value === null ? null : warm.draw(rng)) ?? NaN,
    raw: null,
    unit: 'USD',
    missing: value === null ? 'no billed samples or memory size' : undefined,
  };
}

function sampler(v: Measured, metric: CompareMetric, coldRatio: number): MetricSampler {
  switch (metric) {
    case 'cold.median':
      return latencySampler(v.cold.values, 0.5, 1, 'the cold median');
    case 'cold.p90':
      return latencySampler(v.cold.values, 0.9, P90_MIN_N, 'the cold p90');
    case 'warm.median':
      return latencySampler(v.warm.values, 0.5, 1, 'the warm median');
    case 'cost':
      return costSampler(v, coldRatio);
  }
}

function measured(s: RunSummary): Map<string, Measured> {
  return new Map(s.variants.filter((v): v is Measured => v.state === 'measured').map((v) => [v.name, v]));
}

const pct = (r: number) => `${percentChange(r)} %`;

/**
 * Slack when a change is held against the threshold, in units of relative change (1e-9 is
 * 0.0000001 %). Neither side is exact in binary: `--threshold 24.9%` arrives as 24.9 / 100 and a
 * ratio as a quotient of decimal milliseconds, so a change that equals the threshold in decimal
 * can land an ulp or so below it (1150 / 1000 − 1 < 15 / 100 in doubles). The slack is far above
 * that rounding error (~1e-16) and far below any change the output can show (0.1 %).
 */
const THRESHOLD_SLACK = 1e-9;

/** Whether a relative change (> 0) reaches the threshold; equal counts, as --threshold is the smallest change that counts. */
function reaches(change: number, threshold: number): boolean {
  return change > 0 && change >= threshold - THRESHOLD_SLACK;
}

/** The threshold as the user gave it, in percent: 0.249 → "24.9", 0.1 → "10" (no rounding to whole percent). */
export function thresholdPercent(threshold: number): string {
  return String(Number((threshold * 100).toPrecision(12)));
}

function fmtValue(value: MaybeNumber, unit: 'ms' | 'USD', normalised: boolean): string {
  if (value === null) return DASH;
  if (normalised) return `${value.toFixed(3)}×`;
  return unit === 'USD' ? `$${value.toFixed(2)}` : `${value.toFixed(1)} ms`;
}

/**
 * Compares every variant measured in both runs on one metric (cur / base; > 1 is worse).
 * @throws NoCommonVariantsError, ReferenceVariantError
 */
export function compareRuns(base: RunSummary, cur: RunSummary, options: CompareOptions): RunComparison {
  const b = measured(base);
  const c = measured(cur);
  const ref = options.normalizeBy;
  const refBase = ref === undefined ? undefined : b.get(ref);
  const refCur = ref === undefined ? undefined : c.get(ref);
  if (ref !== undefined) {
    if (!refBase) throw new ReferenceVariantError(ref, 'BASE', [...b.keys()]);
    if (!refCur) throw new ReferenceVariantError(ref, 'CUR', [...c.keys()]);
  }
  const common = [...c].flatMap(([name, inCur]) => {
    const inBase = b.get(name);
    return inBase && name !== ref ? [{ name, inBase, inCur }] : [];
  });
  if (common.length === 0) throw new NoCommonVariantsError([...b.keys()], [...c.keys()]);
  // Cost of both runs at one cold ratio, so a different --cold-ratio cannot pose as a change.
  const coldRatio = cur.options.coldRatio;
  const seed = cur.options.seed;
  const label = metricLabel(options.metric) + (ref ? ` relative to ${ref}` : '');
  const changes: VariantChange[] = common.map(({ name, inBase, inCur }) => {
    const sb = sampler(inBase, options.metric, coldRatio);
    const sc = sampler(inCur, options.metric, coldRatio);
    // Both are set whenever ref is (checked above).
    const rb = ref && refBase ? sampler(refBase, options.metric, coldRatio) : null;
    const rc = ref && refCur ? sampler(refCur, options.metric, coldRatio) : null;
    const norm = (x: MaybeNumber, r: MetricSampler | null): MaybeNumber => (x === null ? null : r === null ? x : r.value ? x / r.value : null);
    const baseValue = norm(sb.value, rb);
    const curValue = norm(sc.value, rc);
    const change: VariantChange = {
      variant: name,
      base: baseValue,
      cur: curValue,
      ratio: null,
      ratioCI: null,
      p: null,
      significant: false,
      regression: false,
      improvement: false,
      text: '',
    };
    const missing = [sb, sc, rb, rc].find((s) => s?.missing)?.missing;
    if (baseValue === null || curValue === null || baseValue === 0) {
      change.text = `${name}: ${label} n/a (${missing ?? 'a zero denominator'})`;
      return change;
    }
    change.ratio = curValue / baseValue;
    const rng = makeRng((seed ^ hash32(`compare:${options.metric}:${name}`)) >>> 0);
    const reps = new Float64Array(BOOTSTRAP_RESAMPLES);
    for (let i = 0; i < reps.length; i++) {
      const vb = sb.draw(rng) / (rb ? rb.draw(rng) : 1);
      const vc = sc.draw(rng) / (rc ? rc.draw(rng) : 1);
      reps[i] = vc / vb;
    }
    change.ratioCI = percentileInterval(reps);
    if (!ref && sb.raw && sc.raw) change.p = mannWhitney(sb.raw, sc.raw).p;
    const ci = change.ratioCI;
    change.significant = ci !== null && (ci[0] > 1 || ci[1] < 1);
    change.regression = change.significant && reaches(change.ratio - 1, options.threshold);
    change.improvement = change.significant && reaches(1 - change.ratio, options.threshold);
    const verdict = change.regression
      ? `regression at or beyond the ${thresholdPercent(options.threshold)} % threshold`
      : change.improvement
        ? 'improvement'
        : change.significant
          ? `significant but within the ${thresholdPercent(options.threshold)} % threshold`
          : 'no significant change';
    const details = [ci ? `95 % CI ${pct(ci[0])} to ${pct(ci[1])}` : null, change.p !== null ? `Mann–Whitney ${pValue(change.p)}` : null].filter(Boolean).join(', ');
    change.text = `${name}: ${label} ${fmtValue(baseValue, sb.unit, !!ref)} → ${fmtValue(curValue, sc.unit, !!ref)}, ${pct(change.ratio)}${details ? ` (${details})` : ''}: ${verdict}`;
    return change;
  });
  return {
    base: base.run.runId,
    cur: cur.run.runId,
    metric: options.metric,
    threshold: options.threshold,
    normalizeBy: ref ?? null,
    changes,
    onlyInBase: [...b.keys()].filter((n) => !c.has(n)),
    onlyInCur: [...c.keys()].filter((n) => !b.has(n)),
    regressions: changes.filter((ch) => ch.regression).length,
  };
}

/** "cold median", "cold p90", "warm median", "cost per 1 M". */
export function metricLabel(metric: CompareMetric): string {
  return metric === 'cost' ? 'cost per 1 M' : metric.replace('.', ' ');
}
