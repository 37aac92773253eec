/**
 * Cost per invocation from the platform's Billed Duration (never recomputed from Init and
 * Duration: the billing rule changed in 2025 and differs by runtime and packaging), and a
 * memory recommendation in the style of AWS Lambda Power Tuning that weighs cold starts in.
 */
import { type Architecture, pricesOrDefault } from './prices.ts';
import type { MaybeNumber, Recommendation, VariantCost } from './types.ts';

const MB_PER_GB = 1024;
const MS_PER_S = 1000;
const PER_MILLION = 1_000_000;
/** Power Tuning's default balancedWeight: cost and speed count equally. */
export const BALANCED_WEIGHT = 0.5;

/** GB-seconds of one invocation billed `billedMs` at `memoryMB`. */
export function gbSeconds(billedMs: number, memoryMB: number): number {
  return (billedMs / MS_PER_S) * (memoryMB / MB_PER_GB);
}

/**
 * USD per 1 M invocations when a fraction `coldRatio` of them are cold, at the first-tier price.
 * @example perMillion({ coldGBs: 0.5, warmGBs: 0.05, coldRatio: 0.01, gbSecondPrice: 0.0000166667, requestPrice: 2e-7 })
 */
export function perMillion(input: { coldGBs: MaybeNumber; warmGBs: MaybeNumber; coldRatio: number; gbSecondPrice: number; requestPrice: number }): MaybeNumber {
  const { coldGBs, warmGBs, coldRatio } = input;
  const needCold = coldRatio > 0;
  const needWarm = coldRatio < 1;
  if ((needCold && coldGBs === null) || (needWarm && warmGBs === null)) return null;
  const gbs = (needCold ? coldRatio * (coldGBs as number) : 0) + (needWarm ? (1 - coldRatio) * (warmGBs as number) : 0);
  return PER_MILLION * (gbs * input.gbSecondPrice + input.requestPrice);
}

/** The cost block of one variant, from its mean billed times (ms) and the run's cold/warm counts. */
export function variantCost(input: {
  region: string;
  architecture: Architecture;
  memoryMB: number | null;
  meanBilledColdMs: MaybeNumber;
  meanBilledWarmMs: MaybeNumber;
  coldCount: number;
  warmCount: number;
  coldRatio: number;
}): VariantCost {
  const { region, prices } = pricesOrDefault(input.region);
  const memoryMB = input.memoryMB ?? 0;
  const gbSecondPrice = prices.duration[input.architecture][0].pricePerGBs;
  const coldGBs = input.meanBilledColdMs === null || !input.memoryMB ? null : gbSeconds(input.meanBilledColdMs, memoryMB);
  const warmGBs = input.meanBilledWarmMs === null || !input.memoryMB ? null : gbSeconds(input.meanBilledWarmMs, memoryMB);
  const total = input.coldCount + input.warmCount;
  const measuredColdRatio = total ? input.coldCount / total : null;
  const base = { gbSecondPrice, requestPrice: prices.requestPrice, coldGBs, warmGBs };
  return {
    region,
    architecture: input.architecture,
    memoryMB,
    gbSecondPrice,
    requestPrice: prices.requestPrice,
    coldGBs,
    warmGBs,
    measuredColdRatio,
    perMillionMeasured: measuredColdRatio === null ? null : perMillion({ ...base, coldRatio: measuredColdRatio }),
    coldRatio: input.coldRatio,
    perMillionAtRatio: perMillion({ ...base, coldRatio: input.coldRatio }),
  };
}

/**
 * USD per 1 M invocations served by provisioned concurrency at `requestsPerSecond`: the lower duration price on the
 * mean billed GB-seconds (ceil(Duration), no init), the requests, and the configured environments' standing charge for
 * the time 1 M requests take at that rate.
 * @example provisionedPerMillion({ billedGBs: 0.1, environments: 2, memoryMB: 1024, requestsPerSecond: 10, configuredPerGBs: 0.0000041667, durationPerGBs: 0.0000097222, requestPrice: 2e-7 })
 */
export function provisionedPerMillion(input: {
  billedGBs: number;
  environments: number;
  memoryMB: number;
  requestsPerSecond: number;
  configuredPerGBs: number;
  durationPerGBs: number;
  requestPrice: number;
}): number {
  const standing = provisionedStandingPerSecond(input) * (PER_MILLION / input.requestsPerSecond);
  return PER_MILLION * (input.billedGBs * input.durationPerGBs + input.requestPrice) + standing;
}

