/**
 * The emulator's execution environments (see contract.ts for the seam with the API layer).
 *
 * - One environment = one process tree in its own process group, forked by a small spawner
 *   helper (spawner.py; a fork from the emulator would copy its whole heap and block its event
 *   loop), with its own Runtime API listener on 127.0.0.1:<port>. One listener per environment
 *   rather than a shared port: a listen() costs ~0.2 ms, and nothing has to tell environments
 *   apart by connection.
 * - Lifecycle: an idle environment of the exact revision is reused (most recent first), else a
 *   new one starts (cap maxEnvironments; an idle one of another function is evicted first).
 *   Between invokes the tree is frozen with SIGSTOP once its next /next is pending.
 * - Limits: cgroup v1 cpu (quota = 20 ms period × memory / 1769, unthrottled during init) and memory
 *   (limit = memory size, the kernel OOM killer) when writable; otherwise no CPU limit (and
 *   cpuMode says why) and RSS polling every 50 ms for memory.
 * - Provisioned concurrency: provision() initialises environments ahead (AWS_LAMBDA_INITIALIZATION_TYPE
 *   provisioned-concurrency, init at the invoke phase's CPU share); invokes of that version use them
 *   first; they never expire or get evicted, only unprovision() retires them. One that fails after
 *   its init (runtime exit, timeout, out of memory) is replaced by a new one initialised ahead.
 * - Measurements: Init Duration from the spawn request to the first /next, Duration from the
 *   hand-over of the event to the response, Max Memory Used from VmHWM of the tree.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TooManyEnvironmentsError,
  type CpuMode,
  type EnvironmentPool,
  type FunctionSpec,
  type InvokeOutcome,
  type InvokeRequest,
  type PoolOptions,
  type ProvisionOutcome,
  type RuntimeInterpreter,
} from '../contract.ts';
import { setUpCgroups, tearDownCgroups, type CgroupSupport, type MemoryMode } from './cgroups.ts';
import { registerForCleanup } from './cleanup.ts';
import { ColdStartGate } from './cold-gate.ts';
import { Environment } from './environment.ts';
import { revisionOf } from './invocation.ts';
import { nodeBinariesFromEnv } from './interpreters.ts';
import type { InitializationType } from '../../vocabulary.ts';
import { detectInterpreters, runtimeMapping, runtimeVersionOf, type Interpreters } from './launch.ts';
import { createLauncher, DirectLauncher, type Launcher } from './launcher.ts';
import { relayMode, type RelayMode } from './runtime-api-relay.ts';
import { RuntimeSdks, type SdkState } from './sdk.ts';

/** Lambda's default account concurrency is 1,000; locally 64 process trees is already a lot. */
const DEFAULT_MAX_ENVIRONMENTS = 64;
/** Lambda keeps idle environments for minutes; 10 minutes matches what is commonly observed. */
const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
/** Lambda's init phase limit for on-demand functions. */
const INIT_TIMEOUT_MS = 10_000;

/** Knobs beyond the contract, for tests and benchmarks. */
export interface PoolTuning {
  /** The init phase limit (default Lambda's 10 s) */
  initTimeoutMs?: number;
  /** Do not use cgroups even where they are writable */
  disableCgroups?: boolean;
  /** Do not build the runtimes' AWS SDKs (functions then see none) */
  skipSdkBuild?: boolean;
  /** Spawn environments from the emulator process instead of the spawner helper */
  directSpawn?: boolean;
  /** Cold starts run at once (default: the machine's cores; Infinity: no limit) */
  coldStartSlots?: number;
  /** Node binaries for the nodejsNN.x runtimes of their major (`--node`; default COLDBENCH_NODE) */
  nodeBinaries?: string[];
  /** Environment the interpreters are looked up in (PATH, pyenv's variables; default process.env) */
  interpreterEnv?: NodeJS.ProcessEnv;
}

