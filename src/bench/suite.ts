/**
 * Suite loading (docs/suite-format.md): YAML or JSON → validated, defaults merged, paths
 * resolved against the suite file, events read. Everything after this works on `Suite`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SuiteError } from './errors.ts';
import { type RawFunction, type RuntimeRule, formatIssues, formatPath, runtimeRefusal, suiteSchema } from './suite-schema.ts';
import type { Architecture, ColdStrategy, Packaging } from '../vocabulary.ts';

/** The shared vocabulary (src/vocabulary.ts), re-exported for the harness modules that read it from the suite. */
export type { Architecture, ColdStrategy, Packaging };

export interface SuiteEvent {
  /** Absolute path of the event file, or '(none)' for the empty event */
  file: string;
  weight: number;
  /** The event's JSON text, sent as the Invoke payload */
  payload: string;
}

export interface SuiteFunction {
  name: string;
  /** Absolute path of the code folder */
  code: string;
  handler: string;
  runtimes: string[];
  architectures: Architecture[];
  memory: number[];
  timeout: number;
  cold: number;
  warm: number;
  concurrency: number;
  coldStrategy: ColdStrategy;
  /** null when the function has no `variants` axis */
  variants: Record<string, { handler?: string; environment?: Record<string, string> }> | null;
  events: SuiteEvent[];
  environment: Record<string, string>;
  /** Absolute path of requirements.txt (Python) when there is one */
  requirements: string | null;
  /** package.json has non-empty `dependencies` (Node) */
  nodeDependencies: boolean;
  packaging: Packaging[];
  /** `packaging` was declared in the suite (it then shows in variant names) */
  packagingDeclared: boolean;
  pipArgs: string[];
  npmArgs: string[];
}

export interface Suite {
  name: string;
  /** The suite file as given (for messages and run.json) */
  file: string;
  seed: number;
  functions: SuiteFunction[];
  compare: Array<[string, string]>;
}

/** Built-in values for keys neither the function nor `defaults` sets. */
export const BUILTIN_DEFAULTS = {
  architecture: 'x86_64' as Architecture,
  memory: 128,
  /** Lambda's API default is 3 s; 30 s leaves room for slow local cold starts. */
  timeout: 30,
  cold: 5,
  warm: 10,
  concurrency: 2,
  coldStrategy: 'burst' as ColdStrategy,
  seed: 42,
};

/**
 * Reads, validates and normalises a suite file (YAML or JSON).
 * @param runtimes the runtimes the target can run, when it says (local targets): any other is an error
 */
export function loadSuite(file: string, runtimes?: RuntimeRule): Suite {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SuiteError(`${file}: cannot read the suite file (${(error as NodeJS.ErrnoException).code ?? 'error'}); pass a YAML or JSON suite, e.g. fixtures/suites/seed.yaml`, {
      cause: error,
    });
  }
  let doc: unknown;
  try {
    doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SuiteError(`${file}: not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return loadSuiteDocument(doc, file, runtimes);
}

/**
 * Validates a plain object in the suite format (from YAML, JSON or a converter such as the
 * serverless.yml importer) as if it had been read from `file`; relative paths resolve against
 * `file`'s folder.
 */
export function loadSuiteDocument(doc: unknown, file: string, runtimes?: RuntimeRule): Suite {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SuiteError(`${file}: (top level): must be a map with \`functions\` (and optionally name, defaults, compare); see docs/suite-format.md`);
  }
  const refused = runtimes ? refusedRuntimes(doc as Record<string, unknown>, file, runtimes) : [];
  const parsed = suiteSchema.safeParse(doc);
  if (!parsed.success) {
    // A runtime the target cannot run is told with what it can run, instead of the schema's generic message.
    const issues = formatIssues(file, parsed.error, doc).filter((line) => !refused.some((r) => line.startsWith(r.prefix)));
    throw new SuiteError([...refused.map((r) => r.line), ...issues].join('\n'));
  }
  if (refused.length) throw new SuiteError(refused.map((r) => r.line).join('\n'));
  const raw = parsed.data;
  const dir = dirname(resolve(file));
  const defaults = raw.defaults ?? {};
  const problems: string[] = [];
  const functions: SuiteFunction[] = [];
  const names = Object.keys(raw.functions);
  if (names.length === 0) problems.push(`${file}: functions: is empty; allowed: at least one function`);
  for (const name of names) {
    const own = raw.functions[name];
    const merged: RawFunction = { ...defaults, ...own };
    // A function's own `event` replaces an `events` list from defaults, and the other way round.
    if (own.event !== undefined) delete merged.events;
    if (own.events !== undefined) delete merged.event;
    delete (merged as { seed?: number }).seed;
    const fn = normaliseFunction(name, merged, dir, file, problems);
    if (fn) functions.push(fn);
  }
  if (problems.length) throw new SuiteError(problems.join('\n'));
  return {
    name: raw.name ?? basename(file, extname(file)),
    file,
    seed: defaults.seed ?? BUILTIN_DEFAULTS.seed,
    functions,
    compare: (raw.compare ?? []) as Array<[string, string]>,
  };
}

