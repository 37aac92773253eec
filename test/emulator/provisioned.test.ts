import { existsSync } from 'node:fs';
import { FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateAliasCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  type GetProvisionedConcurrencyConfigCommandOutput,
  InvalidParameterValueException,
  InvokeCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createActive, type Harness, harnessPerFile, withHarness, zipOf } from './api/helpers.ts';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:pc';
/** Reports how its environment was initialised and which process served it; `hold` keeps it busy so concurrent invokes need two environments. */
const HANDLER = [
  'import os, time',
  'def handler(event, context):',
  '    time.sleep(event.get("hold", 0))',
  '    return {"type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "pid": os.getpid()}',
  '',
].join('\n');
/** Generous for a shared 2-core machine: provisioning two Python environments takes well under a second here. */
const READY_DEADLINE_MS = 30_000;
const POLL_MS = 50;

/**
 * Reads its CPU quota at init (once the emulator has moved it into its cgroup, which happens off the event loop just
 * after the spawn) and at invoke.
 */
const QUOTA = [
  'import time',
  'def cpu_cgroup():',
  '    for line in open("/proc/self/cgroup"):',
  '        _, controllers, path = line.rstrip("\\n").split(":", 2)',
  '        if "cpu" in controllers.split(","):',
  '            return path',
  'def quota():',
  '    return int(open("/sys/fs/cgroup/cpu%s/cpu.cfs_quota_us" % cpu_cgroup()).read())',
  'deadline = time.time() + 5',
  'while cpu_cgroup() == "/" and time.time() < deadline:',
  '    time.sleep(0.005)',
  'AT_INIT = quota()',
  'def handler(event, context):',
  '    return {"init": AT_INIT, "invoke": quota()}',
  '',
].join('\n');

/** cgroup v1's cpu controller must be writable (root on Linux) for CPU limits to exist at all. */
function cpuCgroupWritable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) return 'no cgroup v1 cpu controller at /sys/fs/cgroup/cpu';
  if (process.getuid?.() !== 0) return 'not root: /sys/fs/cgroup/cpu is not writable';
  return null;
}
const noCgroups = cpuCgroupWritable();

const h: Harness = harnessPerFile({}, async (h) => {
  await createActive(h, 'pc', { Code: { ZipFile: zipOf({ 'app.py': HANDLER }) } });
  await h.lambda.send(new PublishVersionCommand({ FunctionName: 'pc' }));
  await createActive(h, 'pcjson', { Code: { ZipFile: zipOf({ 'app.py': HANDLER }) }, LoggingConfig: { LogFormat: 'JSON' } });
  await h.lambda.send(new PublishVersionCommand({ FunctionName: 'pcjson' }));
  await createActive(h, 'quota', { Code: { ZipFile: zipOf({ 'app.py': QUOTA }) }, MemorySize: 512 });
  await h.lambda.send(new PublishVersionCommand({ FunctionName: 'quota' }));
  await createActive(h, 'broken', { Code: { ZipFile: zipOf({ 'app.py': 'raise RuntimeError("no config")\n' }) } });
  await h.lambda.send(new PublishVersionCommand({ FunctionName: 'broken' }));
});

