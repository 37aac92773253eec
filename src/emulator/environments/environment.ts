import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FunctionSpec, FunctionTls, InvokeOutcome, InvokeRequest, LogSink } from '../contract.ts';
import { messageOf } from '../../errors.ts';
import { EnvCgroup, type CgroupSupport } from './cgroups.ts';
import { applyExecWrapper } from './exec-wrapper.ts';
import { type InitializationType, MAX_TIMEOUT_S } from '../../vocabulary.ts';
import { buildLaunch, runtimeFamily, runtimeVersionOf, type Interpreters } from './launch.ts';
import type { Launcher, Relay } from './launcher.ts';
import { errorTypeOf, internalFailureEnding, jsonBuffer, LogBuffer, outcomeOf, revisionOf, traceId, type Ending, type InitResult, type Invocation } from './invocation.ts';
import { killGroup, ProcessTree } from './process-tree.ts';
import { billedDuration, exitHow, exitMessage, logStreamName, PlatformLog, timeoutMessage } from './platform-log.ts';
import { reply } from './api-http.ts';
import { createRuntimeApiServer, MAX_RESPONSE_BYTES, type RuntimeApiHandler } from './runtime-api.ts';
import type { ExtensionsApi } from '../extensions/api.ts';
import { discoverExtensions, extensionEnvironment, type ExternalExtension } from '../extensions/discover.ts';
import { invokeEvent, SHUTDOWN_PHASE_MS, type ShutdownReason } from '../extensions/events.ts';
import { ExtensionHost, type ExtensionFailure } from '../extensions/host.ts';
import { initReportRecord, reportRecord, runtimeDoneRecord, startRecord, telemetryLine } from '../extensions/records.ts';
import { TelemetryHub } from '../extensions/telemetry.ts';

export interface EnvironmentDeps {
  sink: LogSink;
  endpointUrl: string;
  tls?: FunctionTls;
  interpreters: Interpreters;
  cgroups: CgroupSupport;
  tmpRoot: string;
  initTimeoutMs: number;
  launcher: Launcher;
  /** Starts a relay to serve the runtime through, in the environment's cpu cgroup (runtime-api-relay.ts); null: none */
  startRelay: ((upstreamPort: number, exited: () => void) => Promise<Relay>) | null;
  sdkDir(family: 'python' | 'nodejs'): string | null;
  /** A line for the log when the family's SDK is missing (still building, or failed) */
  sdkNote(family: 'python' | 'nodejs'): string | null;
  onDeath(env: Environment): void;
  /** `provisioned-concurrency`: initialised ahead by preInitialize(), throttled like the invoke phase (default on-demand) */
  initializationType?: InitializationType;
}

/** Provisioned init has no 10 s limit on Lambda (reference: Init failure); 15 min is Lambda's longest function timeout. */
const PROVISIONED_INIT_LIMIT_MS = MAX_TIMEOUT_S * 1000;

let nextId = 1;

/** One execution environment: a process tree, its Runtime API listener, its log stream. */
export class Environment implements RuntimeApiHandler {
  readonly id = nextId++;
  readonly streamName: string;
  readonly revision: string;
  busy = false;
  dead = false;
  retiring = false;
  /** A provisioned environment whose init succeeded: the pool replaces it if it fails later */
  preInitialized = false;
  lastUsed = Date.now();
  /** An invoke has started init (set before the process is even spawned). */
  private initBegun = false;
  private readonly log: PlatformLog;
  private readonly tree: ProcessTree;
  private readonly cgroup: EnvCgroup;
  readonly initializationType: InitializationType;
  private readonly tmpDir: string;
  private server: Server | null = null;
  private runtimeApi = '';
  /** The Runtime API relay's move into the cpu cgroup */
  private relayJoined: Promise<void> = Promise.resolve();
  /** Init has ended: the runtime's first /next arrived. */
  private initFinished = false;
  private initErrorPosted = false;
  private initWaiter: ((r: InitResult) => void) | null = null;
  private initStartedAt = 0;
  private pendingNext: ServerResponse | null = null;
  private current: Invocation | null = null;
  private lastRequestId = '';
  private readonly out: LogBuffer;
  private readonly coldInvokes = new WeakSet<Invocation>();
  /** External extensions in the layers' extensions/ folders (src/emulator/extensions) */
  private readonly extensions: ExternalExtension[];
  private readonly host: ExtensionHost;
  private readonly telemetry = new TelemetryHub();
  readonly extensionsApi: ExtensionsApi;
  /** The runtime's first /next of this init arrived (init also waits for every registered extension's) */
  private runtimeInitDone = false;
  /** Starts the runtime once every external extension has registered (AWS: Extension init, then Runtime init) */
  private startRuntime: (() => void) | null = null;
  private readonly launchErrors = new Map<string, string>();
  private destroyed: Promise<void> | null = null;

