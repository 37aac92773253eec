import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/probe/sample.ts';
import { perMillion, provisionedBreakEven, provisionedPerMillion, provisionedStandingPerSecond, snapStartPerMillion } from '../../src/report/cost.ts';
import { PRICES } from '../../src/report/prices.ts';
import { formatRate, startupGroupOf, startupText } from '../../src/report/provisioned.ts';
import { render } from '../../src/report/render/index.ts';
import type { RunInfo } from '../../src/report/run-info.ts';
import { summarize } from '../../src/report/summarize.ts';

const US = PRICES['us-east-1'];

describe('us-east-1 prices (src/report/prices.ts)', () => {
  // 100 ms billed at 1024 MB = 0.1 GB-s an invocation. Published prices: requests $0.20 per 1 M and
  // Duration $0.0000166667 (x86_64) / $0.0000133334 (arm64) per GB-s in the first tier
  // (shared/reference/lambda-formats.md "Billing"); provisioned concurrency $0.0000041667 (x86_64) /
  // $0.0000033334 (arm64) per GB-s configured and $0.0000097222 / $0.0000077778 per GB-s of Duration,
  // SnapStart $0.0000015046 per GB-s cached and $0.0001397998 per GB restored (aws.amazon.com/lambda/pricing,
  // PRICE_SOURCES; the reference file lists only on-demand prices).
  const perMillionAt = (gbSecondPrice: number) => perMillion({ coldGBs: null, warmGBs: 0.1, coldRatio: 0, gbSecondPrice, requestPrice: US.requestPrice });

  it('returns $1.86667 per 1 M on-demand invocations of 100 ms at 1 GB on x86_64 and $1.53334 on arm64', () => {
    // 1e6 × (0.1 GB-s × $0.0000166667 + $0.0000002) = $1.66667 + $0.20; arm64: $1.33334 + $0.20.
    expect(perMillionAt(US.duration.x86_64[0].pricePerGBs)).toBeCloseTo(1.86667, 10);
    expect(perMillionAt(US.duration.arm64[0].pricePerGBs)).toBeCloseTo(1.53334, 10);
  });

  it('returns $1.17222 per 1 M of the same invocations served by provisioned concurrency on x86_64 and $0.97778 on arm64', () => {
    // 1e6 × (0.1 GB-s × $0.0000097222 + $0.0000002) = $0.97222 + $0.20; arm64: $0.77778 + $0.20.
    expect(perMillionAt(US.provisioned?.durationPerGBs.x86_64 as number)).toBeCloseTo(1.17222, 10);
    expect(perMillionAt(US.provisioned?.durationPerGBs.arm64 as number)).toBeCloseTo(0.97778, 10);
  });

  it('returns $0.01500012 for one 1 GB provisioned environment for an hour on x86_64 and $0.01200024 on arm64', () => {
    // 3600 s × 1 GB × $0.0000041667; arm64 3600 × $0.0000033334.
    const hour = (configuredPerGBs: number) => 3600 * provisionedStandingPerSecond({ environments: 1, memoryMB: 1024, configuredPerGBs });
    expect(hour(US.provisioned?.configuredPerGBs.x86_64 as number)).toBeCloseTo(0.01500012, 12);
    expect(hour(US.provisioned?.configuredPerGBs.arm64 as number)).toBeCloseTo(0.01200024, 12);
  });

  it('returns $3.415128 per 1 M SnapStart invocations of 100 ms at 1 GB, 1 % of them restores, at 10 requests/s', () => {
    // Duration and requests as on-demand: $1.86667; 10,000 restores × 1 GB × $0.0001397998 = $1.397998;
    // the 1 GB cache for the 100,000 s that 1 M requests take: 100,000 × $0.0000015046 = $0.15046.
    const usd = snapStartPerMillion({
      coldGBs: 0.1,
      warmGBs: 0.1,
      coldRatio: 0.01,
      gbSecondPrice: US.duration.x86_64[0].pricePerGBs,
      requestPrice: US.requestPrice,
      memoryMB: 1024,
      requestsPerSecond: 10,
      cachePerGBs: US.snapStart?.cachePerGBs as number,
      restorePerGB: US.snapStart?.restorePerGB as number,
    });
    expect(usd).toBeCloseTo(3.415128, 10);
  });
});

