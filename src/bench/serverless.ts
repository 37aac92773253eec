/**
 * A Serverless Framework v3 service file (serverless.yml) → a suite document in the format of
 * docs/suite-format.md, for `coldbench bench --serverless FILE`. Pure: text in, plain object
 * out; the caller reads the file and validates the result with loadSuiteDocument.
 *
 * Variables are resolved lazily, only in the fields a benchmark needs, so an `${ssm:…}` in a
 * part coldbench does not read (resources, custom.domain, …) is no obstacle.
 */
import { dirname, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { shippedPath } from '../paths.ts';
import { SuiteError } from './errors.ts';
import { type Path, Variables, formatPath, isMap } from './serverless-variables.ts';
import { type RuntimeRule, runtimeRefusal } from './suite-schema.ts';
import type { Packaging } from '../vocabulary.ts';

export { ServerlessVariableError } from './serverless-variables.ts';

export interface ServerlessOptions {
  /** The file's path as the user gave it: named in messages, and suite paths are relative to it. */
  file: string;
  /** `--stage`; also what `${opt:stage}` returns when `opt.stage` is not given. */
  stage?: string;
  /** What `${env:X}` reads (the CLI passes process.env). */
  env?: Record<string, string | undefined>;
  /** What `${opt:X}` reads (`--opt region=eu-west-1`, …). */
  opt?: Record<string, string>;
  /** Told about each function left out (made by a plugin or construct coldbench does not model); default: nothing. */
  warn?: (message: string) => void;
  /** The runtimes the target can run, when it says (local targets): any other is refused, naming the field */
  runtimes?: RuntimeRule;
}

export interface SuiteEventDocument {
  file: string;
  weight: number;
}

export interface SuiteFunctionDocument {
  code: string;
  handler: string;
  runtime?: string;
  architecture?: string;
  memory?: number;
  timeout?: number;
  environment?: Record<string, string | number | boolean>;
  event?: string;
  events?: SuiteEventDocument[];
  requirements?: string;
  packaging?: Exclude<Packaging, 'esbuild'>;
}

/** A plain object in the suite format (docs/suite-format.md). */
export interface SuiteDocument {
  name: string;
  defaults: Partial<Pick<SuiteFunctionDocument, 'runtime' | 'architecture' | 'memory' | 'timeout'>>;
  functions: Record<string, SuiteFunctionDocument>;
}

/** The file is not valid YAML, or not a service definition at all. */
export class ServerlessSyntaxError extends SuiteError {}

/** A service feature a local benchmark cannot reproduce (container images, other runtimes, external layers, …). */
export class ServerlessUnsupportedError extends SuiteError {}

/** Serverless Framework v3's own defaults when neither provider nor function sets them. */
const SLS_DEFAULT_MEMORY_MB = 1024;
const SLS_DEFAULT_TIMEOUT_S = 6;
/** More alias expansions than this is a "billion laughs" file, not a service. */
const MAX_YAML_ALIASES = 100;
/** The layer serverless-python-requirements creates with `layer: true`; functions reference it with `Ref`. */
const REQUIREMENTS_LAYER_REF = 'PythonRequirementsLambdaLayer';
const SUPPORTED_EVENTS = 'http, httpApi, s3, sqs, stream (DynamoDB), schedule';
const RUNTIME = /^(python3\.\d{1,2}|nodejs\d{2}\.x)$/;
/**
 * Handlers whose file a plugin writes into the package when it deploys; the service folder does
 * not have it, so the function would fail with Runtime.ImportModuleError. Left out, with a warning.
 */
const PLUGIN_HANDLERS = new Map([['wsgi_handler.handler', { plugin: 'serverless-wsgi', adds: 'wsgi_handler.py' }]]);

/** Sample events per trigger kind (fixtures/events, plus the two coldbench adds under fixtures/serverless/events). */
const EVENT_FILES = {
  get: 'fixtures/events/apigw-get.json',
  post: 'fixtures/events/apigw-post.json',
  delete: 'fixtures/events/apigw-delete.json',
  v2get: 'fixtures/events/apigw-v2-get.json',
  v2post: 'fixtures/serverless/events/apigw-v2-post.json',
  s3: 'fixtures/events/s3-put.json',
  sqs: 'fixtures/events/sqs-batch.json',
  ddb: 'fixtures/events/ddb-stream.json',
  schedule: 'fixtures/serverless/events/schedule.json',
} as const;

const CFN_INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Condition',
  'Ref',
];
/** CloudFormation's short tags (`!Ref`, `!GetAtt`, …) read as their long forms, so resources sections parse. */
const CFN_TAGS = CFN_INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const toJson = (node: { toJSON(): unknown }) => ({ [key]: node.toJSON() });
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: toJson },
    { tag: `!${name}`, collection: 'map' as const, resolve: toJson },
  ];
});