/** USD per second that `environments` provisioned environments of `memoryMB` cost whether they serve anything or not. */
export function provisionedStandingPerSecond(input: { environments: number; memoryMB: number; configuredPerGBs: number }): number {
  return input.environments * (input.memoryMB / MB_PER_GB) * input.configuredPerGBs;
}

/**
 * The request rate (per second) above which provisioned concurrency costs less per 1 M invocations than on-demand:
 * standing charge ÷ (on-demand per 1 M − PC's own duration and request charges per 1 M). null when PC's per-invoke
 * charges alone are not below on-demand's, so no rate makes it pay.
 * @example provisionedBreakEven({ onDemandPerMillion: 5, provisionedVariablePerMillion: 2, standingPerSecond: 0.0000083334 }) // 2.7778
 */
export function provisionedBreakEven(input: { onDemandPerMillion: number; provisionedVariablePerMillion: number; standingPerSecond: number }): MaybeNumber {
  const saved = input.onDemandPerMillion - input.provisionedVariablePerMillion;
  if (!(saved > 0)) return null;
  return (input.standingPerSecond * PER_MILLION) / saved;
}

/**
 * USD per 1 M invocations of a SnapStart version at cold ratio `coldRatio`: duration at the on-demand price (a cold
 * start's billed time includes Billed Restore Duration), a restore charge per cold start for the memory size, and the
 * snapshot cache for the time 1 M requests take at `requestsPerSecond`.
 */
export function snapStartPerMillion(input: {
  coldGBs: MaybeNumber;
  warmGBs: MaybeNumber;
  coldRatio: number;
  gbSecondPrice: number;
  requestPrice: number;
  memoryMB: number;
  requestsPerSecond: number;
  cachePerGBs: number;
  restorePerGB: number;
}): MaybeNumber {
  const base = perMillion(input);
  if (base === null) return null;
  const gb = input.memoryMB / MB_PER_GB;
  return base + PER_MILLION * input.coldRatio * gb * input.restorePerGB + gb * input.cachePerGBs * (PER_MILLION / input.requestsPerSecond);
}

export interface TuningCandidate {
  variant: string;
  memoryMB: number;
  expectedLatencyMs: number;
  perMillion: number;
}

/**
 * Picks a memory size among variants of one family (Power Tuning's strategies): `cost` the
 * cheapest, `speed` the fastest expected latency, `balanced` the lowest
 * w·cost/maxCost + (1 − w)·latency/maxLatency. Ties go to the smaller memory size.
 */
export function recommendMemory(family: string, candidates: TuningCandidate[], optimize: 'cost' | 'speed' | 'balanced', coldRatio: number): Recommendation {
  const sorted = [...candidates].sort((a, b) => a.memoryMB - b.memoryMB);
  const maxCost = Math.max(...sorted.map((c) => c.perMillion));
  const maxLatency = Math.max(...sorted.map((c) => c.expectedLatencyMs));
  const score = (c: TuningCandidate): number => {
    if (optimize === 'cost') return c.perMillion;
    if (optimize === 'speed') return c.expectedLatencyMs;
    const costPart = maxCost > 0 ? c.perMillion / maxCost : 0;
    const latencyPart = maxLatency > 0 ? c.expectedLatencyMs / maxLatency : 0;
    return BALANCED_WEIGHT * costPart + (1 - BALANCED_WEIGHT) * latencyPart;
  };
  const scored = sorted.map((c) => ({ ...c, score: score(c) }));
  let best: (typeof scored)[number] | null = null;
  for (const c of scored) if (best === null || c.score < best.score) best = c;
  const pct = formatRatio(coldRatio);
  const text =
    best === null
      ? `${family}: no memory size was measured, so there is nothing to recommend.`
      : `${family}: ${best.memoryMB} MB (${best.variant}) is ${optimize === 'cost' ? 'the cheapest' : optimize === 'speed' ? 'the fastest' : 'the best balance of cost and speed'} at ${pct} cold starts: ` +
        `$${best.perMillion.toFixed(2)} per 1 M invocations, ${best.expectedLatencyMs.toFixed(1)} ms expected latency.`;
  return { family, optimize, coldRatio, best: best?.variant ?? null, candidates: scored, text };
}

/** 0.01 → "1 %", 0.333… → "33.3 %". */
export function formatRatio(ratio: number): string {
  const pct = ratio * 100;
  return `${Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)} %`;
}
