import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../../src/emulator/index.ts';

export const ROLE = 'arn:aws:iam::123456789012:role/coldbench-test';
const CREDENTIALS = { accessKeyId: 'AKIDCOLDBENCHTEST', secretAccessKey: 'not-a-secret' };

export interface Harness {
  emulator: RunningEmulator;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
}

/** A real emulator on a free loopback port with SDK clients pointed at it (retries off so each call is one request). */
export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  // SDK builds are the environments' concern and cost minutes of CPU on a cold cache; these tests do not need them.
  const emulator = await startEmulator({ poolTuning: { skipSdkBuild: true }, ...options });
  const common = { endpoint: emulator.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
  return { emulator, lambda: new LambdaClient(common), logs: new CloudWatchLogsClient(common) };
}

export async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  h.lambda.destroy();
  h.logs.destroy();
  await h.emulator.stop();
}

/**
 * One emulator for all the tests of a file: started before the first (then `setup` runs, e.g. to create the functions
 * they share) and stopped after the last. The harness returned is filled in by then; read it inside tests only.
 */
export function harnessPerFile(options: EmulatorOptions = {}, setup?: (h: Harness) => Promise<void>): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness(options));
    await setup?.(h);
  });
  afterAll(() => stopHarness(h.emulator ? h : undefined));
  return h;
}

/** Runs one test's body against its own emulator (fresh state, or other options) and stops it whatever happens. */
export async function withHarness(options: EmulatorOptions, run: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness(options);
  try {
    await run(h);
  } finally {
    await stopHarness(h);
  }
}

/**
 * Holds creates and updates in State Pending / LastUpdateStatus InProgress until released (EmulatorOptions.transitionGate),
 * so a test sees those states for as long as it needs, however slow the machine. Starts held.
 */
export function heldTransitions(): { transitionGate: () => Promise<void>; hold: () => void; release: () => void } {
  let release = () => {};
  let held = Promise.resolve();
  const hold = () => {
    held = new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  hold();
  return { transitionGate: () => held, hold, release: () => release() };
}

/** A real zip from a map of file name → text. */
export function zipOf(files: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, enc.encode(text)])));
}

export const PY_ECHO = 'def handler(event, context):\n    return event\n';

/** Creates a function and waits until it is Active, as a harness would. */
export async function createActive(h: Harness, name: string, extra: Partial<ConstructorParameters<typeof CreateFunctionCommand>[0]> = {}): Promise<void> {
  await h.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'python3.11',
      Handler: 'app.handler',
      Role: ROLE,
      Code: { ZipFile: zipOf({ 'app.py': PY_ECHO }) },
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client: h.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}

/** A JSON body of any shape, as the tests read it. */
// biome-ignore lint/suspicious/noExplicitAny: an arbitrary wire body; the tests index into it freely and compare the parts they care about.
type WireJson = any;

/** Raw HTTP to the emulator, for what the SDK would never send. */
export async function raw(
  h: Harness,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => WireJson }> {
  const res = await fetch(`${h.emulator.url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: typeof init.body === 'string' || init.body === undefined ? init.body : new Blob([new Uint8Array(init.body)]),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
