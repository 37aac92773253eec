/**
 * The zod schema of a suite file (docs/suite-format.md) and the formatter that turns zod
 * issues into `<file>: <path.to.field>: <problem>; <what is allowed>`.
 */
import { z } from 'zod';
import { ARCHITECTURES, COLD_STRATEGIES, MAX_LAYERS, MAX_MEMORY_MB, MAX_TIMEOUT_S, MIN_MEMORY_MB, MIN_TIMEOUT_S, PACKAGINGS } from '../vocabulary.ts';

/** Lambda's default account concurrency: more provisioned environments than this cannot be had without a quota raise. */
export const MAX_PROVISIONED = 1000;
/** More samples than this per variant is almost certainly a typo (and a large bill on AWS). */
export const MAX_SAMPLES = 10_000;

export const RUNTIME_PATTERN = /^(python3\.\d{1,2}|nodejs\d{2}\.x|provided(\.al2|\.al2023)?)$/;
const RUNTIME_ALLOWED = 'python3.X, nodejsNN.x, provided, provided.al2 or provided.al2023';
const ENV_KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * The runtimes a target can run, for targets that say (the local emulator, a coldbench emulator
 * at a URL); on AWS, Lambda decides. `where` names the target in messages.
 */
export interface RuntimeRule {
  allowed: readonly string[];
  where: string;
}

/** The message (after `<file>: <field>: `) for a runtime the target cannot run. */
export function runtimeRefusal(value: unknown, rule: RuntimeRule): string {
  return `${JSON.stringify(value)} is not a runtime ${rule.where} can run (on --target aws, Lambda decides); allowed: ${rule.allowed.join(', ')}`;
}

const MEMORY_ALLOWED = `allowed: an integer ${MIN_MEMORY_MB}-${MAX_MEMORY_MB}`;
const memoryValue = z
  .number({ invalid_type_error: `must be a number of MB; ${MEMORY_ALLOWED}` })
  .int(`must be a whole number of MB; ${MEMORY_ALLOWED}`)
  .min(MIN_MEMORY_MB, `is below Lambda's ${MIN_MEMORY_MB} MB minimum; ${MEMORY_ALLOWED}`)
  .max(MAX_MEMORY_MB, `is above Lambda's ${MAX_MEMORY_MB} MB limit; ${MEMORY_ALLOWED}`);
const TIMEOUT_ALLOWED = `allowed: an integer ${MIN_TIMEOUT_S}-${MAX_TIMEOUT_S}`;

const runtimeValue = z
  .string({ invalid_type_error: `must be a string; allowed: ${RUNTIME_ALLOWED}` })
  .regex(RUNTIME_PATTERN, `is not a runtime coldbench knows; allowed: ${RUNTIME_ALLOWED}`);
const archValue = z.enum(ARCHITECTURES, { errorMap: () => ({ message: 'is not an architecture; allowed: x86_64 or arm64' }) });
const packagingValue = z.enum(PACKAGINGS, { errorMap: () => ({ message: 'is not a packaging; allowed: bundled, layer or esbuild (Node only)' }) });
const strategyValue = z.enum(COLD_STRATEGIES, { errorMap: () => ({ message: 'is not a cold-start strategy; allowed: burst, config-bump or version' }) });

/** A scalar or a non-empty list of scalars (a list is an axis). */
function axis<T extends z.ZodTypeAny>(item: T) {
  return z.union([item, z.array(item).nonempty('must not be an empty list; allowed: one value or a list of values')]);
}

const provisionedValue = z
  .number({ invalid_type_error: `must be a number of environments; allowed: an integer 0-${MAX_PROVISIONED} (0 = on-demand only)` })
  .int(`must be a whole number of environments; allowed: an integer 0-${MAX_PROVISIONED} (0 = on-demand only)`)
  .min(0, `must not be negative; allowed: an integer 0-${MAX_PROVISIONED} (0 = on-demand only)`)
  .max(MAX_PROVISIONED, `is above Lambda's default account concurrency of ${MAX_PROVISIONED}; allowed: an integer 0-${MAX_PROVISIONED}`);
const snapStartValue = z.boolean({ invalid_type_error: 'must be true or false; allowed: true, false or [false, true]' });

const layerValue = z
  .string({ invalid_type_error: 'must be a path to a layer folder (relative to the suite) or a layer version ARN' })
  .min(1, 'must not be empty; allowed: a path to a layer folder, relative to the suite, or a layer version ARN');
const extensionValue = z
  .string({ invalid_type_error: 'must be none or a path to a layer folder with an extensions/ folder (or a layer version ARN)' })
  .min(1, 'must not be empty; allowed: none, a path to a layer folder, or a layer version ARN');

const count = (what: string) =>
  z
    .number({ invalid_type_error: `must be a number; allowed: an integer 0-${MAX_SAMPLES}` })
    .int(`must be a whole number of ${what}; allowed: an integer 0-${MAX_SAMPLES}`)
    .min(0, `must not be negative; allowed: an integer 0-${MAX_SAMPLES}`)
    .max(MAX_SAMPLES, `is more ${what} than coldbench takes; allowed: an integer 0-${MAX_SAMPLES}`);