/** The pool as created here: the contract plus what tests and /status can read. */
export interface LocalEnvironmentPool extends EnvironmentPool {
  readonly memoryMode: MemoryMode;
  /** Per runtime family ('python', 'nodejs'): whether its AWS SDK is available to functions */
  readonly sdkAvailable: Record<string, boolean>;
  readonly sdkState: Record<string, SdkState>;
  /** Resolves when every SDK build has finished (or failed) */
  sdkReady(): Promise<void>;
  /** How environment processes are started (the spawner helper, or directly) */
  readonly launcherKind: string;
  /** Environments alive now (busy or idle), for tests and status */
  environmentCount(functionName?: string): number;
  /** Cold starts that may run at once; the others wait for a slot before they spawn */
  readonly coldStartSlots: number;
  /** Resolves when every provisioned environment started in place of a failed one has initialised (or failed to) */
  replacementsSettled(): Promise<void>;
}

/** Starts an environment pool: detects interpreters and cgroups, and builds SDKs in the background. */
export async function createEnvironmentPool(options: PoolOptions & PoolTuning): Promise<LocalEnvironmentPool> {
  const interpreters = await detectInterpreters({ env: options.interpreterEnv, nodeBinaries: options.nodeBinaries ?? nodeBinariesFromEnv() });
  const launcher = options.directSpawn ? new DirectLauncher() : await createLauncher(interpreters.python?.path ?? null);
  return new Pool(options, interpreters, launcher);
}

class Pool implements LocalEnvironmentPool {
  readonly cpuMode: CpuMode;
  readonly memoryMode: MemoryMode;
  readonly runtimeMapping: Record<string, string>;
  readonly runtimeInterpreters: Record<string, RuntimeInterpreter>;
  private readonly envs = new Set<Environment>();
  private readonly running = new Map<string, number>();
  private readonly cgroups: CgroupSupport;
  private readonly relay: RelayMode;
  private readonly tmpRoot: string;
  private readonly maxEnvironments: number;
  private readonly idleTimeoutMs: number;
  private readonly sdks: RuntimeSdks;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unregister: () => void;
  private closed = false;
  private readonly coldGate: ColdStartGate;
  /** Provisioned environments being initialised in place of failed ones */
  private readonly replacements = new Set<Promise<void>>();

  constructor(
    private readonly options: PoolOptions & PoolTuning,
    private readonly interpreters: Interpreters,
    private readonly launcher: Launcher,
  ) {
    this.maxEnvironments = options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.cgroups = setUpCgroups(options.disableCgroups);
    this.relay = relayMode(this.cgroups.cpuMode.throttled, launcher);
    const cpu = this.cgroups.cpuMode;
    this.cpuMode = cpu.throttled ? { throttled: true, reason: `${cpu.reason}; ${this.relay.reason}` } : cpu;
    this.memoryMode = this.cgroups.memoryMode;
    this.runtimeMapping = runtimeMapping(interpreters);
    this.runtimeInterpreters = interpreters.byRuntime;
    this.tmpRoot = mkdtempSync(join(tmpdir(), 'coldbench-envs-'));
    this.sdks = new RuntimeSdks(interpreters, options.skipSdkBuild === true);
    this.coldGate = new ColdStartGate(options.coldStartSlots ?? availableParallelism());
    this.sweeper = setInterval(() => this.expireIdle(), Math.min(Math.max(this.idleTimeoutMs / 4, 25), 30_000));
    this.sweeper.unref();
    this.unregister = registerForCleanup(this);
  }

  runtimeVersionArn(runtime: string, region: string): string {
    return runtimeVersionOf(runtime, this.interpreters).arn(region);
  }

  get coldStartSlots(): number {
    return this.coldGate.slots;
  }

  get launcherKind(): string {
    return this.launcher.kind;
  }

  get sdkAvailable(): Record<string, boolean> {
    return this.sdks.available();
  }

  get sdkState(): Record<string, SdkState> {
    return this.sdks.states();
  }

  sdkReady(): Promise<void> {
    return this.sdks.ready();
  }

