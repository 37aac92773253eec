import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MB_PER_VCPU } from '../../../src/emulator/environments/cgroups.ts';
import type { LocalEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { json, makeSpec, request, stageFixture, usePool } from './helpers.ts';

function cpuCgroupWritable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) return 'no cgroup v1 cpu controller at /sys/fs/cgroup/cpu';
  if (process.getuid?.() !== 0) return 'not root: /sys/fs/cgroup/cpu is not writable';
  return null;
}

const unavailable = cpuCgroupWritable();

/** Why the PM QoS device cannot take a request here, or null. */
function wakeDeviceWritable(): string | null {
  try {
    closeSync(openSync('/dev/cpu_dma_latency', 'w'));
    return null;
  } catch (err) {
    return `/dev/cpu_dma_latency: ${(err as NodeJS.ErrnoException).code}`;
  }
}

const noWakeDevice = wakeDeviceWritable();

function procs(cgroupDir: string): number[] {
  return readFileSync(`${cgroupDir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** Which of `pids` listens on 127.0.0.1:`port` (the socket's inode in /proc/net/tcp, found among their descriptors). */
function listenerOf(port: number, pids: number[]): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const row = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === `0100007F:${hexPort}` && f[3] === '0A');
  if (!row) return null;
  const socket = `socket:[${row[9]}]`;
  return pids.find((pid) => readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkOrNull(`/proc/${pid}/fd/${fd}`) === socket)) ?? null;
}

function readlinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('CPU and memory limits through cgroups', () => {
  let pool: LocalEnvironmentPool;
  let py: string;
  const { root } = usePool({}, (p) => {
    pool = p;
    py = stageFixture('python', root.dir);
  });

  it.skipIf(unavailable !== null)(`detects the writable cgroup v1 cpu controller${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    expect(pool.cpuMode.throttled).toBe(true);
    const wake =
      noWakeDevice === null
        ? 'CPUs kept out of deep idle while environments run (/dev/cpu_dma_latency = 0 µs)'
        : `/dev/cpu_dma_latency is not writable (${noWakeDevice.split(': ')[1]}): CPUs may sleep in throttled pauses, which costs extra CPU per pause (calibrate measures it)`;
    expect(pool.cpuMode.reason).toBe(
      `cgroup v1 cpu controller at /sys/fs/cgroup/cpu is writable: invoke phase gets 20 ms × memory / ${MB_PER_VCPU} of CPU per 20 ms; init runs unthrottled; ${wake}; the Runtime API's in-environment work is relayed inside each environment's CPU share, as Rapid's is on Lambda`,
    );
    expect(pool.memoryMode.cgroup).toBe(true);
  });

  it.skipIf(unavailable !== null)("runs init unthrottled and the invoke phase at Lambda's 20 ms period × memory / 1769, then removes the cgroups on shutdown", async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'cpu_quota.handler', codeDir: py, memoryMB: 512 });
    const seen = json((await pool.invoke(spec, request())).payload);
    const period = Number(readFileSync(`${seen.cpu}/cpu.cfs_period_us`, 'utf8'));
    expect(period).toBe(20_000);
    expect(seen.init).toBe(-1);
    expect(seen.invoke).toBe(5789); // round(20,000 µs × 512 / 1,769 = 5,788.6)
    expect(Number(readFileSync(`${seen.memory}/memory.limit_in_bytes`, 'utf8'))).toBe(512 * 1024 * 1024);
    await pool.retire(spec.functionName);
    expect(existsSync(seen.cpu)).toBe(false);
    expect(existsSync(seen.memory)).toBe(false);
  });

  it.skipIf(unavailable !== null || noWakeDevice !== null)(
    `keeps the CPUs' wake-up latency at 0 µs while a throttled invoke runs${noWakeDevice ? ` (skipped: ${noWakeDevice})` : ''}`,
    async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'cpu_quota.handler', codeDir: py, memoryMB: 128 });
      expect(json((await pool.invoke(spec, request())).payload).wakeLatencyUs).toBe(0);
    },
  );

  it.skipIf(unavailable !== null)("serves the runtime through a relay in the environment's cpu cgroup but not its memory cgroup, and stops it with the environment", async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'cpu_quota.handler', codeDir: py, memoryMB: 128 });
    const seen = json((await pool.invoke(spec, request())).payload);
    const relay = listenerOf(Number(seen.runtimeApi.split(':')[1]), procs(seen.cpu));
    expect(relay).not.toBeNull();
    expect(relay).not.toBe(seen.pid);
    expect(procs(seen.cpu).sort()).toEqual([seen.pid, relay].sort());
    expect(procs(seen.memory)).toEqual([seen.pid]);
    // A second invoke (warm) still goes through it.
    expect(json((await pool.invoke(spec, request())).payload).runtimeApi).toBe(seen.runtimeApi);
    await pool.retire(spec.functionName);
    // Killed with the environment; reaped by the spawner a moment later.
    for (let i = 0; i < 100 && alive(relay as number); i++) await new Promise((r) => setTimeout(r, 10));
    expect(alive(relay as number)).toBe(false);
  });

  it.skipIf(unavailable !== null)('gives 128 MB the smallest quota the kernel accepts above 1 ms (1,447 µs per 20 ms)', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'cpu_quota.handler', codeDir: py, memoryMB: 128 });
    const seen = json((await pool.invoke(spec, request())).payload);
    expect(seen.invoke).toBe(1447);
  });

  it.skipIf(unavailable !== null)('gives more than one CPU above 1,769 MB (10,240 MB → 5.79 CPUs of quota)', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'cpu_quota.handler', codeDir: py, memoryMB: 10240 });
    const seen = json((await pool.invoke(spec, request())).payload);
    const period = Number(readFileSync(`${seen.cpu}/cpu.cfs_period_us`, 'utf8'));
    expect(seen.invoke / period).toBeCloseTo(10240 / 1769, 3);
  });
});

