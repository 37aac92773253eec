import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/probe/sample.ts';
import { provisionedBreakEven, provisionedPerMillion, provisionedStandingPerSecond, snapStartPerMillion } from '../../src/report/cost.ts';
import { PRICES, PRICE_SOURCES } from '../../src/report/prices.ts';
import { formatRate, startupGroupOf } from '../../src/report/provisioned.ts';
import { render } from '../../src/report/render/index.ts';
import type { RunInfo } from '../../src/report/run-info.ts';
import { summarize } from '../../src/report/summarize.ts';

const US = PRICES['us-east-1'];

describe('PC and SnapStart prices (src/report/prices.ts)', () => {
  it('holds us-east-1 provisioned concurrency and SnapStart prices with their source and date', () => {
    expect(US.provisioned).toEqual({
      configuredPerGBs: { x86_64: 0.0000041667, arm64: 0.0000033334 },
      durationPerGBs: { x86_64: 0.0000097222, arm64: 0.0000077778 },
    });
    expect(US.snapStart).toEqual({ cachePerGBs: 0.0000015046, restorePerGB: 0.0001397998 });
    expect(PRICE_SOURCES.map((s) => s.recorded)).toEqual(['2026', '2026-12-03', '2026-12-03']);
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

  it('leaves startup out when no variant uses provisioned concurrency or SnapStart', () => {
    const summary = summarize(
      samples.filter((s) => s.variant === 'api@1024'),
      { runId: 'x' },
    );
    expect('startup' in summary).toBe(false);
  });
});
