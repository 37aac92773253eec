import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { RuntimeSdks, runtimesCacheDir } from '../../../src/emulator/environments/sdk.ts';
import { json, makeSpec, request, stageFixture, tempRoot, usePool, withPool } from './helpers.ts';

/** A first build runs pip (local index) and copies the SDK closure: minutes on a busy machine. */
const BUILD_TIMEOUT_MS = 5 * 60_000;

describe("The runtimes' AWS SDKs", () => {
  let pool: LocalEnvironmentPool;
  const { root } = usePool(
    { skipSdkBuild: false },
    async (p) => {
      pool = p;
      // Building happens in the background; the pool says so meanwhile.
      expect(['building', 'available', 'unavailable']).toContain(pool.sdkState.python.state);
      await pool.sdkReady();
    },
    BUILD_TIMEOUT_MS,
  );

  it('gives Python functions boto3 from the cached runtime folder, not from the host', async (ctx) => {
    const state = pool.sdkState.python;
    if (state.state !== 'available') ctx.skip(`boto3 could not be built here: ${'reason' in state ? state.reason : state.state}`);
    expect(pool.sdkAvailable.python).toBe(true);
    const spec = makeSpec({ runtime: 'python3.12', handler: 'sdk.handler', codeDir: stageFixture('python', root.dir) });
    const out = json((await pool.invoke(spec, request())).payload);
    expect(out.file.startsWith(`${runtimesCacheDir()}/python-boto3-`)).toBe(true);
    expect(out.boto3).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('gives Node functions @aws-sdk v3 clients from the cached runtime folder', async (ctx) => {
    const state = pool.sdkState.nodejs;
    if (state.state !== 'available') ctx.skip(`@aws-sdk could not be assembled here: ${'reason' in state ? state.reason : state.state}`);
    const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'sdk.handler', codeDir: stageFixture('node', root.dir) });
    const out = json((await pool.invoke(spec, request())).payload);
    expect(out.sts).toBe('function');
    expect(out.from.startsWith(`${runtimesCacheDir()}/nodejs-aws-sdk-`)).toBe(true);
  });

  it('reuses the cached folders: a second pool finds them ready at once', async () => {
    await withPool({ skipSdkBuild: false }, async (again) => {
      await again.sdkReady();
      expect(again.sdkState).toEqual(pool.sdkState);
    });
  });
});

describe('RuntimeSdks.missingNote', () => {
  const node = { path: process.execPath, version: process.version };

  it('says why a family has no SDK, for the function log', async () => {
    const sdks = new RuntimeSdks({ python: null, pythonProblem: 'python3 could not be run (spawn python3 ENOENT)', node }, false);
    await sdks.ready();
    expect(sdks.missingNote('python')).toBe("coldbench: boto3 (the python runtime's AWS SDK) is unavailable: python3 could not be run (spawn python3 ENOENT)");
    expect(sdks.available().python).toBe(false);
  });

  it('says nothing when the build was skipped on purpose', () => {
    const sdks = new RuntimeSdks({ python: null, node }, true);
    expect(sdks.missingNote('python')).toBeNull();
    expect(sdks.states().nodejs).toEqual({ state: 'skipped', reason: 'SDK build skipped by the caller' });
  });
});

describe('RuntimeSdks build lock', () => {
  it('waits while another live process holds the build lock, then builds once into the cache', async () => {
    const root = tempRoot();
    const node = { path: process.execPath, version: process.version };
    try {
      const first = new RuntimeSdks({ python: null, node }, false, root.dir, ['nodejs']);
      await first.ready();
      const built = first.states().nodejs;
      expect(built.state).toBe('available');
      const dir = (built as { dir: string }).dir;
      // Pretend a build is running elsewhere: the cached folder is gone and a live pid holds the lock.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(`${dir}.lock`);
      writeFileSync(join(`${dir}.lock`, 'owner'), `${process.pid} ${Date.now()}`);
      const second = new RuntimeSdks({ python: null, node }, false, root.dir, ['nodejs']);
      await new Promise((r) => setTimeout(r, 1500));
      expect(second.states().nodejs.state).toBe('building');
      // No build started: no temporary folder beside the lock.
      expect(readdirSync(root.dir)).toEqual([`${dir.slice(root.dir.length + 1)}.lock`]);
      expect(existsSync(dir)).toBe(false);
      rmSync(`${dir}.lock`, { recursive: true });
      await second.ready();
      expect(second.states().nodejs).toEqual(built);
      expect(readdirSync(root.dir).sort()).toEqual([dir.slice(root.dir.length + 1)]);
    } finally {
      root.remove();
    }
  }, 120_000);
});
