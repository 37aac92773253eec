import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerDescription, resourceName, runPrefix } from '../../src/bench/deploy.ts';
import type { Deployment } from '../../src/bench/deploy.ts';
import { type DriveContext, type VariantResult, bump, burstCap, recordOf, resultOf } from '../../src/bench/drive.ts';
import { runRounds } from '../../src/bench/rounds.ts';
import { TargetError } from '../../src/bench/errors.ts';
import { describePlan, estimateCost } from '../../src/bench/estimate.ts';
import type { Plan, Variant } from '../../src/bench/plan.ts';
import { createProgress } from '../../src/bench/progress.ts';
import { RunStore, type VariantRecord } from '../../src/bench/results.ts';
import { isRoleNotReady, isUpdateInProgress, withRetry } from '../../src/bench/retry.ts';
import { SDK_RETRY, openTarget, planInterpreters, urlTarget } from '../../src/bench/target.ts';

/** A bundled python3.11 handler app.h of function f at 128 MB, no samples, 3 s timeout, one at a time: `fields` say what differs. */
function variantOf(name: string, fields: Partial<Variant> = {}): Variant {
  return {
    name,
    function: 'f',
    base: 'f',
    memoryMB: 128,
    architecture: 'x86_64',
    runtime: 'python3.11',
    packaging: 'bundled',
    handler: 'app.h',
    cold: 0,
    warm: 0,
    timeoutS: 3,
    concurrency: 1,
    coldStrategy: 'burst',
    environment: {},
    events: [],
    ...fields,
  };
}

describe('resourceName', () => {
  it('makes variant names legal Lambda names (letters, digits, - and _) and keeps them within 64 characters', () => {
    expect(resourceName('20261128T162501Z-k3f9', 'deps@1024-layer')).toBe('coldbench-20261128T162501Z-k3f9-deps-1024-layer');
    expect(resourceName('20261128T162501Z-k3f9', 'hello@128-python3.12')).toBe('coldbench-20261128T162501Z-k3f9-hello-128-python3-12');
    const long = resourceName('20261128T162501Z-k3f9', 'a-very-long-variant-name-that-goes-on@10240-bundled-python3.12-arm64');
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^coldbench-20261128T162501Z-k3f9-a-very-long-variant[A-Za-z0-9-]*-[0-9a-f]{8}$/);
    expect(long).not.toBe(resourceName('20261128T162501Z-k3f9', 'a-very-long-variant-name-that-goes-on@10240-bundled-python3.12-x86_64'));
    expect(runPrefix('20261128T162501Z-k3f9')).toBe('coldbench-20261128T162501Z-k3f9');
    expect(layerDescription('r1')).toBe('coldbench:created-by=coldbench coldbench:run=r1');
  });
});

describe('burstCap', () => {
  it("is the variant's concurrency capped by the target's cores, at least 1", () => {
    expect(burstCap(10, 2)).toBe(2);
    expect(burstCap(3, Number.POSITIVE_INFINITY)).toBe(3);
    expect(burstCap(1, 8)).toBe(1);
  });
});

describe('withRetry', () => {
  it('retries an update in progress with growing delays and rethrows the rest at once', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const value = await withRetry(
      async () => {
        attempts++;
        if (attempts < 4) throw Object.assign(new Error('An update is in progress'), { name: 'ResourceConflictException' });
        return 'ok';
      },
      { retries: 5, baseMs: 100, maxMs: 300, retryable: isUpdateInProgress, sleep: async (ms) => void delays.push(ms) },
    );
    expect(value).toBe('ok');
    // Full jitter in the upper half of min(maxMs, baseMs · 2^attempt): 100, 200, then capped at 300.
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
    expect(delays[2]).toBeGreaterThanOrEqual(150);
    expect(delays[2]).toBeLessThanOrEqual(300);
    const fatal = Object.assign(new Error('nope'), { name: 'AccessDeniedException' });
    await expect(withRetry(async () => Promise.reject(fatal), { retries: 5, baseMs: 1, maxMs: 1, retryable: isUpdateInProgress, sleep: async () => {} })).rejects.toBe(fatal);
  });

  it('recognises role propagation and conflicts, and leaves throttling to the SDK', () => {
    expect(isRoleNotReady(Object.assign(new Error('The role defined for the function cannot be assumed by Lambda.'), { name: 'InvalidParameterValueException' }))).toBe(true);
    expect(isRoleNotReady(Object.assign(new Error('Memory is wrong'), { name: 'InvalidParameterValueException' }))).toBe(false);
    expect(isUpdateInProgress(Object.assign(new Error('An update is in progress'), { name: 'ResourceConflictException' }))).toBe(true);
    expect(isUpdateInProgress(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }))).toBe(false);
  });
});

