/**
 * Wire parity with real Lambda: replays responses AWS gave (recorded by LocalStack's snapshot tests, transcribed with
 * their source into scenarios.json; `<placeholders>` mark volatile values) with the JS SDK against the emulator and
 * compares the HTTP status, the error code, the set of response keys and every deterministic value.
 * Prints `parity N/M`; the pass count may only go up (PARITY_BASELINE). Remaining differences: docs/emulator-parity.md.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import * as sdk from '@aws-sdk/client-lambda';
import { LambdaClient, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { type Harness, startHarness, stopHarness, zipOf } from '../api/helpers.ts';

/** Scenarios that passed when this number was last raised; a change that lowers it is a regression. */
const PARITY_BASELINE = 71;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** Scenarios replayed at once (each has its own function names; ListFunctions gets its own emulator). */
const CONCURRENCY = 8;

interface Step {
  op: string;
  input: Record<string, unknown>;
  wait?: 'active' | 'updated';
}
interface Expect {
  status: number;
  output?: unknown;
  error?: string;
  message?: string;
  messageIncludes?: string[];
  bodyKeys?: string[] | null;
}
interface Scenario {
  name: string;
  source: { repo: string; path: string; key: string; entry: string };
  steps: Step[];
  call: Step;
  expect: Expect;
}

const scenarios: Scenario[] = JSON.parse(readFileSync(new URL('./scenarios.json', import.meta.url), 'utf8'));

const ECHO = 'def handler(event, context):\n    return event\n';
const FILES: Record<string, Uint8Array> = {
  $zip: zipOf({ 'handler.py': ECHO, 'index.py': ECHO }),
  $zip2: zipOf({ 'handler.py': `${ECHO}# changed\n`, 'index.py': ECHO }),
  $zipnone: zipOf({ 'handler.py': 'def handler(event, context):\n    return None\n' }),
  $zipsleep: zipOf({ 'handler.py': 'import time\n\ndef handler(event, context):\n    time.sleep(3)\n    return event\n' }),
  $notzip: new TextEncoder().encode('this is not a zip file'),
};

/** Replaces the tokens of a scenario's input: `$fn` (its function name), `$account`, `$region`, packages and payloads. */
function resolve(value: unknown, fn: string): unknown {
  if (typeof value === 'string') {
    if (value in FILES) return FILES[value];
    const payload = /^\$payload:(\d+)$/.exec(value);
    if (payload) return new TextEncoder().encode(`"${'x'.repeat(Number(payload[1]) - 2)}"`);
    return value.replace(/\$(fn|account|region)\b/g, (_, t: string) => (t === 'fn' ? fn : t === 'account' ? ACCOUNT : REGION));
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, fn)]));
  return value;
}

/** A request handler that keeps the raw body of the last response, so error bodies can be compared key by key. */
function recordingHandler(): { handler: NodeHttpHandler; last: () => { status: number; body: string } | undefined } {
  const inner = new NodeHttpHandler();
  let last: { status: number; body: string } | undefined;
  const handler = Object.create(inner) as NodeHttpHandler;
  handler.handle = async (request, options) => {
    const result = await inner.handle(request, options);
    const chunks: Buffer[] = [];
    for await (const chunk of result.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    last = { status: result.response.statusCode, body: body.toString('utf8') };
    result.response.body = Readable.from([body]);
    return result;
  };
  return { handler, last: () => last };
}

// biome-ignore lint/suspicious/noExplicitAny: commands are looked up by operation name from the scenario file.
const command = (step: Step, fn: string): any => new (sdk as any)[`${step.op}Command`](resolve(step.input, fn));

/** Whether an expected string holds a volatile value: a `<placeholder>` or a snapshot's fixed stand-in. */
const WILDCARDS = new Set(['date', 'code-sha256']);

function stringMatches(expected: string, actual: unknown): boolean {
  if (WILDCARDS.has(expected) || /^<[^>]+>$/.test(expected)) return actual !== undefined;
  if (typeof actual !== 'string') return false;
  const template = expected.replaceAll('111111111111', ACCOUNT);
  if (!template.includes('<')) return template === actual;
  // `<seconds>` is a measured time (Lambda prints the elapsed time of a timeout: 1.00, 1.02, …).
  const parts = template.split(/(<[^>]+>)/);
  const pattern = parts.map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : part === '<seconds>' ? '\\d+\\.\\d{2}' : '.+?')).join('');
  return new RegExp(`^${pattern}$`, 's').test(actual);
}

