/**
 * Real-account-only behaviour, with aws-sdk-client-mock: IAM propagation delays, throttling,
 * the S3 upload path, consent prompts and AWS proactive initialisation cannot happen against
 * the local emulator, so these clients are mocked (and every test name says so).
 */
import { driveOneVariant } from './helpers.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListLayersCommand,
  ListTagsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteCleanable, findCleanable } from '../../src/bench/cleanup.ts';
import { type DeployContext, deployVariant, emptyCreated, ensureRole } from '../../src/bench/deploy.ts';
import { bump, proactiveInitClassifier } from '../../src/bench/drive.ts';
import { NotConfirmedError, RestoreError, TargetError } from '../../src/bench/errors.ts';
import { restoreFunction } from '../../src/bench/existing.ts';
import type { BuiltPackage } from '../../src/bench/package.ts';
import type { Variant } from '../../src/bench/plan.ts';
import { runBench } from '../../src/bench/run.ts';
import type { Target } from '../../src/bench/target.ts';
import type { BenchSample } from '../../src/bench/results.ts';
import * as probe from '../../src/probe/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const lambda = new LambdaClient(config);
const iam = new IAMClient(config);
const s3 = new S3Client(config);
const sts = new STSClient(config);
const logs = new CloudWatchLogsClient(config);
const lambdaMock = mockClient(lambda);
const iamMock = mockClient(iam);
const s3Mock = mockClient(s3);
const stsMock = mockClient(sts);
const logsMock = mockClient(logs);
const noWait = { sleep: async () => {} };
const dir = mkdtempSync(join(tmpdir(), 'coldbench-mock-'));
const zipPath = join(dir, 'f.zip');
writeFileSync(zipPath, 'zip bytes');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}
const ctx: DeployContext = { kind: 'aws', lambda, iam, s3, sts, runId: '20261128T162501Z-k3f9', region: 'us-east-1', retry: noWait };
const variant: Variant = {
  name: 'hello@128',
  function: 'hello',
  base: 'hello',
  memoryMB: 128,
  architecture: 'x86_64',
  runtime: 'python3.11',
  packaging: 'bundled',
  handler: 'app.handler',
  cold: 1,
  warm: 1,
  timeoutS: 10,
  concurrency: 2,
  coldStrategy: 'burst',
  environment: { STAGE: 'bench' },
  events: [{ file: '(none)', weight: 1, payload: '{}' }],
};
const pkg = (zipBytes: number): BuiltPackage => ({
  function: { path: zipPath, sha256: 'c2hhMjU2', zipBytes, unzippedBytes: 100, key: 'abcdef0123456789', cached: true },
  layer: null,
  folderLayers: [],
});

beforeEach(() => {
  for (const m of [lambdaMock, iamMock, s3Mock, stsMock, logsMock]) m.reset();
});