describe('provisionedStandingPerSecond', () => {
  it('returns environments × GB × price: 2 × 1 GB × $0.0000041667 = $0.0000083334 a second', () => {
    expect(provisionedStandingPerSecond({ environments: 2, memoryMB: 1024, configuredPerGBs: 0.0000041667 })).toBeCloseTo(0.0000083334, 15);
  });
});

describe('provisionedPerMillion', () => {
  it('adds the standing charge for the time 1 M requests take: 1.17222 + 0.83334 = $2.00556 at 10 requests/s', () => {
    // 1e6 × (0.1 GB-s × $0.0000097222 + $0.0000002) = 1.17222; 0.0000083334 $/s × 100,000 s = 0.83334.
    const usd = provisionedPerMillion({
      billedGBs: 0.1,
      environments: 2,
      memoryMB: 1024,
      requestsPerSecond: 10,
      configuredPerGBs: 0.0000041667,
      durationPerGBs: 0.0000097222,
      requestPrice: 2e-7,
    });
    expect(usd).toBeCloseTo(2.00556, 10);
  });
});

describe('provisionedBreakEven', () => {
  it('returns standing × 1 M ÷ (on-demand − PC per 1 M): 8.3334 ÷ 3 = 2.7778 requests/s', () => {
    expect(provisionedBreakEven({ onDemandPerMillion: 5, provisionedVariablePerMillion: 2, standingPerSecond: 0.0000083334 })).toBeCloseTo(2.7778, 10);
  });

  it('returns null when PC’s own per-invoke charges are not below on-demand’s', () => {
    expect(provisionedBreakEven({ onDemandPerMillion: 2, provisionedVariablePerMillion: 2, standingPerSecond: 0.0000083334 })).toBeNull();
    expect(provisionedBreakEven({ onDemandPerMillion: 1, provisionedVariablePerMillion: 2, standingPerSecond: 0.0000083334 })).toBeNull();
  });
});

describe('snapStartPerMillion', () => {
  it('adds a restore per cold start and the cache for the time 1 M requests take: 1.10833515 + 1.397998 + 0.15046', () => {
    const usd = snapStartPerMillion({
      coldGBs: 0.5,
      warmGBs: 0.05,
      coldRatio: 0.01,
      gbSecondPrice: 0.0000166667,
      requestPrice: 2e-7,
      memoryMB: 1024,
      requestsPerSecond: 10,
      cachePerGBs: 0.0000015046,
      restorePerGB: 0.0001397998,
    });
    expect(usd).toBeCloseTo(2.65679315, 10);
  });

  it('returns null when a needed mean is missing', () => {
    const input = { coldGBs: null, warmGBs: 0.05, coldRatio: 0.01, gbSecondPrice: 1, requestPrice: 0, memoryMB: 1024, requestsPerSecond: 1, cachePerGBs: 1, restorePerGB: 1 };
    expect(snapStartPerMillion(input)).toBeNull();
  });
});

describe('startupGroupOf', () => {
  it('removes the -pc<N> and -snap suffixes only', () => {
    expect(startupGroupOf('api@1024-pc2')).toBe('api@1024');
    expect(startupGroupOf('api@1024-layer-snap')).toBe('api@1024-layer');
    expect(startupGroupOf('api@1024-arm64')).toBe('api@1024-arm64');
  });
});

describe('formatRate', () => {
  it('keeps three significant digits below 100 and whole numbers above', () => {
    expect(formatRate(2.7778)).toBe('2.78');
    expect(formatRate(82.4177)).toBe('82.4');
    expect(formatRate(1146.2)).toBe('1146');
  });
});

