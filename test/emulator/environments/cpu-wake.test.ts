import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuWakeHold } from '../../../src/emulator/environments/cpu-wake.ts';

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

  it('requests nothing when disabled, and gives the reason it was given', () => {
    const hold = CpuWakeHold.disabled('CPUs may sleep in throttled pauses (COLDBENCH_CPU_WAKE=off)');
    hold.acquire();
    expect([hold.enabled, hold.held, hold.reason]).toEqual([false, false, 'CPUs may sleep in throttled pauses (COLDBENCH_CPU_WAKE=off)']);
  });
});