/** Compares a recorded value with the emulator's: same keys at every level, same deterministic values. */
function compare(expected: unknown, actual: unknown, path: string, diffs: string[]): void {
  if (typeof expected === 'string') {
    if (!stringMatches(expected, actual)) diffs.push(`${path}: expected ${JSON.stringify(expected).slice(0, 300)}, got ${JSON.stringify(actual)?.slice(0, 300)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      diffs.push(`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)?.slice(0, 200)}`);
      return;
    }
    for (const [i, e] of expected.entries()) compare(e, actual[i], `${path}[${i}]`, diffs);
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') {
      diffs.push(`${path}: expected an object, got ${JSON.stringify(actual)?.slice(0, 200)}`);
      return;
    }
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const key of Object.keys(a)) if (!(key in e)) diffs.push(`${path}.${key}: not in the recording (${JSON.stringify(a[key])?.slice(0, 120)})`);
    for (const key of Object.keys(e)) {
      if (!(key in a)) diffs.push(`${path}.${key}: missing (AWS: ${JSON.stringify(e[key])?.slice(0, 120)})`);
      else compare(e[key], a[key], `${path}.${key}`, diffs);
    }
    return;
  }
  if (expected !== actual) diffs.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** The SDK's Invoke Payload (bytes) in the snapshot's form: '' when empty, parsed JSON otherwise. */
function normaliseOutput(op: string, output: Record<string, unknown>, expected: unknown): Record<string, unknown> {
  const { $metadata: _, ...rest } = output;
  if (op === 'Invoke') {
    const text = rest.Payload ? new TextDecoder().decode(rest.Payload as Uint8Array) : '';
    const recorded = (expected as { Payload?: unknown }).Payload;
    rest.Payload = typeof recorded === 'string' || text === '' ? text : JSON.parse(text);
  }
  return rest;
}

async function replay(h: Harness, s: Scenario, fn: string): Promise<string[]> {
  const rec = recordingHandler();
  const client = new LambdaClient({
    endpoint: h.emulator.url,
    region: REGION,
    credentials: { accessKeyId: 'AKIDCOLDBENCHTEST', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
    requestHandler: rec.handler,
  });
  try {
    for (const step of s.steps) {
      await client.send(command(step, fn));
      const name = resolve(step.input.FunctionName, fn) as string;
      if (step.wait === 'active') await waitUntilFunctionActiveV2({ client, maxWaitTime: 30, minDelay: 0.2, maxDelay: 1 }, { FunctionName: name });
      if (step.wait === 'updated') await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 30, minDelay: 0.2, maxDelay: 1 }, { FunctionName: name });
    }
    const diffs: string[] = [];
    const want = s.expect;
    try {
      const output = await client.send(command(s.call, fn));
      if (want.error) diffs.push(`expected ${want.error}, got success`);
      if (output.$metadata.httpStatusCode !== want.status) diffs.push(`status: expected ${want.status}, got ${output.$metadata.httpStatusCode}`);
      compare(want.output ?? {}, normaliseOutput(s.call.op, output as unknown as Record<string, unknown>, want.output ?? {}), '', diffs);
    } catch (error) {
      const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (!want.error) {
        diffs.push(`expected success, got ${err.name}: ${String((error as Error).message).slice(0, 200)}`);
        return diffs;
      }
      const status = err.$metadata?.httpStatusCode ?? rec.last()?.status;
      if (status !== want.status) diffs.push(`status: expected ${want.status}, got ${status}`);
      if (err.name !== want.error) diffs.push(`error code: expected ${want.error}, got ${err.name}`);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rec.last()?.body ?? '{}');
      } catch {
        diffs.push(`error body is not JSON: ${rec.last()?.body.slice(0, 200)}`);
      }
      const message = (body.message ?? body.Message ?? (error as Error).message) as string;
      if (want.message !== undefined && !stringMatches(want.message, message))
        diffs.push(`message: expected ${JSON.stringify(want.message).slice(0, 300)}, got ${JSON.stringify(message).slice(0, 300)}`);
      for (const part of want.messageIncludes ?? [])
        if (!message.includes(part)) diffs.push(`message: expected to contain ${JSON.stringify(part)}, got ${JSON.stringify(message)}`);
      if (want.bodyKeys) {
        const keys = Object.keys(body).sort();
        if (keys.join(',') !== [...want.bodyKeys].sort().join(',')) diffs.push(`error body keys: expected {${[...want.bodyKeys].sort().join(', ')}}, got {${keys.join(', ')}}`);
      }
    }
    return diffs;
  } finally {
    client.destroy();
  }
}

describe('wire parity with recorded Lambda responses', () => {
  it(`replays ${scenarios.length} recorded scenarios; passes do not fall below the baseline`, { timeout: 120_000 }, async () => {
    const shared = await startHarness();
    const results: { name: string; diffs: string[] }[] = [];
    try {
      let next = 0;
      const worker = async () => {
        while (next < scenarios.length) {
          const i = next++;
          const s = scenarios[i];
          const own = s.call.op === 'ListFunctions' ? await startHarness() : undefined;
          try {
            results[i] = { name: s.name, diffs: await replay(own ?? shared, s, `parity-${i}`) };
          } catch (error) {
            results[i] = { name: s.name, diffs: [`setup failed: ${String(error).slice(0, 300)}`] };
          } finally {
            await stopHarness(own);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      await stopHarness(shared);
    }
    const failed = results.filter((r) => r.diffs.length > 0);
    const passed = results.length - failed.length;
    const report = failed.map((r) => `  ✗ ${r.name}\n${r.diffs.map((d) => `      ${d}`).join('\n')}`).join('\n');
    console.log(`parity ${passed}/${results.length}${failed.length ? `\n${report}` : ''}`);
    expect(passed, `parity fell below ${PARITY_BASELINE}; failing:\n${failed.map((r) => r.name).join('\n')}`).toBeGreaterThanOrEqual(PARITY_BASELINE);
  });
});