const sample = (variant: string, kind: 'cold' | 'warm', f: Partial<Sample>): Sample => ({
  variant,
  kind,
  coldBy: kind === 'cold' ? 'init-duration' : 'none',
  requestId: null,
  initMs: null,
  restoreMs: null,
  billedRestoreMs: null,
  durationMs: 10,
  billedMs: 10,
  memoryMB: 1024,
  maxMemoryMB: 60,
  status: 'success',
  errorType: null,
  clientMs: null,
  ...f,
});
const planned = (name: string, extra: object) => ({
  name,
  function: 'api',
  memoryMB: 1024,
  architecture: 'x86_64' as const,
  runtime: 'python3.12',
  packaging: 'bundled' as const,
  handler: 'app.handler',
  cold: 2,
  warm: 2,
  ...extra,
});
const run: RunInfo = {
  runId: 'pc-run',
  plan: { variants: [planned('api@1024', {}), planned('api@1024-pc2', { provisioned: 2 }), planned('api@1024-snap', { snapStart: true })] },
};
const samples: Sample[] = [
  sample('api@1024', 'cold', { initMs: 190, billedMs: 200 }),
  sample('api@1024', 'cold', { initMs: 190, billedMs: 200 }),
  sample('api@1024', 'warm', {}),
  sample('api@1024', 'warm', {}),
  ...[1, 2, 3, 4].map(() => sample('api@1024-pc2', 'warm', { initType: 'provisioned-concurrency' })),
  sample('api@1024-snap', 'cold', { coldBy: 'restore', restoreMs: 100, billedRestoreMs: 50 }),
  sample('api@1024-snap', 'cold', { coldBy: 'restore', restoreMs: 100, billedRestoreMs: 50 }),
  sample('api@1024-snap', 'warm', {}),
  sample('api@1024-snap', 'warm', {}),
];

