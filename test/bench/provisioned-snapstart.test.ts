/**
 * The real-account paths of provisioned concurrency and SnapStart, with aws-sdk-client-mock: PC's READY wait and its
 * deletion, and SnapStart's restores, happen only on AWS (the emulator's PC path runs for real in
 * test/emulator/provisioned.test.ts and test/e2e/bench-provisioned.test.ts; SnapStart is refused locally).
 */
import { driveOneVariant } from './helpers.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeployContext, type Deployment, deployVariant, emptyCreated } from '../../src/bench/deploy.ts';
import { PC_POLL_MS, type VariantResult } from '../../src/bench/drive.ts';
import { existingFunctionPlan } from '../../src/bench/existing.ts';
import type { Variant } from '../../src/bench/plan.ts';
import type { BenchSample } from '../../src/bench/results.ts';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const lambda = new LambdaClient(config);
const logs = new CloudWatchLogsClient(config);
const lambdaMock = mockClient(lambda);
const logsMock = mockClient(logs);
const dir = mkdtempSync(join(tmpdir(), 'coldbench-pc-mock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  lambdaMock.reset();
  logsMock.reset();
});

const FUNCTION = 'coldbench-20261203T120000Z-abcd-api-1024';
const variant: Variant = {
  name: 'api@1024',
  function: 'api',
  base: 'api',
  memoryMB: 1024,
  architecture: 'x86_64',
  runtime: 'python3.12',
  packaging: 'bundled',
  handler: 'app.handler',
  cold: 2,
  warm: 1,
  timeoutS: 10,
  concurrency: 2,
  coldStrategy: 'burst',
  environment: {},
  events: [{ file: '(none)', weight: 1, payload: '{}' }],
};
const tail = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`).toString('base64');
let invokeCount = 0;
/** Each invoke answers with its own request id and the REPORT `extra` adds to (Init, Restore…), as the LogResult tail. */
function answerInvokes(report: (n: number) => string): void {
  invokeCount = 0;
  lambdaMock.on(InvokeCommand).callsFake(() => {
    const n = ++invokeCount;
    const requestId = `00000000-0000-4000-8000-00000000000${n}`;
    return {
      StatusCode: 200,
      Payload: Buffer.from('{"ok":true}') as never,
      LogResult: tail([`START RequestId: ${requestId} Version: 3`, `END RequestId: ${requestId}`, `REPORT RequestId: ${requestId}\t${report(n)}`]),
      $metadata: { requestId },
    };
  });
}

async function drive(v: Variant): Promise<{ samples: BenchSample[]; result: VariantResult; dep: Deployment; sleeps: number[] }> {
  const sleeps: number[] = [];
  const dep: Deployment = { variant: v, functionName: FUNCTION, layerArn: null, environment: {}, bumps: 0, versions: [] };
  const { samples, result } = await driveOneVariant({ lambda, logs }, dep, { runDir: mkdtempSync(join(dir, 'run-')), retry: { sleep: async (ms) => void sleeps.push(ms) } });
  return { samples, result, dep, sleeps };
}

describe('provisioned concurrency on a real account (aws-sdk-client-mock)', () => {
  const pc = { ...variant, name: 'api@1024-pc2', provisioned: 2 };

  it('publishes a version, puts PC on it, polls until READY, measures its environments and deletes PC and version afterwards', async () => {
    lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Successful' });
    lambdaMock.on(PublishVersionCommand).resolves({ Version: '3', State: 'Active' });
    lambdaMock.on(PutProvisionedConcurrencyConfigCommand).resolves({ Status: 'IN_PROGRESS', RequestedProvisionedConcurrentExecutions: 2 });
    lambdaMock.on(GetProvisionedConcurrencyConfigCommand).resolvesOnce({ Status: 'IN_PROGRESS' }).resolves({ Status: 'READY', AllocatedProvisionedConcurrentExecutions: 2 });
    lambdaMock.on(DeleteProvisionedConcurrencyConfigCommand).resolves({});
    lambdaMock.on(DeleteFunctionCommand).resolves({});
    answerInvokes(() => 'Duration: 12.31 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 80 MB\t');

    const { samples, result, dep, sleeps } = await drive(pc);

    expect(lambdaMock.commandCalls(PutProvisionedConcurrencyConfigCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FUNCTION, Qualifier: '3', ProvisionedConcurrentExecutions: 2 },
    ]);
    expect(lambdaMock.commandCalls(GetProvisionedConcurrencyConfigCommand)).toHaveLength(2);
    expect(sleeps).toEqual([PC_POLL_MS.aws]);
    expect(lambdaMock.commandCalls(InvokeCommand).map((c) => c.args[0].input.Qualifier)).toEqual(['3', '3', '3']);
    expect(samples.map((s) => [s.phase, s.kind, s.forced, s.initType, s.initMs, s.billedMs])).toEqual([
      ['cold', 'warm', false, 'provisioned-concurrency', null, 13],
      ['cold', 'warm', false, 'provisioned-concurrency', null, 13],
      ['warm', 'warm', false, 'provisioned-concurrency', null, 13],
    ]);
    expect(result).toEqual({ state: 'measured', forcedWarm: 0, proactiveInit: 0 });
    expect(lambdaMock.commandCalls(DeleteProvisionedConcurrencyConfigCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FUNCTION, Qualifier: '3' }]);
    expect(lambdaMock.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FUNCTION, Qualifier: '3' }]);
    expect(dep.provisionedOn).toBeUndefined();
    expect(dep.versions).toEqual([]);
  });

  it('deletes each batch’s configuration and version before other variants take their turn, and provisions the next batch on a new version', async () => {
    lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Successful' });
    lambdaMock.on(PublishVersionCommand).resolvesOnce({ Version: '3', State: 'Active' }).resolves({ Version: '4', State: 'Active' });
    lambdaMock.on(PutProvisionedConcurrencyConfigCommand).resolves({ Status: 'IN_PROGRESS' });
    lambdaMock.on(GetProvisionedConcurrencyConfigCommand).resolves({ Status: 'READY' });
    lambdaMock.on(DeleteProvisionedConcurrencyConfigCommand).resolves({});
    lambdaMock.on(DeleteFunctionCommand).resolves({});
    answerInvokes(() => 'Duration: 12.31 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 80 MB\t');

    const { samples } = await drive({ ...pc, cold: 3, warm: 1 });

    expect(lambdaMock.commandCalls(InvokeCommand).map((c) => c.args[0].input.Qualifier)).toEqual(['3', '3', '4', '4']);
    expect(samples.map((s) => s.phase)).toEqual(['cold', 'cold', 'cold', 'warm']);
    const order = lambdaMock.calls().map((c) => {
      const input = c.args[0].input as { Qualifier?: string };
      return `${c.args[0].constructor.name}:${input.Qualifier ?? ''}`;
    });
    expect(order.filter((o) => /ProvisionedConcurrencyConfigCommand|DeleteFunctionCommand/.test(o) && !o.startsWith('Get'))).toEqual([
      'PutProvisionedConcurrencyConfigCommand:3',
      'DeleteProvisionedConcurrencyConfigCommand:3',
      'DeleteFunctionCommand:3',
      'PutProvisionedConcurrencyConfigCommand:4',
      'DeleteProvisionedConcurrencyConfigCommand:4',
      'DeleteFunctionCommand:4',
    ]);
  });

  it('fails the variant with Lambda’s StatusReason when the allocation ends FAILED, and still deletes the configuration', async () => {
    lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Successful' });
    lambdaMock.on(PublishVersionCommand).resolves({ Version: '4', State: 'Active' });
    lambdaMock.on(PutProvisionedConcurrencyConfigCommand).resolves({ Status: 'IN_PROGRESS' });
    lambdaMock.on(GetProvisionedConcurrencyConfigCommand).resolves({ Status: 'FAILED', StatusReason: 'FUNCTION_ERROR_INIT_FAILURE' });
    lambdaMock.on(DeleteProvisionedConcurrencyConfigCommand).resolves({});
    lambdaMock.on(DeleteFunctionCommand).resolves({});
    answerInvokes(() => 'Duration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 1024 MB\tMax Memory Used: 80 MB\t');

    const { samples, result } = await drive(pc);

    expect(samples).toEqual([]);
    expect(result.state).toBe('failed');
    expect(result.state === 'failed' && result.errors.join('\n')).toContain(
      'provisioned concurrency of 2 on api@1024-pc2 (version 4) ended FAILED: FUNCTION_ERROR_INIT_FAILURE; a function whose init fails cannot be provisioned, fix its init first',
    );
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(DeleteProvisionedConcurrencyConfigCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FUNCTION, Qualifier: '4' }]);
    expect(lambdaMock.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FUNCTION, Qualifier: '4' }]);
  });
});

describe('SnapStart on a real account (aws-sdk-client-mock)', () => {
  const snap: Variant = { ...variant, name: 'api@1024-snap', snapStart: true, coldStrategy: 'version', cold: 1, warm: 1 };

  it('creates the function with SnapStart ApplyOn PublishedVersions', async () => {
    const zip = join(dir, 'f.zip');
    writeFileSync(zip, 'zip bytes');
    lambdaMock
      .on(GetFunctionCommand)
      .rejectsOnce(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } }))
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
    lambdaMock.on(CreateFunctionCommand).resolves({ FunctionName: FUNCTION });
    const ctx: DeployContext = {
      kind: 'aws',
      lambda,
      iam: new IAMClient(config),
      s3: new S3Client(config),
      sts: new STSClient(config),
      runId: 'r',
      region: 'us-east-1',
      retry: { sleep: async () => {} },
    };
    const pkg = { function: { path: zip, sha256: 'c2hh', zipBytes: 9, unzippedBytes: 9, key: 'k', cached: true }, layer: null, folderLayers: [] };
    await deployVariant(ctx, snap, pkg, null, 'arn:aws:iam::111122223333:role/r', emptyCreated());
    expect(lambdaMock.commandCalls(CreateFunctionCommand)[0].args[0].input.SnapStart).toEqual({ ApplyOn: 'PublishedVersions' });
  });

  it('waits for the published version, then reads Restore Duration and Billed Restore Duration from the REPORT', async () => {
    lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Successful' });
    // A SnapStart version is Pending while Lambda takes its snapshot.
    lambdaMock.on(PublishVersionCommand).resolves({ Version: '7', State: 'Pending' });
    lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', Version: '7' });
    answerInvokes((n) =>
      n === 1
        ? 'Duration: 2.44 ms\tBilled Duration: 3 ms\tMemory Size: 1024 MB\tMax Memory Used: 88 MB\tRestore Duration: 473.37 ms\tBilled Restore Duration: 278 ms\t'
        : 'Duration: 1.21 ms\tBilled Duration: 2 ms\tMemory Size: 1024 MB\tMax Memory Used: 88 MB\t',
    );

    const { samples, result } = await drive(snap);

    expect(lambdaMock.commandCalls(GetFunctionConfigurationCommand)[0].args[0].input).toEqual({ FunctionName: FUNCTION, Qualifier: '7' });
    expect(samples.map((s) => [s.phase, s.kind, s.coldBy, s.initType, s.restoreMs, s.billedRestoreMs, s.billedMs])).toEqual([
      ['cold', 'cold', 'restore', 'snap-start', 473.37, 278, 3],
      ['warm', 'warm', 'none', 'snap-start', null, null, 2],
    ]);
    expect(result).toEqual({ state: 'measured', forcedWarm: 0, proactiveInit: 0 });
  });
});

describe("existingFunctionPlan for --function (a user's SnapStart function on a real account)", () => {
  const options = { cold: 2, warm: 2, concurrency: 1, seed: 1, events: [{ file: '(none)', weight: 1, payload: '{}' }] };
  const config = { FunctionName: 'orders-java', Runtime: 'java21' as const, MemorySize: 2048, SnapStart: { ApplyOn: 'PublishedVersions' as const } };

  it('marks the variant snapStart when the function has SnapStart and cold starts publish versions', () => {
    expect(existingFunctionPlan(config, { ...options, coldStrategy: 'version' }).variants[0]).toMatchObject({ name: 'orders-java@2048', runtime: 'java21', snapStart: true });
  });

  it('leaves it on-demand when cold starts run on $LATEST, where SnapStart does not apply', () => {
    expect(existingFunctionPlan(config, { ...options, coldStrategy: 'burst' }).variants[0].snapStart).toBeUndefined();
  });
});
