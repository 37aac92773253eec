import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { CodeStore } from './code-store.ts';
import { AwsError, decodeSegment, jsonErrorBody, lambdaErrorBody, queryErrorBody } from './errors.ts';
import { handleInvoke, type InvokeContext, payloadLimitFor, tooLarge } from './lambda/invoke.ts';
import { parseRequest } from './lambda/requests.ts';
import { matchRoute, type lambdaRoutes } from './lambda/routes.ts';
import { handleLogsOperation } from './logs/api.ts';
import type { LogStore } from './logs/store.ts';
import { type S3Store, s3ErrorBody } from './s3.ts';
import { handleSts } from './sts.ts';

/** Control-plane bodies carry a base64 zip of up to 50 MB (≈ 67 MB encoded) plus JSON around it. */
const MAX_CONTROL_BODY_BYTES = 70 * 1024 * 1024;
/** Bodies past this are not worth draining: the connection is closed instead. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;
const INVOKE_PREFIX = '/2015-03-31/functions/';
const INVOKE_SUFFIX = '/invocations';
const LAMBDA_PATH = /^\/20\d\d-\d\d-\d\d\//;
const LOGS_TARGET_PREFIX = 'Logs_20140328.';

export interface RequestCounts {
  total: number;
  byOperation: Record<string, number>;
}

export interface ApiState {
  region: string;
  accountId: string;
  logs: LogStore;
  code: CodeStore;
  s3: S3Store;
  routes: ReturnType<typeof lambdaRoutes>;
  invoke: InvokeContext;
  counts: RequestCounts;
  status: () => unknown;
}

type Service = 'lambda' | 'logs' | 'sts' | 's3' | 'coldbench';

function count(state: ApiState, operation: string): void {
  state.counts.byOperation[operation] = (state.counts.byOperation[operation] ?? 0) + 1;
}

/** The one request handler for every service on the port. Nothing a client sends can make it throw. */
export function createRequestHandler(state: ApiState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    state.counts.total++;
    const url = req.url ?? '/';
    let service: Service = 'lambda';
    try {
      if (req.method === 'POST' && url.startsWith(INVOKE_PREFIX)) {
        const end = url.indexOf(INVOKE_SUFFIX, INVOKE_PREFIX.length);
        const after = end + INVOKE_SUFFIX.length;
        if (end > 0 && (url.length === after || url.charCodeAt(after) === 63) /* ? */) {
          serveInvoke(state, req, res, url, end, after);
          return;
        }
      }
      const scope = credentialScope(req);
      if (scope === 's3') {
        service = 's3';
        state.s3
          .handle(req, res, url)
          .then((operation) => count(state, `s3:${operation}`))
          .catch((error: unknown) => sendError('s3', res, error, req.method === 'HEAD'));
        return;
      }
      const target = req.headers['x-amz-target'];
      // Every JSON-protocol call names its operation in X-Amz-Target; only Logs is served that way.
      if (typeof target === 'string') service = 'logs';
      else if (url.startsWith('/_coldbench/')) service = 'coldbench';
      else if (LAMBDA_PATH.test(url)) service = 'lambda';
      else if (scope === 'sts' || url === '/' || url.startsWith('/?')) service = 'sts';
      const svc = service;
      readBody(req, MAX_CONTROL_BODY_BYTES)
        .then((body) => {
          if (body === null) throw new AwsError('RequestEntityTooLargeException', 413, `Request must be smaller than ${MAX_CONTROL_BODY_BYTES} bytes.`);
          return dispatch(state, svc, req, res, url, body);
        })
        .catch((error: unknown) => sendError(svc, res, error));
    } catch (error) {
      sendError(service, res, error);
    }
  };
}

function serveInvoke(state: ApiState, req: IncomingMessage, res: ServerResponse, url: string, end: number, after: number): void {
  count(state, 'lambda:Invoke');
  const rawName = url.slice(INVOKE_PREFIX.length, end);
  const qualifier = url.length > after ? new URLSearchParams(url.slice(after + 1)).get('Qualifier') : null;
  const h = req.headers;
  const invocationType = h['x-amz-invocation-type'] as string | undefined;
  readBody(req, payloadLimitFor(invocationType))
    .then((payload) => {
      if (payload === null) throw tooLarge(invocationType);
      const name = decodeSegment(rawName);
      return handleInvoke(
        state.invoke,
        name,
        qualifier,
        { invocationType, logType: h['x-amz-log-type'] as string | undefined, clientContext: h['x-amz-client-context'] as string | undefined },
        payload,
        res,
      );
    })
    .catch((error: unknown) => sendError('lambda', res, error));
}

