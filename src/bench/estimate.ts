/**
 * What a real-account run will invoke and roughly cost, shown before asking for consent.
 */
import { pricesOrDefault } from '../report/prices.ts';
import type { Plan } from './plan.ts';

/** Assumed billed time of a cold invoke (init + handler; init is billed since 2025-08-01). */
export const ASSUMED_COLD_BILLED_MS = 1_000;
/** Assumed billed time of a warm invoke. */
export const ASSUMED_WARM_BILLED_MS = 100;

export interface Estimate {
  invocations: number;
  /** USD at the assumed durations */
  typicalUsd: number;
  /** USD if every invoke ran until its timeout */
  worstUsd: number;
  region: string;
}

/** Invocations and cost for a plan: requests + billed GB-seconds at first-tier prices. */
export function estimateCost(plan: Plan, region: string): Estimate {
  const { region: priced, prices } = pricesOrDefault(region);
  let invocations = 0;
  let typical = 0;
  let worst = 0;
  for (const v of plan.variants) {
    const n = v.cold + v.warm;
    const gbs = (ms: number) => (ms / 1000) * (v.memoryMB / 1024);
    const price = prices.duration[v.architecture][0].pricePerGBs;
    invocations += n;
    typical += n * prices.requestPrice + (v.cold * gbs(ASSUMED_COLD_BILLED_MS) + v.warm * gbs(ASSUMED_WARM_BILLED_MS)) * price;
    worst += n * prices.requestPrice + n * gbs(v.timeoutS * 1000 + (v.cold > 0 ? 10_000 : 0)) * price;
  }
  return { invocations, typicalUsd: typical, worstUsd: worst, region: priced };
}

/** The plan as shown before a real-account run. */
export function describePlan(plan: Plan, estimate: Estimate): string {
  const rows = plan.order.map((name) => {
    const v = plan.variants.find((x) => x.name === name);
    if (!v) throw new Error(`plan order names ${name}, which is not one of its variants`);
    return `  ${name.padEnd(32)} ${String(v.memoryMB).padStart(5)} MB  ${v.architecture.padEnd(6)}  cold ${String(v.cold).padStart(3)}  warm ${String(v.warm).padStart(3)}  (${v.coldStrategy})`;
  });
  const usd = (x: number) => (x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
  return [
    `Plan: ${plan.variants.length} variant${plan.variants.length === 1 ? '' : 's'}, ${estimate.invocations} invocations`,
    ...rows,
    `Estimated cost: about ${usd(estimate.typicalUsd)} (assuming ${ASSUMED_COLD_BILLED_MS} ms per cold and ${ASSUMED_WARM_BILLED_MS} ms per warm invoke, ${estimate.region} prices, no free tier); at most ${usd(estimate.worstUsd)} if every invoke ran to its timeout.`,
  ].join('\n');
}
