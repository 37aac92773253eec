import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { tightColdStarts } from '../report/samples.ts';

const SNAP = (name: string) => readFileSync(new URL(`../report/__snapshots__/${name}`, import.meta.url), 'utf8');

describe('coldbench compare', () => {
  let tmp: string;
  let exported: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'coldbench-compare-'));
    exported = join(tmp, 'baseline.json');
    const run = await runCli(['report', 'fixtures/runs/baseline', '--format', 'json', '--out', exported]);
    if (run.code !== 0) throw new Error(run.stderr);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exits 1 on the 60 % cold-start regression and prints the table', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(SNAP('compare-regression.txt'));
    expect(run.stdout).toMatch(/^percall@512 +261\.6 +425\.9 +\+62\.8 +\+\d+\.\d to \+\d+\.\d +< 0\.001 +REGRESSION$/m);
    expect(run.stdout).toContain('1 significant regression at or beyond 10 %.');
  });

  it('exits 0 when a run is compared with itself', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/baseline']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No significant regression at or beyond 10 %.');
    expect(run.stdout).toMatch(/^reuse@512 +214\.3 +214\.3 +\+0\.0 /m);
  });

  it('exits 0 for a rerun of the same code (noise only)', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/rerun']);
    expect(run.code).toBe(0);
  });

  it('takes an exported JSON summary as BASE', async () => {
    expect((await runCli(['compare', exported, 'fixtures/runs/regression'])).code).toBe(1);
    const same = await runCli(['compare', exported, 'fixtures/runs/baseline']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('cold median: 20261128T150000Z-base against 20261128T150000Z-base, threshold 10 %');
  });

  describe('a change equal to --threshold', () => {
    /** A samples file of five cold starts of app@512 around `median` ms, tight enough that any change is significant. */
    const samples = (name: string, median: number): string => {
      const file = join(tmp, `${name}.jsonl`);
      writeFileSync(
        file,
        `${tightColdStarts(median)
          .map((s) => JSON.stringify(s))
          .join('\n')}\n`,
      );
      return file;
    };

    it('exits 1 when the change equals the threshold, printing the threshold as given (24.9 %)', async () => {
      const run = await runCli(['compare', samples('base', 1000), samples('at', 1249), '--threshold', '24.9%']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(', threshold 24.9 %\n');
      expect(run.stdout).toMatch(/^app@512 +1000\.0 +1249\.0 +\+24\.9 +\+\d+\.\d to \+\d+\.\d +0\.008 +REGRESSION$/m);
      expect(run.stdout).toContain('app@512: cold median 1000.0 ms → 1249.0 ms, +24.9 % (95 % CI ');
      expect(run.stdout).toContain('): regression at or beyond the 24.9 % threshold\n');
      expect(run.stdout).toContain('1 significant regression at or beyond 24.9 %.');
      // The same threshold as a fraction, and a whole percentage that binary rounding puts an ulp off (1150 / 1000 − 1 < 0.15).
      expect((await runCli(['compare', samples('base', 1000), samples('at', 1249), '--threshold', '0.249'])).code).toBe(1);
      expect((await runCli(['compare', samples('base', 1000), samples('at15', 1150), '--threshold', '15%'])).code).toBe(1);
    });

    it('exits 0 when the change is just below the threshold', async () => {
      const run = await runCli(['compare', samples('base', 1000), samples('below', 1248), '--threshold', '24.9%']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^app@512 +1000\.0 +1248\.0 +\+24\.8 .* within threshold$/m);
      expect(run.stdout).toContain('No significant regression at or beyond 24.9 %.');
    });
  });

  it('exits 0 when the regression is below --threshold', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--threshold', '70%']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^percall@512 .* within threshold$/m);
  });

  it('still finds the regression relative to a reference variant with --normalize-by', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--normalize-by', 'reuse@512']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Variant      Base [× reuse@512]  Current [× reuse@512]');
    expect(run.stdout).not.toMatch(/^reuse@512 /m);
  });

  it('compares warm medians with --metric warm.median (no warm regression: exit 0)', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--metric', 'warm.median']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('warm median: ')).toBe(true);
  });

  it('prints markdown and appends it to $GITHUB_STEP_SUMMARY', async () => {
    const file = join(tmp, 'summary.md');
    writeFileSync(file, '');
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--format', 'markdown', '--github-summary'], { env: { GITHUB_STEP_SUMMARY: file } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(SNAP('compare-regression.md'));
    expect(readFileSync(file, 'utf8')).toBe(`${SNAP('compare-regression.md')}\n`);
  });

  it('prints JSON with --format json', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(SNAP('compare-regression.json'));
  });

  it('exits 2 naming a missing BASE file', async () => {
    const run = await runCli(['compare', 'results/baseline-missing.json', 'fixtures/runs/regression']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe('Error: BASE: results/baseline-missing.json does not exist');
  });

  it('exits 2 naming a missing CUR folder', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'results/nope']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('Error: CUR: results/nope does not exist');
  });

  it('exits 2 listing the variants of each side when none is common', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/failures']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: fixtures/runs/baseline and fixtures/runs/failures: the two runs have no measured variant in common: BASE has reuse@512, percall@512, reuse@1024; CUR has snap@1024, flaky@256\n' +
        'Hint: Variants are matched by name; compare runs of the same suite.\n',
    );
  });

  it('exits 2 when --normalize-by names a variant the runs lack', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--normalize-by', 'reuse@128']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('Error: --normalize-by reuse@128: BASE has no measured variant of that name (it has reuse@512, percall@512, reuse@1024)');
  });

  it('exits 2 naming --threshold when it is not a percentage or fraction', async () => {
    const run = await runCli(['compare', 'fixtures/runs/baseline', 'fixtures/runs/regression', '--threshold', 'ten']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: --threshold ten: expected a fraction between 0 and 1 or a percentage (e.g. 0.05 or 5%)\nHint: Run `coldbench compare --help` for its arguments and flags.\n',
    );
  });

  it("states every flag's default in --help", async () => {
    const run = await runCli(['compare', '--help']);
    expect(run.code).toBe(0);
    const text = run.stdout.replace(/\s+/g, ' ');
    for (const d of [
      '[default: "10%"]',
      '[default: "cold.median"]',
      '(default: absolute values)',
      '[default: "0.01"]',
      '[default: "table"]',
      '(default: stdout)',
      '[default: false]',
    ])
      expect(text).toContain(d);
  });
});
