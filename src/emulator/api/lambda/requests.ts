import { z } from 'zod';
import { type Architecture, isArchitecture, MAX_MEMORY_MB, MAX_TIMEOUT_S, MIN_MEMORY_MB, MIN_TIMEOUT_S } from '../../../vocabulary.ts';
import { AwsError } from '../errors.ts';

/**
 * Request bodies of the Lambda operations, validated at the route as Lambda's front end does before any handler runs:
 * every member's type and its modelled constraints (length, range, pattern, enum). A bad body is one
 * ValidationException listing each violation in AWS's words ("2 validation errors detected: Value '…' at 'memorySize'
 * failed to satisfy constraint: …; …"), with the member path in the API's lowerCamelCase. Checks that Lambda makes
 * after that (runtime names, reserved environment keys, layer counts) stay in the handlers and keep their own errors.
 * Recorded messages: test/emulator/parity/scenarios.json (from LocalStack's AWS snapshots).
 */

const atMost = (n: number) => ({ message: `Member must have length less than or equal to ${n}` });
const atLeast = (n: number) => ({ message: `Member must have length greater than or equal to ${n}` });
const int = (min: number, max: number) =>
  z
    .number()
    .int({ message: 'Member must be an integer' })
    .min(min, { message: `Member must have value greater than or equal to ${min}` })
    .max(max, { message: `Member must have value less than or equal to ${max}` });
/** An enum member, listed in AWS's message in the order AWS lists it. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { errorMap: () => ({ message: `Member must satisfy enum value set: [${values.join(', ')}]` }) });
const pattern = (shown: string) => ({ message: `Member must satisfy regular expression pattern: ${shown}` });

const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])*$/;
const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9-_]+$/;

/** Lambda measures some list members as a whole: Architectures is `[x86_64]` with one entry from the enum. */
const architectures = z.array(z.unknown()).superRefine((archs, ctx) => {
  if (archs.length > 1) ctx.addIssue({ code: 'custom', message: 'Member must have length less than or equal to 1' });
  else if (archs.length !== 1 || !isArchitecture(archs[0])) {
    ctx.addIssue({ code: 'custom', message: 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]' });
  }
}) as unknown as z.ZodType<Architecture[]>;

const environment = z.object({
  Variables: z
    .record(z.string())
    .superRefine((vars, ctx) => {
      if (Object.keys(vars).some((k) => !ENV_KEY.test(k))) {
        ctx.addIssue({
          code: 'custom',
          message: 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]',
          params: { hideValue: true },
        });
      }
    })
    .nullish(),
});

const logLevel = (field: 'application' | 'system') => (field === 'application' ? oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']) : oneOf(['DEBUG', 'INFO', 'WARN']));

/** The members CreateFunction and UpdateFunctionConfiguration share. */
const configMembers = {
  Runtime: z.string(),
  Handler: z.string().max(128, atMost(128)),
  Role: z.string().regex(ROLE, pattern('arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+')),
  Description: z.string().max(256, atMost(256)),
  Timeout: int(MIN_TIMEOUT_S, MAX_TIMEOUT_S),
  MemorySize: int(MIN_MEMORY_MB, MAX_MEMORY_MB),
  Environment: environment,
  Layers: z.array(z.string()),
  Architectures: architectures,
  EphemeralStorage: z.object({ Size: int(512, 10_240) }),
  TracingConfig: z.object({ Mode: oneOf(['Active', 'PassThrough']) }),
  LoggingConfig: z.object({
    LogFormat: oneOf(['JSON', 'Text']).optional(),
    LogGroup: z.string().min(1, atLeast(1)).max(512, atMost(512)).optional(),
    ApplicationLogLevel: logLevel('application').optional(),
    SystemLogLevel: logLevel('system').optional(),
  }),
};

export const configurationUpdate = z.object({
  ...Object.fromEntries(Object.entries(configMembers).map(([k, v]) => [k, v.optional()])),
  RevisionId: z.string().optional(),
}) as z.ZodType<Partial<{ [K in keyof typeof configMembers]: z.infer<(typeof configMembers)[K]> }> & { RevisionId?: string }>;
export type ConfigurationInput = z.infer<typeof configurationUpdate>;

const code = z.object({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().min(3, atLeast(3)).max(63, atMost(63)).optional(),
  S3Key: z.string().min(1, atLeast(1)).max(1024, atMost(1024)).optional(),
  S3ObjectVersion: z.string().optional(),
  ImageUri: z.string().optional(),
});
export type CodeInput = z.infer<typeof code>;

const tags = z.record(z.string());

export const createFunction = z.intersection(
  configurationUpdate,
  z.object({
    FunctionName: z.string(),
    // Required, as Lambda's model says (its message is the missing-member one below); checked after the name
    Role: z.string(),
    Code: code,
    Publish: z.boolean().optional(),
    PackageType: oneOf(['Zip', 'Image']).optional(),
    Tags: tags.optional(),
  }),
);
export type CreateFunctionInput = z.infer<typeof createFunction>;

export const updateFunctionCode = code.extend({
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: z.string().optional(),
  Architectures: architectures.optional(),
});
export type UpdateCodeInput = z.infer<typeof updateFunctionCode>;

export const publishVersion = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().max(256, atMost(256)).optional(),
  RevisionId: z.string().optional(),
});
export type PublishVersionInput = z.infer<typeof publishVersion>;