/** Reads the service file's text and returns the suite it describes (see docs/other-platforms.md). */
export function suiteFromServerless(text: string, options: ServerlessOptions): SuiteDocument {
  const file = options.file;
  const lines = new LineCounter();
  const doc = parseDocument(text, { customTags: CFN_TAGS, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const where = ` (line ${lines.linePos(first.pos[0]).line})`;
    throw new ServerlessSyntaxError(`${file}: not valid YAML${where}: ${first.message.split('\n')[0]}`, { cause: first });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw new ServerlessSyntaxError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  // A service may define all its functions through Lift constructs (no `functions:` at all).
  if (isMap(raw) && raw.functions === undefined && isMap(raw.constructs)) raw.functions = {};
  if (!isMap(raw) || !isMap(raw.functions)) {
    throw new ServerlessSyntaxError(`${file}: (top level): not a Serverless service; expected \`service\`, \`provider\` and a map of \`functions\``);
  }
  const vars = new Variables(raw, options);
  const unsupported: Unsupported = (path: Path, message: string): never => {
    throw new ServerlessUnsupportedError(`${file}: ${formatPath(path)}: ${message}`);
  };

  const providerName = vars.get(['provider', 'name']);
  if (providerName !== 'aws')
    unsupported(['provider', 'name'], `${JSON.stringify(providerName ?? null)} is not supported; coldbench benchmarks AWS Lambda services (provider.name: aws)`);
  if (vars.get(['provider', 'ecr']) !== undefined)
    unsupported(['provider', 'ecr'], 'container images are not supported; coldbench benchmarks zip packages (python3.x and nodejsNN.x runtimes)');
  if (vars.get(['package', 'artifact']) !== undefined) unsupported(['package', 'artifact'], 'a prebuilt artifact is not supported; coldbench packages the service folder itself');

  const service = vars.get(['service']);
  const serviceName = typeof service === 'string' ? service : isMap(service) && typeof service.name === 'string' ? service.name : null;
  if (serviceName === null) throw new ServerlessSyntaxError(`${file}: service: is required; the service's name, e.g. service: my-service`);

  const defaults: SuiteDocument['defaults'] = {
    memory: positiveInt(vars.get(['provider', 'memorySize']) ?? SLS_DEFAULT_MEMORY_MB, ['provider', 'memorySize'], unsupported),
    timeout: positiveInt(vars.get(['provider', 'timeout']) ?? SLS_DEFAULT_TIMEOUT_S, ['provider', 'timeout'], unsupported),
  };
  const providerRuntime = vars.get(['provider', 'runtime']);
  if (providerRuntime !== undefined) defaults.runtime = runtimeOf(providerRuntime, ['provider', 'runtime'], unsupported, options.runtimes);
  const providerArch = vars.get(['provider', 'architecture']);
  if (providerArch !== undefined) defaults.architecture = architectureOf(providerArch, ['provider', 'architecture'], unsupported);

  const pythonRequirements = pythonRequirementsOf(vars);
  const suiteDir = dirname(resolve(file));
  const eventPath = (key: keyof typeof EVENT_FILES) => relative(suiteDir, shippedPath(EVENT_FILES[key])).split('\\').join('/');

  const functions: Record<string, SuiteFunctionDocument> = {};
  /** What was left out and why, for the warnings and for the error when nothing remains. */
  const leftOut: string[] = [];
  const leaveOut = (path: Path, what: string, plugin: string) => {
    leftOut.push(`${formatPath(path)} (${plugin})`);
    options.warn?.(`${file}: ${formatPath(path)}: ${what}, which coldbench does not model; it is left out of the benchmark`);
  };
  for (const name of Object.keys(raw.functions)) {
    const at = (...rest: Path): Path => ['functions', name, ...rest];
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(name)) unsupported(at(), 'is not a usable function name for coldbench; allowed: 1-40 letters, digits, _ . -');
    if (!isMap(vars.get(at()))) unsupported(at(), 'must be a map with at least `handler`');
    const pluginHandler = PLUGIN_HANDLERS.get(String(vars.get(at('handler'))));
    if (pluginHandler) {
      leaveOut(
        at(),
        `handler ${String(vars.get(at('handler')))} comes from the ${pluginHandler.plugin} plugin (it adds ${pluginHandler.adds} to the package)`,
        pluginHandler.plugin,
      );
      continue;
    }
    if (vars.get(at('image')) !== undefined) unsupported(at('image'), 'container images are not supported; coldbench benchmarks zip packages with a handler');
    if (vars.get(at('package', 'artifact')) !== undefined)
      unsupported(at('package', 'artifact'), 'a prebuilt artifact is not supported; coldbench packages the service folder itself');
    const handler = vars.get(at('handler'));
    if (typeof handler !== 'string' || !/^[^\s]+\.[^\s.]+$/.test(handler))
      unsupported(at('handler'), `${JSON.stringify(handler ?? null)} is not a handler; expected file.function, e.g. handler.hello`);
    const ownRuntime = vars.get(at('runtime'));
    const runtime = ownRuntime === undefined ? defaults.runtime : runtimeOf(ownRuntime, at('runtime'), unsupported, options.runtimes);
    if (runtime === undefined) unsupported(at('runtime'), "no runtime: set provider.runtime or this function's runtime (python3.X or nodejsNN.x)");
    const python = runtime.startsWith('python');
    const fn: SuiteFunctionDocument = { code: '.', handler: python ? handler.replace(/\//g, '.') : handler };
    if (ownRuntime !== undefined) fn.runtime = runtime;
    const memory = vars.get(at('memorySize'));
    if (memory !== undefined) fn.memory = positiveInt(memory, at('memorySize'), unsupported);
    const timeout = vars.get(at('timeout'));
    if (timeout !== undefined) fn.timeout = positiveInt(timeout, at('timeout'), unsupported);
    const arch = vars.get(at('architecture'));
    if (arch !== undefined) fn.architecture = architectureOf(arch, at('architecture'), unsupported);
    const environment = { ...environmentOf(vars, ['provider', 'environment'], unsupported), ...environmentOf(vars, at('environment'), unsupported) };
    if (Object.keys(environment).length > 0) fn.environment = environment;
    checkLayers(vars, at('layers'), unsupported);
    checkLayers(vars, ['provider', 'layers'], unsupported);
    if (python && pythonRequirements !== null) {
      if (pythonRequirements.fileName !== 'requirements.txt') fn.requirements = pythonRequirements.fileName;
      fn.packaging = pythonRequirements.layer ? 'layer' : 'bundled';
    }
    Object.assign(fn, eventsOf(vars, at('events'), eventPath, unsupported));
    functions[name] = fn;
  }
  for (const construct of constructFunctions(raw.constructs))
    leaveOut(
      construct.path,
      `the ${construct.key} of the ${construct.type} construct ${construct.name} (handler ${construct.handler}) comes from the serverless-lift plugin`,
      'serverless-lift',
    );
  if (Object.keys(functions).length === 0) {
    if (leftOut.length > 0)
      throw new ServerlessUnsupportedError(
        `${file}: functions: nothing left to benchmark; every function comes from a plugin or construct coldbench does not model: ${leftOut.join(', ')}. Benchmark its code with a suite file (docs/suite-format.md)`,
      );
    throw new ServerlessSyntaxError(`${file}: functions: is empty; a service needs at least one function`);
  }
  const suiteName = `${serviceName}-${vars.stage()}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return { name: suiteName, defaults, functions };
}

type Unsupported = (path: Path, message: string) => never;

/**
 * The functions Lift constructs define (`constructs.<name>.<key>.handler`, e.g. a queue's
 * worker), read raw: constructs are not otherwise read, so their variables are not resolved.
 */
function constructFunctions(constructs: unknown): Array<{ path: Path; name: string; key: string; type: string; handler: string }> {
  if (!isMap(constructs)) return [];
  const out: Array<{ path: Path; name: string; key: string; type: string; handler: string }> = [];
  for (const [name, construct] of Object.entries(constructs)) {
    if (!isMap(construct)) continue;
    for (const [key, value] of Object.entries(construct)) {
      if (isMap(value) && typeof value.handler === 'string')
        out.push({ path: ['constructs', name, key], name, key, type: typeof construct.type === 'string' ? construct.type : 'unknown', handler: value.handler });
    }
  }
  return out;
}

function positiveInt(value: unknown, path: Path, unsupported: Unsupported): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) return unsupported(path, `${JSON.stringify(value)} is not a whole positive number`);
  return n;
}

function runtimeOf(value: unknown, path: Path, unsupported: Unsupported, rule?: RuntimeRule): string {
  // What the target can run, of the runtimes a serverless.yml benchmark supports (python3.X, nodejsNN.x).
  if (rule && !rule.allowed.includes(String(value))) return unsupported(path, runtimeRefusal(value, { ...rule, allowed: rule.allowed.filter((r) => RUNTIME.test(r)) }));
  if (typeof value !== 'string' || !RUNTIME.test(value)) return unsupported(path, `${JSON.stringify(value)} is not supported; coldbench runs python3.X and nodejsNN.x functions`);
  return value;
}

function architectureOf(value: unknown, path: Path, unsupported: Unsupported): string {
  if (value !== 'x86_64' && value !== 'arm64') return unsupported(path, `${JSON.stringify(value)} is not an architecture; allowed: x86_64 or arm64`);
  return value;
}

function environmentOf(vars: Variables, path: Path, unsupported: Unsupported): Record<string, string | number | boolean> {
  const env = vars.get(path);
  if (env === undefined || env === null) return {};
  if (!isMap(env)) return unsupported(path, 'must be a map of NAME: value');
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (value === null) out[key] = '';
    else {
      unsupported(
        [...path, key],
        `${JSON.stringify(value)} is a CloudFormation value that only exists once deployed; give the benchmark a literal, e.g. ${key}: \${env:${key}, 'local-value'}`,
      );
    }
  }
  return out;
}

/** Layers other than the requirements layer are code coldbench does not have. */
function checkLayers(vars: Variables, path: Path, unsupported: Unsupported): void {
  const layers = vars.get(path);
  if (layers === undefined || layers === null) return;
  if (!Array.isArray(layers)) {
    unsupported(path, 'must be a list of layers');
    return;
  }
  layers.forEach((layer, i) => {
    if (isMap(layer) && layer.Ref === REQUIREMENTS_LAYER_REF) return;
    unsupported(
      [...path, i],
      `${JSON.stringify(layer)} is not supported; the only layer coldbench builds is serverless-python-requirements' (Ref: ${REQUIREMENTS_LAYER_REF}, with custom.pythonRequirements.layer: true)`,
    );
  });
}

