import { describe, expect, it } from 'vitest';
import { gbSeconds, perMillion, recommendMemory, variantCost } from '../../src/report/cost.ts';
import { PRICES, regionPrices, tieredDurationCost } from '../../src/report/prices.ts';
import { usd } from '../../src/report/format.ts';

const X86 = 0.0000166667;
const ARM = 0.0000133334;
const REQUEST = 0.2 / 1_000_000;

describe('gbSeconds', () => {
  it('turns 232 ms at 512 MB into 0.116 GB-s and 1 ms at 128 MB into 0.000125', () => {
    expect(gbSeconds(232, 512)).toBeCloseTo(0.116, 12);
    expect(gbSeconds(1, 128)).toBeCloseTo(0.000125, 12);
  });
});

describe('perMillion', () => {
  it('prices 1 M x86 invocations at 512 MB, 1 % cold (232 ms billed) and 99 % warm (2 ms) at $0.24', () => {
    // 0.01 × 0.116 + 0.99 × 0.001 = 0.00215 GB-s → 0.00215 × 0.0000166667 + 0.0000002 = $0.000000235833 each
    const v = perMillion({ coldGBs: 0.116, warmGBs: 0.001, coldRatio: 0.01, gbSecondPrice: X86, requestPrice: REQUEST });
    expect(v).toBeCloseTo(0.23583, 5);
    expect(usd(v)).toBe('$0.24');
  });

  it('prices 1 M warm arm64 invocations of 100 ms at 1024 MB at $1.53', () => {
    const v = perMillion({ coldGBs: null, warmGBs: gbSeconds(100, 1024), coldRatio: 0, gbSecondPrice: ARM, requestPrice: REQUEST });
    expect(usd(v)).toBe('$1.53');
  });

  it('is the request price alone ($0.20) when nothing is billed', () => {
    expect(usd(perMillion({ coldGBs: 0, warmGBs: 0, coldRatio: 0.5, gbSecondPrice: X86, requestPrice: REQUEST }))).toBe('$0.20');
  });

  it('returns null when the mix needs a kind that has no billed samples', () => {
    expect(perMillion({ coldGBs: null, warmGBs: 0.01, coldRatio: 0.01, gbSecondPrice: X86, requestPrice: REQUEST })).toBeNull();
  });
});

describe('variantCost', () => {
  it('prices a variant at the measured 10-of-30 cold share and at the given ratio', () => {
    const c = variantCost({
      region: 'us-east-1',
      architecture: 'x86_64',
      memoryMB: 1024,
      meanBilledColdMs: 500,
      meanBilledWarmMs: 10,
      coldCount: 10,
      warmCount: 20,
      coldRatio: 0.05,
    });
    // measured: (1/3 × 0.5 + 2/3 × 0.01) GB-s = 0.173333 → × 0.0000166667 × 1e6 + 0.20 = $3.09
    expect(usd(c.perMillionMeasured)).toBe('$3.09');
    // at 5 %: 0.05 × 0.5 + 0.95 × 0.01 = 0.0345 GB-s → $0.575 + $0.20 = $0.78
    expect(usd(c.perMillionAtRatio)).toBe('$0.78');
    expect(c).toMatchObject({ coldGBs: 0.5, warmGBs: 0.01, measuredColdRatio: 1 / 3, gbSecondPrice: X86 });
  });

  it('uses the arm64 price for arm64', () => {
    expect(
      variantCost({ region: 'us-east-1', architecture: 'arm64', memoryMB: 128, meanBilledColdMs: 1, meanBilledWarmMs: 1, coldCount: 1, warmCount: 1, coldRatio: 0 }).gbSecondPrice,
    ).toBe(ARM);
  });
});

describe('tieredDurationCost', () => {
  it('charges 7 B x86 GB-s as 6 B at the first tier and 1 B at the second: $115,000.20', () => {
    expect(tieredDurationCost(7e9, PRICES['us-east-1'].duration.x86_64)).toBeCloseTo(6e9 * X86 + 1e9 * 0.000015, 4);
    expect(tieredDurationCost(7e9, PRICES['us-east-1'].duration.x86_64).toFixed(2)).toBe('115000.20');
  });

  it('charges 20 B arm64 GB-s across all three tiers', () => {
    expect(tieredDurationCost(20e9, PRICES['us-east-1'].duration.arm64)).toBeCloseTo(7.5e9 * ARM + 11.25e9 * 0.0000120001 + 1.25e9 * 0.0000106667, 3);
  });

  it('charges nothing for 0 GB-s', () => {
    expect(tieredDurationCost(0, PRICES['us-east-1'].duration.arm64)).toBe(0);
  });
});

describe('regionPrices', () => {
  it('knows us-east-1 and returns null for a region not in the table', () => {
    expect(regionPrices('us-east-1')?.requestPrice).toBe(REQUEST);
    expect(regionPrices('mars-north-1')).toBeNull();
    expect(regionPrices('toString')).toBeNull();
  });
});

describe('recommendMemory', () => {
  const candidates = [
    { variant: 'f@512', memoryMB: 512, perMillion: 2.0, expectedLatencyMs: 40 },
    { variant: 'f@128', memoryMB: 128, perMillion: 1.0, expectedLatencyMs: 100 },
    { variant: 'f@256', memoryMB: 256, perMillion: 1.2, expectedLatencyMs: 50 },
  ];

  it('picks the cheapest for cost and the fastest for speed', () => {
    expect(recommendMemory('f@*', candidates, 'cost', 0.01).best).toBe('f@128');
    expect(recommendMemory('f@*', candidates, 'speed', 0.01).best).toBe('f@512');
  });

  it('balances cost/maxCost and latency/maxLatency equally: 256 MB scores 0.55 against 0.75 and 0.70', () => {
    const r = recommendMemory('f@*', candidates, 'balanced', 0.01);
    expect(r.best).toBe('f@256');
    expect(r.candidates.map((c) => [c.memoryMB, Number(c.score.toFixed(4))])).toEqual([
      [128, 0.75],
      [256, 0.55],
      [512, 0.7],
    ]);
    expect(r.text).toBe('f@*: 256 MB (f@256) is the best balance of cost and speed at 1 % cold starts: $1.20 per 1 M invocations, 50.0 ms expected latency.');
  });

  it('gives a tie to the smaller memory size', () => {
    const tie = [
      { variant: 'g@1024', memoryMB: 1024, perMillion: 1, expectedLatencyMs: 10 },
      { variant: 'g@512', memoryMB: 512, perMillion: 1, expectedLatencyMs: 20 },
    ];
    expect(recommendMemory('g@*', tie, 'cost', 0).best).toBe('g@512');
  });
});
