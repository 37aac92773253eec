import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(run.stdout).toContain('Startup of hello@128 (on-demand vs provisioned concurrency vs SnapStart)');
    expect(run.stdout).toMatch(
      /hello@128-pc2 \(provisioned concurrency, 2 environments\): [\d.]+ ms expected latency at 1 % cold starts, \$[\d.]+ per 1 M invocations at 10.0 requests\/s/,
    );
    expect(run.stdout).toMatch(/(PC pays for itself above [\d.]+ requests\/s at a cold ratio of 1 %|PC (would|does not) pay)/);
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
