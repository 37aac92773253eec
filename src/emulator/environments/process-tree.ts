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

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The process tree of one environment: its own process group (frozen, thawed and killed as one),
 * its cgroups, and the measurement of its memory.
 */
export class ProcessTree {
  private run: Run | null = null;
  private pgid = 0;
  private pids: number[] = [];
  private pidsReadAt = 0;
  private readonly status = new StatusReader();
  private frozen = false;
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
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    let resolveJoined!: () => void;
    this.joined = new Promise((r) => (resolveJoined = r));
    let partial = '';
    const push = (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) handlers.line(line);
    };
    this.launcher
      .start(req, {
        output: push,
        exit: (code, signal, outputDone) => {
          resolveExit();
          void outputDone.then(() => {
            if (partial) handlers.line(partial);
            partial = '';
            if (run !== this.run) return;
            this.run = null;
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
          handlers.startError(err);
        },
      );
  }

  /** The invoke phase's CPU share begins (at the first /next): init ran unthrottled. */
  initDone(): void {
    this.cg.setCpu(this.memoryMB);
    this.refreshMembers();
    this.sampleMemoryMB();
  }

  /** The tree's processes: its cgroup lists them; without one, a scan for its process group. */
  private refreshMembers(): void {
    if (!this.pgid) return;
    const found = this.cg.pids() ?? processGroupMembers(this.pgid);
    this.pids = found.length ? found : [this.pgid];
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
    try {
      process.kill(-this.pgid, 'SIGSTOP');
      this.frozen = true;
    } catch {
      // already gone: the exit handler deals with it
    }
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    try {
      process.kill(-this.pgid, 'SIGCONT');
    } catch {
      // already gone
    }
  }

  /** SIGKILL to the whole tree: its process group and everything in its cgroups. */
  kill(): void {
    if (this.run && !this.run.pid) this.run.killRequested = true;
    if (this.pgid) killGroup(this.pgid);
    this.cg.killAll();
  }

  /** Kills the current process without reporting its exit (init is about to be retried). */
  async stop(): Promise<void> {
    this.run = null;
    this.kill();
    this.stopRssPolling();
    await this.exited;
  }

  async remove(): Promise<void> {
    this.stopRssPolling();
    this.status.close();
    await this.cg.remove();
  }
}