  constructor(
    readonly spec: FunctionSpec,
    private readonly deps: EnvironmentDeps,
  ) {
    this.revision = revisionOf(spec);
    this.streamName = logStreamName(spec.version);
    const rv = runtimeVersionOf(spec.runtime, deps.interpreters);
    this.log = new PlatformLog(spec, rv.version, rv.arn(spec.region), randomBytes(16).toString('hex'));
    this.tmpDir = join(deps.tmpRoot, `env-${this.id}`);
    mkdirSync(this.tmpDir);
    this.initializationType = deps.initializationType ?? 'on-demand';
    this.cgroup = new EnvCgroup(deps.cgroups, spec.memoryMB);
    this.tree = new ProcessTree(this.cgroup, deps.launcher, spec.memoryMB);
    this.out = new LogBuffer(deps.sink, spec.logGroupName, this.streamName);
    this.extensions = discoverExtensions(spec.layerDirs);
    this.host = new ExtensionHost(
      { functionName: spec.functionName, functionVersion: spec.version, handler: spec.handler },
      {
        allRegistered: () => this.startRuntime?.(),
        progressed: () => {
          this.checkInitEnd();
          this.checkInvokeEnd();
        },
        failed: (f) => this.onExtensionFailure(f),
      },
    );
    this.extensionsApi = { host: this.host, telemetry: this.telemetry };
  }

  /** Whether an invoke has started this environment's init (its next invoke is warm). */
  get initStarted(): boolean {
    return this.initBegun;
  }

  /** Idle: init started, alive, not running an invoke (its next /next may still be on its way). */
  get idle(): boolean {
    return this.initBegun && !this.busy && !this.dead && !this.retiring;
  }

