/**
 * Suite loading (docs/suite-format.md): YAML or JSON → validated, defaults merged, paths
 * resolved against the suite file, events read. Everything after this works on `Suite`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SuiteError } from './errors.ts';
import { type RawFunction, type RuntimeRule, formatIssues, formatPath, runtimeRefusal, suiteSchema } from './suite-schema.ts';
import { discoverExtensions } from '../emulator/extensions/discover.ts';
import { type Architecture, type ColdStrategy, MAX_LAYERS, type Packaging } from '../vocabulary.ts';

/** The shared vocabulary (src/vocabulary.ts), re-exported for the harness modules that read it from the suite. */
export type { Architecture, ColdStrategy, Packaging };

export interface SuiteEvent {
  /** Absolute path of the event file, or '(none)' for the empty event */
  file: string;
  weight: number;
  /** The event's JSON text, sent as the Invoke payload */
  payload: string;
}

/** The event sent when none is given: `{}`, with no event file. */
export const EMPTY_EVENT: SuiteEvent = { file: '(none)', weight: 1, payload: '{}' };

/** A layer a function runs with: a local folder (laid out as /opt) built into a layer, or a layer version ARN (real accounts). */
export type LayerSource = { kind: 'folder'; path: string; name: string } | { kind: 'arn'; arn: string; name: string };

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
  /** `layers`: attached to every variant, in order (later layers win, as in /opt); [] when the suite sets none */
  layers: LayerSource[];
  /** The `extensions` axis: an extension layer per variant, null = none; [null] when the suite sets none */
  extensions: Array<LayerSource | null>;
  /** The `provisioned` axis: provisioned environments per variant, 0 = on-demand only; [0] when the suite sets none */
  provisioned: number[];
  /** The `snapStart` axis; [false] when the suite sets none */
  snapStart: boolean[];
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
  if (eventSpecs.length === 0) events.push(EMPTY_EVENT);

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
    ...startupAxes(fn, runtimes, at, problems),
    ...layerKeys(fn, dir, at, problems),
  };
}

/** `arn:aws:lambda:<region>:<account>:layer:<name>:<version>` */
const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:([A-Za-z0-9_-]+):\d+$/;
const NO_EXTENSION = 'none';

/** One `layers` / `extensions` entry: a folder relative to the suite, or a layer version ARN. */
function layerSource(value: string, dir: string, field: string, problems: string[], extension: boolean): LayerSource | null {
  const arn = LAYER_ARN.exec(value);
  if (arn) return { kind: 'arn', arn: value, name: arn[1] };
  if (value.startsWith('arn:')) {
    problems.push(`${field}: ${JSON.stringify(value)} is not a layer version ARN; allowed: arn:aws:lambda:<region>:<account>:layer:<name>:<version>, or a folder`);
    return null;
  }
  const path = resolve(dir, value);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    problems.push(`${field}: ${JSON.stringify(value)} is not a folder (resolved to ${path}); allowed: a layer folder laid out as /opt, relative to the suite`);
    return null;
  }
  // The emulator's own discovery, so validation accepts exactly the layers whose extensions it launches:
  // a file without +x or a dangling link is no extension (Lambda cannot execute either).
  if (extension && discoverExtensions([path]).length === 0) {
    problems.push(
      `${field}: ${JSON.stringify(value)} has no executable in extensions/ (${join(path, 'extensions')}); an extension layer holds its executables there, as /opt/extensions; chmod +x them`,
    );
    return null;
  }
  const name = basename(path);
  if (extension && !/^[A-Za-z0-9_.-]+$/.test(name)) {
    problems.push(`${field}: the folder name ${JSON.stringify(name)} becomes the variant-name suffix; allowed: letters, digits, _ . - (rename the folder)`);
    return null;
  }
  return { kind: 'folder', path, name };
}

/** `layers` (every variant) and the `extensions` axis (`none` or a layer per variant, named by its folder or layer name). */
function layerKeys(fn: RawFunction, dir: string, at: (key: string) => string, problems: string[]): { layers: LayerSource[]; extensions: Array<LayerSource | null> } {
  const layers: LayerSource[] = [];
  (fn.layers ?? []).forEach((value, i) => {
    const source = layerSource(value, dir, `${at('layers')}[${i}]`, problems, false);
    if (source) layers.push(source);
  });
  const values = list(fn.extensions, [NO_EXTENSION]);
  const extensions: Array<LayerSource | null> = [];
  values.forEach((value, i) => {
    const field = Array.isArray(fn.extensions) ? `${at('extensions')}[${i}]` : at('extensions');
    if (value === NO_EXTENSION) extensions.push(null);
    else {
      const source = layerSource(value, dir, field, problems, true);
      if (source) extensions.push(source);
    }
  });
  const names = extensions.filter((e): e is LayerSource => e !== null).map((e) => e.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) problems.push(`${at('extensions')}: two extension layers are named ${twice}, which would give two variants one name; rename one folder`);
  if (layers.length + (names.length ? 1 : 0) > MAX_LAYERS) problems.push(`${at('layers')}: with an extension layer that is more than Lambda's ${MAX_LAYERS} layers per function`);
  return { layers, extensions };
}

/** SnapStart on Lambda: Python from 3.12 (Java and .NET too, but suites run Python and Node). */
const SNAPSTART_PYTHON_MINOR = 12;

/** The `provisioned` and `snapStart` axes, with the rules Lambda sets on them (docs/suite-format.md). */
function startupAxes(fn: RawFunction, runtimes: string[], at: (key: string) => string, problems: string[]): { provisioned: number[]; snapStart: boolean[] } {
  const provisioned = list(fn.provisioned, [0]);
  const snapStart = list(fn.snapStart, [false]);
  if (!snapStart.includes(true)) return { provisioned, snapStart };
  const unsupported = runtimes.filter((r) => !(r.startsWith('python3.') && Number(r.slice('python3.'.length)) >= SNAPSTART_PYTHON_MINOR));
  if (unsupported.length) {
    problems.push(
      `${at('snapStart')}: ${unsupported.join(', ')} cannot use SnapStart; allowed: python3.12 or later (Java and .NET SnapStart only through --function on --target aws)`,
    );
  }
  if ((fn.coldStrategy ?? BUILTIN_DEFAULTS.coldStrategy) !== 'version') {
    problems.push(`${at('snapStart')}: requires coldStrategy: version (SnapStart restores snapshots of published versions); set coldStrategy: version for this function`);
  }
  // As axes, the cells that would combine both are left out; set on their own, they are a contradiction.
  if (provisioned.some((n) => n > 0) && (provisioned.length === 1 || snapStart.length === 1)) {
    problems.push(
      `${at('snapStart')}: cannot be combined with provisioned (Lambda does not run SnapStart on provisioned concurrency); use provisioned: [0, N] and snapStart: [false, true] to compare them`,
    );
  }
  return { provisioned, snapStart };
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