/** serverless-python-requirements' settings, or null when the plugin is not used. */
function pythonRequirementsOf(vars: Variables): { layer: boolean; fileName: string } | null {
  const plugins = vars.get(['plugins']);
  const modules = Array.isArray(plugins) ? plugins : isMap(plugins) && Array.isArray(plugins.modules) ? plugins.modules : [];
  const config = vars.get(['custom', 'pythonRequirements']);
  if (!modules.includes('serverless-python-requirements') && config === undefined) return null;
  const settings = isMap(config) ? config : {};
  // `layer` is true or the layer's own settings (name, compatibleRuntimes, …): both mean a layer.
  const layer = settings.layer === true || settings.layer === 'true' || isMap(settings.layer);
  return { layer, fileName: typeof settings.fileName === 'string' ? settings.fileName : 'requirements.txt' };
}

function eventsOf(vars: Variables, path: Path, eventPath: (key: keyof typeof EVENT_FILES) => string, unsupported: Unsupported): Pick<SuiteFunctionDocument, 'event' | 'events'> {
  const events = vars.get(path);
  if (events === undefined || events === null) return {};
  if (!Array.isArray(events)) return unsupported(path, 'must be a list of events');
  const weights = new Map<string, number>();
  events.forEach((event, i) => {
    if (!isMap(event) || Object.keys(event).length !== 1) unsupported([...path, i], `must be one trigger, e.g. - http: GET hello; supported: ${SUPPORTED_EVENTS}`);
    const [kind, spec] = Object.entries(event as Record<string, unknown>)[0];
    const file = eventPath(eventKey(kind, spec, [...path, i, kind], unsupported));
    weights.set(file, (weights.get(file) ?? 0) + 1);
  });
  if (weights.size === 1 && events.length === 1) return { event: [...weights.keys()][0] };
  return { events: [...weights].map(([file, weight]) => ({ file, weight })) };
}