/** `defaults.runtime` and `functions.<name>.runtime` values (one or a list) the target cannot run, read from the raw document. */
function refusedRuntimes(doc: Record<string, unknown>, file: string, rule: RuntimeRule): Array<{ prefix: string; line: string }> {
  const out: Array<{ prefix: string; line: string }> = [];
  const check = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        check(v, [...path, i]);
      });
    } else if (typeof value === 'string' && !rule.allowed.includes(value)) {
      const prefix = `${file}: ${formatPath(path)}: `;
      out.push({ prefix, line: `${prefix}${runtimeRefusal(value, rule)}` });
    }
  };
  const runtimeOf = (section: unknown) => (section !== null && typeof section === 'object' && !Array.isArray(section) ? (section as Record<string, unknown>).runtime : undefined);
  check(runtimeOf(doc.defaults), ['defaults', 'runtime']);
  const functions = doc.functions;
  if (functions !== null && typeof functions === 'object' && !Array.isArray(functions)) {
    for (const [name, fn] of Object.entries(functions)) check(runtimeOf(fn), ['functions', name, 'runtime']);
  }
  return out;
}

function list<T>(value: T | T[] | undefined, fallback: T[]): T[] {
  if (value === undefined) return fallback;
  return Array.isArray(value) ? [...new Set(value)] : [value];
}

function stringEnv(env: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));
}

