import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActive, type Harness, startHarness, stopHarness, withHarness, zipOf } from './helpers.ts';

let h: Harness;
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:aliased';
beforeAll(async () => {
  h = await startHarness();
  const code = zipOf({ 'app.py': 'def handler(event, context):\n    return int(context.memory_limit_in_mb)\n' });
  await createActive(h, 'aliased', { Code: { ZipFile: code }, MemorySize: 128 });
  await h.lambda.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
  await h.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'aliased', MemorySize: 256 }));
  await waitUntilFunctionUpdatedV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'aliased' });
  await h.lambda.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
});
afterAll(() => stopHarness(h));

describe('aliases', () => {
  it('creates, gets, updates, lists and deletes an alias', async () => {
    const created = await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1', Description: 'prod' }));
    expect(created).toMatchObject({ AliasArn: `${ARN}:live`, Name: 'live', FunctionVersion: '1', Description: 'prod' });
    const dup = await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1' })).catch((e) => e);
    expect(dup).toBeInstanceOf(ResourceConflictException);
    await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'beta', FunctionVersion: '$LATEST' }));
    const updated = await h.lambda.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '2' }));
    expect(updated.FunctionVersion).toBe('2');
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    expect((await h.lambda.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'live' }))).FunctionVersion).toBe('2');
    const list = await h.lambda.send(new ListAliasesCommand({ FunctionName: 'aliased' }));
    expect(list.Aliases!.map((a) => a.Name)).toEqual(['beta', 'live']);
    await h.lambda.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'beta' }));
    await expect(h.lambda.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'beta' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('resolves an alias Qualifier on Invoke and GetFunctionConfiguration to its version', async () => {
    await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'old', FunctionVersion: '1' }));
    const res = await h.lambda.send(new InvokeCommand({ FunctionName: 'aliased', Qualifier: 'old', Payload: '{}' }));
    expect(res.ExecutedVersion).toBe('1');
    expect(Buffer.from(res.Payload!).toString()).toBe('128');
    const byArn = await h.lambda.send(new InvokeCommand({ FunctionName: `${ARN}:old`, Payload: '{}' }));
    expect(byArn.ExecutedVersion).toBe('1');
    expect((await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'aliased', Qualifier: 'old' }))).MemorySize).toBe(128);
  });

  it('refuses to delete a version an alias points at', async () => {
    await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'pin', FunctionVersion: '1' }));
    const error = await h.lambda.send(new DeleteFunctionCommand({ FunctionName: 'aliased', Qualifier: '1' })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceConflictException);
    expect(error.message).toContain('Unable to delete version because the following aliases reference it: [');
  });

  it('refuses an alias name that looks like a version and a version that does not exist', async () => {
    const numeric = await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: '12', FunctionVersion: '1' })).catch((e) => e);
    expect(numeric.name).toBe('ValidationException');
    const missing = await h.lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'ghost', FunctionVersion: '99' })).catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('weighted aliases (RoutingConfig.AdditionalVersionWeights)', () => {
  const VERSION_ECHO = 'import os\n\ndef handler(event, context):\n    return {"env": os.environ["AWS_LAMBDA_FUNCTION_VERSION"], "context": context.function_version}\n';

  /** Two published versions of one function, a 50/50 alias over them, and `n` invokes of the alias. */
  async function invokeWeighted(routingSeed: number, n: number, interleave: boolean): Promise<{ header: string | undefined; ran: { env: string; context: string } }[]> {
    const out: { header: string | undefined; ran: { env: string; context: string } }[] = [];
    await withHarness({ routingSeed }, async (w) => {
      await createActive(w, 'ab', { Code: { ZipFile: zipOf({ 'app.py': VERSION_ECHO }) } });
      await w.lambda.send(new PublishVersionCommand({ FunctionName: 'ab' }));
      await w.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ab', Description: 'second' }));
      await waitUntilFunctionUpdatedV2({ client: w.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'ab' });
      await w.lambda.send(new PublishVersionCommand({ FunctionName: 'ab' }));
      await w.lambda.send(new CreateAliasCommand({ FunctionName: 'ab', Name: 'split', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
      // Another alias's invokes in between do not move this alias's sequence.
      await w.lambda.send(new CreateAliasCommand({ FunctionName: 'ab', Name: 'other', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
      for (let i = 0; i < n; i++) {
        if (interleave && i % 3 === 0) await w.lambda.send(new InvokeCommand({ FunctionName: 'ab', Qualifier: 'other', Payload: '{}' }));
        const res = await w.lambda.send(new InvokeCommand({ FunctionName: 'ab', Qualifier: 'split', Payload: '{}' }));
        out.push({ header: res.ExecutedVersion, ran: JSON.parse(Buffer.from(res.Payload!).toString()) });
      }
      // The alias itself still reads as FunctionVersion 1 with its weights.
      const alias = await w.lambda.send(new GetAliasCommand({ FunctionName: 'ab', Name: 'split' }));
      expect(alias).toMatchObject({ FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } });
    });
    return out;
  }

  it('picks the version by weight from a seeded sequence and reports the version that ran in X-Amz-Executed-Version', async () => {
    // Seed 7: the exact sequence for alias "split" of function "ab" (mulberry32 seeded from seed, function and alias),
    // the same on a fresh emulator and whether or not another weighted alias is invoked in between.
    for (const interleave of [true, false]) {
      const runs = await invokeWeighted(7, 12, interleave);
      expect(runs.map((r) => r.header)).toEqual(['1', '1', '2', '2', '1', '2', '1', '2', '2', '2', '2', '2']);
      // The handler saw the version the header reports (AWS_LAMBDA_FUNCTION_VERSION and context.function_version).
      for (const r of runs) expect(r.ran).toEqual({ env: r.header, context: r.header });
    }
  });
});
