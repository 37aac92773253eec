import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { FunctionSpec, InvokeRequest, LogEvent, LogSink, PoolOptions } from '../../../src/emulator/contract.ts';
import { createEnvironmentPool, type LocalEnvironmentPool, type PoolTuning } from '../../../src/emulator/environments/index.ts';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/functions/emulator/', import.meta.url));

/** An in-memory log store, as the API layer's CloudWatch Logs store would be. */
export class MemorySink implements LogSink {
  readonly streams = new Map<string, LogEvent[]>();

  createStream(group: string, stream: string): void {
    if (!this.streams.has(`${group}|${stream}`)) this.streams.set(`${group}|${stream}`, []);
  }

  append(group: string, stream: string, events: LogEvent[]): void {
    const key = `${group}|${stream}`;
    if (!this.streams.has(key)) throw new Error(`append to a stream that was never created: ${key}`);
    this.streams.get(key)!.push(...events);
  }

  messages(group?: string): string[] {
    const out: string[] = [];
    for (const [key, events] of this.streams) if (!group || key.startsWith(`${group}|`)) out.push(...events.map((e) => e.message));
    return out;
  }

  streamNames(group: string): string[] {
    return [...this.streams.keys()].filter((k) => k.startsWith(`${group}|`)).map((k) => k.slice(group.length + 1));
  }
}

/** Copies a fixture folder outside the checkout, as the API layer extracts a package. */
export function stageFixture(name: string, into: string): string {
  const dir = join(into, `${name}-${randomUUID().slice(0, 8)}`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export interface TempRoot {
  dir: string;
  remove(): void;
}

export function tempRoot(): TempRoot {
  const dir = mkdtempSync(join(tmpdir(), 'coldbench-envtest-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What every pool in these tests shares: a MemorySink, no one listening at the endpoint, no SDK build. */
type TestPoolOptions = Partial<Omit<PoolOptions, 'logSink'>> & PoolTuning;

function openPool(sink: MemorySink, options: TestPoolOptions): Promise<LocalEnvironmentPool> {
  return createEnvironmentPool({ logSink: sink, endpointUrl: 'http://127.0.0.1:9', skipSdkBuild: true, ...options });
}

/**
 * A pool and a temp folder for the enclosing describe block: made in beforeAll (then `ready` runs with the pool),
 * shut down and removed in afterAll. `pool()` is the pool inside tests.
 */
export function usePool(
  options: TestPoolOptions = {},
  ready?: (pool: LocalEnvironmentPool) => void | Promise<void>,
  timeoutMs?: number,
): { sink: MemorySink; root: TempRoot; pool: () => LocalEnvironmentPool } {
  const sink = new MemorySink();
  const root = tempRoot();
  let pool: LocalEnvironmentPool | undefined;
  beforeAll(async () => {
    pool = await openPool(sink, options);
    await ready?.(pool);
  }, timeoutMs);
  afterAll(async () => {
    await pool?.shutdown();
    root.remove();
  });
  return {
    sink,
    root,
    pool: () => {
      if (!pool) throw new Error('usePool: the pool is made in beforeAll; read it inside a test');
      return pool;
    },
  };
}

/** Runs one test's body against its own pool and temp folder, and shuts both down whatever happens. */
export async function withPool(options: TestPoolOptions, run: (pool: LocalEnvironmentPool, sink: MemorySink, root: TempRoot) => Promise<void>): Promise<void> {
  const sink = new MemorySink();
  const root = tempRoot();
  const pool = await openPool(sink, options);
  try {
    await run(pool, sink, root);
  } finally {
    await pool.shutdown();
    root.remove();
  }
}

/** Writes files (path → content) under a new folder, for layers whose node_modules git ignores. */
export function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

let revision = 0;

export function makeSpec(overrides: Partial<FunctionSpec> & Pick<FunctionSpec, 'runtime' | 'handler' | 'codeDir'>): FunctionSpec {
  const functionName = overrides.functionName ?? `fn-${++revision}`;
  return {
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    version: '$LATEST',
    memoryMB: 512,
    timeoutS: 3,
    environment: {},
    layerDirs: [],
    logFormat: 'Text',
    architecture: 'x86_64',
    logGroupName: `/aws/lambda/${functionName}`,
    region: 'us-east-1',
    accountId: '000000000000',
    revisionId: `rev-${revision}`,
    codeSha256: 'sha-1',
    ...overrides,
  };
}

export function request(payload: unknown = {}, clientContext?: string): InvokeRequest {
  return { requestId: randomUUID(), payload: Buffer.from(JSON.stringify(payload)), clientContext };
}

// biome-ignore lint/suspicious/noExplicitAny: an arbitrary payload the test function returned; the tests index into it freely.
export function json(buf: Buffer): any {
  return JSON.parse(buf.toString('utf8'));
}