async function settled(name: string, qualifier: string): Promise<GetProvisionedConcurrencyConfigCommandOutput> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    const out = await h.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
    if (out.Status !== 'IN_PROGRESS' || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function invoke(qualifier: string, event: Record<string, unknown> = {}) {
  const out = await h.lambda.send(new InvokeCommand({ FunctionName: 'pc', Qualifier: qualifier, Payload: JSON.stringify(event), LogType: 'Tail' }));
  const tail = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  const report = tail.split('\n').find((l) => l.startsWith('REPORT')) ?? '';
  return { body: JSON.parse(Buffer.from(out.Payload!).toString()) as { type: string; pid: number }, report };
}

describe('provisioned concurrency (emulator, through @aws-sdk/client-lambda)', () => {
  it('refuses $LATEST with the messages Lambda gives for Put, Get and Delete', async () => {
    const put = await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 })).catch((e) => e);
    expect(put).toBeInstanceOf(InvalidParameterValueException);
    expect(put.message).toBe('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    const get = await h.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '$LATEST' })).catch((e) => e);
    expect(get).toBeInstanceOf(InvalidParameterValueException);
    expect(get.message).toBe('The function resource provided must be an alias or a published version.');
    const del = await h.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '$LATEST' })).catch((e) => e);
    expect(del.message).toBe('The function resource provided must be an alias or a published version.');
  });

  it('answers unknown aliases, versions and functions with the 404s Lambda gives', async () => {
    const alias = await h.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'noalias' })).catch((e) => e);
    expect(alias).toBeInstanceOf(ResourceNotFoundException);
    expect(alias.message).toBe(`Cannot find alias arn: ${ARN}:noalias`);
    const version = await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '10', ProvisionedConcurrentExecutions: 1 })).catch((e) => e);
    expect(version).toBeInstanceOf(ResourceNotFoundException);
    expect(version.message).toBe(`Function not found: ${ARN}:10`);
    const none = await h.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1' })).catch((e) => e);
    expect(none).toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
    expect(none.message).toBe('No Provisioned Concurrency Config found for this function');
    const list = await h.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'nosuch' })).catch((e) => e);
    expect(list.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:nosuch');
    const zero = await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1', ProvisionedConcurrentExecutions: 0 })).catch((e) => e);
    expect(zero.name).toBe('ValidationException');
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('goes IN_PROGRESS → READY and serves invokes from environments initialised ahead, without Init Duration', async () => {
    const put = await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1', ProvisionedConcurrentExecutions: 2 }));
    expect(put).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 0,
      AvailableProvisionedConcurrentExecutions: 0,
      Status: 'IN_PROGRESS',
    });
    expect(put.$metadata.httpStatusCode).toBe(202);
    const ready = await settled('pc', '1');
    expect(ready).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
      Status: 'READY',
    });
    const listed = await h.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc' }));
    expect(listed.ProvisionedConcurrencyConfigs).toEqual([
      {
        FunctionArn: `${ARN}:1`,
        RequestedProvisionedConcurrentExecutions: 2,
        AvailableProvisionedConcurrentExecutions: 2,
        AllocatedProvisionedConcurrentExecutions: 2,
        Status: 'READY',
        LastModified: put.LastModified,
      },
    ]);

    const [a, b] = await Promise.all([invoke('1', { hold: 0.3 }), invoke('1', { hold: 0.3 })]);
    expect([a.body.type, b.body.type]).toEqual(['provisioned-concurrency', 'provisioned-concurrency']);
    expect(a.body.pid).not.toBe(b.body.pid);
    for (const r of [a, b]) {
      expect(r.report).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t$/);
    }
    // Lambda logs INIT_START when it provisions, before any request reaches the environment.
    const streams = new Set<string>();
    for (const r of [a, b]) {
      const requestId = /RequestId: (\S+)/.exec(r.report)![1];
      const found = await streamOf('/aws/lambda/pc', requestId);
      streams.add(found.stream);
      const initAt = found.messages.findIndex((m) => m.startsWith('INIT_START Runtime Version: python:3.11.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:'));
      const startAt = found.messages.findIndex((m) => m.startsWith(`START RequestId: ${requestId} Version: 1`));
      expect(initAt).toBeGreaterThanOrEqual(0);
      expect(startAt).toBeGreaterThan(initAt);
    }
    expect(streams.size).toBe(2);

    // On-demand environments say so, and their first REPORT has Init Duration.
    const latest = await invoke('$LATEST');
    expect(latest.body.type).toBe('on-demand');
    expect(latest.report).toMatch(/\tInit Duration: [\d.]+ ms\t$/);
  });

  it('retires the environments when the configuration is deleted: the next invoke is an on-demand cold start', async () => {
    await h.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1' }));
    await expect(h.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1' }))).rejects.toBeInstanceOf(
      ProvisionedConcurrencyConfigNotFoundException,
    );
    const after = await invoke('1');
    expect(after.body.type).toBe('on-demand');
    expect(after.report).toMatch(/\tInit Duration: [\d.]+ ms\t$/);
    expect((await h.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc' }))).ProvisionedConcurrencyConfigs).toEqual([]);
  });

  it('provisions through an alias and refuses a second configuration on the same version', async () => {
    await h.lambda.send(new CreateAliasCommand({ FunctionName: 'pc', Name: 'live', FunctionVersion: '1' }));
    await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live', ProvisionedConcurrentExecutions: 1 }));
    const conflict = await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1', ProvisionedConcurrentExecutions: 1 })).catch((e) => e);
    expect(conflict).toBeInstanceOf(ResourceConflictException);
    expect(conflict.message).toBe('Version is pointed by a Provisioned Concurrency alias');
    expect((await settled('pc', 'live')).Status).toBe('READY');
    expect((await invoke('live')).body.type).toBe('provisioned-concurrency');
    await h.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live' }));
  });

  it('logs platform.initStart with initializationType provisioned-concurrency in the JSON log format', async () => {
    await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pcjson', Qualifier: '1', ProvisionedConcurrentExecutions: 1 }));
    expect((await settled('pcjson', '1')).Status).toBe('READY');
    const hits = await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/pcjson', filterPattern: '{ $.type = "platform.initStart" }' }));
    const records = (hits.events ?? []).map((e) => JSON.parse(e.message ?? '{}').record);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ initializationType: 'provisioned-concurrency', phase: 'init', functionName: 'pcjson', functionVersion: '1' });
    await h.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pcjson', Qualifier: '1' }));
  });

  it.skipIf(noCgroups !== null)(`runs provisioned init at the invoke phase's CPU share, and on-demand init unthrottled${noCgroups ? ` (skipped: ${noCgroups})` : ''}`, async () => {
    const quotas = async (qualifier: string) => {
      const out = await h.lambda.send(new InvokeCommand({ FunctionName: 'quota', Qualifier: qualifier, Payload: '{}' }));
      return JSON.parse(Buffer.from(out.Payload!).toString()) as { init: number; invoke: number };
    };
    const onDemand = await quotas('$LATEST');
    expect(onDemand.init).toBe(-1);
    expect(onDemand.invoke).toBeGreaterThan(0);
    await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'quota', Qualifier: '1', ProvisionedConcurrentExecutions: 1 }));
    expect((await settled('quota', '1')).Status).toBe('READY');
    // Lambda gives provisioned init no on-demand boost: the same quota as the invoke phase of this memory size.
    expect(await quotas('1')).toEqual({ init: onDemand.invoke, invoke: onDemand.invoke });
    await h.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'quota', Qualifier: '1' }));
  });

  it('ends FAILED with the reason when init fails in a provisioned environment', async () => {
    await h.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'broken', Qualifier: '1', ProvisionedConcurrentExecutions: 1 }));
    const failed = await settled('broken', '1');
    expect(failed).toMatchObject({ Status: 'FAILED', AllocatedProvisionedConcurrentExecutions: 0, AvailableProvisionedConcurrentExecutions: 0 });
    expect(failed.StatusReason).toBe("Init failed in 1 of 1 environments (RuntimeError); see the function's log group for the INIT_REPORT.");
  });
});

