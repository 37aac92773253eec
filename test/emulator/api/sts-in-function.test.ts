import { InvokeCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createActive, harnessPerFile, raw, zipOf } from './helpers.ts';

/** Building a runtime's SDK on a cold cache takes a while; past this the test skips and says so. */
const SDK_WAIT_MS = 120_000;

const h = harnessPerFile({ poolTuning: {} });

async function sdkAvailable(family: 'python' | 'nodejs'): Promise<boolean> {
  const deadline = Date.now() + SDK_WAIT_MS;
  for (;;) {
    const status = (await raw(h, '/_coldbench/status')).json();
    if (status.sdkAvailable?.[family] === true) return true;
    const state = JSON.stringify(status.sdkState?.[family] ?? '');
    if (Date.now() > deadline || /fail|error|unavailable/i.test(state)) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('STS from inside a function (AWS_ENDPOINT_URL points at the emulator)', () => {
  it('answers boto3 in a Python function with the emulator account', async (ctx) => {
    if (!(await sdkAvailable('python'))) ctx.skip('boto3 could not be built into the runtime folder here (see /_coldbench/status sdkState)');
    const code = zipOf({ 'app.py': 'import boto3\ndef handler(event, context):\n    return boto3.client("sts").get_caller_identity()["Account"]\n' });
    await createActive(h, 'py-sts', { Code: { ZipFile: code }, Timeout: 30 });
    const res = await h.lambda.send(new InvokeCommand({ FunctionName: 'py-sts', Payload: '{}' }));
    expect(Buffer.from(res.Payload!).toString()).toBe('"123456789012"');
  });

  it('answers @aws-sdk/client-sts in a Node function with the emulator account', async (ctx) => {
    if (!(await sdkAvailable('nodejs'))) ctx.skip('the AWS SDK for JavaScript could not be built into the runtime folder here (see /_coldbench/status sdkState)');
    const code = zipOf({
      'index.js':
        "const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');\nexports.handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Account;\n",
    });
    await createActive(h, 'node-sts', { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: code }, Timeout: 30 });
    const res = await h.lambda.send(new InvokeCommand({ FunctionName: 'node-sts', Payload: '{}' }));
    expect(Buffer.from(res.Payload!).toString()).toBe('"123456789012"');
  });
});
