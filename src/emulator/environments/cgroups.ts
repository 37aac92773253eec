import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../../errors.ts';
import type { CpuMode } from '../contract.ts';
import { CpuWakeHold } from './cpu-wake.ts';
import { killGroup } from './process-tree.ts';

/** Lambda gives one full vCPU at 1,769 MB and CPU in proportion below and above it. */
export const MB_PER_VCPU = 1769;
/**
 * Lambda's CFS period: CPU time is handed out per 20 ms, so a 128 MB function gets 1.45 ms of CPU
 * per 20 ms, not 7.2 ms per 100 ms (the kernel's default). Evidence: lambda-perf's Node hello
 * cold Duration is 11.7 ms at 128 MB but 3.1 ms at 256 MB, a burst of 1.45–2.9 ms that only the
 * 20 ms period throttles at 128 MB and not at 256 MB; pwrdrvr/lambda-throttling measures its
 * pauses at 20 ms intervals. docs/cpu-model.md has the measurements.
 */
export const CPU_PERIOD_US = 20_000;
/** The kernel refuses CFS quotas below 1 ms. */
const MIN_QUOTA_US = 1000;
const CGROUP_ROOT = '/sys/fs/cgroup';

export interface MemoryMode {
  /** true: a cgroup v1 memory limit kills the tree (the kernel's OOM killer); false: RSS polling */
  cgroup: boolean;
  reason: string;
}

export interface CgroupSupport {
  cpuDir: string | null;
  memoryDir: string | null;
  cpuMode: CpuMode;
  memoryMode: MemoryMode;
  slots: CgroupSlots;
  /** Keeps the CPUs out of deep idle while throttled environments run (cpu-wake.ts) */
  wake: CpuWakeHold;
}

/** Cgroups made ahead of time off the event loop: a cgroupfs mkdir can take milliseconds under load. */
const SPARE_CGROUPS = 8;
/** How long an emptied cgroup may stay busy after its last task died. */
const RMDIR_RETRIES = 50;
const RMDIR_RETRY_MS = 10;

/** The kernel's weight of one ordinary process (cgroup v1 cpu.shares), and its ceiling. */
const DEFAULT_SHARES = 1024;
const MAX_SHARES = 262144;

interface Slot {
  cpu: string | null;
  memory: string | null;
}

/** Hands out per-environment cgroup pairs, keeping a few spares ready. */
export class CgroupSlots {
  private readonly spares: Slot[] = [];
  private seq = 0;
  private filling: Promise<void> | null = null;
  private closed = false;
  private shares = DEFAULT_SHARES;

  constructor(
    private readonly cpuDir: string | null,
    private readonly memoryDir: string | null,
  ) {
    this.refill();
  }

  get enabled(): boolean {
    return this.cpuDir !== null || this.memoryDir !== null;
  }

  take(): Slot {
    const slot = this.spares.shift() ?? this.makeSync();
    this.refill();
    return slot;
  }

  private next(): Slot {
    const name = `env-${this.seq++}`;
    return { cpu: this.cpuDir && join(this.cpuDir, name), memory: this.memoryDir && join(this.memoryDir, name) };
  }

  private makeSync(): Slot {
    const slot = this.next();
    for (const d of [slot.cpu, slot.memory]) if (d) mkdirSync(d);
    return slot;
  }

  private refill(): void {
    if (this.filling || this.closed || !this.enabled) return;
    this.filling = (async () => {
      while (this.spares.length < SPARE_CGROUPS && !this.closed) {
        const slot = this.next();
        await Promise.all([slot.cpu, slot.memory].filter((d): d is string => d !== null).map((d) => mkdir(d)));
        this.spares.push(slot);
      }
    })()
      .catch(() => undefined)
      .finally(() => (this.filling = null));
  }

  /**
   * The pool's cpu cgroup competes with every process outside it as if it were one process, so
   * its weight follows the number of environments (each weighs what a plain process weighs):
   * otherwise a busy host would give all environments together one process's share of the CPU.
   */
  setWeight(environments: number): void {
    if (!this.cpuDir || this.closed) return;
    const shares = Math.min(Math.max(environments, 1) * DEFAULT_SHARES, MAX_SHARES);
    if (shares === this.shares) return;
    this.shares = shares;
    writeFile(join(this.cpuDir, 'cpu.shares'), String(shares)).catch(() => undefined);
  }

  /** Waits for a refill in progress; the spares are removed with the pool's parent cgroups. */
  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
  }
}

async function removeDirAsync(dir: string): Promise<void> {
  for (let i = 0; i < RMDIR_RETRIES; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code !== 'EBUSY') return;
      await new Promise((r) => setTimeout(r, RMDIR_RETRY_MS));
    }
  }
}

