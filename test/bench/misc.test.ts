import { describe, expect, it } from 'vitest';
import { layerDescription, resourceName, runPrefix } from '../../src/bench/deploy.ts';
import { burstCap } from '../../src/bench/drive.ts';
import { TargetError } from '../../src/bench/errors.ts';
import { describePlan, estimateCost } from '../../src/bench/estimate.ts';
import type { Plan, Variant } from '../../src/bench/plan.ts';
import { createProgress } from '../../src/bench/progress.ts';
import { isRoleNotReady, isTransient, withRetry } from '../../src/bench/retry.ts';
import { openTarget, planInterpreters } from '../../src/bench/target.ts';

describe('resourceName', () => {
  it("makes variant names legal Lambda names (letters, digits, - and _) and keeps them within 64 characters", () => {
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
  it('retries transient errors with growing delays and rethrows the rest at once', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const value = await withRetry(
      async () => {
        attempts++;
        if (attempts < 4) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
        return 'ok';
      },
      { retries: 5, baseMs: 100, maxMs: 300, retryable: isTransient, sleep: async (ms) => void delays.push(ms) },
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
    await expect(withRetry(async () => Promise.reject(fatal), { retries: 5, baseMs: 1, maxMs: 1, retryable: isTransient, sleep: async () => {} })).rejects.toBe(fatal);
  });

  it('recognises role propagation and conflicts', () => {
    expect(isRoleNotReady(Object.assign(new Error('The role defined for the function cannot be assumed by Lambda.'), { name: 'InvalidParameterValueException' }))).toBe(true);
    expect(isRoleNotReady(Object.assign(new Error('Memory is wrong'), { name: 'InvalidParameterValueException' }))).toBe(false);
    expect(isTransient(Object.assign(new Error('An update is in progress'), { name: 'ResourceConflictException' }))).toBe(true);
  });
});

describe('estimateCost', () => {
  const v = (name: string, memoryMB: number, cold: number, warm: number): Variant => ({
    name, function: 'f', base: 'f', memoryMB, architecture: 'x86_64', runtime: 'python3.11', packaging: 'bundled', handler: 'app.h', cold, warm, timeoutS: 3, concurrency: 2, coldStrategy: 'burst', environment: {}, events: [],
  });
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
  it('rewrites one status line with done/planned, elapsed and ETA on a TTY', () => {
    let out = '';
    let now = 0;
    const p = createProgress({ write: (t) => void (out += t), isTTY: true, quiet: false, now: () => now });
    p.phase('measuring');
    now = 10_000;
    p.update('a@128', 5, 20);
    p.end();
    expect(out).toBe('measuring…\n\r\x1b[2Kmeasuring a@128  5/20 samples  0:10 elapsed · ETA 0:30\r\x1b[2K');
  });
  it('writes plain lines when not a TTY and nothing with --quiet', () => {
    let out = '';
    const p = createProgress({ write: (t) => void (out += t), isTTY: false, quiet: false, now: () => 0 });
    p.phase('measuring');
    p.update('a@128', 1, 2);
    p.update('a@128', 2, 2);
    expect(out).toBe('measuring…\nmeasuring a@128  1/2 samples  0:00 elapsed · ETA 0:00\nmeasuring a@128  2/2 samples  0:00 elapsed\n');
    let quiet = '';
    const q = createProgress({ write: (t) => void (quiet += t), isTTY: true, quiet: true });
    q.phase('x');
    q.update('a', 1, 2);
    q.line('y');
    expect(quiet).toBe('');
  });
});

describe('openTarget', () => {
  it('refuses anything but local, aws or a URL, naming the flag', async () => {
    await expect(openTarget('staging')).rejects.toThrow(new TargetError('--target staging: not a target; allowed: local (the embedded emulator), aws (a real account) or an endpoint URL such as http://127.0.0.1:4566'));
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
    const variants = [{ name: 'a@128', runtime: 'python3.11' }, { name: 'b@128', runtime: 'python3.12' }, { name: 'a@512', runtime: 'python3.11' }];
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