describe('ensureRole (mocked IAM: a real account only)', () => {
  it('creates the execution role once, trusting lambda.amazonaws.com with AWSLambdaBasicExecutionRole only', async () => {
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntityException', 'no role', 404));
    iamMock.on(CreateRoleCommand).resolves({ Role: { Arn: 'arn:aws:iam::111122223333:role/coldbench-execution-role' } as never });
    iamMock.on(AttachRolePolicyCommand).resolves({});
    expect(await ensureRole(ctx)).toEqual({ arn: 'arn:aws:iam::111122223333:role/coldbench-execution-role', created: true });
    const create = iamMock.commandCalls(CreateRoleCommand)[0].args[0].input;
    expect(JSON.parse(create.AssumeRolePolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(create.Tags).toEqual([{ Key: 'coldbench:created-by', Value: 'coldbench' }]);
    expect(iamMock.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
  });

  it('reuses the role when it exists', async () => {
    iamMock.on(GetRoleCommand).resolves({ Role: { Arn: 'arn:aws:iam::111122223333:role/coldbench-execution-role' } as never });
    expect(await ensureRole(ctx)).toEqual({ arn: 'arn:aws:iam::111122223333:role/coldbench-execution-role', created: false });
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });
});

describe('deployVariant (mocked Lambda and S3: a real account only)', () => {
  /** GetFunction of a function not deployed yet: not found once, then `configuration`, as after CreateFunction. */
  const notFoundUntilCreated = (configuration: FunctionConfiguration) =>
    lambdaMock
      .on(GetFunctionCommand)
      .rejectsOnce(awsError('ResourceNotFoundException', 'Function not found', 404))
      .resolves({ Configuration: configuration });

  it('retries CreateFunction while the new role "cannot be assumed by Lambda" (IAM propagation), then tags and names the function', async () => {
    notFoundUntilCreated({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambdaMock
      .on(CreateFunctionCommand)
      .rejectsOnce(awsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.'))
      .rejectsOnce(awsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.'))
      .resolves({ FunctionName: 'x' });
    const created = emptyCreated();
    const dep = await deployVariant(ctx, variant, pkg(9), null, 'arn:aws:iam::111122223333:role/r', created);
    const calls = lambdaMock.commandCalls(CreateFunctionCommand);
    expect(calls).toHaveLength(3);
    const input = calls[2].args[0].input;
    expect(input.FunctionName).toBe('coldbench-20261128T162501Z-k3f9-hello-128');
    expect(input.Tags).toEqual({ 'coldbench:run': '20261128T162501Z-k3f9', 'coldbench:created-by': 'coldbench' });
    expect(input.Environment).toEqual({ Variables: { STAGE: 'bench' } });
    expect(Buffer.from(input.Code!.ZipFile!).toString()).toBe('zip bytes');
    expect([...created.functions]).toEqual(['coldbench-20261128T162501Z-k3f9-hello-128']);
    expect(dep.functionName).toBe('coldbench-20261128T162501Z-k3f9-hello-128');
  });

  it("passes the suite's layer ARNs and the extension layer after the dependency layer, as Lambda stacks /opt", async () => {
    notFoundUntilCreated({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambdaMock.on(CreateFunctionCommand).resolves({ FunctionName: 'x' });
    const deps = 'arn:aws:lambda:us-east-1:111122223333:layer:coldbench-deps:3';
    const shared = 'arn:aws:lambda:us-east-1:111122223333:layer:shared:1';
    const agent = 'arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Extension:65';
    await deployVariant(ctx, variant, pkg(9), deps, 'arn:aws:iam::111122223333:role/r', emptyCreated(), [shared, agent]);
    expect(lambdaMock.commandCalls(CreateFunctionCommand)[0].args[0].input.Layers).toEqual([deps, shared, agent]);
  });

  it('uploads a package above 50 MB zipped through S3, and not again when the object is there', async () => {
    notFoundUntilCreated({ State: 'Active' });
    lambdaMock.on(CreateFunctionCommand).resolves({});
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    s3Mock.on(HeadBucketCommand).rejects(awsError('NotFound', 'nf', 404));
    s3Mock.on(CreateBucketCommand).resolves({});
    s3Mock.on(HeadObjectCommand).rejects(awsError('NotFound', 'nf', 404));
    s3Mock.on(PutObjectCommand).resolves({});
    const created = emptyCreated();
    await deployVariant(ctx, variant, pkg(51 * 1024 * 1024), null, 'arn:aws:iam::111122223333:role/r', created);
    const key = `builds/abcdef0123456789/${Buffer.from('c2hhMjU2', 'base64').toString('hex')}.zip`;
    expect(s3Mock.commandCalls(CreateBucketCommand)[0].args[0].input).toEqual({ Bucket: 'coldbench-artifacts-111122223333-us-east-1' });
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      Bucket: 'coldbench-artifacts-111122223333-us-east-1',
      Key: key,
      Tagging: 'coldbench%3Arun=20261128T162501Z-k3f9&coldbench%3Acreated-by=coldbench',
    });
    expect(lambdaMock.commandCalls(CreateFunctionCommand)[0].args[0].input.Code).toEqual({ S3Bucket: 'coldbench-artifacts-111122223333-us-east-1', S3Key: key });
    expect(created.s3Objects).toEqual([{ bucket: 'coldbench-artifacts-111122223333-us-east-1', key }]);

    s3Mock.reset();
    lambdaMock.reset();
    notFoundUntilCreated({ State: 'Active' });
    lambdaMock.on(CreateFunctionCommand).resolves({});
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(HeadObjectCommand).resolves({});
    await deployVariant(ctx, variant, pkg(51 * 1024 * 1024), null, 'arn:aws:iam::111122223333:role/r', emptyCreated());
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('does not re-upload code whose CodeSha256 already matches (a resumed run on a real account)', async () => {
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: 'c2hhMjU2', State: 'Active', LastUpdateStatus: 'Successful' } });
    lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({});
    await deployVariant(ctx, variant, pkg(9), null, 'arn:aws:iam::111122223333:role/r', emptyCreated());
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(1);
  });
});

describe('bump (mocked Lambda: updates in progress and throttling happen on a real account)', () => {
  it('backs off on ResourceConflictException (an update in progress) and merges the environment map', async () => {
    lambdaMock
      .on(UpdateFunctionConfigurationCommand)
      .rejectsOnce(awsError('ResourceConflictException', 'An update is in progress', 409))
      .rejectsOnce(awsError('ResourceConflictException', 'An update is in progress', 409))
      .resolves({ LastUpdateStatus: 'Successful' });
    const delays: number[] = [];
    const dep = { variant, functionName: 'f', layerArn: null, environment: { STAGE: 'bench', USER: 'kept' }, bumps: 0, versions: [] };
    await bump({ kind: 'aws', lambda, retry: { sleep: async (ms) => void delays.push(ms) } }, dep);
    const calls = lambdaMock.commandCalls(UpdateFunctionConfigurationCommand);
    expect(calls).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(125);
    expect(delays[1]).toBeGreaterThanOrEqual(250);
    const vars = calls[2].args[0].input.Environment!.Variables!;
    expect(Object.keys(vars).sort()).toEqual(['COLDBENCH_BUMP', 'STAGE', 'USER']);
    expect(vars.USER).toBe('kept');
  });

  it('does not retry a TooManyRequestsException again: the SDK retry strategy already did (target.ts SDK_RETRY; misc.test.ts runs it)', async () => {
    lambdaMock
      .on(UpdateFunctionConfigurationCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded', 429))
      .resolves({ LastUpdateStatus: 'Successful' });
    const delays: number[] = [];
    const dep = { variant, functionName: 'f', layerArn: null, environment: {}, bumps: 0, versions: [] };
    await expect(bump({ kind: 'aws', lambda, retry: { sleep: async (ms) => void delays.push(ms) } }, dep)).rejects.toThrow('Rate exceeded');
    expect(lambdaMock.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(1);
    expect(delays).toEqual([]);
  });
});

describe('runBench --target aws (mocked clients: the consent prompt guards a real account)', () => {
  it('prints the plan and a cost estimate, asks, and changes nothing when declined', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    const target: Target = { kind: 'aws', region: 'us-east-1', lambda, logs, iam, s3, sts, status: null, coreCap: Infinity, close: async () => {} };
    const lines: string[] = [];
    const questions: string[] = [];
    const run = runBench(
      { suiteFile: join(REPO_ROOT, 'fixtures/suites/e2e-basic.yaml'), target: 'aws', overrides: {}, logsTimeoutMs: 1000, keep: false, yes: false, toolVersion: '0' },
      {
        progress: { phase: () => {}, update: () => {}, line: (t) => void lines.push(t), end: () => {} },
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
        signal: new AbortController().signal,
        openTarget: async () => target,
      },
    );
    await expect(run).rejects.toThrow(NotConfirmedError);
    expect(questions).toEqual(['Proceed?']);
    expect(lines[0]).toMatch(/^Plan: 2 variants, 8 invocations\n/);
    expect(lines[0]).toContain('Estimated cost: about $0.0000');
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('stops before asking when the account has no usable credentials', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const target: Target = { kind: 'aws', region: 'us-east-1', lambda, logs, iam, s3, sts, status: null, coreCap: Infinity, close: async () => {} };
    const questions: string[] = [];
    const run = runBench(
      { suiteFile: join(REPO_ROOT, 'fixtures/suites/e2e-basic.yaml'), target: 'aws', overrides: {}, logsTimeoutMs: 1000, keep: false, yes: true, toolVersion: '0' },
      {
        progress: { phase: () => {}, update: () => {}, line: () => {}, end: () => {} },
        confirm: async (q) => {
          questions.push(q);
          return true;
        },
        signal: new AbortController().signal,
        openTarget: async () => target,
      },
    );
    await expect(run).rejects.toThrow(
      new TargetError('--target aws: no credentials were found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`'),
    );
    expect(questions).toEqual([]);
    expect(lambdaMock.calls()).toHaveLength(0);
  });
});

describe('restoreFunction (mocked Lambda: --function on a real account)', () => {
  it('puts memory and environment back exactly and deletes the versions it published', async () => {
    lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Successful' });
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
    lambdaMock.on(DeleteFunctionCommand).resolves({});
    const snapshot = { functionName: 'payments', memoryMB: 1536, environment: { DB: 'prod', FLAG: '1' } };
    await restoreFunction({ kind: 'aws', lambda, retry: noWait }, snapshot, ['7', '8']);
    expect(lambdaMock.commandCalls(UpdateFunctionConfigurationCommand)[0].args[0].input).toEqual({
      FunctionName: 'payments',
      MemorySize: 1536,
      Environment: { Variables: { DB: 'prod', FLAG: '1' } },
    });
    expect(lambdaMock.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: 'payments', Qualifier: '7' },
      { FunctionName: 'payments', Qualifier: '8' },
    ]);
  });

  it('says what to set by hand when the restore itself fails', async () => {
    lambdaMock.on(UpdateFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', 'not allowed'));
    const snapshot = { functionName: 'payments', memoryMB: 1536, environment: null };
    await expect(restoreFunction({ kind: 'aws', lambda, retry: noWait }, snapshot, [])).rejects.toThrow(
      new RestoreError(
        'could not restore payments (MemorySize 1536, 0 environment variables): not allowed; set them back by hand: {"functionName":"payments","memoryMB":1536,"environment":null}',
      ),
    );
  });
});

describe('clean (mocked Lambda and IAM: a real account)', () => {
  it('deletes only functions with both the prefix and the tags, their log groups with --logs, and the role with --roles', async () => {
    lambdaMock.on(ListFunctionsCommand).resolves({
      Functions: [
        { FunctionName: 'coldbench-r1-a-128', FunctionArn: 'arn:a' },
        { FunctionName: 'coldbench-untagged', FunctionArn: 'arn:b' },
        { FunctionName: 'payments', FunctionArn: 'arn:c' },
      ],
    });
    lambdaMock.on(ListTagsCommand, { Resource: 'arn:a' }).resolves({ Tags: { 'coldbench:created-by': 'coldbench', 'coldbench:run': 'r1' } });
    lambdaMock.on(ListTagsCommand, { Resource: 'arn:b' }).resolves({ Tags: {} });
    lambdaMock.on(ListLayersCommand).resolves({ Layers: [] });
    lambdaMock.on(DeleteFunctionCommand).resolves({});
    iamMock.on(GetRoleCommand).resolves({ Role: {} as never });
    iamMock.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: 'coldbench:created-by', Value: 'coldbench' }] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }] });
    iamMock.on(DetachRolePolicyCommand).resolves({});
    iamMock.on(DeleteRoleCommand).resolves({});
    logsMock.onAnyCommand().resolves({});
    const found = await findCleanable({ lambda, iam }, { roles: true, logs: true });
    expect(found).toEqual({ functions: ['coldbench-r1-a-128'], layers: [], role: 'coldbench-execution-role', logGroups: ['/aws/lambda/coldbench-r1-a-128'] });
    expect(await deleteCleanable({ lambda, iam, logs }, found, noWait)).toEqual([]);
    expect(lambdaMock.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input.FunctionName)).toEqual(['coldbench-r1-a-128']);
    expect(iamMock.commandCalls(DeleteRoleCommand)).toHaveLength(1);
    expect(lambdaMock.commandCalls(ListTagsCommand, { Resource: 'arn:c' })).toHaveLength(0);
  });
});