  /** Runs one invoke; the first one initialises the environment. Never rejects. */
  invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const inv: Invocation = { request, resolve: () => {}, log: [], logging: false, handed: false, answered: false, done: false, handedAt: 0, initMs: null };
    const result = new Promise<InvokeOutcome>((resolve) => (inv.resolve = resolve));
    if (!this.initBegun) {
      this.initBegun = true;
      this.coldStart(inv).catch((err) => this.finish(inv, this.internalFailure(err)));
    } else {
      this.current = inv;
      if (this.pendingNext) this.handOver();
    }
    return result;
  }

  /**
   * Initialises the environment ahead of any invoke (provisioned concurrency): INIT_START now, init with the invoke
   * phase's CPU share (Lambda gives provisioned init no on-demand boost), then idle and frozen until an invoke, whose
   * REPORT has no Init Duration. A failed init destroys the environment and says why.
   */
  async preInitialize(): Promise<{ ok: true; ms: number } | { ok: false; ms: number; errorType?: string; status: 'error' | 'timeout' }> {
    this.initBegun = true;
    await this.listen();
    this.emit(this.log.initStart(this.initializationType));
    const result = await this.runInit(PROVISIONED_INIT_LIMIT_MS, '');
    if (!result.ok) {
      this.emit(this.log.initReport({ phase: 'init', durationMs: result.ms, status: result.status, errorType: result.errorType }, this.initializationType));
      this.flush();
      void this.destroy();
      return { ok: false, ms: result.ms, errorType: result.errorType, status: result.status };
    }
    this.flush();
    this.preInitialized = true;
    if (this.pendingNext && !this.current) this.tree.freeze();
    return result;
  }

  private async coldStart(inv: Invocation): Promise<void> {
    this.coldInvokes.add(inv);
    await this.listen();
    this.emit(this.log.initStart());
    const family = runtimeFamily(this.spec.runtime);
    // Not silent: a function that imports its SDK must be able to tell why it is missing.
    const note = family === 'python' || family === 'nodejs' ? this.deps.sdkNote(family) : null;
    if (note) this.emit(`${note}\n`);
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
    void this.destroy('failure');
  }

  private async listen(): Promise<void> {
    const server = createRuntimeApiServer(this);
    this.server = server;
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    this.runtimeApi = `127.0.0.1:${port}`;
    if (this.deps.startRelay) await this.startRelay(this.deps.startRelay, port);
  }

  /** Points the runtime at a relay in the environment's cpu cgroup; without one, at the server itself (and says why). */
  private async startRelay(start: (upstreamPort: number, exited: () => void) => Promise<Relay>, upstreamPort: number): Promise<void> {
    const exited = () => {
      this.cgroup.relayEnded();
      if (!this.dead) this.emit("coldbench: this environment's Runtime API relay ended; its runtime can no longer reach the Runtime API\n");
    };
    try {
      const relay = await start(upstreamPort, exited);
      // Destroyed while the relay started: teardown has run and will not kill it.
      if (this.dead) return killGroup(relay.pid);
      this.relayJoined = this.cgroup.addRelay(relay.pid).then((inside) => {
        if (!inside && !this.dead) this.emit("coldbench: the Runtime API relay could not join this environment's cpu cgroup; its work runs outside the CPU share\n");
      });
      this.runtimeApi = `127.0.0.1:${relay.port}`;
    } catch (err) {
      this.emit(`coldbench: the Runtime API relay did not start (${messageOf(err)}); this environment's Runtime API work runs outside its CPU share\n`);
    }
  }

  /** Spawns the runtime and waits for its first /next, an /init/error, its exit or the limit. */
  private runInit(limitMs: number, requestId: string): Promise<InitResult> {
    const family = runtimeFamily(this.spec.runtime);
    const built = buildLaunch(this.spec, {
      runtimeApi: this.runtimeApi,
      logStreamName: this.streamName,
      tmpDir: this.tmpDir,
      endpointUrl: this.deps.endpointUrl,
      tls: this.deps.tls,
      interpreters: this.deps.interpreters,
      sdkDir: family === 'python' || family === 'nodejs' ? this.deps.sdkDir(family) : null,
      initializationType: this.initializationType,
    });
    // Lambda applies AWS_LAMBDA_EXEC_WRAPPER to managed runtimes only, not to provided.*.
    const launch = family === 'provided' ? built : applyExecWrapper(built, this.spec.layerDirs);
    if (!launch.ok) {
      this.emit(`${launch.errorType}: ${launch.message}\n`);
      return Promise.resolve({ ok: false, ms: 0, status: 'error', errorType: launch.errorType, body: jsonBuffer({ errorType: launch.errorType, errorMessage: launch.message }) });
    }
    this.initFinished = false;
    this.initErrorPosted = false;
    this.runtimeInitDone = false;
    this.launchErrors.clear();
    this.host.begin(this.extensions.map((e) => e.name));
    this.telemetry.reset();
    this.telemetry.publish('platform.initStart', this.log.initStartRecord(this.initializationType));
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.initWaiter = (r) => {
        this.initWaiter = null;
        clearTimeout(timer);
        resolve(r);
      };
      this.initStartedAt = performance.now();
      let runtimeStarted = false;
      this.startRuntime = () => {
        if (runtimeStarted || !this.initWaiter) return;
        runtimeStarted = true;
        this.spawnRuntime(launch, requestId);
      };
      // AWS: every extension registers (Extension init) before Lambda starts the runtime (Runtime init).
      if (this.extensions.length === 0) this.startRuntime();
      else this.launchExtensions(launch.env);
      timer = setTimeout(() => {
        const ms = performance.now() - this.initStartedAt;
        this.tree.sampleMemoryMB();
        this.tree.kill();
        this.initWaiter?.({ ok: false, ms, status: 'timeout', body: jsonBuffer({ errorMessage: `${new Date().toISOString()} ${requestId} ${timeoutMessage(ms)}` }) });
      }, limitMs);
    });
  }

  private spawnRuntime(launch: { command: string; args: string[]; env: Record<string, string> }, requestId: string): void {
    this.tree.start(
      { command: launch.command, args: launch.args, env: launch.env, cwd: this.spec.codeDir },
      {
        line: (line) => this.emitOutput(line),
        exit: (code, signal, oom) => this.onExit(code, signal, oom, requestId),
        startError: (err) => {
          const message = `Couldn't start ${launch.command}: ${err.message}`;
          this.emit(`Runtime.InvalidEntrypoint: ${message}\n`);
          this.initWaiter?.({
            ok: false,
            ms: performance.now() - this.initStartedAt,
            status: 'error',
            errorType: 'Runtime.InvalidEntrypoint',
            body: jsonBuffer({ errorType: 'Runtime.InvalidEntrypoint', errorMessage: message }),
          });
        },
      },
    );
    // tree.start left init unthrottled (on-demand's boost); provisioned init runs at the invoke phase's share.
    if (this.initializationType === 'provisioned-concurrency') this.cgroup.setCpu(this.spec.memoryMB);
  }

  /** Starts every external extension, each in its own process group inside the environment's cgroups. */
  private launchExtensions(runtimeEnv: Record<string, string>): void {
    const env = extensionEnvironment(runtimeEnv);
    for (const ext of this.extensions) {
      this.tree.startCompanion(
        { command: ext.path, args: [], env, cwd: this.spec.codeDir },
        {
          line: (line) => this.emitOutput(line, 'extension'),
          exit: (code, signal) => this.host.exited(ext.name, exitHow(code, signal)),
          startError: (err) => {
            this.launchErrors.set(ext.name, 'Extension.LaunchError');
            this.onExtensionFailure({ name: ext.name, errorType: 'Extension.LaunchError', message: `Couldn't start extension ${ext.name}: ${err.message}` });
          },
        },
      );
    }
  }

  /** Init ends on the last /next of the runtime and of every registered extension. */
  private checkInitEnd(): void {
    if (this.initFinished || !this.runtimeInitDone || !this.initWaiter || !this.host.allWaiting) return;
    this.initFinished = true;
    const ms = performance.now() - this.initStartedAt;
    this.host.ready();
    this.tree.initDone();
    for (const status of this.host.statuses()) this.emit(this.log.extension(status));
    this.telemetry.publish('platform.initReport', initReportRecord(this.initializationType, 'init', 'success', ms));
    this.telemetry.initDone();
    // The CPU share applies from the first invoke: wait for the cgroup move (started at spawn,
    // usually long done), and let output written before this /next reach the log before START.
    void Promise.all([this.tree.joined, this.relayJoined]).then(() => setImmediate(() => this.initWaiter?.({ ok: true, ms })));
  }

  /** An invoke ends when the runtime has answered and every INVOKE subscriber has called /next again. */
  private checkInvokeEnd(): void {
    const inv = this.current;
    if (!inv?.runtimeEnd || inv.done || !this.host.invokeDone) return;
    const ms = performance.now() - inv.handedAt;
    const end = inv.runtimeEnd;
    // Output an extension wrote before its /next is read in this same loop turn: END after it.
    setImmediate(() => this.finish(inv, end, Math.max(ms, inv.runtimeMs ?? 0)));
  }

  /** The runtime answered: the invoke ends now, or once every INVOKE subscriber is back in /next. */
  private runtimeDone(inv: Invocation, end: Ending, durationMs: number, producedBytes: number): void {
    if (this.telemetry.listening) this.telemetry.publish('platform.runtimeDone', runtimeDoneRecord(inv, end.status, durationMs, producedBytes));
    if (this.host.invokeDone) {
      this.finish(inv, end, durationMs);
      return;
    }
    inv.runtimeEnd = end;
    inv.runtimeMs = durationMs;
    this.checkInvokeEnd();
  }

  /** An extension failed: during init the init fails; after it, the current invoke fails and the environment is reset. */
  private onExtensionFailure(f: ExtensionFailure): void {
    if (this.dead) return;
    if (!this.initFinished) {
      if (!this.initWaiter) return;
      const ms = performance.now() - this.initStartedAt;
      this.tree.sampleMemoryMB();
      for (const status of this.host.statuses(this.launchErrors)) this.emit(this.log.extension(status));
      // The runtime is killed with the rest of the tree; its exit is not the failure.
      this.initErrorPosted = true;
      this.initWaiter({ ok: false, ms, status: 'error', errorType: f.errorType, body: jsonBuffer({ errorType: f.errorType, errorMessage: f.message }) });
      return;
    }
    const inv = this.current;
    if (inv?.handed && !inv.done) {
      const errorMessage = `RequestId: ${inv.request.requestId} Error: ${f.message}`;
      this.finish(inv, { status: 'error', payload: jsonBuffer({ errorType: f.errorType, errorMessage }), errorType: f.errorType, platformFailure: true });
    }
    void this.destroy('failure');
  }

  private emitOutput(line: string, from: 'function' | 'extension' = 'function'): void {
    this.emit(this.spec.logFormat === 'JSON' ? line : `${line}\n`);
    if (this.telemetry.listening) this.telemetry.publish(from, telemetryLine(line, this.spec.logFormat));
    if (!this.current) this.out.scheduleFlush();
  }

  private emit(message: string | null): void {
    if (message === null) return;
    this.out.append(message);
    if (this.current?.logging) this.current.log.push(message);
  }

  private flush(): void {
    this.out.flush();
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
    this.tree.startRssPolling();
    const timeoutMs = this.spec.timeoutS * 1000;
    const now = performance.now();
    if (!inv.handedAt) inv.handedAt = now;
    const remaining = Math.max(timeoutMs - (now - inv.handedAt), 0);
    inv.traceId = traceId();
    const deadlineMs = Date.now() + Math.round(remaining);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': inv.request.payload.length,
      'lambda-runtime-aws-request-id': inv.request.requestId,
      'lambda-runtime-deadline-ms': deadlineMs,
      'lambda-runtime-invoked-function-arn': this.spec.functionArn,
      'lambda-runtime-trace-id': inv.traceId,
    };
    if (inv.request.clientContext) {
      headers['lambda-runtime-client-context'] = Buffer.from(inv.request.clientContext, 'base64').toString('utf8');
    }
    this.startLogging(inv);
    res.writeHead(200, headers);
    res.end(inv.request.payload);
    // AWS: the INVOKE event goes to every subscribed extension as the event goes to the runtime.
    if (this.host.hasInvokeSubscribers) this.host.dispatch(invokeEvent(inv.request.requestId, deadlineMs, this.spec.functionArn, inv.traceId));
    if (this.telemetry.listening) this.telemetry.publish('platform.start', startRecord(inv, this.spec.version));
    // Thawed after the write: the event is already queued on its socket when it wakes up.
    this.tree.thaw();
    inv.timer = setTimeout(() => this.onTimeout(inv), remaining);
  }

  private onTimeout(inv: Invocation): void {
    const elapsed = performance.now() - inv.handedAt;
    const text = `${new Date().toISOString()} ${inv.request.requestId} ${timeoutMessage(elapsed)}`;
    // The runtime goes now; extensions get SHUTDOWN (timeout) in the reset that follows, as on Lambda.
    this.tree.killRuntime();
    // The log keeps the timestamped line; the invoke answers as current Lambda does (recorded 2025-11).
    const payload = jsonBuffer({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${inv.request.requestId} Error: ${timeoutMessage(elapsed)}` });
    this.finish(inv, { status: 'timeout', payload, platformFailure: true, line: `${text}\n` });
    void this.destroy('timeout');
  }

  // Runtime API ---------------------------------------------------------------------------

  next(res: ServerResponse): void {
    if (this.dead) {
      res.destroy();
      return;
    }
    this.pendingNext = res;
    if (!this.initFinished) {
      if (!this.runtimeInitDone) {
        this.telemetry.publish('platform.initRuntimeDone', { initializationType: this.initializationType, phase: 'init', status: 'success' });
      }
      this.runtimeInitDone = true;
      this.checkInitEnd();
      return;
    }
    if (this.current && !this.current.handed) setImmediate(() => this.handOver());
    else if (!this.current) this.tree.freeze();
  }

  response(requestId: string, body: Buffer | null, res: ServerResponse): void {
    const inv = this.answering(requestId, res);
    if (!inv) return;
    const durationMs = performance.now() - inv.handedAt;
    if (body === null) {
      reply(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
      const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`;
      setImmediate(() =>
        this.finish(
          inv,
          { status: 'error', payload: jsonBuffer({ errorMessage, errorType: 'Function.ResponseSizeTooLarge' }), errorType: 'Function.ResponseSizeTooLarge', platformFailure: true },
          durationMs,
        ),
      );
      return;
    }
    reply(res, 202, { status: 'OK' });
    // Output the function wrote before answering is read in this same loop turn: END after it.
    setImmediate(() => this.runtimeDone(inv, { status: 'success', payload: body }, durationMs, body.length));
  }

  invocationError(requestId: string, body: Buffer, errorType: string | undefined, res: ServerResponse): void {
    const inv = this.answering(requestId, res);
    if (!inv) return;
    const durationMs = performance.now() - inv.handedAt;
    reply(res, 202, { status: 'OK' });
    const type = errorType ?? errorTypeOf(body) ?? 'Unhandled';
    setImmediate(() => this.runtimeDone(inv, { status: 'error', payload: body, errorType: type }, durationMs, body.length));
  }

  initError(body: Buffer, errorType: string | undefined, res: ServerResponse): void {
    if (this.initFinished || !this.initWaiter) {
      reply(res, 403, { errorMessage: 'Init error reported after init had finished', errorType: 'InvalidStateTransition' });
      return;
    }
    reply(res, 202, { status: 'OK' });
    const ms = performance.now() - this.initStartedAt;
    this.tree.sampleMemoryMB();
    const type = errorType ?? errorTypeOf(body) ?? 'Runtime.Unknown';
    // The runtime exits right after this; its exit must not be reported as Runtime.ExitError.
    this.initErrorPosted = true;
    setImmediate(() => this.initWaiter?.({ ok: false, ms, status: 'error', errorType: type, body }));
  }

  /** The invoke a posted response or error answers, now marked answered; null (and 400/403 sent) for any other id. */
  private answering(requestId: string, res: ServerResponse): Invocation | null {
    const inv = this.current;
    if (!inv?.handed || inv.answered || inv.request.requestId !== requestId) {
      this.rejectId(requestId, res);
      return null;
    }
    inv.answered = true;
    return inv;
  }

  private rejectId(requestId: string, res: ServerResponse): void {
    if (requestId === this.lastRequestId || requestId === this.current?.request.requestId) {
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
    // Frozen environments cannot grow; polling resumes at the next hand-over.
    this.tree.stopRssPolling();
    if (!inv.logging) this.startLogging(inv);
    const durationMs = measuredMs ?? performance.now() - (inv.handedAt || performance.now());
    const oom = end.oom === true;
    const maxMemoryMB = oom ? this.spec.memoryMB : Math.min(this.tree.sampleMemoryMB(), this.spec.memoryMB);
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
    if (this.telemetry.listening) {
      this.telemetry.publish(
        'platform.report',
        reportRecord(inv, end.status, { durationMs, billedMs, memoryMB: this.spec.memoryMB, maxMemoryMB }, end.platformFailure ? end.errorType : undefined),
      );
    }
    this.lastRequestId = inv.request.requestId;
    if (this.current === inv) this.current = null;
    this.lastUsed = Date.now();
    inv.resolve(outcomeOf(inv, end, { cold: this.coldInvokes.has(inv), durationMs, billedMs, maxMemoryMB }));
    if (!this.dead && this.pendingNext && !this.current) this.tree.freeze();
  }

  private internalFailure(err: unknown): Ending {
    void this.destroy('failure');
    return internalFailureEnding(err);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, oom: boolean, initRequestId: string): void {
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
    if (inv?.handed && !inv.done) {
      const errorMessage = exitMessage(inv.request.requestId, how);
      this.finish(inv, { status: 'error', payload: jsonBuffer({ errorType, errorMessage }), errorType, platformFailure: true, line: `${errorMessage}\n`, oom });
      void this.destroy('failure');
      return;
    }
    void this.destroy('failure');
  }

  private async shutdownPhase(reason: ShutdownReason): Promise<void> {
    this.tree.killRuntime();
    this.tree.thaw();
    // What the extensions' listeners are owed is delivered before SHUTDOWN goes out, as in AWS's own shutdown
    // (RIE rapid/shutdown.go: eventsAPI.Flush, then shutdownAgents), so an extension exiting on SHUTDOWN has had it all.
    await this.telemetry.flush();
    this.host.shutdown(reason, Date.now() + SHUTDOWN_PHASE_MS);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.tree.companionsExited(), new Promise<void>((r) => (timer = setTimeout(r, SHUTDOWN_PHASE_MS)))]);
    clearTimeout(timer);
  }

  /** SIGKILL to the whole tree, synchronously (the process-exit cleanup path). */
  killTree(): void {
    this.tree.kill();
  }

  private async stopProcess(): Promise<void> {
    await this.tree.stop();
    this.pendingNext = null;
  }

  /**
   * Retires the environment: with external extensions subscribed to SHUTDOWN, the runtime goes first and they get
   * SHUTDOWN (`reason`) and up to 2 s to exit (Lambda's shutdown phase); then the tree is killed and everything the
   * environment holds is freed. Safe to call more than once.
   */
  destroy(reason: ShutdownReason = 'spindown'): Promise<void> {
    this.destroyed ??= this.teardown(reason);
    return this.destroyed;
  }

  private async teardown(reason: ShutdownReason): Promise<void> {
    this.dead = true;
    if (this.current && !this.current.done) {
      const inv = this.current;
      const errorMessage = exitMessage(inv.request.requestId, 'signal: killed');
      this.finish(inv, { status: 'error', payload: jsonBuffer({ errorType: 'Runtime.ExitError', errorMessage }), errorType: 'Runtime.ExitError', platformFailure: true });
    }
    this.deps.onDeath(this);
    if (this.host.shutdownSubscribers > 0) await this.shutdownPhase(reason);
    this.host.close();
    this.telemetry.close();
    this.killTree();
    this.flush();
    await Promise.all([this.tree.exited, this.tree.companionsExited()]);
    this.cgroup.killRelay();
    this.server?.closeAllConnections();
    this.server?.close();
    await Promise.all([this.tree.remove(), rm(this.tmpDir, { recursive: true, force: true })]);
  }
}
