import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { machineFingerprint } from '../../src/bench/calibrate.ts';
import { readLines } from '../../src/cli/commands/report-input.ts';

const SNAP = (name: string) => readFileSync(new URL(`../report/__snapshots__/${name}`, import.meta.url), 'utf8');

describe('coldbench report', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'coldbench-report-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the table of a run folder and exits 0', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('baseline.txt'));
    expect(run.stdout.split('\n').slice(2, 5).join('\n')).toBe(
      [
        'Variant      Kind   n  Median [ms]  95 % CI [ms]  p90 [ms]  p99 [ms]  Mean ± sd [ms]  Min…max [ms]  Init [ms]  Billed mean [ms]  Max memory [MB]  Failed',
        '───────      ────   ─  ───────────  ────────────  ────────  ────────  ──────────────  ────────────  ─────────  ────────────────  ───────────────  ──────',
        'reuse@512    cold  10      214.3 *   210.3–233.8     238.6         —    220.5 ± 13.8   202.9…243.4      194.2             221.0               58       0',
      ].join('\n'),
    );
  });

  it('prints markdown with --format markdown', async () => {
    const run = await runCli(['report', 'fixtures/runs/failures', '--format', 'markdown']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('failures.md'));
    expect(run.stdout).toContain('| broken@128 | cold | 0 | — | — | — | — | — | — | — | — | — | — | 5 |');
  });

  it('prints one CSV row per variant and kind with --format csv', async () => {
    const run = await runCli(['report', 'fixtures/runs/failures', '--format', 'csv']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('failures.csv'));
    expect(run.stdout.split('\n')[5]).toBe('broken@128,cold,failed,128,x86_64,5,0,5,0,,,,,,,,,,,,,,,0,,,,,');
  });

  it('prints the JSON summary with --format json', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('baseline.json'));
  });

  it('writes the HTML report to --out and says so on stderr', async () => {
    const out = join(tmp, 'report.html');
    const run = await runCli(['report', 'fixtures/runs/baseline', '--format', 'html', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`Wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(SNAP('baseline.html'));
  });

  it('creates the missing folders of --out (a/b/c/report.md)', async () => {
    const out = join(tmp, 'a', 'b', 'c', 'report.md');
    const run = await runCli(['report', 'fixtures/runs/baseline', '--format', 'markdown', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`Wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(SNAP('baseline.md'));
  });

  it('exits 2 naming --out when it cannot be written (a file in the way)', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const run = await runCli(['report', 'fixtures/runs/baseline', '--out', join(file, 'sub', 'report.txt')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `Error: --out ${join(file, 'sub', 'report.txt')}: cannot write there (ENOTDIR)\nHint: Give a file path in a writable place; missing folders are created.\n`,
    );
  });

  it('reports a bare samples JSONL from `coldbench import`', async () => {
    const run = await runCli(['report', 'fixtures/runs/imported.jsonl']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('imported.txt'));
  });

  it('reports an exported JSON summary exactly as the run it came from', async () => {
    const exported = join(tmp, 'baseline.json');
    expect((await runCli(['report', 'fixtures/runs/baseline', '--format', 'json', '--out', exported])).code).toBe(0);
    const run = await runCli(['report', exported]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('baseline.txt'));
  });

  it('notes that --cold-ratio cannot re-price an exported summary', async () => {
    const exported = join(tmp, 'baseline-note.json');
    expect((await runCli(['report', 'fixtures/runs/baseline', '--format', 'json', '--out', exported])).code).toBe(0);
    const run = await runCli(['report', exported, '--cold-ratio', '5%']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('baseline.txt'));
    expect(run.stderr).toBe(
      `Note: ${exported} is an exported summary computed with --cold-ratio 0.01 --optimize balanced --region us-east-1 --seed 42; those flags apply only to run folders and samples files.\n`,
    );
  });

  it('prices at --cold-ratio and recommends with --optimize', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline', '--cold-ratio', '50%', '--optimize', 'speed']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('$ per 1 M at 50 % cold');
    expect(run.stdout).toContain('Memory (optimize speed)\n  reuse@*: 512 MB (reuse@512) is the fastest at 50 % cold starts:');
  });

  it('appends the markdown report to $GITHUB_STEP_SUMMARY with --github-summary', async () => {
    const file = join(tmp, 'step-summary.md');
    writeFileSync(file, '# earlier step\n');
    const run = await runCli(['report', 'fixtures/runs/failures', '--github-summary'], { env: { GITHUB_STEP_SUMMARY: file } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('failures.txt'));
    expect(readFileSync(file, 'utf8')).toBe(`# earlier step\n${SNAP('failures.md')}\n`);
  });

  it('says so when --github-summary is given outside GitHub Actions', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline', '--github-summary'], { env: { GITHUB_STEP_SUMMARY: '' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('Note: --github-summary: GITHUB_STEP_SUMMARY is not set (not running in GitHub Actions); nothing appended.\n');
  });

  it('exits 2 naming a RUN that does not exist', async () => {
    const run = await runCli(['report', 'results/no-such-run']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'Error: RUN: results/no-such-run does not exist\nHint: Give a run folder (results/<run-id>), a samples JSONL file or a JSON file written by `coldbench report --format json`.\n',
    );
  });

  it('exits 2 naming samples.jsonl when a folder has none', async () => {
    const empty = join(tmp, 'empty-run');
    mkdirSync(empty, { recursive: true });
    const run = await runCli(['report', empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Error: RUN: ${join(empty, 'samples.jsonl')} does not exist; a run folder holds samples.jsonl (and run.json)\n`);
  });

  it('exits 2 naming the file and line of a malformed sample', async () => {
    const dir = join(tmp, 'bad-run');
    mkdirSync(dir, { recursive: true });
    copyFileSync('fixtures/runs/baseline/run.json', join(dir, 'run.json'));
    const good = readFileSync('fixtures/runs/baseline/samples.jsonl', 'utf8').split('\n').slice(0, 2).join('\n');
    writeFileSync(join(dir, 'samples.jsonl'), `${good}\n{"variant":"reuse@512","kind":"lukewarm"}\n`);
    const run = await runCli(['report', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`Error: RUN: ${join(dir, 'samples.jsonl')}:3: field "kind" is "lukewarm"; expected "cold" or "warm"\n`);
  });

  it('exits 2 on a JSON file that is not a coldbench summary', async () => {
    const file = join(tmp, 'other.json');
    writeFileSync(file, '{"hello": "world"}\n');
    const run = await runCli(['report', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Error: RUN: ${file} is JSON but not a coldbench summary (no "format": "coldbench-summary")`);
  });

  it('exits 2 naming --cold-ratio when it is not a fraction or percentage', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline', '--cold-ratio', '150%']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: --cold-ratio 150%: expected a fraction between 0 and 1 or a percentage (e.g. 0.05 or 5%)\nHint: Run `coldbench report --help` for its arguments and flags.\n',
    );
  });

  it("states every flag's default in --help", async () => {
    const run = await runCli(['report', '--help']);
    expect(run.code).toBe(0);
    for (const text of [
      '[default: "table"]',
      '[default: "0.01"]',
      '[default: "balanced"]',
      '(default: stdout)',
      "(default: the run's region, else us-east-1)",
      "(default: the run's seed, else 42)",
      '[default: false]',
    ]) {
      expect(run.stdout.replace(/\s+/g, ' ')).toContain(text);
    }
  });
});