describe('summarize › startup (on-demand vs PC vs SnapStart)', () => {
  it('prices each mode at the cold ratio and request rate, and finds the rate above which PC pays for itself', () => {
    const summary = summarize(samples, run, { coldRatio: 0.01 });
    expect(summary.startup).toHaveLength(1);
    const [c] = summary.startup!;
    expect(c.group).toBe('api@1024');
    expect(c.requestsPerSecond).toBe(10);
    const byVariant = Object.fromEntries(c.options.map((o) => [o.variant, o]));
    // On-demand: 0.01 × (190 + 10) + 0.99 × 10 ms; 1e6 × ((0.01 × 0.2 + 0.99 × 0.01) GB-s × $0.0000166667 + $0.0000002).
    expect(byVariant['api@1024'].latencyMs).toBeCloseTo(11.9, 10);
    expect(byVariant['api@1024'].perMillion).toBeCloseTo(0.39833373, 10);
    // PC: median of its invokes; 1e6 × (0.01 × $0.0000097222 + $0.0000002) + 2 × 1 GB × $0.0000041667 × 100,000 s.
    expect(byVariant['api@1024-pc2']).toMatchObject({ initType: 'provisioned-concurrency', environments: 2, memoryMB: 1024, latencyMs: 10 });
    expect(byVariant['api@1024-pc2'].perMillion).toBeCloseTo(1.130562, 10);
    // SnapStart: 0.01 × (100 + 10) + 0.99 × 10 ms; duration with Billed Restore, restores and the cache.
    expect(byVariant['api@1024-snap'].initType).toBe('snap-start');
    expect(byVariant['api@1024-snap'].latencyMs).toBeCloseTo(11, 10);
    expect(byVariant['api@1024-snap'].perMillion).toBeCloseTo(1.92345835, 10);
    // 8.3334 ÷ (0.39833373 − 0.297222); 2 environments × 1000 ms ÷ 10 ms each.
    expect(c.breakEven).toHaveLength(1);
    expect(c.breakEven[0].requestsPerSecond).toBeCloseTo(82.41773728923435, 8);
    expect(c.breakEven[0].capacityRps).toBe(200);
    expect(c.text).toEqual([
      'api@1024 (on-demand): 11.9 ms expected latency at 1 % cold starts, $0.40 per 1 M invocations at 10.0 requests/s',
      'api@1024-pc2 (provisioned concurrency, 2 environments): 10.0 ms expected latency at 1 % cold starts, $1.13 per 1 M invocations at 10.0 requests/s',
      'api@1024-snap (SnapStart): 11.0 ms expected latency at 1 % cold starts, $1.92 per 1 M invocations at 10.0 requests/s',
      'PC pays for itself above 82.4 requests/s at a cold ratio of 1 % (api@1024-pc2; its environments serve at most about 200 requests/s)',
    ]);
  });

  it('leaves PC and SnapStart out of the on-demand cost table and says where they are priced', () => {
    const summary = summarize(samples, run, { coldRatio: 0.01 });
    const cost = (name: string) => summary.variants.find((v) => v.name === name)?.cost;
    expect(cost('api@1024')?.perMillionAtRatio).toBeCloseTo(0.39833373, 8);
    for (const name of ['api@1024-pc2', 'api@1024-snap']) {
      expect(cost(name)).toMatchObject({ perMillionMeasured: null, perMillionAtRatio: null });
      expect(summary.notes).toContain(
        `${name}: its cost per 1 M is in the startup comparison (provisioned concurrency or SnapStart charges), not at the on-demand prices of the cost table.`,
      );
    }
    expect(summary.recommendations.flatMap((r) => r.candidates.map((c) => c.variant))).not.toContain('api@1024-pc2');
    expect(render(summary, 'html')).toContain(
      '<h2>Startup of api@1024 (on-demand vs provisioned concurrency vs SnapStart)</h2><ul><li>api@1024 (on-demand): 11.9 ms expected latency at 1 % cold starts, $0.40 per 1 M invocations at 10.0 requests/s</li>',
    );
  });

  it('says PC does not pay when on-demand is cheaper per invoke, and renders the section in table and markdown', () => {
    const cheap = samples.map((s) => (s.variant === 'api@1024' ? { ...s, billedMs: 1, initMs: s.kind === 'cold' ? 1 : null } : s));
    const summary = summarize(cheap, run, { coldRatio: 0.01, requestsPerSecond: 50 });
    const [c] = summary.startup!;
    expect(c.breakEven[0].requestsPerSecond).toBeNull();
    expect(c.text.at(-1)).toBe(
      "api@1024-pc2: PC does not pay for itself at a cold ratio of 1 %: its own duration and request charges are not below on-demand's; its environments serve at most about 200 requests/s",
    );
    const table = render(summary, 'table');
    expect(table).toContain(`Startup of api@1024 (on-demand vs provisioned concurrency vs SnapStart)\n  ${c.text[0]}\n`);
    expect(render(summary, 'markdown')).toContain(`**Startup of api@1024** (on-demand vs provisioned concurrency vs SnapStart)\n\n- ${c.text[0]}\n`);
    expect(c.text[1]).toContain('at 50.0 requests/s');
  });

  it("takes PC's latency and capacity from the median of all its invokes, halfway between the middle two of an even count", () => {
    const durations = [14, 10, 12, 11];
    const spread = samples.filter((s) => s.variant !== 'api@1024-pc2');
    for (const durationMs of durations) spread.push(sample('api@1024-pc2', 'warm', { initType: 'provisioned-concurrency', durationMs, billedMs: durationMs }));
    const [c] = summarize(spread, run, { coldRatio: 0.01 }).startup ?? [];
    // Sorted 10, 11, 12, 14: median (11 + 12) / 2 = 11.5 ms; 2 environments × 1000 ms ÷ 11.5 ms = 173.913… requests/s.
    expect(c.options.find((o) => o.variant === 'api@1024-pc2')?.latencyMs).toBe(11.5);
    expect(c.breakEven[0].capacityRps).toBeCloseTo(173.91304347826087, 10);
    expect(c.text.at(-1)).toMatch(/; its environments serve at most about 174 requests\/s\)$/);
  });

  it('leaves startup out when no variant uses provisioned concurrency or SnapStart', () => {
    const summary = summarize(
      samples.filter((s) => s.variant === 'api@1024'),
      { runId: 'x' },
    );
    expect('startup' in summary).toBe(false);
  });
});

describe('startupText', () => {
  it('prints — for a latency or cost that could not be computed, as the report tables do', () => {
    const text = startupText({
      group: 'api@1024',
      coldRatio: 0.01,
      requestsPerSecond: 10,
      options: [
        { variant: 'api@1024', initType: 'on-demand', environments: null, memoryMB: 1024, latencyMs: 11.9, perMillion: 0.39833373 },
        { variant: 'api@1024-pc2', initType: 'provisioned-concurrency', environments: 2, memoryMB: 1024, latencyMs: null, perMillion: null },
      ],
      breakEven: [{ variant: 'api@1024-pc2', requestsPerSecond: null, capacityRps: null }],
      text: [],
    });
    expect(text).toEqual([
      'api@1024 (on-demand): 11.9 ms expected latency at 1 % cold starts, $0.40 per 1 M invocations at 10.0 requests/s',
      'api@1024-pc2 (provisioned concurrency, 2 environments): — expected latency at 1 % cold starts, — per 1 M invocations at 10.0 requests/s',
      "api@1024-pc2: PC does not pay for itself at a cold ratio of 1 %: its own duration and request charges are not below on-demand's",
    ]);
  });
});
