/**
 * Where a run goes: the embedded emulator (started in-process), an endpoint URL, or a real
 * account. All three hand back the same AWS SDK v3 clients; only endpoint and credentials differ.
 */
import { cpus } from 'node:os';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { RuntimeInterpreter } from '../emulator/contract.ts';
import { SuiteError, TargetError } from './errors.ts';
import type { Plan } from './plan.ts';

export type TargetKind = 'local' | 'url' | 'aws';

/** What `GET /_coldbench/status` says about a coldbench emulator (other endpoints have none). */
export interface EmulatorStatus {
  cpu?: { throttled: boolean; reason: string };
  runtimes?: Record<string, string>;
  /** Per runtime: the interpreter that runs it and whether its version is the runtime's own */
  interpreters?: Record<string, RuntimeInterpreter>;
  cores?: number;
  /** Cold starts the emulator runs at once; it queues the rest before they spawn */
  coldStartSlots?: number;
  [extra: string]: unknown;
}

export interface Target {
  kind: TargetKind;
  /** The endpoint URL for local and URL targets */
  endpoint?: string;
  region: string;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
  iam: IAMClient;
  s3: S3Client;
  sts: STSClient;
  /** Present when the endpoint is a coldbench emulator */
  status: EmulatorStatus | null;
  /** Cold starts the target can run at once without them competing for cores (Infinity on AWS) */
  coreCap: number;
  /** Stops the embedded emulator (no-op for other targets) */
  close(): Promise<void>;
}

export interface TargetOptions {
  profile?: string;
  region?: string;
  env?: NodeJS.ProcessEnv;
  /** Node binaries the embedded emulator runs nodejsNN.x on (`--node`; local target only) */
  node?: string[];
}

/**
 * Retries for the Lambda and S3 clients on every target: the SDK's standard strategy retries
 * throttling (TooManyRequestsException, ThrottlingException, SlowDown, HTTP 429) and transient
 * network and 5xx errors with exponential backoff and jitter, honouring Retry-After. 9 attempts
 * ride out about a minute of throttling, as coldbench's own loop did before it left throttling to
 * the SDK (retry.ts keeps only what the SDK does not retry).
 */
export const SDK_RETRY = { maxAttempts: 9 } as const;

/** Credentials for emulators: they accept any; these never leave the machine. */
const LOCAL_CREDENTIALS = { accessKeyId: 'coldbench', secretAccessKey: 'coldbench' };
const LOCAL_REGION = 'us-east-1';

/** Reads an emulator's status page; null for endpoints that are not coldbench emulators. */
export async function fetchEmulatorStatus(endpoint: string): Promise<EmulatorStatus | null> {
  try {
    const res = await fetch(new URL('/_coldbench/status', endpoint), { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return null;
    const body = (await res.json()) as Record<string, unknown>;
    return {
      ...body,
      cpu: (body.cpu ?? body.cpuMode) as EmulatorStatus['cpu'],
      runtimes: (body.runtimes ?? body.runtimeMapping) as EmulatorStatus['runtimes'],
      cores: typeof body.cores === 'number' ? body.cores : undefined,
    };
  } catch {
    return null;
  }
}

function endpointClients(endpoint: string) {
  const config = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  return {
    lambda: new LambdaClient({ ...config, ...SDK_RETRY }),
    logs: new CloudWatchLogsClient(config),
    iam: new IAMClient(config),
    s3: new S3Client({ ...config, ...SDK_RETRY, forcePathStyle: true }),
    sts: new STSClient(config),
  };
}

/** Clients for an endpoint URL (a running `coldbench emulator`, LocalStack, …). */
export async function urlTarget(endpoint: string, close: () => Promise<void> = async () => {}, kind: TargetKind = 'url'): Promise<Target> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new TargetError(`--target ${endpoint}: not a URL; allowed: local, aws or http://host:port`, { cause: error });
  }
  const clean = url.origin;
  const status = await fetchEmulatorStatus(clean);
  // A coldbench emulator that admits only so many cold starts at once keeps the cores rule
  // itself, so a whole burst can go out after one bump; an older one states its cores; an
  // unknown endpoint on this machine shares this machine's cores.
  const coreCap = status
    ? typeof status.coldStartSlots === 'number'
      ? Number.POSITIVE_INFINITY
      : (status.cores ?? cpus().length)
    : kind === 'local'
      ? cpus().length
      : Number.POSITIVE_INFINITY;
  return { kind, endpoint: clean, region: LOCAL_REGION, ...endpointClients(clean), status, coreCap, close };
}