describe('proactiveInitClassifier (mocked CloudWatch: proactive initialisation happens only on AWS)', () => {
  it('labels a forced invoke whose stream began with an INIT_START before its START as proactive-init', async () => {
    const id = '8f5d2d3c-1b8e-4d8a-9a64-5f1f3c2b7e11';
    const stream = '2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef';
    logsMock.on(FilterLogEventsCommand).resolves({
      events: [
        { logStreamName: stream, timestamp: 1_000, message: 'INIT_START Runtime Version: python:3.11.v40\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n' },
        { logStreamName: stream, timestamp: 61_000, message: `START RequestId: ${id} Version: $LATEST\n` },
        { logStreamName: stream, timestamp: 61_010, message: `END RequestId: ${id}\n` },
        { logStreamName: stream, timestamp: 61_010, message: `REPORT RequestId: ${id}\tDuration: 2.10 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n` },
      ],
    });
    const classify = proactiveInitClassifier(probe, logs, 5_000, 0)!;
    expect(await classify('f', id)).toBe('proactive-init');
    logsMock.reset();
    logsMock.on(FilterLogEventsCommand).resolves({
      events: [
        { logStreamName: stream, timestamp: 61_000, message: `START RequestId: ${id} Version: $LATEST\n` },
        { logStreamName: stream, timestamp: 61_010, message: `REPORT RequestId: ${id}\tDuration: 2.10 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n` },
      ],
    });
    expect(await classify('f', id)).toBe('none');
  });
});