function eventKey(kind: string, spec: unknown, path: Path, unsupported: Unsupported): keyof typeof EVENT_FILES {
  const method = String((isMap(spec) ? spec.method : typeof spec === 'string' ? spec.trim().split(/\s+/)[0] : undefined) ?? 'GET').toUpperCase();
  const writes = method === 'POST' || method === 'PUT' || method === 'PATCH';
  switch (kind) {
    case 'http':
      return writes ? 'post' : method === 'DELETE' ? 'delete' : 'get';
    case 'httpApi':
      return writes ? 'v2post' : 'v2get';
    case 's3':
      return 's3';
    case 'sqs':
      return 'sqs';
    case 'schedule':
      return 'schedule';
    case 'stream': {
      const type = isMap(spec) ? spec.type : undefined;
      const arn = isMap(spec) ? JSON.stringify(spec.arn ?? '') : String(spec);
      if (type === 'dynamodb' || (type === undefined && arn.includes(':dynamodb:')) || (type === undefined && arn.includes('StreamArn'))) return 'ddb';
      return unsupported(path, `a ${String(type ?? 'Kinesis')} stream has no sample event; supported streams: DynamoDB (type: dynamodb)`);
    }
    default:
      return unsupported(path, `the ${kind} trigger has no sample event in coldbench; supported: ${SUPPORTED_EVENTS}. Remove it, or benchmark this function with a suite file`);
  }
}
