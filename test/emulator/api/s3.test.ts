import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvalidParameterValueException, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAwsChunked } from '../../../src/emulator/api/s3.ts';
import { type Harness, PY_ECHO, ROLE, startHarness, stopHarness, zipOf } from './helpers.ts';

let h: Harness;
let s3: S3Client;
beforeAll(async () => {
  h = await startHarness();
  // Path-style, as the harness configures it for endpoints.
  s3 = new S3Client({ endpoint: h.emulator.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
});
afterAll(async () => {
  s3.destroy();
  await stopHarness(h);
});

describe('S3 subset', () => {
  it('creates a bucket, puts, heads, gets, lists and deletes an object', async () => {
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'artifacts' }))).rejects.toBeInstanceOf(NotFound);
    await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'artifacts' }));
    const body = Buffer.from('hello package');
    const put = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'builds/a b.zip', Body: body }));
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'builds/a b.zip' }));
    expect(head.ContentLength).toBe(body.length);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'builds/a b.zip' }));
    expect(await got.Body!.transformToString()).toBe('hello package');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'artifacts', Prefix: 'builds/' }));
    expect(listed.Contents!.map((c) => [c.Key, c.Size])).toEqual([['builds/a b.zip', body.length]]);
    await s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'builds/a b.zip' }));
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'builds/a b.zip' }))).rejects.toBeInstanceOf(NotFound);
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'nothing' })).catch((e) => e);
    expect(missing).toBeInstanceOf(NoSuchKey);
    await s3.send(new DeleteBucketCommand({ Bucket: 'artifacts' }));
  });

  it('feeds CreateFunction and PublishLayerVersion from Code.S3Bucket/S3Key', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    const zip = zipOf({ 'app.py': PY_ECHO });
    await s3.send(new PutObjectCommand({ Bucket: 'code', Key: 'fn.zip', Body: zip }));
    await h.lambda.send(
      new CreateFunctionCommand({ FunctionName: 'from-s3', Runtime: 'python3.11', Handler: 'app.handler', Role: ROLE, Code: { S3Bucket: 'code', S3Key: 'fn.zip' } }),
    );
    const config = await h.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'from-s3' }));
    expect(config.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    const layer = await h.lambda.send(new PublishLayerVersionCommand({ LayerName: 'from-s3', Content: { S3Bucket: 'code', S3Key: 'fn.zip' } }));
    expect(layer.Content?.CodeSize).toBe(zip.length);
    const error = await h.lambda
      .send(
        new CreateFunctionCommand({ FunctionName: 'from-s3-missing', Runtime: 'python3.11', Handler: 'app.handler', Role: ROLE, Code: { S3Bucket: 'code', S3Key: 'nope.zip' } }),
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toContain('NoSuchKey');
  });
});

describe('decodeAwsChunked', () => {
  it('joins the chunks and drops signatures and trailers', () => {
    const raw = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n');
    expect(decodeAwsChunked(raw).toString()).toBe('hello world');
  });
});