describe('SDK_RETRY (the Lambda and S3 clients of every target)', () => {
  it('has the SDK retry a throttled call itself: a 429 TooManyRequestsException, then the answer', async () => {
    // A real client against an endpoint that throttles the first call: the SDK's retry middleware runs (a mocked client skips it).
    const requests: string[] = [];
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/_coldbench/')) return void res.writeHead(404).end();
      requests.push(`${req.method} ${req.url}`);
      if (requests.length === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
        return void res.end(JSON.stringify({ Type: 'User', message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ FunctionName: 'f', LastUpdateStatus: 'Successful' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = await urlTarget(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect(await target.lambda.config.maxAttempts()).toBe(SDK_RETRY.maxAttempts);
      expect(await target.s3.config.maxAttempts()).toBe(SDK_RETRY.maxAttempts);
      const variant = variantOf('f@128', { cold: 1, coldStrategy: 'config-bump' });
      await bump({ kind: 'url', lambda: target.lambda }, { variant, functionName: 'f', layerArn: null, environment: {}, bumps: 0, versions: [] });
      expect(requests).toEqual(['PUT /2015-03-31/functions/f/configuration', 'PUT /2015-03-31/functions/f/configuration']);
    } finally {
      server.close();
    }
  });
});

describe('estimateCost', () => {
  const v = (name: string, memoryMB: number, cold: number, warm: number) => variantOf(name, { memoryMB, cold, warm, concurrency: 2 });
  const plan: Plan = { variants: [v('a@1024', 1024, 10, 20)], order: ['a@1024'], seed: 1, coldStrategy: 'burst' };
  it('counts requests and GB-seconds at the assumed durations and at the timeout', () => {
    const e = estimateCost(plan, 'us-east-1');
    expect(e.invocations).toBe(30);
    // 30 requests · $0.2/1M + (10 · 1 s + 20 · 0.1 s) · 1 GB · $0.0000166667
    expect(e.typicalUsd).toBeCloseTo(30 * 0.2e-6 + 12 * 0.0000166667, 12);
    // every invoke to its 3 s timeout, plus the 10 s init limit when the variant has cold samples
    expect(e.worstUsd).toBeCloseTo(30 * 0.2e-6 + 30 * 13 * 0.0000166667, 12);
    expect(estimateCost(plan, 'eu-south-1').region).toBe('us-east-1');
  });
  it('describes the plan', () => {
    expect(describePlan(plan, estimateCost(plan, 'us-east-1'))).toBe(
      'Plan: 1 variant, 30 invocations\n  a@1024                            1024 MB  x86_64  cold  10  warm  20  (burst)\nEstimated cost: about $0.0002 (assuming 1000 ms per cold and 100 ms per warm invoke, us-east-1 prices, no free tier); at most $0.0065 if every invoke ran to its timeout.',
    );
  });
});

describe('createProgress', () => {
  /** A progress display writing into a string: `written()` is all it wrote so far. */
  const recording = (options: Omit<Parameters<typeof createProgress>[0], 'write'>) => {
    let out = '';
    const progress = createProgress({
      ...options,
      write: (t) => {
        out += t;
      },
    });
    return { progress, written: () => out };
  };

  it('rewrites one status line with done/planned, elapsed and ETA on a TTY', () => {
    let now = 0;
    const { progress: p, written } = recording({ isTTY: true, quiet: false, now: () => now });
    p.phase('measuring');
    now = 10_000;
    p.update('a@128', 5, 20);
    p.end();
    expect(written()).toBe('measuring…\n\r\x1b[2Kmeasuring a@128  5/20 samples  0:10 elapsed · ETA 0:30\r\x1b[2K');
  });
  it('writes plain lines when not a TTY and nothing with --quiet', () => {
    const { progress: p, written } = recording({ isTTY: false, quiet: false, now: () => 0 });
    p.phase('measuring');
    p.update('a@128', 1, 2);
    p.update('a@128', 2, 2);
    expect(written()).toBe('measuring…\nmeasuring a@128  1/2 samples  0:00 elapsed · ETA 0:00\nmeasuring a@128  2/2 samples  0:00 elapsed\n');
    const { progress: q, written: quiet } = recording({ isTTY: true, quiet: true });
    q.phase('x');
    q.update('a', 1, 2);
    q.line('y');
    expect(quiet()).toBe('');
  });
});

describe('openTarget', () => {
  it('refuses anything but local, aws or a URL, naming the flag', async () => {
    await expect(openTarget('staging')).rejects.toThrow(
      new TargetError('--target staging: not a target; allowed: local (the embedded emulator), aws (a real account) or an endpoint URL such as http://127.0.0.1:4566'),
    );
  });
  it('needs a region for aws', async () => {
    await expect(openTarget('aws', { env: {} })).rejects.toThrow('--target aws: no region; pass --region (e.g. --region us-east-1) or set AWS_REGION');
  });
});

describe('planInterpreters', () => {
  const py311 = { command: 'python3', path: '/usr/bin/python3.11', version: '3.11.7', exact: true };
  const py312 = { command: 'python3', path: '/usr/bin/python3.11', version: '3.11.7', exact: false };
  const status = { interpreters: { 'python3.11': py311, 'python3.12': py312, 'nodejs20.x': { command: 'node', path: '/usr/bin/node', version: '20.20.2', exact: true } } };

  it("records, for each runtime of the plan, the emulator's interpreter and the variants it ran", () => {
    const variants = [
      { name: 'a@128', runtime: 'python3.11' },
      { name: 'b@128', runtime: 'python3.12' },
      { name: 'a@512', runtime: 'python3.11' },
    ];
    expect(planInterpreters(status, variants)).toEqual({
      'python3.11': { ...py311, variants: ['a@128', 'a@512'] },
      'python3.12': { ...py312, variants: ['b@128'] },
    });
  });

  it('records nothing for an endpoint that does not say (LocalStack, an older emulator) or for AWS', () => {
    expect(planInterpreters({ cpu: { throttled: false, reason: 'x' } }, [{ name: 'a@128', runtime: 'python3.11' }])).toBeUndefined();
    expect(planInterpreters(null, [{ name: 'a@128', runtime: 'python3.11' }])).toBeUndefined();
  });
});

describe('recordOf / resultOf (variantResults in run.json)', () => {
  it('writes every state with the same four fields in the same order, and reads each back unchanged', () => {
    expect(JSON.stringify(recordOf({ state: 'pending' }))).toBe('{"state":"pending","errors":[],"forcedWarm":0,"proactiveInit":0}');
    expect(JSON.stringify(recordOf({ state: 'failed', errors: ['a@128: boom'], forcedWarm: 1, proactiveInit: 2 }))).toBe(
      '{"state":"failed","errors":["a@128: boom"],"forcedWarm":1,"proactiveInit":2}',
    );
    const records: VariantRecord[] = [
      { state: 'pending', errors: [], forcedWarm: 0, proactiveInit: 0 },
      { state: 'running', errors: [], forcedWarm: 2, proactiveInit: 1 },
      { state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 3 },
      { state: 'failed', errors: ['x', 'y'], forcedWarm: 1, proactiveInit: 0 },
      { state: 'skipped', errors: ['left out'], forcedWarm: 0, proactiveInit: 0 },
    ];
    for (const r of records) expect(JSON.stringify(recordOf(resultOf(r)))).toBe(JSON.stringify(r));
  });
});

describe('runRounds', () => {
  it('fails a variant whose start throws and goes on with the others, skips finished ones, and reports each turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-rounds-'));
    const store = new RunStore(dir, { runId: 'x' });
    try {
      // Nothing left to measure in b@128 (cold 0, warm 0): no Lambda call is made.
      const ctx = { store, signal: new AbortController().signal, coreCap: 1, random: () => 0.5 } as DriveContext;
      const variants = ['a@128', 'b@128', 'c@128'].map((name) => variantOf(name));
      const results: Record<string, VariantResult> = {
        'a@128': { state: 'pending' },
        'b@128': { state: 'running', forcedWarm: 1, proactiveInit: 0 },
        'c@128': { state: 'measured', forcedWarm: 0, proactiveInit: 0 },
      };
      const started: string[] = [];
      const released: string[] = [];
      const turns: string[] = [];
      await runRounds(ctx, {
        plan: { variants, order: ['a@128', 'b@128', 'c@128'], seed: 1 },
        results,
        oneAtATime: false,
        start: async (v) => {
          started.push(v.name);
          if (v.name === 'a@128') throw new Error('cannot deploy');
          return { variant: v, functionName: `fn-${v.name}`, layerArn: null, environment: {}, bumps: 0, versions: [] } satisfies Deployment;
        },
        release: async (dep) => void released.push(dep.functionName),
        onTurn: (name, result) => void turns.push(`${name}:${result.state}`),
      });
      expect(started).toEqual(['a@128', 'b@128']);
      expect(released).toEqual(['fn-b@128']);
      expect(turns).toEqual(['a@128:failed', 'b@128:measured']);
      expect(Object.fromEntries(Object.entries(results).map(([n, r]) => [n, recordOf(r)]))).toEqual({
        'a@128': { state: 'failed', errors: ['a@128: cannot deploy'], forcedWarm: 0, proactiveInit: 0 },
        'b@128': { state: 'measured', errors: [], forcedWarm: 1, proactiveInit: 0 },
        'c@128': { state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 },
      });
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
