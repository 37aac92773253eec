import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AwsError, decodeSegment, escapeXml } from './errors.ts';

/** Big enough for any package Lambda accepts from S3 (250 MB unzipped), small enough to refuse runaway uploads. */
const MAX_OBJECT_BYTES = 512 * 1024 * 1024;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LIST_MAX_KEYS = 1000;

interface S3Object {
  file: string;
  size: number;
  etag: string;
  lastModified: Date;
  contentType: string;
}

/**
 * The small S3 subset the harness needs for packages above Lambda's 50 MB direct upload:
 * path-style Create/Head/DeleteBucket, Put/Get/Head/DeleteObject and ListObjectsV2. Objects live
 * on disk under the emulator's temp folder.
 */
export class S3Store {
  private readonly buckets = new Map<string, Map<string, S3Object>>();
  private seq = 0;

  constructor(private readonly root: string) {}

  /** The object's bytes, for CreateFunction's Code.S3Bucket/S3Key; Lambda's error when missing. */
  async read(bucket: string, key: string): Promise<Buffer> {
    const object = this.buckets.get(bucket)?.get(key);
    if (!object) {
      throw new AwsError(
        'InvalidParameterValueException',
        400,
        `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (s3://${bucket}/${key})`,
      );
    }
    return readFile(object.file);
  }

  /** Serves one S3 request; returns the operation name for request counts. */
  async handle(req: IncomingMessage, res: ServerResponse, url: string): Promise<string> {
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const slash = pathname.indexOf('/', 1);
    const bucket = decodeSegment(slash < 0 ? pathname.slice(1) : pathname.slice(1, slash), 'InvalidURI');
    const key = slash < 0 ? '' : decodeSegment(pathname.slice(slash + 1), 'InvalidURI');
    const method = req.method ?? 'GET';
    if (!bucket) throw s3Error('NotImplemented', 501, 'ListBuckets is not implemented by the coldbench emulator.');
    if (!key) return this.bucketOperation(req, res, method, bucket, query);
    const objects = this.buckets.get(bucket);
    if (!objects) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
    if (method === 'PUT') {
      if (req.headers['x-amz-copy-source']) throw s3Error('NotImplemented', 501, 'CopyObject is not implemented by the coldbench emulator.');
      const object = await this.store(req);
      objects.set(key, object);
      res.writeHead(200, { etag: object.etag, 'x-amz-request-id': randomUUID() });
      res.end();
      return 'PutObject';
    }
    const object = objects.get(key);
    if (method === 'DELETE') {
      if (object) {
        objects.delete(key);
        await rm(object.file, { force: true });
      }
      res.writeHead(204);
      res.end();
      return 'DeleteObject';
    }
    if (method !== 'GET' && method !== 'HEAD') throw s3Error('MethodNotAllowed', 405, `${method} is not allowed on an object.`);
    const operation = method === 'GET' ? 'GetObject' : 'HeadObject';
    if (!object) {
      if (method === 'HEAD') return endEmpty(res, 404, operation);
      throw s3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
    }
    res.writeHead(200, {
      'content-length': String(object.size),
      'content-type': object.contentType,
      etag: object.etag,
      'last-modified': object.lastModified.toUTCString(),
    });
    if (method === 'HEAD') res.end();
    else await pipeline(createReadStream(object.file), res);
    return operation;
  }

  private async bucketOperation(req: IncomingMessage, res: ServerResponse, method: string, bucket: string, query: URLSearchParams): Promise<string> {
    const objects = this.buckets.get(bucket);
    if (method === 'PUT') {
      if (!BUCKET_NAME.test(bucket)) throw s3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
      req.resume();
      // us-east-1 answers 200 when you create a bucket you already own.
      if (!objects) this.buckets.set(bucket, new Map());
      res.writeHead(200, { location: `/${bucket}` });
      res.end();
      return 'CreateBucket';
    }
    if (method === 'HEAD') return endEmpty(res, objects ? 200 : 404, 'HeadBucket');
    if (!objects) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
    if (method === 'DELETE') {
      if (objects.size) throw s3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket });
      this.buckets.delete(bucket);
      return endEmpty(res, 204, 'DeleteBucket');
    }
    if (method === 'GET' && query.get('list-type') === '2') {
      const prefix = query.get('prefix') ?? '';
      const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
      const maxKeys = Math.min(Number(query.get('max-keys') ?? LIST_MAX_KEYS) || LIST_MAX_KEYS, LIST_MAX_KEYS);
      const listed = [...objects].filter(([k]) => k.startsWith(prefix) && k > after).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const page = listed.slice(0, maxKeys);
      const truncated = listed.length > maxKeys;
      const xml =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
        `<IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<NextContinuationToken>${escapeXml(page[page.length - 1][0])}</NextContinuationToken>` : '') +
        page
          .map(
            ([k, o]) =>
              `<Contents><Key>${escapeXml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join('') +
        `</ListBucketResult>`;
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(xml);
      return 'ListObjectsV2';
    }
    throw s3Error('NotImplemented', 501, `${method} on a bucket with ${[...query.keys()].join(', ') || 'no query'} is not implemented by the coldbench emulator.`);
  }

  /** Streams the body to disk (decoding aws-chunked uploads), hashing it for the ETag. */
  private async store(req: IncomingMessage): Promise<S3Object> {
    await mkdir(this.root, { recursive: true });
    const file = path.join(this.root, `object-${++this.seq}`);
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OBJECT_BYTES) req.destroy(new Error('object too large'));
    });
    try {
      await pipeline(req, createWriteStream(file));
    } catch (error) {
      await rm(file, { force: true });
      throw s3Error('EntityTooLarge', 400, `Your proposed upload exceeds the emulator's ${MAX_OBJECT_BYTES} byte limit.`, {}, error);
    }
    let body: Buffer = await readFile(file);
    const sha = String(req.headers['x-amz-content-sha256'] ?? '');
    if (sha.startsWith('STREAMING-') || String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) {
      body = decodeAwsChunked(body);
      await writeFile(file, body);
    }
    return {
      file,
      size: body.length,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(),
      contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
    };
  }
}

/** aws-chunked: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n\r\n`. */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw s3Error('IncompleteBody', 400, 'The aws-chunked body ended in the middle of a chunk header.');
    const size = parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0) throw s3Error('InvalidRequest', 400, 'The aws-chunked body has a malformed chunk size.');
    if (size === 0) break;
    const start = eol + 2;
    if (start + size > raw.length) throw s3Error('IncompleteBody', 400, 'The aws-chunked body is shorter than its chunk sizes say.');
    parts.push(raw.subarray(start, start + size));
    pos = start + size + 2;
  }
  return Buffer.concat(parts);
}

function endEmpty(res: ServerResponse, status: number, operation: string): string {
  res.writeHead(status);
  res.end();
  return operation;
}

function s3Error(code: string, status: number, message: string, fields: Record<string, string> = {}, cause?: unknown): AwsError {
  return new AwsError(code, status, message, { fields }, { cause });
}

/** S3's REST-XML error body. */
export function s3ErrorBody(error: AwsError, requestId: string): { headers: Record<string, string>; body: string } {
  const extra = Object.entries(error.extra.fields ?? {})
    .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
    .join('');
  return {
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`,
  };
}
