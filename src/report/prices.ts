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
  /**
   * Provisioned concurrency: USD per GB-second configured (memory × environments × time enabled, whether used or
   * not), and the lower USD per GB-second of Duration for the invokes it serves (billed ceil(Duration), no init).
   */
  provisioned?: { configuredPerGBs: Record<Architecture, number>; durationPerGBs: Record<Architecture, number> };
  /** SnapStart (Python, .NET): USD per GB-second a version's snapshot is cached (3 h minimum) and per GB restored. */
  snapStart?: { cachePerGBs: number; restorePerGB: number };
}

/** Where each price of the table comes from, and when it was read. */
export const PRICE_SOURCES = [
  { prices: 'requests, duration tiers', source: 'shared/reference/lambda-formats.md "Billing" (AWS Lambda pricing page)', recorded: '2026' },
  {
    prices: 'provisioned concurrency, us-east-1',
    source:
      'https://aws.amazon.com/lambda/pricing/ "Provisioned Concurrency Pricing"; AWS Price List SKUs BMKCD2ZCEYKTYYCB (Provisioned-Concurrency, x86) and ZZF88MXYPS4DGSEZ (Duration-Provisioned, x86)',
    recorded: '2026-12-03',
  },
  { prices: 'SnapStart cache and restore, us-east-1', source: 'https://aws.amazon.com/lambda/pricing/ "SnapStart Pricing" (Python and .NET)', recorded: '2026-12-03' },
] as const;

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
    provisioned: {
      configuredPerGBs: { x86_64: 0.0000041667, arm64: 0.0000033334 },
      durationPerGBs: { x86_64: 0.0000097222, arm64: 0.0000077778 },
    },
    snapStart: { cachePerGBs: 0.0000015046, restorePerGB: 0.0001397998 },
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
