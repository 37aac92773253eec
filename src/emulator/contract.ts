/**
 * The seam between the emulator's API layer (HTTP: Lambda control plane, Invoke, CloudWatch
 * Logs, STS, S3 — src/emulator/api/…) and its execution environments (process trees, Runtime
 * API, bootstraps, measurement, limits — src/emulator/environments/…). The API layer owns
 * function state and the log store; the pool owns processes.
 */

import type { Architecture } from '../vocabulary.ts';

/** Every Lambda runtime identifier the emulator runs (spelled in src/vocabulary.ts with the rest of the shared words). */
export { LOCAL_RUNTIMES } from '../vocabulary.ts';

/**
 * What runs one runtime here (`/_coldbench/status` → `interpreters`, run.json →
 * `emulator.interpreters`): python3.12 runs on a local python 3.12 when there is one, else on
 * python3, whatever its version; `exact` says which.
 */
export interface RuntimeInterpreter {
  /** How it was found: `python3.12` or `python3` on PATH, `node` (the emulator's own), a `--node` / COLDBENCH_NODE path; null for provided.* */
  command: string | null;
  /** The real executable behind any shim (Python's sys.executable), which environments run; null for provided.* or when there is none */
  path: string | null;
  /** Its version as it reports it, without a leading v: `3.11.7`, `20.20.2`; null for provided.* or when there is none */
  version: string | null;
  /** The version is the runtime's own (3.12.x for python3.12, 22.x for nodejs22.x); provided.* are always exact */
  exact: boolean;
  /** Why the runtime cannot run here (no python3 at all) */
  problem?: string;
}

/** An immutable snapshot of what an environment runs. A new snapshot (new `codeSha256` or
 * `revisionId`) for the same function+qualifier means every older environment is retired. */
export interface FunctionSpec {
  functionName: string;
  /** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] as Lambda reports it */
  functionArn: string;
  /** '$LATEST' or a published version number as a string */
  version: string;
  runtime: string;
  /** `module.function` (python / node) or anything for provided.* */
  handler: string;
  memoryMB: number;
  timeoutS: number;
  environment: Record<string, string>;
  /** Extracted, read-only task root for this code version */
  codeDir: string;
  /** Extracted layer folders, in the function's layer order (later layers win, as in /opt) */
  layerDirs: string[];
  logFormat: 'Text' | 'JSON';
  architecture: Architecture;
  logGroupName: string;
  region: string;
  accountId: string;
  /** Changes on every code or configuration update */
  revisionId: string;
  codeSha256: string;
}

export interface LogEvent {
  timestamp: number;
  message: string;
}

/** Where environments write their log lines (the emulator's CloudWatch Logs store). */
export interface LogSink {
  createStream(logGroupName: string, logStreamName: string): void;
  append(logGroupName: string, logStreamName: string, events: LogEvent[]): void;
}

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  /** base64 X-Amz-Client-Context, passed through to Lambda-Runtime-Client-Context */
  clientContext?: string;
}

export type InvokeOutcome = {
  /** Response payload exactly as the function (or the platform, on failure) produced it */
  payload: Buffer;
  /** Set when the invoke failed: function error, timeout, crash, OOM, init failure */
  functionError?: 'Unhandled' | 'Handled';
  status: 'success' | 'error' | 'timeout';
  errorType?: string;
  /** This invoke's own log lines (START … REPORT and the function's output), for LogType=Tail */
  logText: string;
  /** Whether the invoke started a new environment */
  cold: boolean;
  initMs: number | null;
  durationMs: number;
  billedMs: number;
  maxMemoryMB: number;
};

/** How CPU is limited. Reported in GetFunction (Configuration) as an extra field and in /status. */
export interface CpuMode {
  throttled: boolean;
  /** e.g. "cgroup v1 cpu controller at /sys/fs/cgroup/cpu is writable" or why not */
  reason: string;
}

export class TooManyEnvironmentsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooManyEnvironmentsError';
  }
}

export interface EnvironmentPool {
  /** Runs one invoke on an idle environment of this spec, or a new one (cold). Never rejects
   * for function failures — those are outcomes; rejects only with TooManyEnvironmentsError. */
  invoke(spec: FunctionSpec, request: InvokeRequest): Promise<InvokeOutcome>;
  /** Retire (kill) every environment of a function, or of one qualifier; busy ones finish first. */
  retire(functionName: string, version?: string): Promise<void>;
  /** Invokes currently running for a function (for reserved concurrency). */
  inFlight(functionName: string): number;
  /** Initialises `count` provisioned-concurrency environments of this spec ahead of invokes, which use them first. */
  provision(spec: FunctionSpec, count: number): Promise<ProvisionOutcome>;
  /** Retires the provisioned environments of one version (its configuration was deleted). */
  unprovision(functionName: string, version: string): Promise<void>;
  /** Kill every process tree and remove temp folders. */
  shutdown(): Promise<void>;
  /** The runtime version ARN Lambda reports for a runtime here (GetFunctionConfiguration and INIT_START alike) */
  runtimeVersionArn(runtime: string, region: string): string;
  readonly cpuMode: CpuMode;
  /** e.g. { 'python3.11': 'python3 3.11.7 (/usr/bin/python3)', 'nodejs22.x': 'node v20.20.2' } */
  readonly runtimeMapping: Record<string, string>;
  /** Per runtime in LOCAL_RUNTIMES: the interpreter that runs it and whether its version is the runtime's */
  readonly runtimeInterpreters: Record<string, RuntimeInterpreter>;
}

/** How a provisioning went: environments initialised, and the first failure's error type if any failed. */
export interface ProvisionOutcome {
  ready: number;
  errorType?: string;
}

export interface PoolOptions {
  logSink: LogSink;
  /** Most environments alive at once across all functions (default 64) */
  maxEnvironments?: number;
  /** Idle environments expire after this long (default 10 minutes) */
  idleTimeoutMs?: number;
  /** The emulator's own URL, for AWS_ENDPOINT_URL inside functions and the STS endpoint */
  endpointUrl: string;
  /** The emulator's HTTPS listener: when set, functions call it (as on Lambda, every AWS call is
   * HTTPS) and their SDKs trust its certificate */
  tls?: FunctionTls;
}

export interface FunctionTls {
  /** https://127.0.0.1:PORT, used as AWS_ENDPOINT_URL instead of endpointUrl */
  endpointUrl: string;
  /** The certificate plus the system CAs: AWS_CA_BUNDLE for botocore */
  caBundlePath: string;
  /** The certificate alone: COLDBENCH_EMULATOR_CA, trusted lazily by the Node bootstrap */
  certPath: string;
}