describe('runRounds with one variant (mocked Lambda: what a real account answers for a handler exception)', () => {
  const requestId = '7c1e5d0a-3b2f-4e6d-9a8c-1f2e3d4c5b6a';
  const tail = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`).toString('base64');
  const drive = async (answer: { FunctionError?: string; Payload: string; lines: string[] }): Promise<BenchSample[]> => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: answer.FunctionError,
      Payload: Buffer.from(answer.Payload) as never,
      LogResult: tail(answer.lines),
      $metadata: { requestId },
    });
    const dep = { variant: { ...variant, cold: 1, warm: 0, concurrency: 1 }, functionName: 'coldbench-x-hello-128', layerArn: null, environment: {}, bumps: 0, versions: [] };
    return (await driveOneVariant({ lambda, logs }, dep, { runDir: mkdtempSync(join(dir, 'run-')), retry: noWait })).samples;
  };

  it('returns status error with the payload errorType and errorMessage for an Unhandled FunctionError whose REPORT has no Status', async () => {
    const [s] = await drive({
      FunctionError: 'Unhandled',
      Payload: JSON.stringify({ errorMessage: 'boom from the handler', errorType: 'ValueError', requestId, stackTrace: ['  File "/var/task/app.py", line 2, in handler\n'] }),
      lines: [
        `START RequestId: ${requestId} Version: $LATEST`,
        '[ERROR] ValueError: boom from the handler',
        `END RequestId: ${requestId}`,
        `REPORT RequestId: ${requestId}\tDuration: 2.31 ms\tBilled Duration: 149 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 146.07 ms\t`,
      ],
    });
    expect(s).toMatchObject({
      kind: 'cold',
      status: 'error',
      errorType: 'ValueError',
      errorMessage: 'boom from the handler',
      durationMs: 2.31,
      billedMs: 149,
      initMs: 146.07,
      error: 'cold sample 1 of hello@128 failed: ValueError: boom from the handler',
    });
  });

  it('returns status error for a Handled FunctionError, and timeout for Sandbox.Timedout', async () => {
    const report = `REPORT RequestId: ${requestId}\tDuration: 1000.00 ms\tBilled Duration: 1150 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 149.20 ms\t`;
    const [handled] = await drive({ FunctionError: 'Handled', Payload: JSON.stringify({ errorType: 'Error', errorMessage: 'callback error' }), lines: [report] });
    expect([handled.status, handled.errorType, handled.errorMessage]).toEqual(['error', 'Error', 'callback error']);
    const [timedOut] = await drive({
      FunctionError: 'Unhandled',
      Payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds` }),
      lines: [report],
    });
    expect([timedOut.status, timedOut.errorType, timedOut.errorMessage]).toEqual([
      'timeout',
      'Sandbox.Timedout',
      `RequestId: ${requestId} Error: Task timed out after 1.00 seconds`,
    ]);
    expect(timedOut.error).toBe("cold sample 1 of hello@128 timed out after 10 s (the function's Timeout); raise timeout for this function in the suite");
  });
});
