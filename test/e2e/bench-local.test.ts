import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchEnv, readRun } from '../bench/helpers.ts';
import { runCli } from '../helpers/cli.ts';
import { resolveInterpreters } from '../../src/emulator/environments/interpreters.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-local-'));
const env = benchEnv(join(work, 'cache'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('coldbench bench --target local (embedded emulator)', () => {
  it('runs a burst suite, records every sample and prints the comparison', async () => {
    const out = join(work, 'basic');
    const run = await runCli(['bench', 'fixtures/suites/e2e-basic.yaml', '--out', out], { env });
    expect(run.stderr).toContain(`Results: ${out} (completed)`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/main@128\s+cold\s+2\s/);
    expect(run.stdout).toMatch(/other@128\s+warm\s+2\s/);
    const { info, samples } = readRun(out);
    expect(info).toMatchObject({
      status: 'completed',
      coldStrategy: 'burst',
      seed: 7,
      suite: { name: 'e2e-basic', file: 'fixtures/suites/e2e-basic.yaml' },
      target: { kind: 'local' },
    });
    expect(info.emulator?.burstCap).toBe(2);
    expect(info.emulator?.cpu).toEqual({ throttled: expect.any(Boolean), reason: expect.any(String) });
    // Which interpreter ran the suite's runtime (same PATH as this process), whether it is python3.11's own, and for which variants.
    const { byRuntime } = await resolveInterpreters({ cacheDir: null });
    expect(info.emulator?.interpreters).toEqual({ 'python3.11': { ...byRuntime['python3.11'], variants: ['main@128', 'other@128'] } });
    expect(info.host?.loadavgEnd).toHaveLength(3);
    expect(info.plan?.order?.slice().sort()).toEqual(['main@128', 'other@128']);
    expect(info.variantResults).toEqual({
      'main@128': { state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 },
      'other@128': { state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 },
    });
    expect(samples).toHaveLength(8);
    for (const s of samples) {
      expect(s.status).toBe('success');
      expect(s.error).toBeNull();
      expect(s.clientMs).toBeGreaterThan(0);
      expect(s.durationMs).not.toBeNull();
      expect(s.memoryMB).toBe(128);
      expect(s.kind).toBe(s.phase);
      expect(s.coldBy).toBe(s.phase === 'cold' ? 'init-duration' : 'none');
      expect(s.forced).toBe(s.phase === 'cold');
    }
    expect(new Set(samples.map((s) => s.requestId)).size).toBe(8);
    expect(samples.filter((s) => s.variant === 'main@128' && s.phase === 'cold').map((s) => s.sampleIndex)).toEqual([0, 1]);
  });

  it('interleaves variants batch by batch in the seeded order', async () => {
    const out = join(work, 'interleave');
    const run = await runCli(['bench', 'fixtures/suites/e2e-resume.yaml', '--cold', '2', '--warm', '1', '--out', out, '--quiet'], { env });
    expect(run.code).toBe(0);
    const { info, samples } = readRun(out);
    const [first, second] = info.plan!.order!;
    // Round 0 follows plan.order; each variant's warm samples follow its last cold batch.
    expect(samples.slice(0, 2).map((s) => `${s.variant}:${s.phase}`)).toEqual([`${first}:cold`, `${second}:cold`]);
    expect(
      samples
        .filter((s) => s.phase === 'cold')
        .map((s) => s.variant)
        .sort(),
    ).toEqual([first, first, second, second].sort());
    expect(samples).toHaveLength(6);
  });

  it('records a variant that always fails with its error, measures the others and exits 1', async () => {
    const out = join(work, 'fail');
    const run = await runCli(['bench', 'fixtures/suites/e2e-fail.yaml', '--out', out, '--quiet'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('\nbroken@128: 2 of 2 invocations failed: RuntimeError: py-init-error fails at import on purpose\n');
    const { info, samples } = readRun(out);
    expect(info.status).toBe('completed');
    expect(info.variantResults?.['broken@128']).toMatchObject({ state: 'failed' });
    expect(info.variantResults?.['broken@128'].errors).toContain(
      'broken@128: every invoke of the first batch failed, so its remaining samples were skipped; the run goes on with the other variants',
    );
    expect(info.variantResults?.['hello@128']).toEqual({ state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 });
    const broken = samples.filter((s) => s.variant === 'broken@128');
    expect(broken).toHaveLength(2);
    expect(broken.every((s) => s.status === 'error' && s.errorType === 'RuntimeError' && s.coldBy !== 'proactive-init')).toBe(true);
    expect(samples.filter((s) => s.variant === 'hello@128')).toHaveLength(3);
    const slow = samples.filter((s) => s.variant === 'slow@128');
    expect(slow.map((s) => [s.status, s.error])).toEqual([
      ['timeout', "cold sample 1 of slow@128 timed out after 1 s (the function's Timeout); raise timeout for this function in the suite"],
      ['timeout', "cold sample 2 of slow@128 timed out after 1 s (the function's Timeout); raise timeout for this function in the suite"],
    ]);
    expect(info.variantResults?.['slow@128'].state).toBe('failed');
  });

  it('builds dependencies bundled, in a layer and as an esbuild bundle, and every variant runs', async () => {
    const out = join(work, 'packaging');
    const run = await runCli(['bench', 'fixtures/suites/e2e-packaging.yaml', '--out', out, '--quiet'], { env });
    expect(run.stderr).toContain('(completed)');
    expect(run.code).toBe(0);
    const { samples } = readRun(out);
    expect([...new Set(samples.map((s) => s.variant))].sort()).toEqual([
      'nodedeps@128-bundled',
      'nodedeps@128-esbuild',
      'nodedeps@128-layer',
      'pydeps@128-bundled',
      'pydeps@128-layer',
    ]);
    expect(samples.every((s) => s.status === 'success')).toBe(true);
  });

  it('benchmarks the functions of a serverless.yml with --serverless', async () => {
    const out = join(work, 'serverless');
    const run = await runCli(['bench', '--serverless', 'fixtures/serverless/serverless.yml', '--only', 'hello@*', '--cold', '1', '--warm', '1', '--out', out, '--quiet'], { env });
    expect(run.stderr).toBe(`Results: ${out} (completed)\n`);
    expect(run.code).toBe(0);
    const { info, samples } = readRun(out);
    expect(info.suite).toEqual({ name: 'coldbench-guide-dev', file: 'fixtures/serverless/serverless.yml' });
    expect(samples.map((s) => [s.variant, s.phase, s.status])).toEqual([
      ['hello@512-layer', 'cold', 'success'],
      ['hello@512-layer', 'warm', 'success'],
    ]);
  });

  it('exits 2 naming the field for an invalid suite, and the flag for a bad --memory', async () => {
    const bad = await runCli(['bench', 'fixtures/suites/e2e-basic.yaml', '--memory', '64'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'Error: --memory 64: 64 is not a memory size; allowed: comma-separated integers 128-10240, e.g. --memory 128,512\nHint: Run `coldbench bench --help` for its arguments and flags.\n',
    );
    const missing = await runCli(['bench', 'fixtures/suites/nope.yaml'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('Error: fixtures/suites/nope.yaml: cannot read the suite file (ENOENT); pass a YAML or JSON suite, e.g. fixtures/suites/seed.yaml\n');
    const only = await runCli(['bench', 'fixtures/suites/e2e-basic.yaml', '--only', 'zzz*'], { env });
    expect(only.code).toBe(2);
    expect(only.stderr).toBe("Error: --only 'zzz*' matches no variant of fixtures/suites/e2e-basic.yaml; the variants are: main@128, other@128\n");
    const fn = await runCli(['bench', '--function', 'payments'], { env });
    expect(fn.code).toBe(2);
    expect(fn.stderr).toBe(
      'Error: --function payments: the embedded emulator starts empty, so it has no such function; pass --target aws, or the URL of a running `coldbench emulator` that has it\n',
    );
  });
});
