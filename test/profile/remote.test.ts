/**
 * `profile --function` on a real account, with aws-sdk-client-mock (every test name says so): the
 * copy, its tracing layer and the cleanup are Lambda calls that only an account can answer; the
 * same flow against the emulator as a URL target is test/e2e/profile-remote.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteLayerVersionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { unzipSync } from 'fflate';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotConfirmedError } from '../../src/bench/errors.ts';
import type { Target } from '../../src/bench/target.ts';
import { zipFolder } from '../../src/bench/zip.ts';
import { LAYER_WRAPPER, ownSources, profileExistingFunction, REMOTE_COLD_STARTS } from '../../src/profile/remote.ts';
import { ProfileSession } from '../../src/profile/session.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const config = { region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const lambda = new LambdaClient(config);
const logs = new CloudWatchLogsClient(config);
const lambdaMock = mockClient(lambda);
const logsMock = mockClient(logs);
const target: Target = {
  kind: 'aws',
  region: 'eu-west-1',
  lambda,
  logs,
  iam: new IAMClient(config),
  s3: new S3Client(config),
  sts: new STSClient(config),
  status: null,
  coreCap: Number.POSITIVE_INFINITY,
  close: async () => {},
};
const ROLE = 'arn:aws:iam::111122223333:role/orders-role';
const DEPS_LAYER = 'arn:aws:lambda:eu-west-1:111122223333:layer:orders-deps:4';
const TRACE_LAYER = 'arn:aws:lambda:eu-west-1:111122223333:layer:coldbench-trace:1';
const code = zipFolder('test/profile/fixtures/functions/advisor').bytes;
const userConfig = {
  FunctionName: 'orders',
  FunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders',
  Runtime: 'python3.12' as const,
  Handler: 'routes.handler',
  Role: ROLE,
  MemorySize: 512,
  Timeout: 10,
  Architectures: ['arm64' as const],
  Environment: { Variables: { STAGE: 'prod' } },
  Layers: [{ Arn: DEPS_LAYER, CodeSize: 100 }],
};
const trace = [
  'import time:    400000 |     400000 |     cpuheavy',
  'import time:    101000 |     101000 |     slowlib',
  'import time:       200 |     501200 |   helpers',
  'import time:       400 |     501600 | routes',
  'coldbench line:    399800 | cpuheavy.py:14-14',
];
const tail = (id: string, init: number | null) =>
  Buffer.from(
    `START RequestId: ${id} Version: $LATEST\nEND RequestId: ${id}\nREPORT RequestId: ${id}\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 40 MB\t${init === null ? '' : `Init Duration: ${init.toFixed(2)} ms\t`}\n`,
  ).toString('base64');

function mockAccount(): { created: () => boolean } {
  let created = false;
  let invokes = 0;
  lambdaMock.reset();
  logsMock.reset();
  lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'orders' }).resolves(userConfig);
  lambdaMock.callsFake(() => {
    throw new Error('unexpected call');
  });
  lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'orders' }).resolves(userConfig);
  lambdaMock.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => {
    if (input.FunctionName === 'orders')
      return { Configuration: userConfig, Code: { RepositoryType: 'S3', Location: `data:application/zip;base64,${Buffer.from(code).toString('base64')}` } };
    if (!created) throw Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    return { Configuration: { FunctionName: input.FunctionName, State: 'Active', LastUpdateStatus: 'Successful' } };
  });
  lambdaMock.on(PublishLayerVersionCommand).resolves({ LayerVersionArn: TRACE_LAYER, Version: 1 });
  lambdaMock.on(CreateFunctionCommand).callsFake(() => {
    created = true;
    return { State: 'Pending' };
  });
  lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'InProgress' });
  lambdaMock.on(InvokeCommand).callsFake(() => {
    invokes += 1;
    // Every config-bump makes the next invoke cold; the warm one reuses the last environment.
    const cold = lambdaMock.commandCalls(UpdateFunctionConfigurationCommand).length + 1 >= invokes && invokes <= REMOTE_COLD_STARTS;
    return {
      $metadata: { httpStatusCode: 200, requestId: `r${invokes}` },
      StatusCode: 200,
      Payload: new TextEncoder().encode('{"statusCode":200}'),
      LogResult: tail(`r${invokes}`, cold ? 510 + invokes : null),
    };
  });
  lambdaMock.on(DeleteFunctionCommand).resolves({});
  lambdaMock.on(DeleteLayerVersionCommand).resolves({});
  logsMock.on(FilterLogEventsCommand).resolves({
    events: [...trace, 'START RequestId: r1 Version: $LATEST', ...trace].map((message, i) => ({ message, timestamp: 1_000 + i })),
  });
  return { created: () => created };
}

describe.skipIf(!hasPython)('profile --function on a real account (aws-sdk-client-mock)', () => {
  beforeEach(() => void mockAccount());

  it('creates a copy with the user’s role and layers plus the tracing layer, traces it, and deletes the copy and the layer (aws-sdk-client-mock)', async () => {
    const lines: string[] = [];
    const report = await profileExistingFunction(
      ProfileSession.on(target, (l) => void lines.push(l)),
      {
        functionName: 'orders',
        warm: 1,
        yes: true,
        confirm: async () => false,
        log: (l) => void lines.push(l),
      },
    );
    // The layer holds the wrapper (executable) and its timers under coldbench/, i.e. /opt/coldbench/ in the function.
    const layer = lambdaMock.commandCalls(PublishLayerVersionCommand)[0].args[0].input;
    expect([layer.CompatibleRuntimes, layer.CompatibleArchitectures]).toEqual([['python3.12'], ['arm64']]);
    const files = unzipSync(layer.Content?.ZipFile as Uint8Array);
    expect(Object.keys(files).sort()).toEqual([
      'coldbench/node-esm-hooks.mjs',
      'coldbench/node-esm-timer.mjs',
      'coldbench/node-require-timer.cjs',
      'coldbench/node-statement-timer.cjs',
      'coldbench/node-trace-line.cjs',
      'coldbench/python-trace-shim.py',
      'coldbench/trace-wrapper.sh',
    ]);
    const copy = lambdaMock.commandCalls(CreateFunctionCommand)[0].args[0].input;
    expect(copy.FunctionName).toMatch(/^coldbench-[\w-]+-orders-trace$/);
    expect(copy).toMatchObject({
      Runtime: 'python3.12',
      Handler: 'routes.handler',
      Role: ROLE,
      MemorySize: 512,
      Timeout: 10,
      Architectures: ['arm64'],
      Layers: [DEPS_LAYER, TRACE_LAYER],
    });
    expect(Buffer.from(copy.Code?.ZipFile as Uint8Array).equals(Buffer.from(code))).toBe(true);
    expect(copy.Environment?.Variables).toEqual({
      STAGE: 'prod',
      AWS_LAMBDA_EXEC_WRAPPER: LAYER_WRAPPER,
      COLDBENCH_TRACE_STATEMENTS: 'cpuheavy.py@:14-14;slowlib.py@:5-5',
    });
    // The user's function is only read: never updated, never deleted.
    for (const command of [UpdateFunctionConfigurationCommand, DeleteFunctionCommand, InvokeCommand] as const)
      for (const call of lambdaMock.commandCalls(command)) expect((call.args[0].input as { FunctionName?: string }).FunctionName).toBe(copy.FunctionName);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(REMOTE_COLD_STARTS + 1);
    expect(lambdaMock.commandCalls(DeleteFunctionCommand)).toHaveLength(1);
    expect(layer.LayerName).toMatch(/^coldbench-profile-[\w-]+-trace$/);
    expect(lambdaMock.commandCalls(DeleteLayerVersionCommand).map((c) => c.args[0].input)).toEqual([{ LayerName: layer.LayerName, VersionNumber: 1 }]);
    expect(report.target).toBe('AWS account (eu-west-1)');
    expect(report.initMs).toBe(511);
    expect(report.recommendations.filter((r) => r.rule !== 'memory-size').map((r) => [r.rule, r.target, r.savingMs])).toEqual([
      ['module-level-work', 'cpuheavy.py:14', 399.8],
      ['unused-import', 'slowlib', 101],
    ]);
    expect(report.notes[1]).toBe("Init Duration of the 3 forced cold starts of the copy: median 512.0 ms (511.0, 512.0, 513.0); the table is the first one's trace");
    expect(lines[0]).toBe(
      [
        'profile orders on the AWS account in eu-west-1:',
        `  creates a copy of orders (same code, role, layers, memory, timeout and environment) with the coldbench tracing layer and AWS_LAMBDA_EXEC_WRAPPER=${LAYER_WRAPPER},`,
        '  forces 3 cold starts and 1 warm invokes of the copy with the event {} (its code runs: whatever it calls, it calls 4 times),',
        "  reads the trace from the copy's CloudWatch logs, then deletes the copy and the layer.",
        '  orders itself is not changed.',
      ].join('\n'),
    );
  });

  it('asks first and creates nothing when declined (aws-sdk-client-mock)', async () => {
    const questions: string[] = [];
    const run = profileExistingFunction(
      ProfileSession.on(target, () => {}),
      {
        functionName: 'orders',
        warm: 1,
        yes: false,
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
        log: () => {},
      },
    );
    await expect(run).rejects.toThrow(new NotConfirmedError('not confirmed; nothing was created. Pass --yes to run without asking.'));
    expect(questions).toEqual(['Proceed?']);
    expect(lambdaMock.commandCalls(PublishLayerVersionCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(CreateFunctionCommand)).toHaveLength(0);
  });

  it('refuses a function that already has five layers, before creating anything (aws-sdk-client-mock)', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'orders' }).resolves({ ...userConfig, Layers: [1, 2, 3, 4, 5].map((n) => ({ Arn: `${DEPS_LAYER}${n}` })) });
    const run = profileExistingFunction(
      ProfileSession.on(target, () => {}),
      { functionName: 'orders', warm: 1, yes: true, confirm: async () => true, log: () => {} },
    );
    await expect(run).rejects.toThrow('--function orders: it already has 5 layers; the copy needs one more for the tracing wrapper and Lambda allows 5');
    expect(lambdaMock.commandCalls(CreateFunctionCommand)).toHaveLength(0);
  });
});

describe('ownSources', () => {
  it('leaves out the modules of packages installed beside the code (their dist-info top_level.txt, else the dist-info name)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-own-'));
    try {
      mkdirSync(join(dir, 'PyYAML-6.0.2.dist-info'));
      writeFileSync(join(dir, 'PyYAML-6.0.2.dist-info', 'top_level.txt'), '_yaml\nyaml\n');
      mkdirSync(join(dir, 'six-1.16.0.dist-info'));
      const sources = new Map([
        ['app', ''],
        ['helpers', ''],
        ['yaml.__init__', ''],
        ['yaml.loader', ''],
        ['six', ''],
      ]);
      expect([...ownSources(sources, dir, 'python').keys()]).toEqual(['app', 'helpers']);
      expect(ownSources(new Map([['./index.js', '']]), dir, 'node').size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