const routingConfig = z.object({ AdditionalVersionWeights: z.record(z.unknown()).nullish() }).nullish();

export const createAlias = z.object({
  Name: z.string().min(1, atLeast(1)).max(128, atMost(128)).regex(ALIAS_NAME, pattern('(?!^[0-9]+$)([a-zA-Z0-9-_]+)')),
  FunctionVersion: z.string().min(1, atLeast(1)).max(1024, atMost(1024)),
  Description: z.string().max(256, atMost(256)).optional(),
  RoutingConfig: routingConfig,
});
export type CreateAliasInput = z.infer<typeof createAlias>;

export const updateAlias = z.object({
  FunctionVersion: z.string().min(1, atLeast(1)).max(1024, atMost(1024)).optional(),
  Description: z.string().max(256, atMost(256)).optional(),
  RoutingConfig: routingConfig,
  RevisionId: z.string().optional(),
});
export type UpdateAliasInput = z.infer<typeof updateAlias>;

export const putFunctionConcurrency = z.object({
  ReservedConcurrentExecutions: z.number().int({ message: 'Member must be an integer' }).min(0, { message: 'Member must have value greater than or equal to 0' }),
});
export type PutConcurrencyInput = z.infer<typeof putFunctionConcurrency>;

export const putProvisionedConcurrency = z.object({
  ProvisionedConcurrentExecutions: z.number().int({ message: 'Member must be an integer' }).min(1, { message: 'Member must have value greater than or equal to 1' }),
});
export type PutProvisionedConcurrencyInput = z.infer<typeof putProvisionedConcurrency>;

export const publishLayerVersion = z.object({
  Content: code.omit({ ImageUri: true }),
  Description: z.string().max(256, atMost(256)).optional(),
  CompatibleRuntimes: z.array(z.string()).max(15, atMost(15)).optional(),
  CompatibleArchitectures: z
    .array(oneOf(['x86_64', 'arm64']))
    .max(2, atMost(2))
    .optional(),
  LicenseInfo: z.string().max(512, atMost(512)).optional(),
});
export type PublishLayerInput = z.infer<typeof publishLayerVersion>;

export const tagResource = z.object({ Tags: tags });
export type TagResourceInput = z.infer<typeof tagResource>;

/** The member types as Lambda's deserializer names them, for a body that sends the wrong JSON type. */
const TYPE_NAMES: Record<string, string> = {
  string: 'Member must be a string',
  number: 'Member must be an integer',
  boolean: 'Member must be a boolean',
  object: 'Member must be a structure',
  array: 'Member must be a list',
};

const errorMap: z.ZodErrorMap = (issue, ctx) => {
  if (issue.code === 'invalid_type') {
    if (issue.received === 'undefined' || issue.received === 'null') return { message: 'Member must not be null' };
    return { message: TYPE_NAMES[issue.expected] ?? `Member must be of type ${issue.expected}` };
  }
  return { message: ctx.defaultError };
};

/** A value as Lambda's messages show it (Java's toString): `[x86_64, arm64]`, `{A=1}`, text as is. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${shown(v)}`)
      .join(', ')}}`;
  return String(value);
}

/** `EphemeralStorage.Size` → `ephemeralStorage.size`: the member path as Lambda's messages spell it. */
function memberPath(path: (string | number)[]): string {
  return path
    .filter((p) => typeof p === 'string')
    .map((p) => p.charAt(0).toLowerCase() + p.slice(1))
    .join('.');
}

/** Parses a body with an operation's schema; a violation is Lambda's ValidationException listing each one. */
export function parseRequest<T>(schema: z.ZodType<T>, body: Record<string, unknown>): T {
  const result = schema.safeParse(body, { errorMap });
  if (result.success) return result.data;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path;
    const at = memberPath(path);
    const line = (() => {
      if (issue.code === 'custom' && issue.params?.hideValue) return `Value at '${at}' failed to satisfy constraint: ${issue.message}`;
      const value = path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined), body);
      const valueText = value === undefined || value === null ? 'null' : `'${shown(value)}'`;
      return `Value ${valueText} at '${at}' failed to satisfy constraint: ${issue.message}`;
    })();
    if (seen.has(line)) continue;
    seen.add(line);
    parts.push(line);
  }
  const count = parts.length === 1 ? '1 validation error detected' : `${parts.length} validation errors detected`;
  throw new AwsError('ValidationException', 400, `${count}: ${parts.join('; ')}`);
}
