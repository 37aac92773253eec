/**
 * Lambda prices as data, per region (shared/reference/lambda-formats.md, "Billing"). Add a
 * region by adding an entry; nothing else in the report knows a price.
 */

import type { Architecture } from '../vocabulary.ts';

export type { Architecture };

/** One step of the monthly GB-second ladder: `upToGBs` is cumulative (Infinity for the last). */
export interface PriceTier {
  upToGBs: number;
  pricePerGBs: number;
}

export interface RegionPrices {
  /** USD per request. */
  requestPrice: number;
  /** USD per GB-second, per architecture, in monthly-volume tiers. */
  duration: Record<Architecture, PriceTier[]>;
}

/** The region whose prices the reference gives; used when a run names no region. */
export const DEFAULT_REGION = 'us-east-1';

export const PRICES: Record<string, RegionPrices> = {
  'us-east-1': {
    requestPrice: 0.2 / 1_000_000,
    duration: {
      x86_64: [
        { upToGBs: 6e9, pricePerGBs: 0.0000166667 },
        { upToGBs: 15e9, pricePerGBs: 0.000015 },
        { upToGBs: Infinity, pricePerGBs: 0.0000133334 },
      ],
      arm64: [
        { upToGBs: 7.5e9, pricePerGBs: 0.0000133334 },
        { upToGBs: 18.75e9, pricePerGBs: 0.0000120001 },
        { upToGBs: Infinity, pricePerGBs: 0.0000106667 },
      ],
    },
  },
};

/** The prices of a region, or null when the table has none for it. */
export function regionPrices(region: string): RegionPrices | null {
  return Object.hasOwn(PRICES, region) ? PRICES[region] : null;
}

/** The prices of DEFAULT_REGION, which the table always has. */
const DEFAULT_PRICES: RegionPrices = PRICES[DEFAULT_REGION];

/** The prices of a region, or DEFAULT_REGION's when the table has none for it; `region` names the region priced. */
export function pricesOrDefault(region: string): { region: string; prices: RegionPrices } {
  const prices = regionPrices(region);
  return prices ? { region, prices } : { region: DEFAULT_REGION, prices: DEFAULT_PRICES };
}

/**
 * Duration charge (USD) for a month's GB-seconds, walking the tiers (no free tier: it is per
 * account, not per function).
 * @example tieredDurationCost(7e9, PRICES['us-east-1'].duration.x86_64) // 6e9·0.0000166667 + 1e9·0.000015
 */
export function tieredDurationCost(gbSeconds: number, tiers: PriceTier[]): number {
  let cost = 0;
  let floor = 0;
  for (const tier of tiers) {
    if (gbSeconds <= floor) break;
    const inTier = Math.min(gbSeconds, tier.upToGBs) - floor;
    cost += inTier * tier.pricePerGBs;
    floor = tier.upToGBs;
  }
  return cost;
}
