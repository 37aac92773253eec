import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeStore, type StoredCode } from './api/code-store.ts';
import { FunctionRegistry } from './api/lambda/functions.ts';
import type { InvokeContext } from './api/lambda/invoke.ts';
import { LayerRegistry } from './api/lambda/layers.ts';
import { lambdaRoutes } from './api/lambda/routes.ts';
import { LogStore } from './api/logs/store.ts';
import { createRequestHandler, type RequestCounts } from './api/server.ts';
import type { CpuMode, EnvironmentPool, PoolOptions } from './contract.ts';

export interface EmulatorOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** Default 127.0.0.1: the emulator runs code it is sent, so it stays on loopback unless asked */
  host?: string;
  region?: string;
  accountId?: string;
  maxEnvironments?: number;
  idleTimeoutMs?: number;
  /** How long State Pending / LastUpdateStatus InProgress last after a create or update (default 50 ms) */
  updateDelayMs?: number;
}

export interface RunningEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
  cpuMode: CpuMode;
  runtimeMapping: Record<string, string>;
  requestCounts(): { total: number; byOperation: Record<string, number> };
}

const DEFAULT_REGION = 'us-east-1';
/** AWS's documentation account id: obviously not a real account in ARNs and caller identity. */
const DEFAULT_ACCOUNT_ID = '123456789012';
/** Long enough that the SDK waiters see the transition once, short enough to keep config-bump cold starts quick. */
const DEFAULT_UPDATE_DELAY_MS = 50;
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
  let pool: EnvironmentPool | undefined;
  let stopped = false;
  const getPool = (): EnvironmentPool => {
    if (!pool) throw new Error('the execution environment pool is not running');
    return pool;
  };
  let baseUrl = '';
  const codeUrl = (stored: StoredCode) => `${baseUrl}/_coldbench/code/${Buffer.from(stored.codeSha256, 'base64').toString('hex')}.zip`;
  const layers = new LayerRegistry(code, { region, accountId, codeUrl });
  const functions = new FunctionRegistry({
    region, accountId, pool: getPool, code, layers, codeUrl,
    updateDelayMs: options.updateDelayMs ?? DEFAULT_UPDATE_DELAY_MS,
  });
  const invoke: InvokeContext = { functions, pool: getPool, asyncQueue: new Set(), stopped: () => stopped };
  const counts: RequestCounts = { total: 0, byOperation: {} };
  const server = createServer(
    { keepAliveTimeout: KEEP_ALIVE_MS, noDelay: true },
    createRequestHandler({
      region, accountId, logs, code, invoke, counts,
      routes: lambdaRoutes(functions, layers),
      status: () => status(getPool(), functions, counts, region, accountId),
    }),
  );
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  try {
    await listen(server, options.port ?? 0, host);
    const port = (server.address() as AddressInfo).port;
    baseUrl = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
    pool = await loadPool({ logSink: logs, maxEnvironments: options.maxEnvironments, idleTimeoutMs: options.idleTimeoutMs, endpointUrl: baseUrl });
  } catch (error) {
    server.close();
    await code.destroy();
    throw error;
  }
  const running = pool;
  let stopping: Promise<void> | undefined;
  return {
    url: baseUrl,
    port: (server.address() as AddressInfo).port,
    cpuMode: running.cpuMode,
    runtimeMapping: running.runtimeMapping,
    requestCounts: () => ({ total: counts.total, byOperation: { ...counts.byOperation } }),
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        functions.stopTimers();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await running.shutdown();
        server.closeAllConnections();
        await closed;
        await code.destroy();
      })();
      return stopping;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[(.*)\]$/, '$1'), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The environments live in their own module; it is loaded here so the API layer never spawns processes itself. */
async function loadPool(options: PoolOptions): Promise<EnvironmentPool> {
  // A variable specifier: the environments module is built in parallel and may be absent in a partial checkout.
  const specifier = './environments/index.ts';
  let mod: { createEnvironmentPool: (o: PoolOptions) => Promise<EnvironmentPool> };
  try {
    mod = await import(specifier);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return unavailablePool();
  }
  return mod.createEnvironmentPool(options);
}

/** Stands in while src/emulator/environments is missing: the control plane works, every invoke is a ServiceException. */
function unavailablePool(): EnvironmentPool {
  return {
    invoke: () => Promise.reject(new Error('execution environments are not available in this build (src/emulator/environments/index.ts is missing)')),
    retire: async () => undefined,
    inFlight: () => 0,
    shutdown: async () => undefined,
    cpuMode: { throttled: false, reason: 'no execution environments in this build' },
    runtimeMapping: {},
  };
}

function status(pool: EnvironmentPool, functions: FunctionRegistry, counts: RequestCounts, region: string, accountId: string) {
  return {
    region,
    accountId,
    cpuMode: pool.cpuMode,
    runtimeMapping: pool.runtimeMapping,
    sdkAvailability: pool.sdkAvailability ?? {},
    environments: pool.stats?.() ?? null,
    functions: functions.functions.size,
    requests: counts,
  };
}