describe('Without cgroups, spawning directly from the emulator process', () => {
  let pool: LocalEnvironmentPool;
  const { root } = usePool({ disableCgroups: true, directSpawn: true }, (p) => {
    pool = p;
  });

  it('reports CPU as not throttled, with the reason, and the direct launcher', () => {
    expect(pool.launcherKind).toBe('direct spawn from the emulator process');
    expect(pool.cpuMode).toEqual({ throttled: false, reason: 'cgroups disabled by the caller' });
    expect(pool.memoryMode).toEqual({ cgroup: false, reason: 'cgroups disabled by the caller; memory limit enforced by RSS polling' });
  });

  it('still enforces the memory size by RSS polling (Runtime.OutOfMemory)', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'oom.handler', codeDir: stageFixture('python', root.dir), memoryMB: 200, timeoutS: 30 });
    const out = await pool.invoke(spec, request());
    expect(out).toMatchObject({ status: 'error', errorType: 'Runtime.OutOfMemory', maxMemoryMB: 200 });
    expect(out.logText).toMatch(/\tStatus: error\tError Type: Runtime\.OutOfMemory\t\n$/);
  });

  it('measures Max Memory Used from the process group without a memory cgroup, cold then warm', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'logging_out.handler', codeDir: stageFixture('python', root.dir) });
    const cold = await pool.invoke(spec, request());
    const warm = await pool.invoke(spec, request());
    expect([cold.cold, warm.cold]).toEqual([true, false]);
    expect(cold.maxMemoryMB).toBeGreaterThan(5);
    expect(cold.maxMemoryMB).toBeLessThan(100);
    expect(warm.logText.split('\n').slice(1, 5).sort()).toEqual(['lines', 'to stderr', 'to stdout', 'two']);
  });

  it('reports a crash with its exit status', async () => {
    const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'crash.handler', codeDir: stageFixture('node', root.dir) });
    const out = await pool.invoke(spec, request());
    expect(out.errorType).toBe('Runtime.ExitError');
    expect(out.logText).toContain('Error: Runtime exited with error: exit status 3\n');
  });
});
