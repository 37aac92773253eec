import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FunctionSpec, InvokeOutcome, InvokeRequest, LogEvent, LogSink } from '../contract.ts';
import { EnvCgroup, type CgroupSupport } from './cgroups.ts';
import { applyExecWrapper } from './exec-wrapper.ts';
import { buildLaunch, runtimeFamily, runtimeVersionOf, type Interpreters } from './launch.ts';
import type { Launcher } from './launcher.ts';
import { currentRssBytes, peakRssBytes, processGroupMembers, toMB } from './memory.ts';
import { billedDuration, exitHow, exitMessage, logStreamName, PlatformLog, timeoutMessage } from './platform-log.ts';
import { createRuntimeApiServer, MAX_RESPONSE_BYTES, reply, type RuntimeApiHandler } from './runtime-api.ts';

/** How often RSS is checked against the memory size when no memory cgroup enforces it. */
const RSS_POLL_MS = 50;

export interface EnvironmentDeps {
  sink: LogSink;
  endpointUrl: string;
  interpreters: Interpreters;
  cgroups: CgroupSupport;
  tmpRoot: string;
  initTimeoutMs: number;
  launcher: Launcher;
  sdkDir(family: 'python' | 'nodejs'): string | null;
  onDeath(env: Environment): void;
}

interface Invocation {
  request: InvokeRequest;
  resolve(outcome: InvokeOutcome): void;
  log: string[];
  logging: boolean;
  handed: boolean;
  done: boolean;
  /** performance.now() when the event was handed over (or when a suppressed init began) */
  handedAt: number;
  initMs: number | null;
  timer?: NodeJS.Timeout;
}

type InitResult =
  | { ok: true; ms: number }
  | { ok: false; ms: number; status: 'error' | 'timeout'; errorType?: string; body: Buffer };

interface Ending {
  status: InvokeOutcome['status'];
  payload: Buffer;
  errorType?: string;
  /** Shown in REPORT as Status/Error Type (platform failures, not errors a handler raised) */
  platformFailure?: boolean;
  /** A line written before END (timeout, runtime exit) */
  line?: string;
  oom?: boolean;
}

/** One spawned runtime process (an environment spawns a second one when init is retried). */
interface Run {
  /** 0 until the launcher reports it */
  pid: number;
  killRequested: boolean;
}

let nextId = 1;

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** One execution environment: a process tree, its Runtime API listener, its log stream. */
export class Environment implements RuntimeApiHandler {
  readonly id = nextId++;
  readonly streamName: string;
  readonly revision: string;
  busy = false;
  dead = false;
  retiring = false;
  lastUsed = Date.now();
  private started = false;
  private readonly log: PlatformLog;
  private readonly cg: EnvCgroup;
  private readonly tmpDir: string;
  private server: Server | null = null;
  private runtimeApi = '';
  private run: Run | null = null;
  private pgid = 0;
  private treePids: number[] = [];
  private frozen = false;
  private initialized = false;
  private initErrorPosted = false;
  private initWaiter: ((r: InitResult) => void) | null = null;
  private initStartedAt = 0;
  private pendingNext: ServerResponse | null = null;
  private current: Invocation | null = null;
  private lastRequestId = '';
  private buffer: LogEvent[] = [];
  private flushScheduled = false;
  private rssOom = false;
  private peakMB = 0;
  private rssTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly coldInvokes = new WeakSet<Invocation>();

  constructor(readonly spec: FunctionSpec, private readonly deps: EnvironmentDeps) {
    this.revision = revisionOf(spec);
    this.streamName = logStreamName(spec.version);
    const rv = runtimeVersionOf(spec.runtime, deps.interpreters);
    this.log = new PlatformLog(spec, rv.version, rv.arn(spec.region), randomBytes(16).toString('hex'));
    this.tmpDir = join(deps.tmpRoot, `env-${this.id}`);
    mkdirSync(this.tmpDir);
    this.cg = new EnvCgroup(deps.cgroups, spec.memoryMB);
    deps.sink.createStream(spec.logGroupName, this.streamName);
  }

  /** Idle: initialised, alive, not running an invoke (its next /next may still be on its way). */
  get idle(): boolean {
    return this.started && !this.busy && !this.dead && !this.retiring;
  }

