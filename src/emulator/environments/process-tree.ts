import { performance } from 'node:perf_hooks';
import type { EnvCgroup } from './cgroups.ts';
import type { Launcher, ProcessRequest } from './launcher.ts';
import { processGroupMembers, StatusReader, toMB } from './memory.ts';

/** How often RSS is checked against the memory size when no memory cgroup enforces it. */
const RSS_POLL_MS = 50;
/** How often the list of the tree's processes is re-read (a runtime rarely starts children). */
const MEMBERS_REFRESH_MS = 1000;

export interface TreeHandlers {
  /** One line of the process's stdout/stderr */
  line(line: string): void;
  /** The process ended (after its output has been delivered); `oom` when the memory limit killed it */
  exit(code: number | null, signal: NodeJS.Signals | null, oom: boolean): void;
  /** The process could not be started at all */
  startError(err: Error): void;
}

/** One spawned runtime process (an environment spawns a second one when init is retried). */
interface Run {
  /** 0 until the launcher reports it */
  pid: number;
  killRequested: boolean;
}

/** An external extension's process: its own process group, in the tree's cgroups. */
interface Companion extends Run {
  exited: Promise<void>;
  /** Its exit is no longer reported (the tree was stopped on purpose) */
  silenced: boolean;
}

/** SIGKILL to a process group that may be gone already. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Output chunks → whole lines; `flush` hands over an unterminated last line once the process is done. */
function lineSplitter(line: (text: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) line(l);
    },
    flush() {
      if (partial) line(partial);
      partial = '';
    },
  };
}

/**
 * The process tree of one environment: its own process group (frozen, thawed and killed as one),
 * its cgroups, and the measurement of its memory.
 */
export class ProcessTree {
  private run: Run | null = null;
  private pgid = 0;
  private companions: Companion[] = [];
  private pids: number[] = [];
  private pidsReadAt = 0;
  private readonly status = new StatusReader();
  private frozen = false;
  /** Whether this tree holds the pool's CPU wake request (cpu-wake.ts) */
  private waking = false;
  private rssOom = false;
  private peakMB = 0;
  private rssTimer: NodeJS.Timeout | null = null;
  /** Resolves when the current (or last) process has exited */
  exited: Promise<void> = Promise.resolve();
  /** Resolves when the current process has been moved into its cgroups */
  joined: Promise<void> = Promise.resolve();

  constructor(
    private readonly cg: EnvCgroup,
    private readonly launcher: Launcher,
    private readonly memoryMB: number,
  ) {}

  get alive(): boolean {
    return this.run !== null;
  }

  /** Starts the runtime process; exactly one of the handlers' exit/startError follows. */
  start(req: ProcessRequest, handlers: TreeHandlers): void {
    this.rssOom = false;
    this.cg.setCpu(null);
    const run: Run = { pid: 0, killRequested: false };
    this.run = run;
    this.updateWake();
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    let resolveJoined!: () => void;
    this.joined = new Promise((r) => (resolveJoined = r));
    const { push, flush } = lineSplitter(handlers.line);
    this.launcher
      .start(req, {
        output: push,
        exit: (code, signal, outputDone) => {
          resolveExit();
          void outputDone.then(() => {
            flush();
            if (run !== this.run) return;
            this.run = null;
            this.updateWake();
            this.stopRssPolling();
            handlers.exit(code, signal, this.rssOom || this.cg.oomKilled());
          });
        },
      })
      .then(
        (pid) => {
          run.pid = pid;
          if (run.killRequested || this.run !== run) {
            killGroup(pid);
            resolveJoined();
            return;
          }
          this.pgid = pid;
          this.pids = [pid];
          void this.cg.add(pid).then(resolveJoined);
          this.startRssPolling();
        },
        (err: Error) => {
          resolveExit();
          resolveJoined();
          if (this.run === run) this.run = null;
          this.updateWake();
          handlers.startError(err);
        },
      );
  }

  /**
   * Starts an external extension beside the runtime: its own process group, the same cgroups, frozen,
   * thawed and killed with the tree, its memory counted in the tree's peak (as on Lambda, where
   * extensions share the environment's memory).
   */
  startCompanion(req: ProcessRequest, handlers: TreeHandlers): void {
    let resolveExit!: () => void;
    const companion: Companion = { pid: 0, killRequested: false, silenced: false, exited: new Promise((r) => (resolveExit = r)) };
    this.companions.push(companion);
    const { push, flush } = lineSplitter(handlers.line);
    this.launcher
      .start(req, {
        output: push,
        exit: (code, signal, outputDone) => {
          void outputDone.then(() => {
            flush();
            companion.pid = 0;
            resolveExit();
            if (!companion.silenced) handlers.exit(code, signal, this.cg.oomKilled());
          });
        },
      })
      .then(
        (pid) => {
          companion.pid = pid;
          if (companion.killRequested || companion.silenced) {
            killGroup(pid);
            return;
          }
          void this.cg.add(pid);
          this.pidsReadAt = 0;
        },
        (err: Error) => {
          resolveExit();
          if (!companion.silenced) handlers.startError(err);
        },
      );
  }

