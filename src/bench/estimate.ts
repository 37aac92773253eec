/**
 * What a real-account run will invoke and roughly cost, shown before asking for consent.
 */
import { pricesOrDefault } from '../report/prices.ts';
import type { Plan } from './plan.ts';

/** Assumed billed time of a cold invoke (init + handler; init is billed since 2025-08-01). */
export const ASSUMED_COLD_BILLED_MS = 1_000;
/** Assumed billed time of a warm invoke. */
export const ASSUMED_WARM_BILLED_MS = 100;

/** Provisioned concurrency is billed in 5-minute steps from the Put to the Delete; one batch's allocation and invokes fit in one. */
export const ASSUMED_PC_BILLED_S = 300;
/** SnapStart bills a version's snapshot cache for at least 3 hours, and coldbench publishes one version per cold sample. */
export const SNAPSTART_MIN_CACHE_S = 3 * 3600;

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
    const extra = startupCharges(v, prices);
    if (v.provisioned && prices.provisioned) {
      // Every invoke is served by an environment initialised ahead: PC's duration price, no init billed.
      const pcPrice = prices.provisioned.durationPerGBs[v.architecture];
      typical += n * prices.requestPrice + n * gbs(ASSUMED_WARM_BILLED_MS) * pcPrice + extra;
      worst += n * prices.requestPrice + n * gbs(v.timeoutS * 1000) * pcPrice + extra;
      continue;
    }
    typical += n * prices.requestPrice + (v.cold * gbs(ASSUMED_COLD_BILLED_MS) + v.warm * gbs(ASSUMED_WARM_BILLED_MS)) * price + extra;
    worst += n * prices.requestPrice + n * gbs(v.timeoutS * 1000 + (v.cold > 0 ? 10_000 : 0)) * price + extra;
  }
  return { invocations, typicalUsd: typical, worstUsd: worst, region: priced };
}

/** PC's standing charge (one 5-minute step per cold batch of N) or SnapStart's cache (3 h per version) and restores. */
function startupCharges(v: Plan['variants'][number], prices: ReturnType<typeof pricesOrDefault>['prices']): number {
  const gb = v.memoryMB / 1024;
  if (v.provisioned && prices.provisioned) {
    const batches = Math.max(1, Math.ceil(v.cold / v.provisioned));
    return batches * v.provisioned * gb * ASSUMED_PC_BILLED_S * prices.provisioned.configuredPerGBs[v.architecture];
  }
  if (v.snapStart && prices.snapStart) return v.cold * gb * (SNAPSTART_MIN_CACHE_S * prices.snapStart.cachePerGBs + prices.snapStart.restorePerGB);
  return 0;
}

/** The plan as shown before a real-account run. */
export function describePlan(plan: Plan, estimate: Estimate): string {
  const rows = plan.order.map((name) => {
    const v = plan.variants.find((x) => x.name === name);
    if (!v) throw new Error(`plan order names ${name}, which is not one of its variants`);
    const how = v.provisioned ? `provisioned concurrency ${v.provisioned}` : v.snapStart ? `${v.coldStrategy}, SnapStart` : v.coldStrategy;
    return `  ${name.padEnd(32)} ${String(v.memoryMB).padStart(5)} MB  ${v.architecture.padEnd(6)}  cold ${String(v.cold).padStart(3)}  warm ${String(v.warm).padStart(3)}  (${how})`;
  });
  const usd = (x: number) => (x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
  return [
    `Plan: ${plan.variants.length} variant${plan.variants.length === 1 ? '' : 's'}, ${estimate.invocations} invocations`,
    ...rows,
    `Estimated cost: about ${usd(estimate.typicalUsd)} (assuming ${ASSUMED_COLD_BILLED_MS} ms per cold and ${ASSUMED_WARM_BILLED_MS} ms per warm invoke, ${estimate.region} prices, no free tier); at most ${usd(estimate.worstUsd)} if every invoke ran to its timeout.`,
  ].join('\n');
}