const environment = z.record(
  z.string().regex(ENV_KEY_PATTERN, 'is not a valid environment variable name; allowed: a letter then letters, digits and _'),
  z.union([z.string(), z.number(), z.boolean()], { errorMap: () => ({ message: 'must be a string, number or boolean' }) }),
  { invalid_type_error: 'must be a map of NAME: value' },
);

const variantSchema = z
  .object({
    handler: z.string().min(1, 'must not be empty; allowed: module.function').optional(),
    environment: environment.optional(),
  })
  .strict();

const eventItem = z
  .object({
    file: z.string({ required_error: 'is required; allowed: a path to a JSON event file, relative to the suite' }),
    weight: z.number().positive('must be above 0; allowed: a positive number').default(1),
  })
  .strict();

/** Every key a function may set; `defaults` accepts the same keys, all optional. */
const functionShape = {
  code: z.string({ invalid_type_error: 'must be a path to the function folder, relative to the suite' }),
  handler: z.string().min(1, 'must not be empty; allowed: module.function'),
  runtime: axis(runtimeValue),
  architecture: axis(archValue),
  memory: axis(memoryValue),
  timeout: z
    .number({ invalid_type_error: `must be a number of seconds; ${TIMEOUT_ALLOWED}` })
    .int(`must be a whole number of seconds; ${TIMEOUT_ALLOWED}`)
    .min(MIN_TIMEOUT_S, `must be at least ${MIN_TIMEOUT_S} s; ${TIMEOUT_ALLOWED}`)
    .max(MAX_TIMEOUT_S, `is above Lambda's ${MAX_TIMEOUT_S} s limit; ${TIMEOUT_ALLOWED}`),
  cold: count('cold samples'),
  warm: count('warm samples'),
  concurrency: z
    .number()
    .int('must be a whole number; allowed: an integer 1-1000')
    .min(1, 'must be at least 1; allowed: an integer 1-1000')
    .max(1000, 'is above 1000; allowed: an integer 1-1000'),
  coldStrategy: strategyValue,
  variants: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'is not a usable variant name; allowed: letters, digits, _ . -'), variantSchema),
  event: z.string(),
  events: z.array(eventItem).nonempty('must not be empty; allowed: a list of { file, weight }'),
  environment,
  requirements: z.string(),
  packaging: axis(packagingValue),
  pip: z.object({ args: z.array(z.string()).default([]) }).strict(),
  npm: z.object({ args: z.array(z.string()).default([]) }).strict(),
  layers: z.array(layerValue).max(MAX_LAYERS, `has more than Lambda's ${MAX_LAYERS} layers per function`),
  extensions: axis(extensionValue),
  provisioned: axis(provisionedValue),
  // A union's own error names no member, so the whole axis carries the message.
  snapStart: z.union([snapStartValue, z.array(snapStartValue).nonempty()], { errorMap: () => ({ message: 'must be true or false; allowed: true, false or [false, true]' }) }),
};

export const FUNCTION_KEYS = Object.keys(functionShape);

const functionSchema = z.object(functionShape).partial().strict();
const defaultsSchema = z
  .object({ ...functionShape, seed: z.number().int('must be a whole number; allowed: an integer') })
  .partial()
  .strict();

export const suiteSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'is not a usable suite name; allowed: 1-40 letters, digits, _ and -')
      .optional(),
    defaults: defaultsSchema.optional(),
    functions: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'is not a usable function name; allowed: 1-40 letters, digits, _ . -'), functionSchema, {
      required_error: 'is required; allowed: a map of function name to its settings',
    }),
    compare: z.array(z.tuple([z.string(), z.string()], { errorMap: () => ({ message: 'must be a pair of variant names, e.g. [reuse@512, percall@512]' }) })).optional(),
  })
  .strict();

export type RawFunction = z.infer<typeof functionSchema>;

const TOP_KEYS = ['name', 'defaults', 'functions', 'compare'];
const DEFAULT_KEYS = [...FUNCTION_KEYS, 'seed'];

/** The keys allowed where an unknown key was found, from the path's shape. */
function allowedKeys(path: (string | number)[]): string[] {
  if (path.length === 0) return TOP_KEYS;
  if (path.length === 1 && path[0] === 'defaults') return DEFAULT_KEYS;
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (path[0] === 'functions' && path.length === 2) return FUNCTION_KEYS;
  if (parent === 'variants') return ['handler', 'environment'];
  if (parent === 'events') return ['file', 'weight'];
  if (last === 'pip' || last === 'npm') return ['args'];
  return [];
}

/** `functions.deps.memory[2]` from zod's path array. */
export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(top level)';
}

/** One line per zod issue, in the documented form. */
export function formatIssues(file: string, error: z.ZodError, raw: unknown): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.keys.map((key) => `${file}: ${formatPath([...issue.path, key])}: unknown key (a typo?); allowed: ${allowedKeys(issue.path).join(', ')}`);
      return lines.join('\n');
    }
    const value = valueAt(raw, issue.path);
    const shown = value === undefined ? '' : `${JSON.stringify(value)} `;
    let message = issue.message;
    if (issue.code === 'invalid_type' && issue.received === 'undefined') message = message === 'Required' ? 'is required' : message;
    else if (message === 'Expected object, received string' || message.startsWith('Expected ')) message = `${message.toLowerCase()}`;
    return `${file}: ${formatPath(issue.path)}: ${shown}${message}`;
  });
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let current: unknown = raw;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current !== null && typeof current === 'object' ? undefined : current;
}
