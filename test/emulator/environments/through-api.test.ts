import { join } from 'node:path';
import { InvokeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFolder } from '../../../src/bench/zip.ts';
import type { RunningEmulator } from '../../../src/emulator/index.ts';
import { createActive, type Harness, startHarness, stopHarness } from '../api/helpers.ts';
import { FIXTURES } from './helpers.ts';

/** A first SDK build (pip from the local index, @aws-sdk copy) can take minutes on a busy machine. */
const SDK_BUILD_MS = 5 * 60_000;

const decodeTail = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

describe('Environments through the Lambda API (@aws-sdk/client-lambda against startEmulator)', () => {
  let h: Harness;
  let emulator: RunningEmulator;
  let lambda: Harness['lambda'];
  let sdkState: Record<string, { state: string; reason?: string }>;

  beforeAll(async () => {
    // Unlike the API tests, these need the runtimes' SDKs: no skipSdkBuild.
    h = await startHarness({ poolTuning: {} });
    ({ emulator, lambda } = h);
    // The runtimes' SDKs build in the background; the status endpoint says when they are done.
    for (;;) {
      sdkState = (await (await fetch(`${emulator.url}/_coldbench/status`)).json()).sdkState;
      if (Object.values(sdkState).every((s) => s.state !== 'building')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }, SDK_BUILD_MS);
  afterAll(() => stopHarness(h));

  const create = (name: string, runtime: string, handler: string, folder: 'python' | 'node') =>
    createActive(h, name, { Runtime: runtime as never, Handler: handler, Timeout: 30, Code: { ZipFile: zipFolder(join(FIXTURES, folder)).bytes } });

  it('reports a cold REPORT with Init Duration, then a warm one, in LogResult', async () => {
    await create('api-noop', 'python3.11', 'noop.handler', 'python');
    const first = await lambda.send(new InvokeCommand({ FunctionName: 'api-noop', LogType: 'Tail' }));
    const second = await lambda.send(new InvokeCommand({ FunctionName: 'api-noop', LogType: 'Tail' }));
    expect(JSON.parse(Buffer.from(first.Payload!).toString())).toEqual({ ok: true });
    expect(decodeTail(first.LogResult)).toMatch(
      /^START RequestId: \S+ Version: \$LATEST\nEND RequestId: \S+\nREPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$/,
    );
    expect(decodeTail(second.LogResult)).not.toContain('Init Duration');
  });

  it('starts a new environment after UpdateFunctionConfiguration', async () => {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'api-noop', MemorySize: 256 }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'api-noop' });
    const after = await lambda.send(new InvokeCommand({ FunctionName: 'api-noop', LogType: 'Tail' }));
    expect(decodeTail(after.LogResult)).toMatch(/\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: /);
  });

  it('lets a Python function call STS GetCallerIdentity through boto3 from the runtime folder, over HTTPS', async (ctx) => {
    if (sdkState.python.state !== 'available') ctx.skip(`boto3 unavailable here: ${sdkState.python.reason ?? sdkState.python.state}`);
    await create('api-sts-py', 'python3.11', 'sts_call.handler', 'python');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'api-sts-py' }));
    expect(out.FunctionError).toBeUndefined();
    // Over the emulator's HTTPS listener, trusted through AWS_CA_BUNDLE (Python) or the Node bootstrap, as every AWS call on Lambda is HTTPS.
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ Account: '123456789012', Endpoint: emulator.functionEndpoint });
    expect(emulator.functionEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lets a Node function call STS GetCallerIdentity through @aws-sdk/client-sts from the runtime folder, over HTTPS', async (ctx) => {
    if (sdkState.nodejs.state !== 'available') ctx.skip(`@aws-sdk unavailable here: ${sdkState.nodejs.reason ?? sdkState.nodejs.state}`);
    await create('api-sts-node', 'nodejs20.x', 'sts_call.handler', 'node');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'api-sts-node' }));
    expect(out.FunctionError).toBeUndefined();
    // Over the emulator's HTTPS listener, trusted through AWS_CA_BUNDLE (Python) or the Node bootstrap, as every AWS call on Lambda is HTTPS.
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ Account: '123456789012', Endpoint: emulator.functionEndpoint });
    expect(emulator.functionEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('returns a handler error as FunctionError Unhandled with the runtime error body', async () => {
    await create('api-raises', 'python3.11', 'raises.handler', 'python');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'api-raises', Payload: Buffer.from('{"n": 3}') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: 'ValueError', errorMessage: 'bad input: 3' });
  });
});
