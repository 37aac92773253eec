import { type Architecture, MAX_LAYERS } from '../../../vocabulary.ts';
import { LOCAL_RUNTIMES } from '../../contract.ts';
import type { StoredCode } from '../code-store.ts';
import { invalidParameter } from '../errors.ts';
import type { ConfigurationInput } from './requests.ts';

/** Lambda's defaults when CreateFunction leaves Timeout or MemorySize out (its limits are in vocabulary.ts). */
const DEFAULT_TIMEOUT_S = 3;
const DEFAULT_MEMORY_MB = 128;
/** The 4 KB applies to the JSON of the whole Variables map, as Lambda measures it. */
const MAX_ENVIRONMENT_BYTES = 4096;
export const MAX_TAGS = 50;

/** Lambda's runtime enum, in the order AWS's message lists it (recorded 2026; LocalStack test_lambda_api snapshot). */
const LAMBDA_RUNTIMES = [
  'nodejs20.x',
  'python3.14',
  'provided.al2023',
  'python3.12',
  'python3.13',
  'nodejs24.x',
  'nodejs22.x',
  'java25',
  'python3.10',
  'python3.11',
  'java21',
  'ruby3.3',
  'ruby3.4',
  'ruby3.2',
  'python3.8',
  'python3.9',
  'java17',
  'nodejs16.x',
  'dotnet10',
  'dotnet8',
  'java11',
  'dotnet6',
  'nodejs18.x',
  'provided.al2',
  'java8.al2',
];

/** Runtimes the emulator can run (the pool maps each to a local interpreter). */
const SUPPORTED_RUNTIMES = new Set(LOCAL_RUNTIMES);

/** Keys Lambda sets itself and refuses in Environment.Variables. */
const RESERVED_ENV_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

export interface FunctionConfig {
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeoutS: number;
  memoryMB: number;
  environment: Record<string, string> | undefined;
  /** Layer version ARNs in order */
  layers: string[];
  logFormat: 'Text' | 'JSON';
  logGroup: string;
  applicationLogLevel?: string;
  systemLogLevel?: string;
  architecture: Architecture;
  ephemeralStorageMB: number;
  tracingMode: 'Active' | 'PassThrough';
}

export interface ResolvedLayer {
  arn: string;
  codeSize: number;
  dir: string;
}

/** One immutable code+configuration pair: what $LATEST shows, what runs, or a published version. */
export interface Revision {
  config: FunctionConfig;
  code: StoredCode;
  layers: ResolvedLayer[];
  /** Settles when the code is extracted and can run; rejects if it could not be stored */
  ready: Promise<unknown>;
  revisionId: string;
  lastModified: string;
}

/** Lambda's timestamp format: `2026-11-28T16:30:00.000+0000`. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

/**
 * Merges a CreateFunction / UpdateFunctionConfiguration body (already checked against its schema at the route, see
 * requests.ts) over a base configuration, with the checks Lambda makes after the schema's.
 */
