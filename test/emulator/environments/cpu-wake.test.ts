import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvCgroup, setUpCgroups } from '../../../src/emulator/environments/cgroups.ts';
import { CpuWakeHold } from '../../../src/emulator/environments/cpu-wake.ts';
import { DirectLauncher } from '../../../src/emulator/environments/launcher.ts';
import { ProcessTree } from '../../../src/emulator/environments/process-tree.ts';

const dir = mkdtempSync(join(tmpdir(), 'coldbench-cpu-wake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many of this process's descriptors are open on `path` (Linux's /proc/self/fd). */
function openOn(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('CpuWakeHold', () => {
  it.skipIf(process.platform !== 'linux')('writes the 0 µs request as a binary int32 on the first acquire and keeps one descriptor until the last release', () => {
    const device = join(dir, 'latency');
    writeFileSync(device, 'xxxxxxxx');
    const hold = new CpuWakeHold(device);
    expect(hold.enabled).toBe(true);
    expect(openOn(device)).toBe(0);
    hold.acquire();
    hold.acquire();
    expect(readFileSync(device)).toEqual(Buffer.from([0, 0, 0, 0]));
    expect([hold.held, openOn(device)]).toEqual([true, 1]);
    hold.release();
    expect([hold.held, openOn(device)]).toEqual([true, 1]);
    hold.release();
    expect([hold.held, openOn(device)]).toEqual([false, 0]);
    hold.release();
    hold.acquire();
    expect([hold.held, openOn(device)]).toEqual([true, 1]);
    hold.close();
    expect([hold.held, openOn(device)]).toEqual([false, 0]);
  });

  it('says why when the device cannot be opened, and then requests nothing', () => {
    const hold = new CpuWakeHold(join(dir, 'no', 'such', 'device'));
    expect(hold.enabled).toBe(false);
    expect(hold.reason).toBe(
      `${join(dir, 'no', 'such', 'device')} is not writable (ENOENT): CPUs may sleep in throttled pauses, which costs extra CPU per pause (calibrate measures it)`,
    );
    hold.acquire();
    expect(hold.held).toBe(false);
  });

  it('requests nothing when disabled', () => {
    const hold = CpuWakeHold.disabled('CPUs may sleep in throttled pauses (COLDBENCH_CPU_WAKE=off)');
    hold.acquire();
    expect([hold.enabled, hold.held]).toEqual([false, false]);
  });
});

describe('ProcessTree › the CPU wake request', () => {
  /** A tree with no cgroups whose wake hold writes to a temp file, so the test sees exactly when it is held. */
  function treeWithHold(name: string): { tree: ProcessTree; hold: CpuWakeHold } {
    const device = join(dir, name);
    writeFileSync(device, '');
    const support = setUpCgroups(true);
    const hold = new CpuWakeHold(device);
    const cg = new EnvCgroup({ ...support, wake: hold }, 128);
    return { tree: new ProcessTree(cg, new DirectLauncher(), 128), hold };
  }

  it.skipIf(process.platform !== 'linux')('is held while the runtime runs, dropped while it is frozen and once it has exited', async () => {
    const { tree, hold } = treeWithHold('tree');
    const exited = new Promise<void>((resolve) => {
      tree.start({ command: 'sleep', args: ['30'], env: {}, cwd: dir }, { line: () => {}, exit: () => resolve(), startError: () => resolve() });
    });
    expect(hold.held).toBe(true);
    await tree.joined;
    tree.freeze();
    expect(hold.held).toBe(false);
    tree.thaw();
    expect(hold.held).toBe(true);
    tree.kill();
    await exited;
    expect(hold.held).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('is dropped when the tree is stopped for an init retry', async () => {
    const { tree, hold } = treeWithHold('stopped');
    tree.start({ command: 'sleep', args: ['30'], env: {}, cwd: dir }, { line: () => {}, exit: () => {}, startError: () => {} });
    await tree.joined;
    expect(hold.held).toBe(true);
    await tree.stop();
    expect(hold.held).toBe(false);
  });
});