/** This process's own cgroup path in a v1 hierarchy, so ours nest under it (and its limits). */
function ownCgroupPath(controller: string): string | null {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, path] = line.split(':');
      if (controllers?.split(',').includes(controller)) return path ?? '/';
    }
  } catch {
    // not Linux
  }
  return null;
}

function tryCreate(controller: string, probeFile: string, poolName: string): { dir: string | null; reason: string } {
  const own = ownCgroupPath(controller);
  const mount = join(CGROUP_ROOT, controller);
  if (own === null || !existsSync(join(mount, probeFile))) {
    return { dir: null, reason: `no cgroup v1 ${controller} controller at ${mount} (cgroup v2-only hosts are not supported)` };
  }
  const parent = join(mount, own);
  sweepStale(parent);
  const dir = join(parent, poolName);
  try {
    mkdirSync(dir);
    return { dir, reason: `cgroup v1 ${controller} controller at ${mount} is writable` };
  } catch (err) {
    return { dir: null, reason: `cgroup v1 ${controller} controller at ${parent} is not writable (${messageOf(err)}); run as root or delegate it` };
  }
}

/** Removes cgroups left by emulator processes that died without cleaning up (SIGKILL). */
function sweepStale(parent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /^coldbench-(\d+)-\d+$/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const dir = join(parent, name);
    for (const child of safeReaddir(dir)) {
      if (!child.startsWith('env-')) continue;
      killAll(join(dir, child));
      removeDir(join(dir, child));
    }
    removeDir(dir);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killAll(dir: string, except = 0): void {
  for (const pid of readPids(dir)) {
    if (pid === except) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** rmdir retried briefly: killed tasks leave the cgroup a moment after the signal. */
function removeDir(dir: string): boolean {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
  return false;
}

let poolSeq = 0;

/** Why an unthrottled pool makes no wake-up latency request. */
const UNTHROTTLED_WAKE = 'unthrottled, so no pauses to sleep in';

/** Detects writable cgroup v1 cpu and memory controllers and creates this pool's parent cgroups. */
export function setUpCgroups(disable = false, env: NodeJS.ProcessEnv = process.env): CgroupSupport {
  // COLDBENCH_CGROUPS=off: run as on a host without them (macOS, cgroup v2 only), e.g. to see what such a host measures.
  const envOff = env.COLDBENCH_CGROUPS === 'off';
  if (disable || envOff || process.platform !== 'linux') {
    const reason = disable ? 'cgroups disabled by the caller' : envOff ? 'cgroups off (COLDBENCH_CGROUPS=off)' : `cgroups need Linux (this is ${process.platform})`;
    return {
      cpuDir: null,
      memoryDir: null,
      slots: new CgroupSlots(null, null),
      wake: CpuWakeHold.disabled(UNTHROTTLED_WAKE),
      cpuMode: { throttled: false, reason },
      memoryMode: { cgroup: false, reason: `${reason}; memory limit enforced by RSS polling` },
    };
  }
  const name = `coldbench-${process.pid}-${poolSeq++}`;
  const cpu = tryCreate('cpu', 'cpu.cfs_quota_us', name);
  const memory = tryCreate('memory', 'memory.limit_in_bytes', name);
  const wake = !cpu.dir
    ? CpuWakeHold.disabled(UNTHROTTLED_WAKE)
    : env.COLDBENCH_CPU_WAKE === 'off'
      ? CpuWakeHold.disabled('CPUs may sleep in throttled pauses (COLDBENCH_CPU_WAKE=off)')
      : new CpuWakeHold();
  return {
    cpuDir: cpu.dir,
    memoryDir: memory.dir,
    slots: new CgroupSlots(cpu.dir, memory.dir),
    wake,
    cpuMode: {
      throttled: cpu.dir !== null,
      reason: cpu.dir
        ? `${cpu.reason}: invoke phase gets ${CPU_PERIOD_US / 1000} ms × memory / ${MB_PER_VCPU} of CPU per ${CPU_PERIOD_US / 1000} ms; init runs unthrottled; ${wake.reason}`
        : cpu.reason,
    },
    memoryMode: memory.dir
      ? { cgroup: true, reason: `${memory.reason}: memory.limit_in_bytes = the function's memory` }
      : { cgroup: false, reason: `${memory.reason}; memory limit enforced by RSS polling` },
  };
}

/** Removes the pool's parent cgroups (after every environment's cgroup is gone). */
export function tearDownCgroups(support: CgroupSupport): void {
  support.wake.close();
  for (const dir of [support.cpuDir, support.memoryDir]) {
    if (!dir) continue;
    for (const child of safeReaddir(dir)) {
      if (child.startsWith('env-')) {
        killAll(join(dir, child));
        removeDir(join(dir, child));
      }
    }
    removeDir(dir);
  }
}

/** One environment's cgroups: CPU quota and memory limit of its process tree. */
export class EnvCgroup {
  private readonly cpu: string | null;
  private readonly memory: string | null;
  /** The pool's hold, taken by this environment while its processes run */
  readonly wake: CpuWakeHold;
  /** The Runtime API relay's process group in the cpu cgroup (0: none or ended), not part of the process tree */
  private relayPid = 0;

  constructor(support: CgroupSupport, memoryMB: number) {
    this.wake = support.wake;
    const slot: Slot = support.slots.enabled ? support.slots.take() : { cpu: null, memory: null };
    this.cpu = slot.cpu;
    this.memory = slot.memory;
    if (this.memory) writeFileSync(join(this.memory, 'memory.limit_in_bytes'), String(memoryMB * 1024 * 1024));
    if (this.cpu) writeFileSync(join(this.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
  }

  get hasMemoryLimit(): boolean {
    return this.memory !== null;
  }

  /**
   * Puts a freshly spawned process in; its children inherit the cgroups. Off the event loop: a
   * cgroup v1 migration waits for an RCU grace period (~10–15 ms here when none happened
   * recently), which would otherwise stall every other invoke. The runtime starts meanwhile;
   * init is unthrottled anyway, and only its first few MB are charged outside the memory cgroup.
   */
  add(pid: number): Promise<void> {
    const moves = [this.cpu, this.memory].filter((d): d is string => d !== null).map((d) => writeFile(join(d, 'cgroup.procs'), String(pid)));
    return Promise.all(moves).then(
      () => undefined,
      () => undefined, // exited already: the exit handler reports it
    );
  }

  /**
   * Puts the environment's Runtime API relay (spawner.py) into the cpu cgroup only: its CPU counts
   * against the function's share, as Rapid's does on Lambda, but its memory is not the function's
   * and a kill of the tree (an init retry keeps the environment's Runtime API) leaves it running.
   */
  addRelay(pid: number): Promise<boolean> {
    this.relayPid = pid;
    if (!this.cpu) return Promise.resolve(false);
    return writeFile(join(this.cpu, 'cgroup.procs'), String(pid)).then(
      () => true,
      () => false,
    );
  }

  /** The relay ended: its pid may be reused from now on, so it is never signalled or left out again. */
  relayEnded(): void {
    this.relayPid = 0;
  }

  /** Ends the relay with the environment (after its tree, so the runtime never sees it go first). */
  killRelay(): void {
    if (this.relayPid) killGroup(this.relayPid);
    this.relayPid = 0;
  }

  /** null = unthrottled (init); a size = the invoke phase's share of one CPU per 1,769 MB. */
  setCpu(memoryMB: number | null): void {
    if (!this.cpu) return;
    let quota = -1;
    if (memoryMB !== null) quota = Math.max(MIN_QUOTA_US, Math.round((CPU_PERIOD_US * memoryMB) / MB_PER_VCPU));
    writeFileSync(join(this.cpu, 'cpu.cfs_quota_us'), String(quota));
  }

  /** Processes of the tree (with the memory cgroup; else null and the caller uses the process group). */
  pids(): number[] | null {
    const dir = this.memory ?? this.cpu;
    return dir ? readPids(dir).filter((pid) => pid !== this.relayPid) : null;
  }

  /** The memory cgroup's peak usage (0 without one). */
  peakBytes(): number {
    if (!this.memory) return 0;
    try {
      return Number(readFileSync(join(this.memory, 'memory.max_usage_in_bytes'), 'utf8'));
    } catch {
      return 0;
    }
  }

  /** Whether the kernel's OOM killer fired in this cgroup. */
  oomKilled(): boolean {
    if (!this.memory) return false;
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(join(this.memory, 'memory.oom_control'), 'utf8'));
      if (m) return Number(m[1]) > 0;
      return Number(readFileSync(join(this.memory, 'memory.failcnt'), 'utf8')) > 0;
    } catch {
      return false;
    }
  }

  killAll(): void {
    if (this.memory) killAll(this.memory);
    if (this.cpu) killAll(this.cpu, this.relayPid);
  }

  /** Off the event loop: removing a memory cgroup can take milliseconds. */
  async remove(): Promise<void> {
    await Promise.all([this.cpu, this.memory].filter((d): d is string => d !== null).map(removeDirAsync));
  }
}
