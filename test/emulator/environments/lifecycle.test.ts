import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TooManyEnvironmentsError } from '../../../src/emulator/contract.ts';
import { createEnvironmentPool, type LocalEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { json, makeSpec, MemorySink, request, stageFixture, tempRoot, usePool, withPool } from './helpers.ts';

/** Process state letter from /proc/<pid>/stat ('T' = stopped), or null once the process is gone. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

async function waitFor(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const gone = (pid: number) => procState(pid) === null || procState(pid) === 'Z';

describe('EnvironmentPool lifecycle', () => {
  let pool: LocalEnvironmentPool;
  let pyDir: string;
  const sleepy = (extra: Parameters<typeof makeSpec>[0] extends infer T ? Partial<T> : never = {}) =>
    makeSpec({ runtime: 'python3.11', handler: 'sleepy.handler', codeDir: pyDir, ...extra });
  const { sink, root } = usePool({ maxEnvironments: 6 }, (p) => {
    pool = p;
    pyDir = stageFixture('python', root.dir);
  });

  it('forks environments from the spawner helper by default', () => {
    expect(pool.launcherKind).toBe('forked by the spawner helper (spawner.py)');
  });

  it('freezes an idle environment (SIGSTOP) once its next /next is pending, and thaws it for the next invoke', async () => {
    const spec = sleepy();
    const { pid } = json((await pool.invoke(spec, request())).payload);
    await waitFor(() => procState(pid) === 'T', `process ${pid} to be stopped`);
    const again = await pool.invoke(spec, request());
    expect(json(again.payload).pid).toBe(pid);
    expect(again.cold).toBe(false);
    await waitFor(() => procState(pid) === 'T', `process ${pid} to be stopped again`);
  });

  it('keeps module state between warm invokes of one environment', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'counter.handler', codeDir: pyDir });
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(json((await pool.invoke(spec, request())).payload));
    expect(counts).toEqual([1, 2, 3]);
  });

  it('starts one environment per concurrent invoke, each with its own log stream', async () => {
    const spec = sleepy();
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => pool.invoke(spec, request({ ms: 300 }))));
    const pids = new Set(outcomes.map((o) => json(o.payload).pid));
    expect(pids.size).toBe(4);
    expect(outcomes.every((o) => o.cold)).toBe(true);
    expect(sink.streamNames(spec.logGroupName)).toHaveLength(4);
    expect(pool.environmentCount(spec.functionName)).toBe(4);
    await pool.retire(spec.functionName);
  });

  it('counts running invokes per function in inFlight', async () => {
    const spec = sleepy();
    const running = [pool.invoke(spec, request({ ms: 200 })), pool.invoke(spec, request({ ms: 200 }))];
    expect(pool.inFlight(spec.functionName)).toBe(2);
    await Promise.all(running);
    expect(pool.inFlight(spec.functionName)).toBe(0);
    await pool.retire(spec.functionName);
  });

  it('rejects with TooManyEnvironmentsError when every environment is busy at maxEnvironments', async () => {
    const specs = [1, 2, 3, 4, 5, 6].map(() => sleepy());
    const busy = specs.map((s) => pool.invoke(s, request({ ms: 400 })));
    await expect(pool.invoke(sleepy(), request())).rejects.toBeInstanceOf(TooManyEnvironmentsError);
    await Promise.all(busy);
    // Idle environments of other functions are evicted to make room.
    const after = await pool.invoke(sleepy(), request());
    expect(after.status).toBe('success');
    expect(pool.environmentCount()).toBeLessThanOrEqual(6);
    for (const s of specs) await pool.retire(s.functionName);
  });

  it('retire() kills idle environments of the function and the next invoke is cold', async () => {
    const spec = sleepy();
    const { pid } = json((await pool.invoke(spec, request())).payload);
    await pool.retire(spec.functionName);
    expect(pool.environmentCount(spec.functionName)).toBe(0);
    await waitFor(() => gone(pid), `process ${pid} to exit`);
    const next = await pool.invoke(spec, request());
    expect(next.cold).toBe(true);
    expect(json(next.payload).pid).not.toBe(pid);
  });

  it('retire() lets a busy environment finish its invoke, then kills it', async () => {
    const spec = sleepy();
    const running = pool.invoke(spec, request({ ms: 300 }));
    await new Promise((r) => setTimeout(r, 150));
    await pool.retire(spec.functionName);
    const outcome = await running;
    expect(outcome.status).toBe('success');
    const { pid } = json(outcome.payload);
    await waitFor(() => gone(pid), `process ${pid} to exit after its invoke`);
    expect(pool.environmentCount(spec.functionName)).toBe(0);
  });

  it('retire(name, version) only retires that qualifier', async () => {
    const latest = sleepy();
    const v1 = { ...latest, version: '1', functionArn: `${latest.functionArn}:1` };
    const a = json((await pool.invoke(latest, request())).payload).pid;
    const b = json((await pool.invoke(v1, request())).payload).pid;
    expect(sink.streamNames(latest.logGroupName).some((s) => s.includes('/[1]'))).toBe(true);
    await pool.retire(latest.functionName, '1');
    await waitFor(() => gone(b), 'the version 1 environment to exit');
    expect(procState(a)).not.toBeNull();
    expect(json((await pool.invoke(latest, request())).payload).pid).toBe(a);
    await pool.retire(latest.functionName);
  });

  it('never reuses an environment for a spec with a new revisionId, and retires the old one', async () => {
    const spec = sleepy();
    const old = json((await pool.invoke(spec, request())).payload).pid;
    const updated = { ...spec, revisionId: `${spec.revisionId}-2` };
    const outcome = await pool.invoke(updated, request());
    expect(outcome.cold).toBe(true);
    expect(json(outcome.payload).pid).not.toBe(old);
    await waitFor(() => gone(old), 'the old revision to exit');
    const newCode = { ...updated, codeSha256: 'sha-2' };
    expect((await pool.invoke(newCode, request())).cold).toBe(true);
    await pool.retire(spec.functionName);
  });
});

describe('EnvironmentPool idle expiry', () => {
  it('kills environments idle for longer than idleTimeoutMs', async () => {
    await withPool({ idleTimeoutMs: 200 }, async (pool, _sink, root) => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'sleepy.handler', codeDir: stageFixture('python', root.dir) });
      const { pid } = json((await pool.invoke(spec, request())).payload);
      expect(pool.environmentCount()).toBe(1);
      await waitFor(() => pool.environmentCount() === 0 && gone(pid), 'the idle environment to expire');
      expect((await pool.invoke(spec, request())).cold).toBe(true);
    });
  });
});

describe('EnvironmentPool shutdown', () => {
  it('kills every process tree and refuses new invokes', async () => {
    const root = tempRoot();
    const pool = await createEnvironmentPool({ logSink: new MemorySink(), endpointUrl: 'http://127.0.0.1:9', skipSdkBuild: true });
    const spec = makeSpec({ runtime: 'python3.11', handler: 'sleepy.handler', codeDir: stageFixture('python', root.dir) });
    const idle = json((await pool.invoke(spec, request())).payload).pid;
    const busy = pool.invoke(spec, request({ ms: 2000 }));
    await new Promise((r) => setTimeout(r, 200));
    await pool.shutdown();
    const cut = await busy;
    expect(cut.errorType).toBe('Runtime.ExitError');
    expect(gone(idle)).toBe(true);
    await expect(pool.invoke(spec, request())).rejects.toThrow(/shut down/);
    root.remove();
  });
});
