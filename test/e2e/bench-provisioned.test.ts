import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRate } from '../../src/report/provisioned.ts';
import type { RunSummary, StartupOption } from '../../src/report/types.ts';
import { benchEnv, readRun } from '../bench/helpers.ts';
import { runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-pc-'));
const env = benchEnv(join(work, 'cache'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('coldbench bench with the provisioned axis (embedded emulator)', () => {
  it('runs hello@128 on-demand and hello@128-pc2 on provisioned environments, and compares them', async () => {
    const out = join(work, 'pc');
    const run = await runCli(['bench', 'fixtures/suites/e2e-provisioned.yaml', '--out', out], { env });
    expect(run.stderr).toContain(`Results: ${out} (completed)`);
    expect(run.code).toBe(0);
    const { info, samples } = readRun(out);
    expect(info.plan?.variants.map((v) => [v.name, v.provisioned])).toEqual([
      ['hello@128', undefined],
      ['hello@128-pc2', 2],
    ]);
    expect(info.variantResults).toEqual({
      'hello@128': { state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 },
      'hello@128-pc2': { state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 },
    });
    expect(samples).toHaveLength(8);
    for (const s of samples.filter((x) => x.variant === 'hello@128')) {
      expect(s).toMatchObject({ status: 'success', initType: 'on-demand', kind: s.phase, forced: s.phase === 'cold' });
    }
    const pc = samples.filter((s) => s.variant === 'hello@128-pc2');
    expect(pc.map((s) => s.phase)).toEqual(['cold', 'cold', 'warm', 'warm']);
    for (const s of pc) {
      // Served by environments initialised ahead: the REPORT has no Init Duration, so the platform says warm.
      expect(s).toMatchObject({ status: 'success', initType: 'provisioned-concurrency', kind: 'warm', coldBy: 'none', initMs: null, forced: false, error: null });
      // Billed Duration is ceil of the unrounded Duration (no Init); the REPORT prints Duration to 2 decimals, which can hide up to 0.005 ms of it.
      const printed = s.durationMs as number;
      expect([Math.ceil(printed), Math.ceil(printed + 0.005)]).toContain(s.billedMs);
    }
    // The startup sentences, checked against the figures of the same run's JSON summary: a consistency test of
    // text against JSON and of the break-even arithmetic; the per-million figures themselves are priced in test/report/provisioned.test.ts.
    const report = await runCli(['report', out, '--format', 'json'], { env });
    expect(report.code).toBe(0);
    const [startup] = (JSON.parse(report.stdout) as RunSummary).startup ?? [];
    const onDemand = startup.options.find((o) => o.variant === 'hello@128') as StartupOption;
    const provisioned = startup.options.find((o) => o.variant === 'hello@128-pc2') as StartupOption;
    expect([onDemand.perMillion, provisioned.perMillion, provisioned.latencyMs]).not.toContain(null);
    const [onDemandPerMillion, pcPerMillion, pcLatencyMs] = [onDemand.perMillion, provisioned.perMillion, provisioned.latencyMs].map(Number);
    // 2 environments × 0.125 GB × $0.0000041667 per GB-s = $0.00000104168 a second whatever they serve:
    // $0.104168 of PC's figure at 10 requests/s (1 M requests take 100,000 s); the rest is its Duration and requests.
    const standingPerSecond = 2 * 0.125 * 0.0000041667;
    const saved = onDemandPerMillion - (pcPerMillion - standingPerSecond * 100_000);
    const breakEven = (standingPerSecond * 1e6) / saved;
    // 2 environments, each serving one request per median Duration.
    const capacity = (2 * 1000) / pcLatencyMs;
    expect(startup.breakEven).toEqual([{ variant: 'hello@128-pc2', requestsPerSecond: saved > 0 ? expect.closeTo(breakEven, 6) : null, capacityRps: expect.closeTo(capacity, 6) }]);
    // Which of the three sentences this run earns depends on this machine's timings: Durations under a
    // millisecond are billed as whole ones, and a PC environment's first invoke can take a few ms, so PC's
    // mean billed time may be above on-demand's. Exactly one sentence fits the figures above.
    const rate = (n: number) => `${formatRate(n)} requests/s`;
    const serves = `its environments serve at most about ${rate(capacity)}`;
    const breakEvenSentence = !(saved > 0)
      ? `hello@128-pc2: PC does not pay for itself at a cold ratio of 1 %: its own duration and request charges are not below on-demand's; ${serves}`
      : breakEven > capacity
        ? `hello@128-pc2: PC would pay for itself only above ${rate(breakEven)} at a cold ratio of 1 %, more than it can serve; ${serves}`
        : `PC pays for itself above ${rate(breakEven)} at a cold ratio of 1 % (hello@128-pc2; ${serves})`;
    expect(run.stdout).toContain(
      [
        'Startup of hello@128 (on-demand vs provisioned concurrency vs SnapStart)',
        `  hello@128 (on-demand): ${Number(onDemand.latencyMs).toFixed(1)} ms expected latency at 1 % cold starts, $${onDemandPerMillion.toFixed(2)} per 1 M invocations at 10.0 requests/s`,
        `  hello@128-pc2 (provisioned concurrency, 2 environments): ${pcLatencyMs.toFixed(1)} ms expected latency at 1 % cold starts, $${pcPerMillion.toFixed(2)} per 1 M invocations at 10.0 requests/s`,
        `  ${breakEvenSentence}`,
        '',
      ].join('\n'),
    );
  });

  it('refuses snapStart locally, naming the field, with exit code 2 and nothing started', async () => {
    const suite = join(work, 'snap.yaml');
    writeFileSync(
      suite,
      [
        'functions:',
        '  hello:',
        `    code: ${resolve('fixtures/functions/edge/py-hello')}`,
        '    handler: app.handler',
        '    runtime: python3.12',
        '    coldStrategy: version',
        '    snapStart: [false, true]',
        '',
      ].join('\n'),
    );
    const run = await runCli(['bench', suite, '--out', join(work, 'snap')], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${suite}: functions.hello.snapStart: true cannot run on the local emulator: SnapStart restores a Firecracker snapshot, which no local process can reproduce faithfully (variants hello@128-snap). Run it with --target aws, or leave snapStart out (or --only the other variants) to benchmark locally.`,
    );
    expect(run.stdout).toBe('');
  });
});