  environmentCount(functionName?: string): number {
    let n = 0;
    for (const env of this.envs) if (!env.dead && (!functionName || env.spec.functionName === functionName)) n++;
    return n;
  }

  async invoke(spec: FunctionSpec, request: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) throw new Error('The environment pool has been shut down; start a new emulator to invoke functions');
    const env = this.acquire(spec);
    const cold = !env.initStarted;
    const name = spec.functionName;
    this.running.set(name, (this.running.get(name) ?? 0) + 1);
    if (cold) await this.coldGate.acquire();
    try {
      return await env.invoke(request);
    } finally {
      if (cold) this.coldGate.release();
      this.running.set(name, (this.running.get(name) ?? 1) - 1);
      env.busy = false;
      env.lastUsed = Date.now();
      if (env.retiring || this.closed) void env.destroy();
    }
  }

  /** An idle environment of this exact revision (most recently used first), else a new one. */
  private acquire(spec: FunctionSpec): Environment {
    const revision = revisionOf(spec);
    let best: Environment | null = null;
    for (const env of this.envs) {
      if (env.spec.functionName !== spec.functionName || env.spec.version !== spec.version) continue;
      if (env.revision !== revision) {
        this.retireOne(env);
        continue;
      }
      if (env.idle && (!best || preferred(env, best))) best = env;
    }
    if (best) {
      best.busy = true;
      return best;
    }
    const env = this.create(spec, 'on-demand');
    env.busy = true;
    return env;
  }

  /** A new environment in the pool (not started), or TooManyEnvironmentsError when every slot is busy. */
  private create(spec: FunctionSpec, initializationType: InitializationType): Environment {
    if (this.envs.size >= this.maxEnvironments && !this.evictIdle()) {
      throw new TooManyEnvironmentsError(`All ${this.maxEnvironments} execution environments are busy (maxEnvironments); wait for invokes to finish or raise maxEnvironments`);
    }
    const env = new Environment(spec, {
      initializationType,
      sink: this.options.logSink,
      endpointUrl: this.options.endpointUrl,
      tls: this.options.tls,
      interpreters: this.interpreters,
      cgroups: this.cgroups,
      tmpRoot: this.tmpRoot,
      initTimeoutMs: this.options.initTimeoutMs ?? INIT_TIMEOUT_MS,
      launcher: this.launcher,
      startRelay: this.relay.enabled && this.launcher.startRelay ? this.launcher.startRelay.bind(this.launcher) : null,
      sdkDir: (family) => this.sdks.dirFor(family),
      sdkNote: (family) => this.sdks.missingNote(family),
      onDeath: (e) => {
        this.envs.delete(e);
        this.cgroups.slots.setWeight(this.envs.size);
        // Lambda replaces a provisioned environment that failed (its runtime exited, timed out or ran
        // out of memory); one retired with its configuration stays gone, and so does one whose init failed.
        if (e.preInitialized && !e.retiring && !this.closed) {
          const replacing = this.replaceProvisioned(e.spec).finally(() => this.replacements.delete(replacing));
          this.replacements.add(replacing);
        }
      },
    });
    this.envs.add(env);
    this.cgroups.slots.setWeight(this.envs.size);
    return env;
  }

  async provision(spec: FunctionSpec, count: number): Promise<ProvisionOutcome> {
    if (this.closed) throw new Error('The environment pool has been shut down; start a new emulator to provision environments');
    // Busy while they initialise: an invoke meanwhile goes to an on-demand environment, as on Lambda while IN_PROGRESS.
    const envs: Environment[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const env = this.create(spec, 'provisioned-concurrency');
        env.busy = true;
        envs.push(env);
      }
    } catch (error) {
      // Not enough room (maxEnvironments): none of them is provisioned.
      for (const env of envs) {
        env.retiring = true;
        this.envs.delete(env);
        void env.destroy();
      }
      throw error;
    }
    const results = await Promise.all(envs.map((env) => this.preInitialize(env)));
    const failed = results.find((r) => !r.ok);
    const errorType = failed && !failed.ok ? (failed.errorType ?? (failed.status === 'timeout' ? 'Sandbox.Timedout' : 'Runtime.Unknown')) : undefined;
    return { ready: results.filter((r) => r.ok).length, ...(errorType ? { errorType } : {}) };
  }

  async replacementsSettled(): Promise<void> {
    while (this.replacements.size) await Promise.all(this.replacements);
  }

  /** A new provisioned environment in place of one that failed, initialised in the background; invokes meanwhile go on demand. */
  private async replaceProvisioned(spec: FunctionSpec): Promise<void> {
    let env: Environment;
    try {
      env = this.create(spec, 'provisioned-concurrency');
    } catch {
      return; // no room (maxEnvironments): invokes go on demand, as when Lambda cannot replace it at once
    }
    env.busy = true;
    await this.preInitialize(env);
  }

  /** Initialises a provisioned environment (busy until then) through the cold-start gate. */
  private async preInitialize(env: Environment): ReturnType<Environment['preInitialize']> {
    await this.coldGate.acquire();
    try {
      return await env.preInitialize();
    } finally {
      this.coldGate.release();
      env.busy = false;
      env.lastUsed = Date.now();
      // Deleted (or the pool shut down) while it initialised.
      if (env.retiring || this.closed) void env.destroy();
    }
  }

  async unprovision(functionName: string, version: string): Promise<void> {
    const gone: Promise<void>[] = [];
    for (const env of this.envs) {
      if (env.spec.functionName === functionName && env.spec.version === version && env.initializationType === 'provisioned-concurrency') gone.push(this.retireOne(env));
    }
    await Promise.all(gone);
  }

  /** Frees a slot by destroying the least recently used idle environment of any function. */
  private evictIdle(): boolean {
    let lru: Environment | null = null;
    // Provisioned environments keep their slot until their configuration is deleted, as on Lambda.
    for (const env of this.envs) if (env.idle && env.initializationType !== 'provisioned-concurrency' && (!lru || env.lastUsed < lru.lastUsed)) lru = env;
    if (!lru) return false;
    this.envs.delete(lru);
    void lru.destroy();
    return true;
  }

  private retireOne(env: Environment): Promise<void> {
    env.retiring = true;
    if (env.busy) return Promise.resolve();
    this.envs.delete(env);
    return env.destroy();
  }

  async retire(functionName: string, version?: string): Promise<void> {
    const gone: Promise<void>[] = [];
    for (const env of this.envs) {
      if (env.spec.functionName !== functionName) continue;
      if (version !== undefined && env.spec.version !== version) continue;
      gone.push(this.retireOne(env));
    }
    await Promise.all(gone);
  }

  inFlight(functionName: string): number {
    return this.running.get(functionName) ?? 0;
  }

  private expireIdle(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    for (const env of this.envs) {
      // Provisioned environments stay until their configuration is deleted.
      if (env.idle && env.lastUsed < cutoff && env.initializationType !== 'provisioned-concurrency') {
        this.envs.delete(env);
        void env.destroy();
      }
    }
  }

  /** Synchronous kill of every tree (process exit / signal path). */
  killNow(): void {
    for (const env of this.envs) env.killTree();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.sdks.stop();
    await Promise.all([...this.envs].map((env) => env.destroy()));
    this.envs.clear();
    this.launcher.close();
    await this.cgroups.slots.close();
    tearDownCgroups(this.cgroups);
    rmSync(this.tmpRoot, { recursive: true, force: true });
    this.unregister();
  }
}

/** Invokes use provisioned environments first, then the most recently used. */
function preferred(env: Environment, best: Environment): boolean {
  const p = env.initializationType === 'provisioned-concurrency';
  const q = best.initializationType === 'provisioned-concurrency';
  return p !== q ? p : env.lastUsed > best.lastUsed;
}

export { runtimeFamily } from './launch.ts';
