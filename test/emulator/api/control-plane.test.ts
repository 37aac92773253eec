import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetAccountSettingsCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createActive, harnessPerFile, heldTransitions, PY_ECHO, raw, ROLE, withHarness, zipOf } from './helpers.ts';

const h = harnessPerFile();

describe('CreateFunction', () => {
  it('returns the configuration with State Pending, then Active for the waiter', async () => {
    const zip = zipOf({ 'app.py': PY_ECHO });
    const created = await h.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'create-basic',
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Role: ROLE,
        Code: { ZipFile: zip },
        MemorySize: 256,
        Timeout: 7,
        Environment: { Variables: { A: '1' } },
      }),
    );
    expect(created).toMatchObject({
      FunctionName: 'create-basic',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:create-basic',
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: ROLE,
      MemorySize: 256,
      Timeout: 7,
      Version: '$LATEST',
      State: 'Pending',
      StateReasonCode: 'Creating',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      Environment: { Variables: { A: '1' } },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/create-basic' },
      CodeSize: zip.length,
      CodeSha256: createHash('sha256').update(zip).digest('base64'),
    });
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const waited = await waitUntilFunctionActiveV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'create-basic' });
    expect(waited.state).toBe('SUCCESS');
    const got = await h.lambda.send(new GetFunctionCommand({ FunctionName: 'create-basic' }));
    expect(got.Configuration?.State).toBe('Active');
    expect(got.Code?.RepositoryType).toBe('S3');
  });

  it('serves the uploaded zip back at Code.Location', async () => {
    const zip = zipOf({ 'app.py': `# location\n${PY_ECHO}` });
    await createActive(h, 'create-location', { Code: { ZipFile: zip } });
    const got = await h.lambda.send(new GetFunctionCommand({ FunctionName: 'create-location' }));
    const body = new Uint8Array(await (await fetch(got.Code!.Location!)).arrayBuffer());
    expect(Buffer.from(body).equals(Buffer.from(zip))).toBe(true);
  });

  it('refuses a second function with the same name with ResourceConflictException', async () => {
    await createActive(h, 'create-twice');
    const error = await h.lambda
      .send(new CreateFunctionCommand({ FunctionName: 'create-twice', Runtime: 'python3.11', Handler: 'app.handler', Role: ROLE, Code: { ZipFile: zipOf({ 'app.py': PY_ECHO }) } }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ResourceConflictException);
    expect(error.message).toBe('Function already exist: create-twice');
    expect(error.$metadata.httpStatusCode).toBe(409);
  });

  it.each([
    [{ MemorySize: 127 }, 'ValidationException', "Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"],
    [{ MemorySize: 10241 }, 'ValidationException', 'Member must have value less than or equal to 10240'],
    [{ Timeout: 0 }, 'ValidationException', "Value '0' at 'timeout'"],
    [{ Timeout: 901 }, 'ValidationException', 'Member must have value less than or equal to 900'],
    [{ Layers: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'InvalidParameterValueException', 'Cannot reference more than 5 layers.'],
    [{ Environment: { Variables: { BIG: 'x'.repeat(4100) } } }, 'InvalidParameterValueException', 'exceeded the 4KB limit'],
    [{ Environment: { Variables: { AWS_REGION: 'eu-west-1' } } }, 'InvalidParameterValueException', 'Reserved keys used in this request: AWS_REGION'],
    [{ Runtime: 'java21' }, 'InvalidParameterValueException', 'The runtime parameter of java21 is not supported'],
    [{ Role: 'not-a-role' }, 'ValidationException', "at 'role' failed to satisfy constraint"],
    [
      { Code: { ZipFile: new TextEncoder().encode('plain text, not a zip') } },
      'InvalidParameterValueException',
      'Could not unzip uploaded file. Please check your file, then try to upload again.',
    ],
    [
      { Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:missing:1'] },
      'InvalidParameterValueException',
      'Layer version arn:aws:lambda:us-east-1:123456789012:layer:missing:1 does not exist.',
    ],
  ])('rejects %j with %s', async (override, name, message) => {
    const error = await h.lambda
      .send(
        new CreateFunctionCommand({
          FunctionName: 'create-invalid',
          Runtime: 'python3.11',
          Handler: 'app.handler',
          Role: ROLE,
          Code: { ZipFile: zipOf({ 'app.py': PY_ECHO }) },
          ...(override as object),
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe(name);
    if (name === 'InvalidParameterValueException') expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toContain(message);
    expect(error.$metadata.httpStatusCode).toBe(400);
    await expect(h.lambda.send(new GetFunctionCommand({ FunctionName: 'create-invalid' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('GetFunction / GetFunctionConfiguration', () => {
  it('raises ResourceNotFoundException naming the ARN for an unknown function', async () => {
    const error = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'no-such-function' })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('accepts the function ARN and partial ARN as FunctionName', async () => {
    await createActive(h, 'get-by-arn');
    const byArn = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:get-by-arn' }));
    const byPartial = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: '123456789012:function:get-by-arn' }));
    expect(byArn.FunctionName).toBe('get-by-arn');
    expect(byPartial.FunctionName).toBe('get-by-arn');
  });
});

describe('UpdateFunctionConfiguration', () => {
  it('moves LastUpdateStatus InProgress → Successful, refuses a second update meanwhile, and the waiter sees it', async () => {
    const held = heldTransitions();
    await withHarness({ transitionGate: held.transitionGate }, async (slow) => {
      await slow.lambda.send(
        new CreateFunctionCommand({ FunctionName: 'upd', Runtime: 'python3.11', Handler: 'app.handler', Role: ROLE, Code: { ZipFile: zipOf({ 'app.py': PY_ECHO }) } }),
      );
      const early = await slow.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd', MemorySize: 512 })).catch((e) => e);
      expect(early).toBeInstanceOf(ResourceConflictException);
      held.release();
      await waitUntilFunctionActiveV2({ client: slow.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'upd' });
      held.hold();
      const updated = await slow.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd', MemorySize: 512, Environment: { Variables: { B: '2' } } }));
      expect(updated).toMatchObject({ MemorySize: 512, LastUpdateStatus: 'InProgress', State: 'Active', Environment: { Variables: { B: '2' } } });
      const second = await slow.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd', MemorySize: 1024 })).catch((e) => e);
      expect(second).toBeInstanceOf(ResourceConflictException);
      expect(second.message).toBe('The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:upd');
      held.release();
      const waited = await waitUntilFunctionUpdatedV2({ client: slow.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'upd' });
      expect(waited.state).toBe('SUCCESS');
      const after = await slow.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'upd' }));
      expect(after).toMatchObject({ MemorySize: 512, LastUpdateStatus: 'Successful' });
      expect(after.RevisionId).toBe(updated.RevisionId);
      expect(slow.emulator.requestCounts().byOperation['lambda:GetFunction']).toBeGreaterThanOrEqual(2);
    });
  });

  it('keeps fields not named in the update and replaces the whole Environment', async () => {
    await createActive(h, 'upd-merge', { Timeout: 9, Environment: { Variables: { A: '1', B: '2' } } });
    const updated = await h.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd-merge', Environment: { Variables: { C: '3' } } }));
    expect(updated.Timeout).toBe(9);
    expect(updated.Environment?.Variables).toEqual({ C: '3' });
  });

  it('refuses LoggingConfig.LogFormat values other than Text and JSON', async () => {
    await createActive(h, 'upd-logformat');
    const json = await h.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd-logformat', LoggingConfig: { LogFormat: 'JSON' } }));
    expect(json.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: '/aws/lambda/upd-logformat', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' });
    await waitUntilFunctionUpdatedV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'upd-logformat' });
    const error = await h.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd-logformat', LoggingConfig: { LogFormat: 'XML' as 'JSON' } })).catch((e) => e);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('[JSON, Text]');
  });
});

/** A zip whose central directory is sound but whose one entry's deflate data is not (a reserved block type): it fails only when extracted. */
function corruptDeflateZip(): Uint8Array {
  const zip = zipSync({ 'app.py': new TextEncoder().encode(`${PY_ECHO}${'# padding so the entry is deflated\n'.repeat(20)}`) });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  expect(view.getUint16(8, true)).toBe(8); // deflated
  zip[30 + view.getUint16(26, true) + view.getUint16(28, true)] = 0xff;
  return zip;
}

describe('Pending and InProgress last as long as storing the code takes', () => {
  it('ends a create Failed, and an update LastUpdateStatus Failed, when the package cannot be extracted; the waiters report it', async () => {
    const created = await h.lambda.send(
      new CreateFunctionCommand({ FunctionName: 'bad-deflate', Runtime: 'python3.11', Handler: 'app.handler', Role: ROLE, Code: { ZipFile: corruptDeflateZip() } }),
    );
    expect(created).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating' });
    const waited = await waitUntilFunctionActiveV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'bad-deflate' }).catch((e) => e);
    expect(waited).toBeInstanceOf(Error);
    const failed = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'bad-deflate' }));
    expect(failed).toMatchObject({
      State: 'Failed',
      StateReason: 'Could not unzip uploaded file. Please check your file, then try to upload again.',
      StateReasonCode: 'InvalidZipFileException',
    });
    const invoked = await h.lambda.send(new InvokeCommand({ FunctionName: 'bad-deflate', Payload: '{}' })).catch((e) => e);
    expect(invoked).toBeInstanceOf(ResourceConflictException);
    expect(invoked.message).toBe('The operation cannot be performed at this time. The function is currently in the following state: Failed');

    await createActive(h, 'bad-deflate-update');
    const updating = await h.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'bad-deflate-update', ZipFile: corruptDeflateZip() }));
    expect(updating).toMatchObject({ State: 'Active', LastUpdateStatus: 'InProgress' });
    const updated = await waitUntilFunctionUpdatedV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'bad-deflate-update' }).catch((e) => e);
    expect(updated).toBeInstanceOf(Error);
    const after = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'bad-deflate-update' }));
    expect(after).toMatchObject({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InvalidZipFileException' });
    // Invokes keep running the code that was there before the failed update.
    const ran = await h.lambda.send(new InvokeCommand({ FunctionName: 'bad-deflate-update', Payload: '{"still":"here"}' }));
    expect(JSON.parse(Buffer.from(ran.Payload!).toString())).toEqual({ still: 'here' });
  });

  it('takes effect with no added delay: a create and an update each pass the transition gate once, right after their work', async () => {
    let passed = 0;
    await withHarness({ transitionGate: async () => void passed++ }, async (own) => {
      await createActive(own, 'no-delay');
      expect(passed).toBe(1);
      await own.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'no-delay', MemorySize: 256 }));
      await waitUntilFunctionUpdatedV2({ client: own.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'no-delay' });
      expect(passed).toBe(2);
    });
  });
});

