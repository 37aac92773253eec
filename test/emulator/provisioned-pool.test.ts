import { describe, expect, it } from 'vitest';
import { json, makeSpec, request, stageFixture, usePool } from './environments/helpers.ts';

describe('EnvironmentPool.provision / unprovision', () => {
  let py = '';
  const { pool, root } = usePool({}, () => {
    py = stageFixture('python', root.dir);
  });

  it('initialises environments ahead; invokes of that version use them, warm and without Init Duration', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'counter.handler', codeDir: py, version: '1' });
    expect(await pool().provision(spec, 2)).toEqual({ ready: 2 });
    expect(pool().environmentCount(spec.functionName)).toBe(2);
    const [a, b] = await Promise.all([pool().invoke(spec, request()), pool().invoke(spec, request())]);
    for (const out of [a, b]) {
      expect(out).toMatchObject({ status: 'success', cold: false, initMs: null });
      expect(out.billedMs).toBe(Math.max(1, Math.ceil(out.durationMs)));
      expect(out.logText).not.toContain('Init Duration');
    }
    // No third environment was needed.
    expect(pool().environmentCount(spec.functionName)).toBe(2);
    await pool().unprovision(spec.functionName, '1');
    expect(pool().environmentCount(spec.functionName)).toBe(0);
  });

  it('replaces a provisioned environment whose runtime exited with a new one initialised ahead, as Lambda does', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'crash_if.handler', codeDir: py, version: '1' });
    expect(await pool().provision(spec, 1)).toEqual({ ready: 1 });
    expect(json((await pool().invoke(spec, request())).payload)).toBe(1);
    const crashed = await pool().invoke(spec, request({ crash: true }));
    expect(crashed).toMatchObject({ status: 'error', errorType: 'Runtime.ExitError', cold: false, initMs: null });
    await pool().replacementsSettled();
    expect(pool().environmentCount(spec.functionName)).toBe(1);
    // A new environment (its count starts again), already initialised: warm, no Init Duration.
    const next = await pool().invoke(spec, request());
    expect(next).toMatchObject({ status: 'success', cold: false, initMs: null });
    expect(json(next.payload)).toBe(1);
    expect(next.logText).not.toContain('Init Duration');
    // Deleting the configuration retires it for good: nothing takes its place.
    await pool().unprovision(spec.functionName, '1');
    await pool().replacementsSettled();
    expect(pool().environmentCount(spec.functionName)).toBe(0);
  });

  it('does not replace a provisioned environment whose init failed (no retry loop)', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'init_crash.handler', codeDir: py, version: '1' });
    expect((await pool().provision(spec, 1)).ready).toBe(0);
    await pool().replacementsSettled();
    expect(pool().environmentCount(spec.functionName)).toBe(0);
  });

  it('retires an environment whose configuration was deleted while it was still initialising', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'sleep_import.handler', codeDir: py, version: '1' });
    const provisioning = pool().provision(spec, 1);
    await pool().unprovision(spec.functionName, '1');
    expect(await provisioning).toEqual({ ready: 1 });
    // Destroyed as soon as its init ended, not left behind holding a slot that nothing would ever free.
    expect(pool().environmentCount(spec.functionName)).toBe(0);
    const out = await pool().invoke(spec, request());
    expect(out.cold).toBe(true);
    expect(json(out.payload)).toEqual({ slept: 0.3 });
  });
});
