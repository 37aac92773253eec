import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measuredSaving } from '../../src/profile/saving.ts';
import { runCli } from '../helpers/cli.ts';
import { profileReport } from './profile-report.ts';

const hasPython = (await import('node:child_process')).spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!hasPython)('coldbench profile on the emulator: the seed connection function', () => {
  it('traces the per-call handler’s init and points at the client it builds on every call', async () => {
    const run = await runCli(['profile', 'fixtures/functions/python/connection', '--handler', 'percall.handler', '--memory', '512', '--quiet']);
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^coldbench profile connection \(percall\.handler, python3\.11, 512 MB\) on the local emulator\n/);
    expect(run.stdout).toMatch(/\npercall\s+handler\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d %\s+0\.0\n/);
    expect(run.stdout).toMatch(/\nbotocore\s+runtime\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d %\s+—\n/);
    expect(run.stdout).toContain(' 1. per-call-client  identity.new_sts_client: saving not estimated\n');
    expect(run.stdout).toContain(
      'Evidence: handler reaches `session = boto3.session.Session()` (identity.new_sts_client, line 25), `return session.client("sts", region_name=region, config=config)` (identity.new_sts_client, line 32) on every invocation; reuse.handler builds it once and can be benchmarked against it with --verify',
    );
  }, 120_000);

  it('profiles a bare variant name of the seed suite and renders markdown to --out, creating its folders', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'coldbench-profile-out-')), 'nested', 'deeper', 'profile.md');
    const run = await runCli(['profile', 'hello@512', '--format', 'markdown', '--warm', '2', '--quiet', '--out', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toMatch(/^### coldbench profile hello@512 \(app\.handler, python3\.11, 512 MB\) on the local emulator\n\nInit Duration \d+\.\d ms/);
    expect(markdown).toContain('| Module | Kind | Self [ms] | Cumulative [ms] | Share of init | Size [MB] |');
    expect(markdown).toMatch(/\n\| app \| handler \| \d+\.\d \| \d+\.\d \| \d+\.\d % \| 0\.0 \|\n/);
  }, 120_000);

  it('measures the per-call client’s cost within the interval a separate benchmark of reuse and percall agrees with', async () => {
    // At 1769 MB (one full vCPU) warm durations vary least on a shared machine.
    const report = await profileReport(['fixtures/suites/seed.yaml', '--only', 'percall@1769', '--verify', '--samples', '15']);
    expect(report.function).toMatchObject({ name: 'connection', variant: 'percall@1769', handler: 'percall.handler', memoryMB: 1769 });
    expect(report.modules[0]).toMatchObject({ name: 'percall', kind: 'handler' });
    expect(report.initMs).toBeGreaterThan(0);
    const rec = report.recommendations.find((r) => r.rule === 'per-call-client');
    expect(rec).toMatchObject({
      target: 'identity.new_sts_client',
      per: 'invocation',
      basis: 'measured',
      verified: true,
      n: { baseline: 15, variant: 15 },
      fix: { kind: 'compare-handler', handler: 'reuse.handler' },
    });
    const [low, high] = rec!.ci as [number, number];
    expect(low).toBeGreaterThan(0);

    // The separate benchmark: the harness runs the suite's reuse and percall variants.
    const out = mkdtempSync(join(tmpdir(), 'coldbench-e2e-profile-'));
    try {
      const bench = await runCli([
        'bench',
        'fixtures/suites/seed.yaml',
        '--only',
        'reuse@1769',
        '--only',
        'percall@1769',
        '--cold',
        '1',
        '--warm',
        '15',
        '--out',
        join(out, 'run'),
        '--quiet',
      ]);
      expect(bench.code).toBe(0);
      const samples = readFileSync(join(out, 'run', 'samples.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { variant: string; kind: string; status: string; durationMs: number });
      const warm = (variant: string) => samples.filter((s) => s.variant === variant && s.kind === 'warm' && s.status === 'success').map((s) => s.durationMs);
      const benchSaving = measuredSaving(warm('percall@1769'), warm('reuse@1769'));
      expect(benchSaving?.n).toEqual({ baseline: 15, variant: 15 });
      // Two measurements of the same difference agree when their 95 % intervals overlap.
      const [benchLow, benchHigh] = benchSaving!.ci as [number, number];
      expect(benchHigh).toBeGreaterThanOrEqual(low);
      expect(benchLow).toBeLessThanOrEqual(high);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
