import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('coldbench calibrate › flags', () => {
  it('exits 2 naming --samples when it is not a whole number from 1 to 1000', async () => {
    const run = await runCli(['calibrate', '--samples', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Error: --samples 0: allowed: a whole number from 1 to 1000\nHint: Run `coldbench calibrate --help` for its arguments and flags.\n');
  });

  it('exits 2 on an empty --print-suite= instead of printing to stdout; --print-suite alone prints', async () => {
    const run = await runCli(['calibrate', '--print-suite=']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('Error: --print-suite "": expected a value\nHint: Run `coldbench calibrate --help` for its arguments and flags.\n');
  });

  it('exits 2 naming --runtime for a runtime without probes', async () => {
    const run = await runCli(['calibrate', '--runtime', 'java21', '--print-suite']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: --runtime java21: not a runtime the probes exist for\nHint: Allowed: python3.x and nodejsNN.x, e.g. --runtime python3.12 --runtime nodejs22.x.\n',
    );
  });

  it('prints the probe suite for a real-account run with --print-suite and no file', async () => {
    const run = await runCli(['calibrate', '--runtime', 'python3.12', '--samples', '5', '--print-suite']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('#   coldbench bench <this file> --target aws --out my-lambda-run');
    expect(run.stdout).toMatch(
      /^ {2}hello-python312:\n {4}code: ".*fixtures\/calibration\/functions\/hello-python"\n {4}runtime: python3\.12\n {4}handler: app\.handler\n {4}architecture: \[x86_64, arm64\]\n {4}memory: \[128, 256, 512, 1024\]$/m,
    );
    expect(run.stdout).toContain('  cold: 5\n');
  });
});

describe('coldbench calibrate › --print-suite FILE', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'coldbench-calibrate-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('creates the missing folders of the file (a/b/c/suite.yaml) and writes what stdout would show', async () => {
    const out = join(tmp, 'a', 'b', 'c', 'suite.yaml');
    const run = await runCli(['calibrate', '--runtime', 'python3.12', '--samples', '5', '--print-suite', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`Wrote ${out}: deploy it with \`coldbench bench ${out} --target aws --out my-lambda-run\`, then \`coldbench calibrate --from my-lambda-run\`.\n`);
    const printed = await runCli(['calibrate', '--runtime', 'python3.12', '--samples', '5', '--print-suite']);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
  });

  it('exits 2 naming --print-suite when the file cannot be written (a file in the way)', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const run = await runCli(['calibrate', '--runtime', 'python3.12', '--print-suite', join(file, 'sub', 'suite.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `Error: --print-suite ${join(file, 'sub', 'suite.yaml')}: cannot write there (ENOTDIR)\nHint: Give a file path in a writable place; missing folders are created.\n`,
    );
  });
});

describe('coldbench report › calibration flags', () => {
  it('exits 2 naming --calibration when the file does not exist', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline', '--calibration', 'nope.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: --calibration nope.json: no such file\nHint: Run `coldbench calibrate --out FILE` to write one, or leave the flag out to use the cached calibration.\n',
    );
  });

  it('exits 2 naming --requests-per-second when it is not above 0', async () => {
    const run = await runCli(['report', 'fixtures/runs/baseline', '--requests-per-second', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: --requests-per-second 0: allowed: a number of requests per second above 0, e.g. 25\nHint: Run `coldbench report --help` for its arguments and flags.\n',
    );
  });
});
