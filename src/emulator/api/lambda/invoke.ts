import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type EnvironmentPool, type FunctionSpec, type InvokeOutcome, TooManyEnvironmentsError } from '../../contract.ts';
import { AwsError, conflict } from '../errors.ts';
import type { FunctionRegistry, LambdaFunction } from './functions.ts';

/** Lambda's payload limits: synchronous requests (6 MB, 6,291,456 bytes, as AWS's message says) and Event requests (1 MB since 2025). */
const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;
const MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;
/** LogType=Tail returns the last 4 KB of the invoke's log. */
const TAIL_BYTES = 4096;
/** How long a throttled Event invoke waits before trying again (Lambda retries throttled async events for up to 6 h). */
const ASYNC_RETRY_MS = 50;
const EMPTY_EVENT = Buffer.from('{}');

export interface InvokeContext {
  functions: FunctionRegistry;
  pool: () => EnvironmentPool;
  /** Event invokes not yet finished, so shutdown can wait or drop them */
  asyncQueue: Set<Promise<unknown>>;
  stopped: () => boolean;
}

export interface InvokeHeaders {
  invocationType: string | undefined;
  logType: string | undefined;
  clientContext: string | undefined;
}

/** The largest payload Lambda accepts for an invocation type (Event is asynchronous and smaller). */
export function payloadLimitFor(invocationType: string | undefined): number {
  return invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
}

/** Lambda's 413 RequestEntityTooLargeException for a payload above the invocation type's limit. */
export function tooLarge(invocationType: string | undefined): AwsError {
  const limit = payloadLimitFor(invocationType);
  return new AwsError('RequestEntityTooLargeException', 413, `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
}

/** Invoke: validates, applies reserved concurrency, runs through the pool and writes Lambda's response headers. */
export async function handleInvoke(ctx: InvokeContext, rawName: string, qualifier: string | null, h: InvokeHeaders, payload: Buffer, res: ServerResponse): Promise<void> {
  const { fn, qualifier: q } = ctx.functions.find(rawName, qualifier, true);
  const type = h.invocationType ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
    throw new AwsError('InvalidParameterValueException', 400, `X-Amz-Invocation-Type: ${type} is not one of RequestResponse, Event, DryRun.`);
  }
  if (h.logType !== undefined && h.logType !== 'None' && h.logType !== 'Tail') {
    throw new AwsError('InvalidParameterValueException', 400, `X-Amz-Log-Type: ${h.logType} is not one of None, Tail.`);
  }
  // A DryRun runs nothing, so it draws no pick from a weighted alias.
  const { spec, version, revision } = ctx.functions.revisionFor(fn, q, type !== 'DryRun');
  if (version === '$LATEST' && fn.state !== 'Active') {
    throw conflict(`The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}`);
  }
  // A version published with CreateFunction's Publish runs once its code is extracted.
  await revision.ready.catch(() => {
    throw conflict('The operation cannot be performed at this time. The function is currently in the following state: Failed');
  });
  if (payload.length > payloadLimitFor(type)) throw tooLarge(type);
  if (payload.length === 0) payload = EMPTY_EVENT;
  else checkJson(payload);
  const requestId = randomUUID();
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': requestId });
    res.end();
    return;
  }
  if (type === 'Event') {
    res.writeHead(202, { 'x-amzn-requestid': requestId });
    res.end();
    runAsync(ctx, fn, spec, { requestId, payload, clientContext: h.clientContext });
    return;
  }
  checkConcurrency(ctx.pool(), fn);
  let outcome: InvokeOutcome;
  try {
    outcome = await ctx.pool().invoke(spec, { requestId, payload, clientContext: h.clientContext });
  } catch (error) {
    if (error instanceof TooManyEnvironmentsError) {
      throw new AwsError('TooManyRequestsException', 429, `Rate Exceeded. ${error.message}`, { fields: { Reason: 'ConcurrentInvocationLimitExceeded' } }, { cause: error });
    }
    throw error;
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': version,
  };
  if (outcome.functionError) headers['x-amz-function-error'] = outcome.functionError;
  if (h.logType === 'Tail') headers['x-amz-log-result'] = tail(outcome.logText);
  res.writeHead(200, headers);
  res.end(outcome.payload);
}

function checkConcurrency(pool: EnvironmentPool, fn: LambdaFunction): void {
  if (fn.reservedConcurrency !== undefined && pool.inFlight(fn.name) >= fn.reservedConcurrency) {
    throw new AwsError('TooManyRequestsException', 429, 'Rate Exceeded.', {
      fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
      headers: { 'retry-after': '1' },
    });
  }
}

/** Event invokes run in the background; throttled ones wait and try again, as Lambda's async queue does. */
function runAsync(ctx: InvokeContext, fn: LambdaFunction, spec: FunctionSpec, request: { requestId: string; payload: Buffer; clientContext?: string }): void {
  const attempt = (): Promise<unknown> => {
    if (ctx.stopped()) return Promise.resolve();
    const pool = ctx.pool();
    const throttled = fn.reservedConcurrency !== undefined && pool.inFlight(fn.name) >= fn.reservedConcurrency;
    const run = throttled ? Promise.reject(new TooManyEnvironmentsError('reserved concurrency')) : pool.invoke(spec, request);
    return run.catch((error: unknown) => {
      if (!(error instanceof TooManyEnvironmentsError) || ctx.stopped()) return;
      return new Promise((resolve) => setTimeout(resolve, ASYNC_RETRY_MS).unref()).then(attempt);
    });
  };
  const job = attempt().finally(() => ctx.asyncQueue.delete(job));
  ctx.asyncQueue.add(job);
}

/** Lambda rejects payloads that are not JSON before running anything. */
function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new AwsError(
      'InvalidRequestContentException',
      400,
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

function tail(logText: string): string {
  const bytes = Buffer.from(logText, 'utf8');
  return (bytes.length > TAIL_BYTES ? bytes.subarray(bytes.length - TAIL_BYTES) : bytes).toString('base64');
}