describe("provisioned concurrency beyond the emulator's maxEnvironments", () => {
  it('ends FAILED without holding any environment, so on-demand invokes still run', async () => {
    await withHarness({ maxEnvironments: 1 }, async (small) => {
      await createActive(small, 'pc', { Code: { ZipFile: zipOf({ 'app.py': HANDLER }) } });
      await small.lambda.send(new PublishVersionCommand({ FunctionName: 'pc' }));
      await small.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1', ProvisionedConcurrentExecutions: 2 }));
      let out = await small.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1' }));
      const deadline = Date.now() + READY_DEADLINE_MS;
      while (out.Status === 'IN_PROGRESS' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        out = await small.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '1' }));
      }
      expect(out).toMatchObject({ Status: 'FAILED', AllocatedProvisionedConcurrentExecutions: 0 });
      expect(out.StatusReason).toBe(
        'The emulator could not start 2 environments: All 1 execution environments are busy (maxEnvironments); wait for invokes to finish or raise maxEnvironments',
      );
      const invoked = await small.lambda.send(new InvokeCommand({ FunctionName: 'pc', Qualifier: '1', Payload: '{}' }));
      expect(JSON.parse(Buffer.from(invoked.Payload!).toString()).type).toBe('on-demand');
    });
  });
});

/** The log stream that served a request, and its messages from the start. */
async function streamOf(group: string, requestId: string): Promise<{ stream: string; messages: string[] }> {
  const hits = await h.logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: `"${requestId}"` }));
  const stream = hits.events![0].logStreamName!;
  const events = await h.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
  return { stream, messages: (events.events ?? []).map((e) => e.message ?? '') };
}