/** Starts the embedded emulator in this process and returns clients pointed at it. */
async function localTarget(options: Pick<TargetOptions, 'node'> = {}): Promise<Target> {
  const { startEmulator } = (await import('../emulator/index.ts')) as {
    startEmulator: (o?: {
      port?: number;
      host?: string;
      nodeBinaries?: string[];
    }) => Promise<{ url: string; stop(): Promise<void>; cpuMode: EmulatorStatus['cpu']; runtimeMapping: Record<string, string> }>;
  };
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1', ...(options.node?.length ? { nodeBinaries: options.node } : {}) });
  } catch (error) {
    throw new TargetError(`cannot start the embedded emulator: ${(error as Error).message}`, { cause: error });
  }
  const target = await urlTarget(emulator.url, () => emulator.stop(), 'local');
  target.status = { ...target.status, cpu: target.status?.cpu ?? emulator.cpuMode, runtimes: target.status?.runtimes ?? emulator.runtimeMapping };
  if (typeof target.status?.coldStartSlots !== 'number') target.coreCap = Math.min(target.coreCap, cpus().length);
  return target;
}

/**
 * run.json's `emulator.interpreters`: for each runtime the plan uses, the interpreter the
 * emulator ran it on (from its status), whether that is the runtime's own version, and the
 * variants it ran. Undefined when the target is not a coldbench emulator that says.
 */
export function planInterpreters(
  status: EmulatorStatus | null,
  variants: Array<{ name: string; runtime: string }>,
): Record<string, RuntimeInterpreter & { variants: string[] }> | undefined {
  const known = status?.interpreters;
  if (!known || typeof known !== 'object') return undefined;
  const out: Record<string, RuntimeInterpreter & { variants: string[] }> = {};
  for (const v of variants) {
    const it = known[v.runtime];
    if (!it) continue;
    out[v.runtime] ??= { ...it, variants: [] };
    out[v.runtime].variants.push(v.name);
  }
  return out;
}

/**
 * The endpoint functions should call (their AWS_ENDPOINT_URL): a coldbench emulator names its
 * HTTPS listener in /_coldbench/status, so functions pay a TLS handshake per new connection as
 * they do on Lambda; other endpoints are called where the harness calls them.
 */
export function functionEndpoint(target: Pick<Target, 'endpoint' | 'status'>): string | undefined {
  const named = target.status?.functionEndpoint;
  return typeof named === 'string' ? named : target.endpoint;
}

/** Clients for a real account: the standard credential chain, `--profile`, `--region`. */
export function awsTarget(options: TargetOptions): Target {
  const env = options.env ?? process.env;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new TargetError('--target aws: no region; pass --region (e.g. --region us-east-1) or set AWS_REGION');
  const config = { region, ...(options.profile ? { profile: options.profile } : {}) };
  return {
    kind: 'aws',
    region,
    lambda: new LambdaClient({ ...config, ...SDK_RETRY }),
    logs: new CloudWatchLogsClient(config),
    iam: new IAMClient(config),
    s3: new S3Client({ ...config, ...SDK_RETRY }),
    sts: new STSClient(config),
    status: null,
    coreCap: Number.POSITIVE_INFINITY,
    close: async () => {},
  };
}

/** Checks that a real account's credentials work (before asking anything); returns the account id. */
export async function verifyAccount(target: Target): Promise<string> {
  try {
    const identity = await target.sts.send(new GetCallerIdentityCommand({}));
    return identity.Account ?? 'unknown';
  } catch (error) {
    const name = (error as Error).name;
    const hint =
      name === 'CredentialsProviderError'
        ? 'no credentials were found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`'
        : `the credentials were refused (${name}: ${(error as Error).message}); check them with \`aws sts get-caller-identity\``;
    throw new TargetError(`--target aws: ${hint}`, { cause: error });
  }
}

/** `local`, `aws` or a URL → an open target. */
export async function openTarget(spec: string, options: TargetOptions = {}): Promise<Target> {
  if (spec === 'local') return localTarget(options);
  if (spec === 'aws') return awsTarget(options);
  if (/^https?:\/\//.test(spec)) return urlTarget(spec);
  throw new TargetError(`--target ${spec}: not a target; allowed: local (the embedded emulator), aws (a real account) or an endpoint URL such as http://127.0.0.1:4566`);
}

/**
 * SnapStart cannot be emulated faithfully (a restored Firecracker snapshot is not a process that re-runs its init), so
 * only a real account runs variants that use it: refused before any emulator starts or anything is packaged.
 */
export function refuseSnapStartOffAws(plan: Plan, targetSpec: string, suiteFile: string): void {
  if (targetSpec === 'aws') return;
  const snap = plan.variants.filter((v) => v.snapStart);
  if (snap.length === 0) return;
  const where = targetSpec === 'local' ? 'the local emulator' : `the endpoint ${targetSpec}`;
  throw new SuiteError(
    `${suiteFile}: functions.${snap[0].function}.snapStart: true cannot run on ${where}: SnapStart restores a Firecracker snapshot, which no local process can reproduce faithfully (variants ${snap.map((v) => v.name).join(', ')}). Run it with --target aws, or leave snapStart out (or --only the other variants) to benchmark locally.`,
  );
}
