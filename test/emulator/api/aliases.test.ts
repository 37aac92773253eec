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
import { createActive, type Harness, startHarness, stopHarness, zipOf } from './helpers.ts';

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
