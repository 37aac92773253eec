import { spawnSync } from 'node:child_process';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, ListFunctionsCommand, ListLayersCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { zipFolder } from '../../src/bench/zip.ts';
import type { ProfileReport } from '../../src/profile/types.ts';
import { ROLE, harnessPerFile } from '../emulator/api/helpers.ts';
import { runCli } from '../helpers/cli.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const USER_ENV = { STAGE: 'prod', TABLE: 'orders' };

describe.skipIf(!hasPython)('coldbench profile --function on an emulator URL (a deployed function, traced through a copy)', () => {
  const h = harnessPerFile({}, async (harness) => {
    await harness.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders',
        Runtime: 'python3.11',
        Handler: 'routes.handler',
        Role: ROLE,
        MemorySize: 512,
        Timeout: 10,
        Environment: { Variables: USER_ENV },
        Code: { ZipFile: zipFolder('test/profile/fixtures/functions/advisor').bytes },
      }),
    );
    await waitUntilFunctionActiveV2({ client: harness.lambda, maxWaitTime: 60, minDelay: 0.05, maxDelay: 0.5 }, { FunctionName: 'orders' });
  });

  const untouched = async () => {
    const fns = await h.lambda.send(new ListFunctionsCommand({}));
    expect(fns.Functions?.map((f) => f.FunctionName)).toEqual(['orders']);
    expect((await h.lambda.send(new ListLayersCommand({}))).Layers).toEqual([]);
    const config = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
    expect([config.MemorySize, config.Environment?.Variables, config.Layers ?? []]).toEqual([512, USER_ENV, []]);
  };

  it('downloads the code, traces three cold starts of a copy with the tracing layer, and deletes the copy and the layer', async () => {
    const run = await runCli(['profile', '--endpoint', h.emulator.url, '--function', 'orders', '--yes', '--warm', '1', '--format', 'json']);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ProfileReport;
    expect(report.function).toMatchObject({ name: 'orders', handler: 'routes.handler', runtime: 'python3.11', memoryMB: 512 });
    expect(report.tracing).toBe('python -X importtime through AWS_LAMBDA_EXEC_WRAPPER on a copy of orders (tracing layer)');
    expect(report.target).toBe(`endpoint ${h.emulator.url}`);
    expect(report.modules.find((m) => m.name === 'cpuheavy')?.cumulativeMs).toBeGreaterThanOrEqual(390);
    // The same advice as the folder gets on the local emulator: the code came from GetFunction.
    expect(report.recommendations.filter((r) => r.rule !== 'memory-size').map((r) => [r.rule, r.target])).toEqual([
      ['module-level-work', 'cpuheavy.py:14'],
      ['unused-import', 'slowlib'],
    ]);
    expect(report.notes[0]).toMatch(/^traced on coldbench-[\w-]+-orders-trace, a copy of orders deleted afterwards with its tracing layer; orders was not changed$/);
    expect(report.notes[1]).toMatch(/^Init Duration of the 3 forced cold starts of the copy: median \d+\.\d ms \(\d+\.\d, \d+\.\d, \d+\.\d\); the table is the first one's trace$/);
    expect(run.stderr).toContain(`profile orders on ${h.emulator.url}:\n  creates a copy of orders (same code, role, layers, memory, timeout and environment)`);
    await untouched();
  }, 120_000);

  it('creates nothing when the user does not confirm, and exits 2 saying how to skip the question', async () => {
    const run = await runCli(['profile', '--endpoint', h.emulator.url, '--function', 'orders'], { input: 'n\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Proceed? [y/N] Error: not confirmed; nothing was created. Pass --yes to run without asking.\n');
    await untouched();
  }, 60_000);

  it('exits 2 naming a function that does not exist', async () => {
    const run = await runCli(['profile', '--endpoint', h.emulator.url, '--function', 'nope', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Error: --function nope: no such function in this account and region\n');
  }, 60_000);
});