function normaliseFunction(name: string, fn: RawFunction, dir: string, file: string, problems: string[]): SuiteFunction | null {
  const at = (key: string) => `${file}: functions.${name}.${key}`;
  const before = problems.length;
  if (fn.code === undefined) problems.push(`${at('code')}: is required; allowed: a path to the function folder, relative to the suite`);
  if (fn.handler === undefined && !(fn.variants && Object.values(fn.variants).every((v) => v.handler))) {
    problems.push(`${at('handler')}: is required (here, in defaults or in every variant); allowed: module.function, e.g. app.handler`);
  }
  if (fn.runtime === undefined) problems.push(`${at('runtime')}: is required (here or in defaults); allowed: e.g. python3.11 or nodejs20.x`);
  if (fn.event !== undefined && fn.events !== undefined)
    problems.push(`${at('events')}: cannot be combined with event; allowed: either event (one file) or events (a weighted list)`);
  // A missing code was reported above (problems grew); the check also tells TypeScript it is set.
  if (problems.length > before || fn.code === undefined) return null;

  const code = resolve(dir, fn.code);
  if (!existsSync(code) || !statSync(code).isDirectory()) {
    problems.push(`${at('code')}: ${JSON.stringify(fn.code)} is not a folder (resolved to ${code}); allowed: a path to the function folder, relative to the suite`);
    return null;
  }
  const runtimes = list(fn.runtime, []);
  const isPython = runtimes.every((r) => r.startsWith('python'));
  const isNode = runtimes.every((r) => r.startsWith('nodejs'));
  const packaging = list<Packaging>(fn.packaging, ['bundled']);
  if (packaging.includes('esbuild') && !isNode) problems.push(`${at('packaging')}: esbuild bundles Node functions only; allowed for ${runtimes.join(', ')}: bundled or layer`);

  let requirements: string | null = null;
  if (fn.requirements !== undefined) {
    requirements = resolve(code, fn.requirements);
    if (!existsSync(requirements))
      problems.push(`${at('requirements')}: ${JSON.stringify(fn.requirements)} does not exist in ${code}; allowed: a requirements file inside the code folder`);
    else if (!isPython) problems.push(`${at('requirements')}: is for Python functions; Node dependencies come from package.json`);
  } else if (isPython && existsSync(join(code, 'requirements.txt'))) {
    requirements = join(code, 'requirements.txt');
  }
  if (
    requirements &&
    existsSync(requirements) &&
    readFileSync(requirements, 'utf8')
      .split('\n')
      .every((l) => !l.trim() || l.trim().startsWith('#'))
  )
    requirements = null;
  const nodeDependencies = isNode && hasNodeDependencies(code, at('code'), problems);

  const events: SuiteEvent[] = [];
  const eventSpecs = fn.events ?? (fn.event !== undefined ? [{ file: fn.event, weight: 1 }] : []);
  eventSpecs.forEach((spec, i) => {
    const field = fn.events ? `events[${i}].file` : 'event';
    const path = resolve(dir, spec.file);
    try {
      const text = readFileSync(path, 'utf8');
      JSON.parse(text);
      events.push({ file: path, weight: spec.weight ?? 1, payload: text });
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message})`;
      problems.push(`${at(field)}: ${JSON.stringify(spec.file)} ${why}; allowed: a JSON event file, relative to the suite`);
    }
  });
  if (eventSpecs.length === 0) events.push({ file: '(none)', weight: 1, payload: '{}' });

  const variants = fn.variants
    ? Object.fromEntries(Object.entries(fn.variants).map(([k, v]) => [k, { handler: v.handler, environment: v.environment ? stringEnv(v.environment) : undefined }]))
    : null;
  if (variants && Object.keys(variants).length === 0) problems.push(`${at('variants')}: is empty; allowed: a map of variant name to { handler, environment }`);
  return {
    name,
    code,
    handler: fn.handler ?? '',
    runtimes,
    architectures: list(fn.architecture, [BUILTIN_DEFAULTS.architecture]),
    memory: list(fn.memory, [BUILTIN_DEFAULTS.memory]),
    timeout: fn.timeout ?? BUILTIN_DEFAULTS.timeout,
    cold: fn.cold ?? BUILTIN_DEFAULTS.cold,
    warm: fn.warm ?? BUILTIN_DEFAULTS.warm,
    concurrency: fn.concurrency ?? BUILTIN_DEFAULTS.concurrency,
    coldStrategy: fn.coldStrategy ?? BUILTIN_DEFAULTS.coldStrategy,
    variants,
    events,
    environment: stringEnv(fn.environment),
    requirements,
    nodeDependencies,
    packaging,
    packagingDeclared: fn.packaging !== undefined,
    pipArgs: fn.pip?.args ?? [],
    npmArgs: fn.npm?.args ?? [],
  };
}

function hasNodeDependencies(code: string, field: string, problems: string[]): boolean {
  const pkgPath = join(code, 'package.json');
  if (!existsSync(pkgPath)) return false;
  try {
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { dependencies?: Record<string, string> };
    return Object.keys(pkg.dependencies ?? {}).length > 0;
  } catch (error) {
    problems.push(`${field}: ${pkgPath} is not valid JSON (${(error as Error).message}); fix package.json`);
    return false;
  }
}