  /** Runs one invoke; the first one initialises the environment. Never rejects. */
  invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const inv: Invocation = { request, resolve: () => {}, log: [], logging: false, handed: false, done: false, handedAt: 0, initMs: null };
    const result = new Promise<InvokeOutcome>((resolve) => (inv.resolve = resolve));
    if (!this.started) {
      this.started = true;
      this.coldStart(inv).catch((err) => this.finish(inv, this.internalFailure(err)));
    } else {
      this.current = inv;
      if (this.pendingNext) this.handOver();
    }
    return result;
  }

  private async coldStart(inv: Invocation): Promise<void> {
    this.coldInvokes.add(inv);
    await this.listen();
    this.emit(this.log.initStart());
    const first = await this.runInit(this.deps.initTimeoutMs, inv.request.requestId);
    if (first.ok) {
      inv.initMs = first.ms;
      this.current = inv;
      this.handOver();
      return;
    }
    // Lambda retries a failed init inside the first invoke ("phase: invoke"), with the function's timeout.
    this.emit(this.log.initReport({ phase: 'init', durationMs: first.ms, status: first.status, errorType: first.errorType }));
    this.flush();
    await this.stopProcess();
    const retryAt = performance.now();
    const retry = await this.runInit(this.spec.timeoutS * 1000, inv.request.requestId);
    if (retry.ok) {
      inv.handedAt = retryAt;
      this.current = inv;
      this.handOver();
      return;
    }
    this.emit(this.log.initReport({ phase: 'invoke', durationMs: retry.ms, status: retry.status, errorType: retry.errorType }));
    this.current = inv;
    inv.handedAt = retryAt;
    this.startLogging(inv);
    this.finish(inv, {
      status: retry.status,
      payload: retry.body,
      errorType: retry.errorType,
      platformFailure: true,
      line: retry.status === 'timeout' ? this.log.timedOut(inv.request.requestId, retry.ms) : undefined,
    });
    void this.destroy();
  }

  private listen(): Promise<void> {
    this.server = createRuntimeApiServer(this);
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => {
        this.runtimeApi = `127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  /** Spawns the runtime and waits for its first /next, an /init/error, its exit or the limit. */
  private runInit(limitMs: number, requestId: string): Promise<InitResult> {
    const family = runtimeFamily(this.spec.runtime);
    const built = buildLaunch(this.spec, {
      runtimeApi: this.runtimeApi,
      logStreamName: this.streamName,
      tmpDir: this.tmpDir,
      endpointUrl: this.deps.endpointUrl,
      interpreters: this.deps.interpreters,
      sdkDir: family === 'python' || family === 'nodejs' ? this.deps.sdkDir(family) : null,
    });
    // Lambda applies AWS_LAMBDA_EXEC_WRAPPER to managed runtimes only, not to provided.*.
    const launch = family === 'provided' ? built : applyExecWrapper(built, this.spec.layerDirs);
    if (!launch.ok) {
      this.emit(`${launch.errorType}: ${launch.message}\n`);
      return Promise.resolve({ ok: false, ms: 0, status: 'error', errorType: launch.errorType, body: jsonBuffer({ errorType: launch.errorType, errorMessage: launch.message }) });
    }
    this.initialized = false;
    this.initErrorPosted = false;
    this.rssOom = false;
    this.cg.setCpu(null);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.initWaiter = (r) => {
        this.initWaiter = null;
        clearTimeout(timer);
        resolve(r);
      };
      this.initStartedAt = performance.now();
      const run: Run = { pid: 0, killRequested: false };
      this.run = run;
      let resolveExit!: () => void;
      this.exited = new Promise((r) => (resolveExit = r));
      const lines = this.lineSplitter();
      const request = { command: launch.command, args: launch.args, env: launch.env, cwd: this.spec.codeDir };
      this.deps.launcher
        .start(request, {
          output: lines.push,
          exit: (code, signal, outputDone) => {
            resolveExit();
            void outputDone.then(() => {
              lines.end();
              this.onExit(run, code, signal, requestId);
            });
          },
        })
        .then(
          (pid) => {
            run.pid = pid;
            if (run.killRequested || this.run !== run) {
              killGroup(pid);
              return;
            }
            this.pgid = pid;
            this.treePids = [pid];
            void this.cg.add(pid);
            this.startRssPolling();
          },
          (err: Error) => {
            resolveExit();
            if (this.run === run) this.run = null;
            const message = `Couldn't start ${launch.command}: ${err.message}`;
            this.emit(`Runtime.InvalidEntrypoint: ${message}\n`);
            this.initWaiter?.({ ok: false, ms: performance.now() - this.initStartedAt, status: 'error', errorType: 'Runtime.InvalidEntrypoint', body: jsonBuffer({ errorType: 'Runtime.InvalidEntrypoint', errorMessage: message }) });
          },
        );
      timer = setTimeout(() => {
        const ms = performance.now() - this.initStartedAt;
        this.sampleMemoryMB();
        this.killTree();
        this.initWaiter?.({ ok: false, ms, status: 'timeout', body: jsonBuffer({ errorMessage: `${new Date().toISOString()} ${requestId} ${timeoutMessage(ms)}` }) });
      }, limitMs);
    });
  }

  /** Splits the merged stdout/stderr stream into lines, one log event each. */
  private lineSplitter(): { push(chunk: string): void; end(): void } {
    let partial = '';
    return {
      push: (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.emitOutput(line);
      },
      end: () => {
        if (partial) this.emitOutput(partial);
        partial = '';
      },
    };
  }

  private emitOutput(line: string): void {
    this.emit(this.spec.logFormat === 'JSON' ? line : `${line}\n`);
    if (!this.current) this.scheduleFlush();
  }

  private emit(message: string | null): void {
    if (message === null) return;
    this.buffer.push({ timestamp: Date.now(), message });
    if (this.current?.logging) this.current.log.push(message);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    this.deps.sink.append(this.spec.logGroupName, this.streamName, events);
  }

  private startLogging(inv: Invocation): void {
    inv.logging = true;
    this.emit(this.log.start(inv.request.requestId));
  }

  private handOver(): void {
    const inv = this.current;
    const res = this.pendingNext;
    if (!inv || !res || inv.handed) return;
    this.pendingNext = null;
    inv.handed = true;
    this.busyPolling();
    this.thaw();
    const timeoutMs = this.spec.timeoutS * 1000;
    const now = performance.now();
    if (!inv.handedAt) inv.handedAt = now;
    const remaining = Math.max(timeoutMs - (now - inv.handedAt), 0);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': inv.request.payload.length,
      'lambda-runtime-aws-request-id': inv.request.requestId,
      'lambda-runtime-deadline-ms': Date.now() + Math.round(remaining),
      'lambda-runtime-invoked-function-arn': this.spec.functionArn,
      'lambda-runtime-trace-id': traceId(),
    };
    if (inv.request.clientContext) {
      headers['lambda-runtime-client-context'] = Buffer.from(inv.request.clientContext, 'base64').toString('utf8');
    }
    this.startLogging(inv);
    res.writeHead(200, headers);
    res.end(inv.request.payload);
    inv.timer = setTimeout(() => this.onTimeout(inv), remaining);
  }

  private onTimeout(inv: Invocation): void {
    const elapsed = performance.now() - inv.handedAt;
    const text = `${new Date().toISOString()} ${inv.request.requestId} ${timeoutMessage(elapsed)}`;
    this.killTree();
    this.finish(inv, { status: 'timeout', payload: jsonBuffer({ errorMessage: text }), platformFailure: true, line: `${text}\n` });
    void this.destroy();
  }

  // Runtime API ---------------------------------------------------------------------------

  next(res: ServerResponse): void {
    if (this.dead) {
      res.destroy();
      return;
    }
    this.pendingNext = res;
    if (!this.initialized) {
      this.initialized = true;
      const ms = performance.now() - this.initStartedAt;
      this.cg.setCpu(this.spec.memoryMB);
      // The pgid scan is needed only without a memory cgroup (which lists the tree itself).
      if (!this.cg.hasMemoryLimit) this.treePids = processGroupMembers(this.pgid);
      this.sampleMemoryMB();
      // Let output written before this /next reach the log before START.
      setImmediate(() => this.initWaiter?.({ ok: true, ms }));
      return;
    }
    if (this.current && !this.current.handed) setImmediate(() => this.handOver());
    else if (!this.current) this.freeze();
  }

  response(requestId: string, body: Buffer | null, res: ServerResponse): void {
    const inv = this.current;
    if (!inv || !inv.handed || inv.done || inv.request.requestId !== requestId) {
      this.rejectId(requestId, res);
      return;
    }
    const durationMs = performance.now() - inv.handedAt;
    if (body === null) {
      reply(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
      const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`;
      setImmediate(() => this.finish(inv, { status: 'error', payload: jsonBuffer({ errorMessage, errorType: 'Function.ResponseSizeTooLarge' }), errorType: 'Function.ResponseSizeTooLarge', platformFailure: true }, durationMs));
      return;
    }
    reply(res, 202, { status: 'OK' });
    // Output the function wrote before answering is read in this same loop turn: END after it.
    setImmediate(() => this.finish(inv, { status: 'success', payload: body }, durationMs));
  }

  invocationError(requestId: string, body: Buffer, errorType: string | undefined, res: ServerResponse): void {
    const inv = this.current;
    if (!inv || !inv.handed || inv.done || inv.request.requestId !== requestId) {
      this.rejectId(requestId, res);
      return;
    }
    const durationMs = performance.now() - inv.handedAt;
    reply(res, 202, { status: 'OK' });
    const type = errorType ?? errorTypeOf(body) ?? 'Unhandled';
    setImmediate(() => this.finish(inv, { status: 'error', payload: body, errorType: type }, durationMs));
  }

  initError(body: Buffer, errorType: string | undefined, res: ServerResponse): void {
    if (this.initialized || !this.initWaiter) {
      reply(res, 403, { errorMessage: 'Init error reported after init had finished', errorType: 'InvalidStateTransition' });
      return;
    }
    reply(res, 202, { status: 'OK' });
    const ms = performance.now() - this.initStartedAt;
    this.sampleMemoryMB();
    const type = errorType ?? errorTypeOf(body) ?? 'Runtime.Unknown';
    // The runtime exits right after this; its exit must not be reported as Runtime.ExitError.
    this.initErrorPosted = true;
    setImmediate(() => this.initWaiter?.({ ok: false, ms, status: 'error', errorType: type, body }));
  }

  private rejectId(requestId: string, res: ServerResponse): void {
    if (requestId === this.lastRequestId) {
      reply(res, 403, { errorMessage: `Invocation ${requestId} has already been answered`, errorType: 'InvalidStateTransition' });
    } else {
      reply(res, 400, { errorMessage: `Invalid request ID: ${requestId}`, errorType: 'InvalidRequestID' });
    }
  }

  // Ending an invoke ------------------------------------------------------------------------

  private finish(inv: Invocation, end: Ending, measuredMs?: number): void {
    if (inv.done) return;
    inv.done = true;
    clearTimeout(inv.timer);
    this.idlePolling();
    if (!inv.logging) this.startLogging(inv);
    const durationMs = measuredMs ?? performance.now() - (inv.handedAt || performance.now());
    const oom = end.oom === true;
    const maxMemoryMB = oom ? this.spec.memoryMB : Math.min(this.sampleMemoryMB(), this.spec.memoryMB);
    const billedMs = billedDuration(durationMs, inv.initMs);
    if (end.line && this.spec.logFormat === 'Text') this.emit(end.line);
    this.emit(this.log.end(inv.request.requestId));
    this.emit(
      this.log.report({
        requestId: inv.request.requestId,
        durationMs,
        billedMs,
        memoryMB: this.spec.memoryMB,
        maxMemoryMB,
        initMs: inv.initMs,
        status: end.status,
        errorType: end.platformFailure ? end.errorType : undefined,
      }),
    );
    this.flush();
    this.lastRequestId = inv.request.requestId;
    if (this.current === inv) this.current = null;
    this.lastUsed = Date.now();
    const outcome: InvokeOutcome = {
      payload: end.payload,
      status: end.status,
      logText: inv.log.map((m) => (m.endsWith('\n') ? m : `${m}\n`)).join(''),
      cold: this.coldInvokes.has(inv),
      initMs: inv.initMs,
      durationMs,
      billedMs,
      maxMemoryMB,
    };
    if (end.status !== 'success') outcome.functionError = 'Unhandled';
    if (end.errorType) outcome.errorType = end.errorType;
    inv.resolve(outcome);
    if (!this.dead && this.pendingNext && !this.current) this.freeze();
  }

  private internalFailure(err: unknown): Ending {
    const message = `The local emulator could not start the environment: ${err instanceof Error ? err.message : String(err)}`;
    void this.destroy();
    return { status: 'error', payload: jsonBuffer({ errorType: 'Runtime.Unknown', errorMessage: message }), errorType: 'Runtime.Unknown', platformFailure: true, line: `${message}\n` };
  }

  private onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, initRequestId: string): void {
    if (run !== this.run) return;
    this.run = null;
    this.stopRssPolling();
    const oom = this.rssOom || this.cg.oomKilled();
    const how = exitHow(code, signal);
    const errorType = oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
    if (this.initWaiter) {
      if (this.initErrorPosted) return;
      const errorMessage = exitMessage(initRequestId, how);
      this.emit(`${errorMessage}\n`);
      const ms = performance.now() - this.initStartedAt;
      this.initWaiter?.({ ok: false, ms, status: 'error', errorType, body: jsonBuffer({ errorType, errorMessage }) });
      return;
    }
    const inv = this.current;
    if (inv && inv.handed && !inv.done) {
      const errorMessage = exitMessage(inv.request.requestId, how);
      this.finish(inv, { status: 'error', payload: jsonBuffer({ errorType, errorMessage }), errorType, platformFailure: true, line: `${errorMessage}\n`, oom });
      void this.destroy();
      return;
    }
    void this.destroy();
  }

  // Processes -----------------------------------------------------------------------------

  /** Peak RSS of the tree so far; remembered, because a tree that just died has no /proc left. */
  private sampleMemoryMB(): number {
    this.peakMB = Math.max(this.peakMB, toMB(peakRssBytes(this.cg.pids() ?? this.treePids)));
    // A tree that died before any sample: the memory cgroup's own peak (it counts page cache too).
    if (this.peakMB === 0) this.peakMB = toMB(this.cg.peakBytes());
    return this.peakMB;
  }

  private startRssPolling(): void {
    if (this.cg.hasMemoryLimit) return;
    this.stopRssPolling();
    const limit = this.spec.memoryMB * 1024 * 1024;
    this.rssTimer = setInterval(() => {
      if (this.frozen) return;
      if (currentRssBytes(this.treePids) > limit) {
        this.rssOom = true;
        this.killTree();
      }
    }, RSS_POLL_MS);
    this.rssTimer.unref();
  }

  private busyPolling(): void {
    if (!this.rssTimer && this.run && !this.cg.hasMemoryLimit) this.startRssPolling();
  }

  private idlePolling(): void {
    // Frozen environments cannot grow; polling resumes at the next hand-over.
    this.stopRssPolling();
  }

  private stopRssPolling(): void {
    if (this.rssTimer) clearInterval(this.rssTimer);
    this.rssTimer = null;
  }

  private freeze(): void {
    if (this.frozen || !this.run || !this.pgid) return;
    try {
      process.kill(-this.pgid, 'SIGSTOP');
      this.frozen = true;
    } catch {
      // already gone: the exit handler deals with it
    }
  }

  private thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    try {
      process.kill(-this.pgid, 'SIGCONT');
    } catch {
      // already gone
    }
  }

  /** SIGKILL to the whole tree: its process group and everything in its cgroups. */
  killTree(): void {
    if (this.run && !this.run.pid) this.run.killRequested = true;
    if (this.pgid) killGroup(this.pgid);
    this.cg.killAll();
  }

  private async stopProcess(): Promise<void> {
    this.run = null;
    this.killTree();
    await this.exited;
    this.pendingNext = null;
  }

  /** Kills the tree and frees everything the environment holds. Safe to call more than once. */
  async destroy(): Promise<void> {
    if (this.dead) return this.exited;
    this.dead = true;
    this.stopRssPolling();
    if (this.current && !this.current.done) {
      const inv = this.current;
      const errorMessage = exitMessage(inv.request.requestId, 'signal: killed');
      this.finish(inv, { status: 'error', payload: jsonBuffer({ errorType: 'Runtime.ExitError', errorMessage }), errorType: 'Runtime.ExitError', platformFailure: true });
    }
    this.killTree();
    this.flush();
    this.deps.onDeath(this);
    await this.exited;
    this.server?.closeAllConnections();
    this.server?.close();
    await Promise.all([this.cg.remove(), rm(this.tmpDir, { recursive: true, force: true })]);
  }
}

/** Environments are reused only for the exact code and configuration they started with. */
export function revisionOf(spec: FunctionSpec): string {
  return `${spec.revisionId}|${spec.codeSha256}`;
}

function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8'));
    return typeof parsed?.errorType === 'string' ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