async function dispatch(state: ApiState, service: Service, req: IncomingMessage, res: ServerResponse, url: string, body: Buffer): Promise<void> {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const method = req.method ?? 'GET';
  if (service === 'coldbench') return serveInternal(state, method, pathname, res);
  if (service === 'logs') {
    const target = String(req.headers['x-amz-target']);
    if (!target.startsWith(LOGS_TARGET_PREFIX)) throw new AwsError('UnknownOperationException', 400, `X-Amz-Target ${target} names no service of the coldbench emulator.`);
    const operation = target.slice(LOGS_TARGET_PREFIX.length);
    count(state, `logs:${operation}`);
    const input = parseJson(body, 'SerializationException');
    const output = handleLogsOperation(state.logs, operation, input, state);
    send(res, 200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }, JSON.stringify(output));
    return;
  }
  if (service === 'sts') {
    const params = method === 'GET' ? query : new URLSearchParams(body.toString('utf8'));
    count(state, `sts:${params.get('Action') ?? 'unknown'}`);
    const { requestId, xml } = handleSts(params, state.accountId);
    send(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, xml);
    return;
  }
  const { route, params } = matchRoute(state.routes, method, pathname);
  count(state, `lambda:${route.operation}`);
  let parsed: Record<string, unknown> | undefined;
  const json = () => (parsed ??= parseJson(body, 'InvalidRequestContentException'));
  const result = await route.run({ params, query, json, body: (schema) => parseRequest(schema, json()) });
  const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
  if (result.body === undefined) return send(res, result.status, headers, '');
  headers['content-type'] = 'application/json';
  send(res, result.status, headers, JSON.stringify(result.body));
}

function serveInternal(state: ApiState, method: string, pathname: string, res: ServerResponse): void {
  if (method === 'GET' && pathname === '/_coldbench/status') {
    count(state, 'coldbench:status');
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(state.status()));
    return;
  }
  const code = /^\/_coldbench\/code\/([0-9a-f]{64})\.zip$/.exec(pathname);
  if (method === 'GET' && code) {
    count(state, 'coldbench:code');
    const file = path.join(state.code.root, `${code[1]}.zip`);
    const stream = createReadStream(file);
    stream.once('open', () => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      stream.pipe(res);
    });
    stream.once('error', () => sendError('coldbench', res, new AwsError('NoSuchKey', 404, 'The code package does not exist (the function or layer was deleted).')));
    return;
  }
  throw new AwsError('NotFound', 404, `${method} ${pathname}: the coldbench endpoints are GET /_coldbench/status and GET /_coldbench/code/<sha256>.zip.`);
}

function parseJson(body: Buffer, errorCode: string): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new AwsError(errorCode, 400, `Could not parse request body into json: ${(error as Error).message}`, {}, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AwsError(errorCode, 400, 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** The service named in a SigV4 Authorization header's credential scope (…/region/SERVICE/aws4_request). */
function credentialScope(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth) return undefined;
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1];
}

/** Reads a body up to `limit` bytes; past it, drains (so keep-alive survives) and resolves null. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(service: Service, res: ServerResponse, error: unknown, headOnly = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const aws =
    error instanceof AwsError
      ? error
      : new AwsError(
          service === 'lambda' ? 'ServiceException' : 'InternalFailure',
          500,
          `The coldbench emulator failed: ${(error as Error)?.message ?? String(error)}`,
          {},
          { cause: error },
        );
  const requestId = randomUUID();
  const shaped =
    service === 'logs' ? jsonErrorBody(aws) : service === 'sts' ? queryErrorBody(aws, requestId) : service === 's3' ? s3ErrorBody(aws, requestId) : lambdaErrorBody(aws);
  try {
    // HEAD responses carry no body: S3 clients read the status alone.
    send(res, aws.status, { ...shaped.headers, 'x-amzn-requestid': requestId }, headOnly ? '' : shaped.body);
  } catch {
    res.destroy();
  }
}