  /** Resolves when every extension process has exited. */
  companionsExited(): Promise<void> {
    return Promise.all(this.companions.map((c) => c.exited)).then(() => undefined);
  }

  /** Process groups to signal: the runtime's and each running extension's. */
  private groups(): number[] {
    const out = this.pgid && this.run ? [this.pgid] : [];
    for (const c of this.companions) if (c.pid) out.push(c.pid);
    return out;
  }

  /** The invoke phase's CPU share begins (at the first /next): init ran unthrottled. */
  initDone(): void {
    this.cg.setCpu(this.memoryMB);
    this.refreshMembers();
    this.sampleMemoryMB();
  }

  /** The tree's processes: its cgroup lists them; without one, a scan for its process group. */
  private refreshMembers(): void {
    const groups = this.groups();
    if (!this.pgid && groups.length === 0) return;
    const found = this.cg.pids() ?? groups.flatMap((g) => processGroupMembers(g));
    this.pids = found.length ? found : groups.length ? groups : [this.pgid];
    this.pidsReadAt = performance.now();
    this.status.retain(this.pids);
  }

  /** Peak RSS of the tree so far; remembered, because a tree that just died has no /proc left. */
  sampleMemoryMB(): number {
    if (performance.now() - this.pidsReadAt > MEMBERS_REFRESH_MS) this.refreshMembers();
    this.peakMB = Math.max(this.peakMB, toMB(this.status.sum(this.pids, 'VmHWM')));
    // A tree that died before any sample: the memory cgroup's own peak (it counts page cache too).
    if (this.peakMB === 0) this.peakMB = toMB(this.cg.peakBytes());
    return this.peakMB;
  }

  /** Without a memory cgroup, RSS is polled while the tree runs (frozen trees cannot grow). */
  startRssPolling(): void {
    if (this.cg.hasMemoryLimit || this.rssTimer || !this.run) return;
    const limit = this.memoryMB * 1024 * 1024;
    this.rssTimer = setInterval(() => {
      if (this.frozen) return;
      if (this.status.sum(this.pids, 'VmRSS') > limit) {
        this.rssOom = true;
        this.kill();
      }
    }, RSS_POLL_MS);
    this.rssTimer.unref();
  }

  stopRssPolling(): void {
    if (this.rssTimer) clearInterval(this.rssTimer);
    this.rssTimer = null;
  }

  freeze(): void {
    if (this.frozen || !this.run || !this.pgid) return;
    for (const group of this.groups()) {
      try {
        process.kill(-group, 'SIGSTOP');
        this.frozen = true;
      } catch {
        // already gone: the exit handler deals with it
      }
    }
    this.updateWake();
  }

  /** Holds the CPU wake request while the runtime runs (not frozen), so its throttled pauses are not slept through. */
  private updateWake(): void {
    const running = this.run !== null && !this.frozen;
    if (running === this.waking) return;
    this.waking = running;
    if (running) this.cg.wake.acquire();
    else this.cg.wake.release();
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    this.updateWake();
    for (const group of [this.pgid, ...this.companions.map((c) => c.pid)]) {
      if (!group) continue;
      try {
        process.kill(-group, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  }

  /** SIGKILL to the whole tree: its process groups (runtime and extensions) and everything in its cgroups. */
  kill(): void {
    this.killRuntime();
    for (const c of this.companions) {
      if (!c.pid) c.killRequested = true;
      else killGroup(c.pid);
    }
    this.cg.killAll();
  }

  /** SIGKILL to the runtime's process group only: extensions still get their SHUTDOWN event. */
  killRuntime(): void {
    if (this.run && !this.run.pid) this.run.killRequested = true;
    if (this.pgid) killGroup(this.pgid);
  }

  /** Kills every process without reporting the exits (init is about to be retried). */
  async stop(): Promise<void> {
    this.run = null;
    this.updateWake();
    for (const c of this.companions) c.silenced = true;
    this.kill();
    this.stopRssPolling();
    await Promise.all([this.exited, this.companionsExited()]);
    this.companions = [];
  }

  async remove(): Promise<void> {
    this.stopRssPolling();
    this.status.close();
    await this.cg.remove();
  }
}