describe('UpdateFunctionCode', () => {
  it('changes CodeSha256 and RevisionId; a non-zip is InvalidParameterValueException', async () => {
    await createActive(h, 'code-upd');
    const before = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'code-upd' }));
    const zip = zipOf({ 'app.py': `# v2\n${PY_ECHO}` });
    const after = await h.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-upd', ZipFile: zip }));
    expect(after.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    expect(after.RevisionId).not.toBe(before.RevisionId);
    await waitUntilFunctionUpdatedV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'code-upd' });
    const bad = await h.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-upd', ZipFile: new Uint8Array([1, 2, 3]) })).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidParameterValueException);
    expect(bad.message).toBe('Could not unzip uploaded file. Please check your file, then try to upload again.');
  });
});

describe('ListFunctions', () => {
  it('pages with MaxItems and NextMarker through every function once, sorted by name', async () => {
    await withHarness({}, async (own) => {
      for (const n of ['l-c', 'l-a', 'l-e', 'l-b', 'l-d']) await createActive(own, n);
      const seen: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await own.lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
        seen.push(...page.Functions!.map((f) => f.FunctionName!));
        marker = page.NextMarker;
        pages++;
      } while (marker);
      expect(seen).toEqual(['l-a', 'l-b', 'l-c', 'l-d', 'l-e']);
      expect(pages).toBe(3);
    });
  });
});

