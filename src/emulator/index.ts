import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { CodeStore, destroyCodeRootSync, type StoredCode } from './api/code-store.ts';
import { FunctionRegistry } from './api/lambda/functions.ts';
import type { InvokeContext } from './api/lambda/invoke.ts';
import { LayerRegistry } from './api/lambda/layers.ts';
import { lambdaRoutes } from './api/lambda/routes.ts';
import { LogStore } from './api/logs/store.ts';
import { S3Store } from './api/s3.ts';
import { createRequestHandler, type RequestCounts } from './api/server.ts';
import { ensureTlsMaterial } from './api/tls.ts';
import type { CpuMode, FunctionTls, RuntimeInterpreter } from './contract.ts';
import { createEnvironmentPool, type LocalEnvironmentPool, type PoolTuning, runtimeFamily } from './environments/index.ts';

export { InterpreterError } from './environments/interpreters.ts';

export interface EmulatorOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** Default 127.0.0.1: the emulator runs code it is sent, so it stays on loopback unless asked */
  host?: string;
  region?: string;
  accountId?: string;
  maxEnvironments?: number;
  idleTimeoutMs?: number;
  /**
   * Test only: each create or update, once its work is done, also waits for the promise this returns before it takes
   * effect, so a test can observe State Pending / LastUpdateStatus InProgress. Without it they last as long as storing
   * and extracting the code takes, with no added delay.
   */
  transitionGate?: () => Promise<void>;
  /**
   * Seeds the version picks of aliases with RoutingConfig weights: for one seed, each alias runs the same version
   * sequence (default: a random seed, so each emulator picks differently)
   */
  routingSeed?: number;
  /** Pool knobs beyond the contract (init limit, cgroups off, skip the SDK build), for tests and benchmarks */
  poolTuning?: PoolTuning;
  /** Serve functions' AWS calls over HTTPS, as on Lambda (default true; falls back to HTTP without openssl) */
  functionTls?: boolean;
  /** Node binaries for the nodejsNN.x runtimes of their major (`--node`; default: COLDBENCH_NODE, else this node for every nodejsNN.x) */
  nodeBinaries?: string[];
}

export interface RunningEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
  cpuMode: CpuMode;
  runtimeMapping: Record<string, string>;
  /** Per runtime: the interpreter that runs it and whether its version is the runtime's */
  runtimeInterpreters: Record<string, RuntimeInterpreter>;
  requestCounts(): { total: number; byOperation: Record<string, number> };
  /** The endpoint functions call (AWS_ENDPOINT_URL inside them): HTTPS when available, else `url` */
  functionEndpoint: string;
}

const DEFAULT_REGION = 'us-east-1';
/** AWS's documentation account id: obviously not a real account in ARNs and caller identity. */
const DEFAULT_ACCOUNT_ID = '123456789012';
/** Longer than the SDK's socket reuse window, so a kept-alive connection is never closed under a request. */
const KEEP_ALIVE_MS = 65_000;