/**
 * A calibration in a test's own cache folder, where `report` looks when no flag or
 * COLDBENCH_CALIBRATION names one. Model v1 gives exactly one warning whatever machine runs the
 * test (this machine's fingerprint; a reference that is not the shipped one, so no date check).
 */
function cachedCalibration(cacheDir: string): string {
  const file = join(cacheDir, 'calibration', 'calibration.json');
  mkdirSync(join(cacheDir, 'calibration'), { recursive: true });
  const calibration = {
    format: 'coldbench-calibration',
    formatVersion: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    machine: machineFingerprint(),
    cpuProbeMs: 3,
    reference: { name: 'my-lambda-run', source: 'coldbench bench --target aws', commit: null, from: null, to: null, builtOn: '2026-12-01' },
    model: {
      kind: 'offset-speed-throttle',
      version: 1,
      speed: 0.5,
      initOffsetMs: { 'python3.11/x86_64': 40 },
      invokeCpuMs: { 'python3.11/x86_64': 0 },
      periodMs: 20,
      logSd: { init: 0.1, duration: 0.1 },
    },
    points: [],
    fitted: {},
    leaveOneOut: [],
  };
  writeFileSync(file, JSON.stringify(calibration));
  return file;
}

const olderModelWarning = (file: string) =>
  `Warning: the calibration ${file} was fitted by an older coldbench (model v1, without this machine's CPU per throttled pause): Duration estimates at small memory sizes run high; run coldbench calibrate again\n`;