describe('ListFunctions FunctionVersion=ALL and GetAccountSettings', () => {
  it('lists published versions beside $LATEST and reports reserved concurrency in the account settings', async () => {
    await withHarness({}, async (own) => {
      await createActive(own, 'all-a');
      await own.lambda.send(new PublishVersionCommand({ FunctionName: 'all-a' }));
      const all = await own.lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
      expect(all.Functions!.map((f) => `${f.FunctionName}:${f.Version}`)).toEqual(['all-a:$LATEST', 'all-a:1']);
      const settings = await own.lambda.send(new GetAccountSettingsCommand({}));
      expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000, CodeSizeZipped: 52_428_800 });
      expect(settings.AccountUsage?.FunctionCount).toBe(1);
    });
  });
});

describe('PublishVersion', () => {
  it('numbers versions from 1, returns the same version when nothing changed, and GetFunction takes a Qualifier', async () => {
    await createActive(h, 'pub', { MemorySize: 256 });
    const v1 = await h.lambda.send(new PublishVersionCommand({ FunctionName: 'pub' }));
    expect(v1).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pub:1', State: 'Active' });
    const again = await h.lambda.send(new PublishVersionCommand({ FunctionName: 'pub' }));
    expect(again.Version).toBe('1');
    await h.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'pub', MemorySize: 512 }));
    await waitUntilFunctionUpdatedV2({ client: h.lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'pub' });
    const v2 = await h.lambda.send(new PublishVersionCommand({ FunctionName: 'pub' }));
    expect(v2.Version).toBe('2');
    const got1 = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'pub', Qualifier: '1' }));
    expect(got1.MemorySize).toBe(256);
    const list = await h.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'pub' }));
    expect(list.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    const missing = await h.lambda.send(new GetFunctionCommand({ FunctionName: 'pub', Qualifier: '9' })).catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:pub:9');
  });

  it('deletes one version with a Qualifier and keeps the function', async () => {
    await createActive(h, 'pub-del');
    await h.lambda.send(new PublishVersionCommand({ FunctionName: 'pub-del' }));
    await h.lambda.send(new DeleteFunctionCommand({ FunctionName: 'pub-del', Qualifier: '1' }));
    await expect(h.lambda.send(new GetFunctionCommand({ FunctionName: 'pub-del', Qualifier: '1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await h.lambda.send(new GetFunctionCommand({ FunctionName: 'pub-del' }))).Configuration?.FunctionName).toBe('pub-del');
  });
});

describe('DeleteFunction', () => {
  it('removes the function (204) and a second delete is ResourceNotFoundException', async () => {
    await createActive(h, 'del');
    const deleted = await h.lambda.send(new DeleteFunctionCommand({ FunctionName: 'del' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await expect(h.lambda.send(new DeleteFunctionCommand({ FunctionName: 'del' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('Lambda routing', () => {
  it('answers an unknown Lambda path with 404 UnknownOperationException in the REST-JSON shape', async () => {
    const res = await raw(h, '/2015-03-31/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(res.json()).toEqual({ Type: 'User', message: 'GET /2015-03-31/nothing-here is not an operation of the Lambda API implemented by the coldbench emulator.' });
  });
});

describe('typed requests: each operation body is checked against its schema at the route', () => {
  const post = (path: string, body: unknown, method = 'POST') => raw(h, path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const base = {
    FunctionName: 'typed',
    Runtime: 'python3.11',
    Handler: 'app.handler',
    Role: ROLE,
    Code: { ZipFile: Buffer.from(zipOf({ 'app.py': PY_ECHO })).toString('base64') },
  };

  it.each([
    [
      'every violation, in AWS form',
      '/2015-03-31/functions',
      { ...base, Timeout: 0, MemorySize: 127 },
      "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    ],
    [
      'a wrong JSON type',
      '/2015-03-31/functions',
      { ...base, MemorySize: 'big' },
      "1 validation error detected: Value 'big' at 'memorySize' failed to satisfy constraint: Member must be an integer",
    ],
    [
      'a missing required member',
      '/2015-03-31/functions',
      { ...base, Role: undefined },
      "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null",
    ],
    [
      'a nested member, named in lowerCamelCase',
      '/2015-03-31/functions',
      { ...base, EphemeralStorage: { Size: 20_000 } },
      "1 validation error detected: Value '20000' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240",
    ],
    [
      'PutFunctionConcurrency without its count',
      '/2017-10-31/functions/robust/concurrency',
      {},
      "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null",
    ],
    [
      'CreateAlias without a name',
      '/2015-03-31/functions/robust/aliases',
      { FunctionVersion: '$LATEST' },
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    ],
    [
      'PublishLayerVersion with too many architectures',
      '/2018-10-31/layers/typed/versions',
      { Content: { ZipFile: base.Code.ZipFile }, CompatibleArchitectures: ['x86_64', 'arm64', 'x86_64'] },
      "1 validation error detected: Value '[x86_64, arm64, x86_64]' at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to 2",
    ],
    [
      'TagResource without Tags',
      '/2017-03-31/tags/arn:aws:lambda:us-east-1:123456789012:function:robust',
      {},
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    ],
  ])('answers %s with one ValidationException', async (_what, path, body, message) => {
    const res = await post(path, body, path.includes('/concurrency') ? 'PUT' : 'POST');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(res.json()).toEqual({ Type: 'User', message });
  });
});