/** Hosts that keep the emulator private to this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts the emulator (Lambda, CloudWatch Logs, STS and /_coldbench/status on one port); resolves once it serves. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const code = await CodeStore.create();
  const logs = new LogStore();
  const s3 = new S3Store(path.join(code.root, 's3'));
  let pool: LocalEnvironmentPool | undefined;
  let stopped = false;
  const getPool = (): LocalEnvironmentPool => {
    if (!pool) throw new Error('the execution environment pool is not running');
    return pool;
  };
  let baseUrl = '';
  const codeUrl = (stored: StoredCode) => `${baseUrl}/_coldbench/code/${Buffer.from(stored.codeSha256, 'base64').toString('hex')}.zip`;
  const layers = new LayerRegistry(code, { region, accountId, codeUrl });
  const functions = new FunctionRegistry({
    region,
    accountId,
    pool: getPool,
    code,
    s3,
    layers,
    codeUrl,
    transitionGate: options.transitionGate,
    describeRuntime: (runtime) => {
      const p = getPool();
      const family = runtimeFamily(runtime);
      return {
        CpuThrottled: p.cpuMode.throttled,
        CpuReason: p.cpuMode.reason,
        LocalRuntime: p.runtimeMapping[runtime] ?? null,
        SdkAvailable: family ? (p.sdkAvailable[family] ?? false) : false,
      };
    },
  });
  const invoke: InvokeContext = { functions, pool: getPool, asyncQueue: new Set(), stopped: () => stopped };
  const counts: RequestCounts = { total: 0, byOperation: {} };
  const handleRequest = createRequestHandler({
    region,
    accountId,
    logs,
    code,
    s3,
    invoke,
    counts,
    routes: lambdaRoutes(functions, layers, s3, options.routingSeed ?? randomInt(2 ** 32)),
    status: () => ({ ...status(getPool(), functions, counts, region, accountId), functionEndpoint: functionTls?.endpointUrl ?? baseUrl, functionTls: tlsNote }),
  });
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS, noDelay: true }, handleRequest);
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  let tlsServer: HttpsServer | undefined;
  let functionTls: FunctionTls | undefined;
  let tlsNote = 'off (functionTls: false)';
  try {
    await listen(server, options.port ?? 0, host);
    const port = (server.address() as AddressInfo).port;
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    baseUrl = `http://${hostPart}:${port}`;
    if (options.functionTls !== false) {
      const tls = ensureTlsMaterial();
      if (tls.ok) {
        tlsServer = createHttpsServer({ key: tls.material.key, cert: tls.material.cert, keepAliveTimeout: KEEP_ALIVE_MS, noDelay: true }, handleRequest);
        await listen(tlsServer, 0, host);
        const tlsPort = (tlsServer.address() as AddressInfo).port;
        functionTls = { endpointUrl: `https://${hostPart}:${tlsPort}`, caBundlePath: tls.material.caBundlePath, certPath: tls.material.certPath };
        tlsNote = `functions call ${functionTls.endpointUrl} (self-signed certificate their SDKs trust: AWS_CA_BUNDLE for Python, the Node bootstrap on first use of https)`;
      } else {
        tlsNote = tls.reason;
      }
    }
    pool = await createEnvironmentPool({
      ...options.poolTuning,
      ...(options.nodeBinaries ? { nodeBinaries: options.nodeBinaries } : {}),
      logSink: logs,
      maxEnvironments: options.maxEnvironments,
      idleTimeoutMs: options.idleTimeoutMs,
      endpointUrl: baseUrl,
      tls: functionTls,
    });
  } catch (error) {
    server.close();
    tlsServer?.close();
    await code.destroy();
    throw error;
  }
  const running = pool;
  // A process that exits without stop() (process.exit in a caller, an uncaught error) still leaves no temp folder.
  const removeOnExit = () => destroyCodeRootSync(code.root);
  process.on('exit', removeOnExit);
  let stopping: Promise<void> | undefined;
  return {
    url: baseUrl,
    port: (server.address() as AddressInfo).port,
    cpuMode: running.cpuMode,
    runtimeMapping: running.runtimeMapping,
    runtimeInterpreters: running.runtimeInterpreters,
    requestCounts: () => ({ total: counts.total, byOperation: { ...counts.byOperation } }),
    functionEndpoint: functionTls?.endpointUrl ?? baseUrl,
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        functions.stopTransitions();
        const closed = Promise.all([server, tlsServer].map((s) => (s ? new Promise<void>((resolve) => s.close(() => resolve())) : undefined)));
        server.closeIdleConnections();
        tlsServer?.closeIdleConnections();
        try {
          await running.shutdown();
        } finally {
          server.closeAllConnections();
          tlsServer?.closeAllConnections();
          await closed;
          await code.destroy();
          process.off('exit', removeOnExit);
        }
      })();
      return stopping;
    },
  };
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[(.*)\]$/, '$1'), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** GET /_coldbench/status: how this emulator runs functions, for run.json and for people. */
function status(pool: LocalEnvironmentPool, functions: FunctionRegistry, counts: RequestCounts, region: string, accountId: string) {
  const perFunction: Record<string, { environments: number; inFlight: number }> = {};
  for (const name of functions.functions.keys()) {
    perFunction[name] = { environments: pool.environmentCount(name), inFlight: pool.inFlight(name) };
  }
  return {
    region,
    accountId,
    cpuMode: pool.cpuMode,
    memoryMode: pool.memoryMode,
    runtimeMapping: pool.runtimeMapping,
    /** Per runtime: command, real executable, version and whether it is the runtime's own (`exact`) */
    interpreters: pool.runtimeInterpreters,
    sdkAvailable: pool.sdkAvailable,
    sdkState: pool.sdkState,
    /** Cold starts run at once; more wait (unspawned) for a slot, so they never compete for cores */
    coldStartSlots: pool.coldStartSlots,
    /** Cores the environments share: the harness never runs more cold starts at once than this */
    cores: availableParallelism(),
    environments: pool.environmentCount(),
    functions: perFunction,
    requests: counts,
  };
}
