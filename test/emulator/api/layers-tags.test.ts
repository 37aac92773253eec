import {
  DeleteFunctionConcurrencyCommand,
  DeleteLayerVersionCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetLayerVersionCommand,
  InvalidParameterValueException,
  ListLayerVersionsCommand,
  ListLayersCommand,
  GetLayerVersionByArnCommand,
  ListTagsCommand,
  PublishLayerVersionCommand,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createActive, harnessPerFile, withHarness, zipOf } from './helpers.ts';

const h = harnessPerFile();

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

describe('layers', () => {
  it('publishes numbered versions, gets and lists them newest first, and deletes one', async () => {
    const zip = zipOf({ 'python/helper.py': 'X = 1\n' });
    const v1 = await h.lambda.send(new PublishLayerVersionCommand({ LayerName: 'deps', Content: { ZipFile: zip }, CompatibleRuntimes: ['python3.11'], Description: 'one' }));
    expect(v1).toMatchObject({
      LayerArn: 'arn:aws:lambda:us-east-1:123456789012:layer:deps',
      LayerVersionArn: 'arn:aws:lambda:us-east-1:123456789012:layer:deps:1',
      Version: 1,
      Description: 'one',
      CompatibleRuntimes: ['python3.11'],
      Content: { CodeSize: zip.length },
    });
    await h.lambda.send(new PublishLayerVersionCommand({ LayerName: 'deps', Content: { ZipFile: zipOf({ 'python/helper.py': 'X = 2\n' }) }, CompatibleRuntimes: ['nodejs22.x'] }));
    const got = await h.lambda.send(new GetLayerVersionCommand({ LayerName: 'deps', VersionNumber: 1 }));
    expect(got.Content?.CodeSha256).toBe(v1.Content?.CodeSha256);
    const all = await h.lambda.send(new ListLayerVersionsCommand({ LayerName: 'deps' }));
    expect(all.LayerVersions!.map((v) => v.Version)).toEqual([2, 1]);
    const py = await h.lambda.send(new ListLayerVersionsCommand({ LayerName: 'deps', CompatibleRuntime: 'python3.11' }));
    expect(py.LayerVersions!.map((v) => v.Version)).toEqual([1]);
    const paged = await h.lambda.send(new ListLayerVersionsCommand({ LayerName: 'deps', MaxItems: 1 }));
    expect(paged.LayerVersions!.map((v) => v.Version)).toEqual([2]);
    const rest = await h.lambda.send(new ListLayerVersionsCommand({ LayerName: 'deps', MaxItems: 1, Marker: paged.NextMarker }));
    expect(rest.LayerVersions!.map((v) => v.Version)).toEqual([1]);
    await h.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'deps', VersionNumber: 1 }));
    const error = await h.lambda.send(new GetLayerVersionCommand({ LayerName: 'deps', VersionNumber: 1 })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('The resource you requested does not exist.');
  });

  it('lets a function reference layer versions and reports them in its configuration', async () => {
    const layer = await h.lambda.send(new PublishLayerVersionCommand({ LayerName: 'fn-layer', Content: { ZipFile: zipOf({ 'python/x.py': '' }) } }));
    await createActive(h, 'with-layer', { Layers: [layer.LayerVersionArn!] });
    const got = await h.lambda.send(new GetFunctionCommand({ FunctionName: 'with-layer' }));
    expect(got.Configuration?.Layers).toEqual([{ Arn: layer.LayerVersionArn, CodeSize: layer.Content?.CodeSize }]);
  });

  it('lists layers with their newest matching version, and gets a version by ARN', async () => {
    await withHarness({}, async (own) => {
      await own.lambda.send(new PublishLayerVersionCommand({ LayerName: 'b-layer', Content: { ZipFile: zipOf({ 'a.txt': '1' }) }, CompatibleRuntimes: ['python3.11'] }));
      await own.lambda.send(new PublishLayerVersionCommand({ LayerName: 'b-layer', Content: { ZipFile: zipOf({ 'a.txt': '2' }) }, CompatibleRuntimes: ['nodejs22.x'] }));
      await own.lambda.send(new PublishLayerVersionCommand({ LayerName: 'a-layer', Content: { ZipFile: zipOf({ 'a.txt': '3' }) } }));
      const all = await own.lambda.send(new ListLayersCommand({}));
      expect(all.Layers!.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version])).toEqual([
        ['a-layer', 1],
        ['b-layer', 2],
      ]);
      const py = await own.lambda.send(new ListLayersCommand({ CompatibleRuntime: 'python3.11' }));
      expect(py.Layers!.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version])).toEqual([['b-layer', 1]]);
      const paged = await own.lambda.send(new ListLayersCommand({ MaxItems: 1 }));
      expect(paged.NextMarker).toBe('b-layer');
      const byArn = await own.lambda.send(new GetLayerVersionByArnCommand({ Arn: 'arn:aws:lambda:us-east-1:123456789012:layer:b-layer:1' }));
      expect(byArn.CompatibleRuntimes).toEqual(['python3.11']);
    });
  });

  it('refuses a layer zip that is not a zip', async () => {
    const error = await h.lambda.send(new PublishLayerVersionCommand({ LayerName: 'bad', Content: { ZipFile: new Uint8Array([0x50, 0x4b]) } })).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
  });
});

describe('tags', () => {
  it('tags at creation, adds, lists and removes tags by the function ARN', async () => {
    await createActive(h, 'tagged', { Tags: { run: 'r1' } });
    await h.lambda.send(new TagResourceCommand({ Resource: ARN('tagged'), Tags: { owner: 'coldbench', tier: 'x' } }));
    expect((await h.lambda.send(new ListTagsCommand({ Resource: ARN('tagged') }))).Tags).toEqual({ run: 'r1', owner: 'coldbench', tier: 'x' });
    await h.lambda.send(new UntagResourceCommand({ Resource: ARN('tagged'), TagKeys: ['tier', 'run'] }));
    expect((await h.lambda.send(new ListTagsCommand({ Resource: ARN('tagged') }))).Tags).toEqual({ owner: 'coldbench' });
    expect((await h.lambda.send(new GetFunctionCommand({ FunctionName: 'tagged' }))).Tags).toEqual({ owner: 'coldbench' });
  });

  it('raises ResourceNotFoundException for an unknown function ARN', async () => {
    const error = await h.lambda.send(new ListTagsCommand({ Resource: ARN('no-tags-here') })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('reserved concurrency', () => {
  it('puts, gets and deletes ReservedConcurrentExecutions', async () => {
    await createActive(h, 'conc');
    expect((await h.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'conc', ReservedConcurrentExecutions: 3 }))).ReservedConcurrentExecutions).toBe(3);
    expect((await h.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'conc' }))).ReservedConcurrentExecutions).toBe(3);
    expect((await h.lambda.send(new GetFunctionCommand({ FunctionName: 'conc' }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 3 });
    await h.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'conc' }));
    expect((await h.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'conc' }))).ReservedConcurrentExecutions).toBeUndefined();
  });

  it('refuses more than the account leaves unreserved', async () => {
    await createActive(h, 'conc-big');
    const error = await h.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'conc-big', ReservedConcurrentExecutions: 901 })).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toContain('below its minimum value of [100]');
  });
});
