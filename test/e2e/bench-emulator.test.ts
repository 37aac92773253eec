import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFolder } from '../../src/bench/zip.ts';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type EmulatorProcess, benchEnv, lambdaAt, logsAt, readRun, spawnEmulator } from '../bench/helpers.ts';
import { BIN, REPO_ROOT, runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-emu-'));
const env = benchEnv(join(work, 'cache'));
let emulator: EmulatorProcess;
let lambda: LambdaClient;
const USER_FUNCTION = 'my-own-function';
const IMPOSTOR = 'coldbench-impostor';
const ROLE = 'arn:aws:iam::123456789012:role/user-role';

async function createUserFunction(name: string, tags?: Record<string, string>): Promise<void> {
  const zip = zipFolder(join(REPO_ROOT, 'fixtures/functions/edge/py-hello'));
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'python3.11',
      Handler: 'app.handler',
      Role: ROLE,
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: { KEEP: 'me', OTHER: 'x' } },
      Code: { ZipFile: zip.bytes },
      Tags: tags,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
}

async function functionNames(): Promise<string[]> {
  return ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!).sort();
}

beforeAll(async () => {
  emulator = await spawnEmulator();
  lambda = lambdaAt(emulator.url);
  await createUserFunction(USER_FUNCTION);
  // Right prefix, but without coldbench's tags: clean must not touch it.
  await createUserFunction(IMPOSTOR, { team: 'someone-else' });
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('coldbench bench --target URL (a separate `coldbench emulator` process)', () => {
  for (const strategy of ['burst', 'config-bump', 'version'] as const) {
    it(`forces a fresh environment for every cold sample with --cold-strategy ${strategy}, then deletes what it created`, async () => {
      const out = join(work, strategy);
      const run = await runCli(
        [
          'bench',
          'fixtures/suites/e2e-basic.yaml',
          '--target',
          emulator.url,
          '--out',
          out,
          '--only',
          'main@*',
          '--cold',
          '3',
          '--warm',
          '2',
          '--cold-strategy',
          strategy,
          '--quiet',
        ],
        { env },
      );
      expect(run.stderr).toBe(`Results: ${out} (completed)\n`);
      expect(run.code).toBe(0);
      const { info, samples } = readRun(out);
      expect(info).toMatchObject({ coldStrategy: strategy, target: { kind: 'url', endpoint: emulator.url } });
      expect(info.variantResults?.['main@128']).toEqual({ state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 });
      expect(samples.map((s) => [s.phase, s.kind, s.coldBy])).toEqual([
        ['cold', 'cold', 'init-duration'],
        ['cold', 'cold', 'init-duration'],
        ['cold', 'cold', 'init-duration'],
        ['warm', 'warm', 'none'],
        ['warm', 'warm', 'none'],
      ]);
      expect(samples.every((s) => s.initMs === null || s.initMs > 0)).toBe(true);
      expect(await functionNames()).toEqual([IMPOSTOR, USER_FUNCTION]);
    });
  }

  it('keeps the functions with --keep; clean --run deletes exactly those and leaves functions coldbench did not create', async () => {
    const out = join(work, 'keep');
    const run = await runCli(['bench', 'fixtures/suites/e2e-basic.yaml', '--target', emulator.url, '--out', out, '--cold', '1', '--warm', '0', '--keep', '--quiet'], { env });
    expect(run.code).toBe(0);
    const { info } = readRun(out);
    const ours = [`coldbench-${info.runId}-main-128`, `coldbench-${info.runId}-other-128`];
    expect(run.stderr).toContain(`Warning: kept 2 function(s) (--keep); \`coldbench clean --run ${info.runId}\` deletes them`);
    expect(await functionNames()).toEqual([...ours, IMPOSTOR, USER_FUNCTION].sort());
    // On an emulator, the functions' own AWS SDK calls go to the emulator: over its HTTPS listener,
    // which it names in /_coldbench/status, so a per-call client pays a TLS handshake as on Lambda.
    const status = (await (await fetch(`${emulator.url}/_coldbench/status`)).json()) as { functionEndpoint: string };
    expect(status.functionEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const deployed = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ours[0] }));
    expect(deployed.Environment?.Variables).toMatchObject({ AWS_ENDPOINT_URL: status.functionEndpoint });
    expect(deployed.Environment?.Variables?.COLDBENCH_BUMP).toBeUndefined();
    const clean = await runCli(['clean', '--target', emulator.url, '--run', info.runId, '--logs', '--yes'], { env });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe(
      `coldbench created these on ${emulator.url}:\n  function   ${ours[0]}\n  function   ${ours[1]}\n  log group  /aws/lambda/${ours[0]}\n  log group  /aws/lambda/${ours[1]}\nDeleted 4 of 4.\n`,
    );
    expect(await functionNames()).toEqual([IMPOSTOR, USER_FUNCTION]);
    const groups = ((await logsAt(emulator.url).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/coldbench-' }))).logGroups ?? []).map((g) => g.logGroupName);
    expect(groups.filter((g) => g?.includes(info.runId))).toEqual([]);
    const again = await runCli(['clean', '--target', emulator.url], { env });
    expect(again.stdout).toBe(`Nothing to clean on ${emulator.url}.\n`);
  });

  it('benchmarks an existing function with --function, then restores its configuration exactly and deletes the versions it published', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: USER_FUNCTION }));
    const out = join(work, 'existing');
    const run = await runCli(
      [
        'bench',
        '--function',
        USER_FUNCTION,
        '--target',
        emulator.url,
        '--memory',
        '128,512',
        '--cold',
        '1',
        '--warm',
        '1',
        '--cold-strategy',
        'version',
        '--out',
        out,
        '--yes',
        '--quiet',
      ],
      { env },
    );
    expect(run.stderr).toBe(`Results: ${out} (completed)\n`);
    expect(run.code).toBe(0);
    const { samples } = readRun(out);
    expect(samples.map((s) => [s.variant, s.phase, s.memoryMB])).toEqual([
      [`${USER_FUNCTION}@128`, 'cold', 128],
      [`${USER_FUNCTION}@128`, 'warm', 128],
      [`${USER_FUNCTION}@512`, 'cold', 512],
      [`${USER_FUNCTION}@512`, 'warm', 512],
    ]);
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: USER_FUNCTION }));
    expect(after.MemorySize).toBe(256);
    expect(after.Environment?.Variables).toEqual({ KEEP: 'me', OTHER: 'x' });
    expect(after.Handler).toBe(before.Handler);
    expect(after.Timeout).toBe(before.Timeout);
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: USER_FUNCTION }))).Versions!.map((v) => v.Version);
    expect(versions).toEqual(['$LATEST']);
  });

  it('restores an existing function when the run is interrupted with SIGINT', async () => {
    const out = join(work, 'existing-sigint');
    const child = spawn(
      process.execPath,
      [BIN, 'bench', '--function', USER_FUNCTION, '--target', emulator.url, '--memory', '1024', '--cold', '1', '--warm', '500', '--out', out, '--yes', '--quiet'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: 'ignore',
      },
    );
    const samplesFile = join(out, 'samples.jsonl');
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(samplesFile) && readFileSync(samplesFile, 'utf8').split('\n').length > 5) {
          clearInterval(timer);
          child.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(130);
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: USER_FUNCTION }));
    expect(after.MemorySize).toBe(256);
    expect(after.Environment?.Variables).toEqual({ KEEP: 'me', OTHER: 'x' });
  });

  it('asks before changing an existing function and changes nothing when the answer is no', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: USER_FUNCTION }));
    const run = await runCli(['bench', '--function', USER_FUNCTION, '--target', emulator.url, '--memory', '512', '--cold', '1', '--warm', '0'], { env, input: 'n\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`This changes ${USER_FUNCTION}'s memory and environment (which retires its warm environments) and restores them afterwards.`);
    expect(run.stderr).toContain('Proceed? [y/N] ');
    expect(run.stderr).toContain('Error: not confirmed; nothing was changed. Pass --yes to run without asking.');
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: USER_FUNCTION }));
    expect(after.RevisionId).toBe(before.RevisionId);
  });
});
