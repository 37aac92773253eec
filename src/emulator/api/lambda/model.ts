import { createHash } from 'node:crypto';
import { type Architecture, isArchitecture } from '../../../vocabulary.ts';
import { LOCAL_RUNTIMES } from '../../contract.ts';
import type { StoredCode } from '../code-store.ts';
import { AwsError, invalidParameter } from '../errors.ts';

/** Lambda's limits (reference: Resources). */
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;
const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 900;
const DEFAULT_TIMEOUT_S = 3;
const DEFAULT_MEMORY_MB = 128;
const MAX_LAYERS = 5;
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
  revisionId: string;
  lastModified: string;
}

const validation = (message: string) => new AwsError('ValidationException', 400, message);

/** Lambda's timestamp format: `2026-11-28T16:30:00.000+0000`. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Merges a CreateFunction / UpdateFunctionConfiguration body over a base configuration, validating each field as Lambda does. */
export function applyConfig(name: string, base: FunctionConfig | undefined, body: Record<string, unknown>): FunctionConfig {
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
  if (body.Runtime !== undefined) cfg.runtime = requireString(body.Runtime, 'runtime');
  if (body.Handler !== undefined) cfg.handler = requireString(body.Handler, 'handler');
  if (body.Role !== undefined) cfg.role = requireString(body.Role, 'role');
  if (body.Description !== undefined) cfg.description = requireString(body.Description, 'description');
  if (body.Timeout !== undefined) cfg.timeoutS = int(body.Timeout, 'timeout', MIN_TIMEOUT_S, MAX_TIMEOUT_S);
  if (body.MemorySize !== undefined) cfg.memoryMB = int(body.MemorySize, 'memorySize', MIN_MEMORY_MB, MAX_MEMORY_MB);
  if (body.Environment !== undefined) cfg.environment = environment(body.Environment);
  if (body.Layers !== undefined) {
    if (!Array.isArray(body.Layers) || body.Layers.some((l) => typeof l !== 'string')) throw invalidParameter('Layers must be a list of layer version ARNs.');
    if (body.Layers.length > MAX_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_LAYERS} layers.`);
    cfg.layers = body.Layers as string[];
  }
  if (body.Architectures !== undefined) {
    const archs = body.Architectures;
    const shown = Array.isArray(archs) ? `[${archs.map(String).join(', ')}]` : String(archs);
    if (Array.isArray(archs) && archs.length > 1) {
      throw validation(`1 validation error detected: Value '${shown}' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1`);
    }
    if (!Array.isArray(archs) || archs.length !== 1 || !isArchitecture(archs[0])) {
      throw validation(
        `1 validation error detected: Value '${shown}' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]`,
      );
    }
    cfg.architecture = archs[0];
  }
  if (body.EphemeralStorage !== undefined) {
    cfg.ephemeralStorageMB = int((body.EphemeralStorage as { Size?: unknown })?.Size, 'ephemeralStorage.size', 512, 10_240);
  }
  if (body.TracingConfig !== undefined) {
    const mode = (body.TracingConfig as { Mode?: unknown })?.Mode;
    if (mode !== 'Active' && mode !== 'PassThrough')
      throw validation(
        `1 validation error detected: Value '${String(mode)}' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]`,
      );
    cfg.tracingMode = mode;
  }
  if (body.LoggingConfig !== undefined) applyLogging(cfg, body.LoggingConfig);
  checkComplete(cfg);
  return cfg;
}

function applyLogging(cfg: FunctionConfig, raw: unknown): void {
  if (raw === null || typeof raw !== 'object') throw invalidParameter('LoggingConfig must be an object.');
  const lc = raw as Record<string, unknown>;
  if (lc.LogFormat !== undefined) {
    if (lc.LogFormat !== 'Text' && lc.LogFormat !== 'JSON')
      throw validation(
        `1 validation error detected: Value '${String(lc.LogFormat)}' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]`,
      );
    cfg.logFormat = lc.LogFormat;
  }
  if (lc.LogGroup !== undefined) cfg.logGroup = requireString(lc.LogGroup, 'loggingConfig.logGroup');
  if (lc.ApplicationLogLevel !== undefined) cfg.applicationLogLevel = requireString(lc.ApplicationLogLevel, 'loggingConfig.applicationLogLevel');
  if (lc.SystemLogLevel !== undefined) cfg.systemLogLevel = requireString(lc.SystemLogLevel, 'loggingConfig.systemLogLevel');
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
  if (cfg.role === '') throw validation("1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
  if (!/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(cfg.role)) {
    throw validation(
      `1 validation error detected: Value '${cfg.role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
    );
  }
  if (cfg.runtime === '') throw invalidParameter('Runtime is required for .zip deployment packages.');
  if (!LAMBDA_RUNTIMES.includes(cfg.runtime) && !SUPPORTED_RUNTIMES.has(cfg.runtime)) {
    throw invalidParameter(`Value ${cfg.runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${LAMBDA_RUNTIMES.join(', ')}] or be a valid ARN`);
  }
  if (!SUPPORTED_RUNTIMES.has(cfg.runtime)) {
    throw invalidParameter(`The runtime parameter of ${cfg.runtime} is not supported by the coldbench emulator. Use one of: ${[...SUPPORTED_RUNTIMES].join(', ')}.`);
  }
  if (cfg.handler === '') throw invalidParameter('Handler is required for .zip deployment packages.');
  if (cfg.handler.length > 128)
    throw validation(`1 validation error detected: Value '${cfg.handler}' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128`);
}

function environment(raw: unknown): Record<string, string> | undefined {
  if (raw === null || typeof raw !== 'object') throw invalidParameter('Environment must be an object with a Variables map.');
  const vars = (raw as { Variables?: unknown }).Variables;
  if (vars === undefined || vars === null) return undefined;
  if (typeof vars !== 'object' || Array.isArray(vars)) throw invalidParameter('Environment.Variables must be a map of strings.');
  const out: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [key, value] of Object.entries(vars as Record<string, unknown>)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])*$/.test(key))
      throw validation(
        `1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`,
      );
    if (typeof value !== 'string') throw invalidParameter(`Environment variable ${key} must be a string.`);
    if (RESERVED_ENV_KEYS.has(key)) reserved.push(key);
    out[key] = value;
  }
  if (reserved.length) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const size = Buffer.byteLength(JSON.stringify(out));
  if (size > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(out).slice(0, 200)}…`,
    );
  }
  return out;
}

/** A field that must be a string, else Lambda's validation error naming the field. */
function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw validation(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be a string`);
  return value;
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validation(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min)
    throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (value > max)
    throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  return value;
}

/** The runtime version Lambda reports: a stable id per runtime (Lambda's is a 64-hex digest of the runtime build). */
function runtimeVersionArn(functionArn: string, runtime: string): string {
  const region = functionArn.split(':')[3];
  return `arn:aws:lambda:${region}::runtime:${createHash('sha256').update(`coldbench:${runtime}`).digest('hex')}`;
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
    ...(entry ? {} : { RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(opts.arn, c.runtime) } }),
    LoggingConfig: {
      LogFormat: c.logFormat,
      LogGroup: c.logGroup,
      ...(c.applicationLogLevel ? { ApplicationLogLevel: c.applicationLogLevel } : {}),
      ...(c.systemLogLevel ? { SystemLogLevel: c.systemLogLevel } : {}),
    },
  };
}