export function applyConfig(name: string, base: FunctionConfig | undefined, body: ConfigurationInput): FunctionConfig {
  const cfg: FunctionConfig = base
    ? { ...base, layers: [...base.layers] }
    : {
        runtime: '',
        handler: '',
        role: '',
        description: '',
        timeoutS: DEFAULT_TIMEOUT_S,
        memoryMB: DEFAULT_MEMORY_MB,
        environment: undefined,
        layers: [],
        logFormat: 'Text',
        logGroup: `/aws/lambda/${name}`,
        architecture: 'x86_64',
        ephemeralStorageMB: 512,
        tracingMode: 'PassThrough',
      };
  if (body.Runtime !== undefined) cfg.runtime = body.Runtime;
  if (body.Handler !== undefined) cfg.handler = body.Handler;
  if (body.Role !== undefined) cfg.role = body.Role;
  if (body.Description !== undefined) cfg.description = body.Description;
  if (body.Timeout !== undefined) cfg.timeoutS = body.Timeout;
  if (body.MemorySize !== undefined) cfg.memoryMB = body.MemorySize;
  if (body.Environment !== undefined) cfg.environment = environment(body.Environment.Variables);
  if (body.Layers !== undefined) {
    if (body.Layers.length > MAX_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_LAYERS} layers.`);
    cfg.layers = body.Layers;
  }
  if (body.Architectures !== undefined) cfg.architecture = body.Architectures[0];
  if (body.EphemeralStorage !== undefined) cfg.ephemeralStorageMB = body.EphemeralStorage.Size;
  if (body.TracingConfig !== undefined) cfg.tracingMode = body.TracingConfig.Mode;
  if (body.LoggingConfig !== undefined) applyLogging(cfg, body.LoggingConfig);
  checkComplete(cfg);
  return cfg;
}

function applyLogging(cfg: FunctionConfig, lc: NonNullable<ConfigurationInput['LoggingConfig']>): void {
  if (lc.LogFormat !== undefined) cfg.logFormat = lc.LogFormat;
  if (lc.LogGroup !== undefined) cfg.logGroup = lc.LogGroup;
  if (lc.ApplicationLogLevel !== undefined) cfg.applicationLogLevel = lc.ApplicationLogLevel;
  if (lc.SystemLogLevel !== undefined) cfg.systemLogLevel = lc.SystemLogLevel;
  if (cfg.logFormat === 'JSON') {
    cfg.applicationLogLevel ??= 'INFO';
    cfg.systemLogLevel ??= 'INFO';
  } else if (cfg.applicationLogLevel !== undefined || cfg.systemLogLevel !== undefined) {
    if (lc.ApplicationLogLevel !== undefined || lc.SystemLogLevel !== undefined) {
      throw invalidParameter('Application log level and system log level are only supported when LogFormat is JSON.');
    }
    cfg.applicationLogLevel = undefined;
    cfg.systemLogLevel = undefined;
  }
}

function checkComplete(cfg: FunctionConfig): void {
  if (cfg.runtime === '') throw invalidParameter('Runtime is required for .zip deployment packages.');
  if (!LAMBDA_RUNTIMES.includes(cfg.runtime) && !SUPPORTED_RUNTIMES.has(cfg.runtime)) {
    throw invalidParameter(`Value ${cfg.runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${LAMBDA_RUNTIMES.join(', ')}] or be a valid ARN`);
  }
  if (!SUPPORTED_RUNTIMES.has(cfg.runtime)) {
    throw invalidParameter(`The runtime parameter of ${cfg.runtime} is not supported by the coldbench emulator. Use one of: ${[...SUPPORTED_RUNTIMES].join(', ')}.`);
  }
  if (cfg.handler === '') throw invalidParameter('Handler is required for .zip deployment packages.');
}

function environment(vars: Record<string, string> | null | undefined): Record<string, string> | undefined {
  if (vars === undefined || vars === null) return undefined;
  const reserved = Object.keys(vars).filter((key) => RESERVED_ENV_KEYS.has(key));
  if (reserved.length) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const size = Buffer.byteLength(JSON.stringify(vars));
  if (size > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(vars).slice(0, 200)}…`,
    );
  }
  return { ...vars };
}

/**
 * FunctionConfiguration as Lambda returns it. `listEntry` is the shape of ListFunctions / ListVersionsByFunction entries
 * (no State, LastUpdateStatus or RuntimeVersionConfig; `$LATEST` qualified when `qualifyLatest`).
 */
export function renderConfiguration(opts: {
  name: string;
  arn: string;
  version: string;
  revision: Revision;
  state: string;
  stateReason?: string;
  stateReasonCode?: string;
  /** Absent from CreateFunction's answer */
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  listEntry?: boolean;
  qualifyLatest?: boolean;
  /** The runtime version's ARN, as the environment's INIT_START line gives it (EnvironmentPool.runtimeVersionArn) */
  runtimeVersionArn: string;
}): Record<string, unknown> {
  const { revision: r, version } = opts;
  const c = r.config;
  const entry = opts.listEntry === true;
  return {
    FunctionName: opts.name,
    FunctionArn: version === '$LATEST' && !opts.qualifyLatest ? opts.arn : `${opts.arn}:${version}`,
    Runtime: c.runtime,
    Role: c.role,
    Handler: c.handler,
    CodeSize: r.code.codeSize,
    Description: c.description,
    Timeout: c.timeoutS,
    MemorySize: c.memoryMB,
    LastModified: r.lastModified,
    CodeSha256: r.code.codeSha256,
    Version: version,
    ...(c.environment ? { Environment: { Variables: c.environment } } : {}),
    TracingConfig: { Mode: c.tracingMode },
    RevisionId: r.revisionId,
    ...(r.layers.length ? { Layers: r.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) } : {}),
    ...(entry ? {} : { State: opts.state }),
    ...(opts.stateReason && !entry ? { StateReason: opts.stateReason, StateReasonCode: opts.stateReasonCode } : {}),
    ...(opts.lastUpdateStatus && !entry ? { LastUpdateStatus: opts.lastUpdateStatus } : {}),
    ...(opts.lastUpdateStatusReason && !entry ? { LastUpdateStatusReason: opts.lastUpdateStatusReason, LastUpdateStatusReasonCode: opts.lastUpdateStatusReasonCode } : {}),
    PackageType: 'Zip',
    Architectures: [c.architecture],
    EphemeralStorage: { Size: c.ephemeralStorageMB },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    ...(entry ? {} : { RuntimeVersionConfig: { RuntimeVersionArn: opts.runtimeVersionArn } }),
    LoggingConfig: {
      LogFormat: c.logFormat,
      LogGroup: c.logGroup,
      ...(c.applicationLogLevel ? { ApplicationLogLevel: c.applicationLogLevel } : {}),
      ...(c.systemLogLevel ? { SystemLogLevel: c.systemLogLevel } : {}),
    },
  };
}