describe('coldbench report › the cached calibration', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let calibrationFile: string;
  let awsRun: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'coldbench-report-calibration-'));
    calibrationFile = cachedCalibration(join(tmp, 'cache'));
    // COLDBENCH_CALIBRATION unset (vitest.config sets it off): report looks in the test's own cache.
    env = { COLDBENCH_CACHE_DIR: join(tmp, 'cache'), COLDBENCH_CALIBRATION: '' };
    // The baseline run as if it had run with --target aws: the same samples, Lambda's own times.
    awsRun = join(tmp, 'aws-run');
    mkdirSync(awsRun);
    copyFileSync('fixtures/runs/baseline/samples.jsonl', join(awsRun, 'samples.jsonl'));
    const info = JSON.parse(readFileSync('fixtures/runs/baseline/run.json', 'utf8'));
    writeFileSync(join(awsRun, 'run.json'), JSON.stringify({ ...info, target: { kind: 'aws', region: 'us-east-1' } }));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('estimates a local run from it and prints its warning once', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(olderModelWarning(calibrationFile));
    expect(run.stdout).toContain('On Lambda (est.)');
  });

  it('reports an AWS run without estimates and without the calibration warning', async () => {
    const run = await runCli(['report', awsRun], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain('On Lambda (est.)');
  });

  it('reports an exported summary without the calibration warning', async () => {
    const exported = join(tmp, 'aws.json');
    expect((await runCli(['report', awsRun, '--format', 'json', '--out', exported], { env })).stderr).toBe(`Wrote ${exported}\n`);
    const run = await runCli(['report', exported], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('says once that --calibration is not used for an AWS run, naming the flag and the run', async () => {
    const run = await runCli(['report', awsRun, '--calibration', calibrationFile], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `Note: --calibration ${calibrationFile} is not used: "On Lambda (est.)" estimates are made only for local (emulator) runs, and ${awsRun} ran with --target aws: its times are Lambda's own.\n`,
    );
    expect(run.stdout).not.toContain('On Lambda (est.)');
  });

  it('says once that --calibration is not used for an exported summary, even of a local run', async () => {
    const exported = join(tmp, 'local.json');
    expect((await runCli(['report', 'fixtures/runs/baseline', '--format', 'json', '--out', exported])).code).toBe(0);
    const run = await runCli(['report', exported, '--calibration', calibrationFile], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(SNAP('baseline.txt'));
    expect(run.stderr).toBe(
      `Note: --calibration ${calibrationFile} is not used: "On Lambda (est.)" estimates are made only for local (emulator) runs, and ${exported} is an exported summary, reported as it was computed.\n`,
    );
  });
});

describe('readLines', () => {
  it('yields every line of a file larger than its 1 MiB read chunk, multi-byte characters intact across chunk edges', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-lines-'));
    try {
      const lines = Array.from({ length: 40_000 }, (_, i) => `{"variant":"π-${i}","note":"€${'x'.repeat(i % 97)}"}`);
      const file = join(dir, 'samples.jsonl');
      writeFileSync(file, `${lines.join('\r\n')}\r\nlast line without newline`);
      const read = [...readLines(file)];
      expect(read).toHaveLength(40_001);
      expect(read.slice(0, -1).map((l) => l.replace(/\r$/, ''))).toEqual(lines);
      expect(read[40_000]).toBe('last line without newline');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
