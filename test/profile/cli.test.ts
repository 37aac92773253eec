import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('coldbench profile (usage errors, before anything runs)', () => {
  it('exits 2 and asks for --handler when given a folder without one', async () => {
    const run = await runCli(['profile', 'fixtures/functions/python/connection']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('Error: --handler is required with a folder: module.function, e.g. --handler app.handler\n');
  });

  it('exits 2 for a suite file that does not exist, with what to pass instead', async () => {
    const run = await runCli(['profile', 'nope.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: nope.yaml: no such suite file\nHint: pass a function folder with --handler, a suite file with --only VARIANT, or a variant name of the seed suite\n',
    );
  });

  it('exits 2 naming the variants when --only matches none of them', async () => {
    const run = await runCli(['profile', 'fixtures/suites/seed.yaml', '--only', 'nothing@1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Error: --only 'nothing@1' matches no variant of fixtures\/suites\/seed\.yaml; the variants are: reuse@128, /);
  });

  it('exits 2 for a format the report does not have', async () => {
    const run = await runCli(['profile', 'x', '--format', 'xml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('Error: --format xml: expected one of table, markdown, json, html\nHint: Run `coldbench profile --help` for its arguments and flags.\n');
  });

  it('exits 2 for --endpoint aws without --function: code built here is profiled on the emulator', async () => {
    const run = await runCli(['profile', 'hello@512', '--endpoint', 'aws']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: --endpoint aws needs --function NAME: on a real account profile traces a copy of a deployed function; a folder or suite variant is profiled on the emulator (local, or an emulator URL)\n',
    );
  });

  it('exits 2 with nothing to profile, and for both a target and --function', async () => {
    const none = await runCli(['profile']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'Error: nothing to profile\nHint: pass a function folder with --handler, a suite file with --only VARIANT, a variant name of the seed suite, or --function NAME\n',
    );
    const both = await runCli(['profile', 'hello@512', '--function', 'orders']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'Error: hello@512 and --function orders: give one\nHint: a folder, suite or variant is built here; --function profiles a copy of a deployed function\n',
    );
  });

  it("refuses a --memory outside Lambda's 128-10240 MB, naming the flag", async () => {
    const run = await runCli(['profile', 'fixtures/functions/python/hello', '--handler', 'app.handler', '--memory', '20000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Error: --memory 20000: allowed: a whole number 128-10240\nHint: Run `coldbench profile --help` for its arguments and flags.\n');
  });

  it('documents every flag and its default in --help', async () => {
    const run = await runCli(['profile', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--handler',
      '--runtime',
      '--memory',
      '--requirements',
      '--only',
      '--format',
      '--verify',
      '--samples',
      '--verify-limit',
      '--warm',
      '--endpoint',
      '--function',
      '--yes',
    ])
      expect(run.stdout).toContain(flag);
    expect(run.stdout).toContain('[default: "python3.11"]');
  });
});
