import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InitializationType } from '../../vocabulary.ts';
import { LOCAL_RUNTIMES, type FunctionSpec, type FunctionTls, type RuntimeInterpreter } from '../contract.ts';
import { python3Problem, resolveInterpreters, type ResolveOptions } from './interpreters.ts';

const RUNTIMES_DIR = fileURLToPath(new URL('../runtimes/', import.meta.url));
const PYTHON_BOOTSTRAP = join(RUNTIMES_DIR, 'python', 'bootstrap.py');
const NODE_BOOTSTRAP = join(RUNTIMES_DIR, 'node', 'bootstrap.cjs');

/** Fake credentials: functions sign requests as on Lambda, and the emulator accepts any signature. */
export const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIACOLDBENCHLOCAL00',
  AWS_SECRET_ACCESS_KEY: 'coldbench/local/secret/key/not/a/real/one',
  AWS_SESSION_TOKEN: 'coldbench-local-session-token',
};

const PROVIDED_RUNTIMES = LOCAL_RUNTIMES.filter((r) => r.startsWith('provided'));

export type RuntimeFamily = 'python' | 'nodejs' | 'provided';

export interface Interpreter {
  path: string;
  version: string;
}

export interface Interpreters {
  /** `python3` on PATH (behind any shim): the spawner helper and the SDK build run on it */
  python: Interpreter | null;
  /** Why python is missing, when it is */
  pythonProblem?: string;
  node: Interpreter;
  /** What runs each runtime in LOCAL_RUNTIMES (see interpreters.ts) */
  byRuntime: Record<string, RuntimeInterpreter>;
}

/** The family of a Lambda runtime identifier, or null when the pool cannot run it. */
export function runtimeFamily(runtime: string): RuntimeFamily | null {
  if (/^python3\.\d+$/.test(runtime)) return 'python';
  if (/^nodejs\d+\.x$/.test(runtime)) return 'nodejs';
  if (PROVIDED_RUNTIMES.includes(runtime)) return 'provided';
  return null;
}

/** Finds the interpreter behind every runtime, and the real python3 behind shims (pyenv's shim is a shell script that costs a cold start ~50 ms). */
export async function detectInterpreters(options: ResolveOptions = {}): Promise<Interpreters> {
  const node = { path: process.execPath, version: process.version };
  const { byRuntime, python3 } = await resolveInterpreters(options);
  if (!python3.ok) return { python: null, pythonProblem: python3Problem(python3), node, byRuntime };
  return { python: { path: python3.path, version: python3.version }, node, byRuntime };
}

/** What each runtime identifier runs on here, e.g. `python3.12 → python3 3.11.7 (/usr/bin/python3)`, `nodejs22.x → node v20.20.2 (/usr/bin/node)`. */
export function runtimeMapping(interpreters: Interpreters): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const r of LOCAL_RUNTIMES) {
    const it = interpreters.byRuntime[r];
    if (PROVIDED_RUNTIMES.includes(r)) mapping[r] = "the package's own bootstrap (or a layer's)";
    else if (!it?.path || !it.version) mapping[r] = `unavailable: ${it?.problem ?? 'no interpreter'}`;
    else if (r.startsWith('nodejs')) mapping[r] = `node v${it.version} (${it.path})`;
    else mapping[r] = `${it.command} ${it.version} (${it.path})`;
  }
  return mapping;
}

/** `python:3.11.v1` / `nodejs:20.v1` / `provided:al2023.v1`, as INIT_START shows the runtime version. */
export function runtimeVersionOf(runtime: string, interpreters: Interpreters): { version: string; arn: (region: string) => string } {
  const family = runtimeFamily(runtime);
  let version: string;
  if (family === 'python') version = `python:${runtime.slice('python'.length)}.v1`;
  else if (family === 'nodejs') version = `nodejs:${runtime.slice('nodejs'.length, -2)}.v1`;
  else version = `provided:${runtime.split('.')[1] ?? 'al2'}.v1`;
  const local = family === 'provided' ? undefined : interpreters.byRuntime[runtime]?.version;
  const hash = createHash('sha256')
    .update(`${runtime}|${local ?? ''}`)
    .digest('hex');
  return { version, arn: (region) => `arn:aws:lambda:${region}::runtime:${hash}` };
}

export interface LaunchContext {
  runtimeApi: string;
  logStreamName: string;
  tmpDir: string;
  endpointUrl: string;
  tls?: FunctionTls;
  interpreters: Interpreters;
  /** The cached runtime folder holding the SDK for this family, when it is built */
  sdkDir: string | null;
  /** AWS_LAMBDA_INITIALIZATION_TYPE: `provisioned-concurrency` for environments initialised ahead (default on-demand) */
  initializationType?: InitializationType;
}

export type Launch = { ok: true; command: string; args: string[]; env: Record<string, string> } | { ok: false; errorType: string; message: string };

/** Command line and environment of one execution environment, as Lambda would set them. */
export function buildLaunch(spec: FunctionSpec, ctx: LaunchContext): Launch {
  const family = runtimeFamily(spec.runtime);
  if (!family) {
    return { ok: false, errorType: 'Runtime.InvalidRuntime', message: `The runtime ${spec.runtime} is not supported by the local emulator` };
  }
  // Later layers win, as when they are extracted over each other into /opt.
  const layers = [...spec.layerDirs].reverse();
  const binDirs = layers.map((l) => join(l, 'bin'));
  const libDirs = layers.map((l) => join(l, 'lib'));
  const env: Record<string, string> = {
    ...spec.environment,
    PATH: [...binDirs, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    LD_LIBRARY_PATH: [...libDirs, '/lib64', '/usr/lib64', '/usr/local/lib'].join(':'),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    TMPDIR: ctx.tmpDir,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: ctx.sdkDir ?? RUNTIMES_DIR,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMB),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: ctx.initializationType ?? 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: ctx.logStreamName,
    AWS_LAMBDA_LOG_FORMAT: spec.logFormat,
    AWS_LAMBDA_RUNTIME_API: ctx.runtimeApi,
    // The function's own AWS_ENDPOINT_URL wins, as on Lambda where the variable is not reserved.
    AWS_ENDPOINT_URL: spec.environment.AWS_ENDPOINT_URL ?? ctx.tls?.endpointUrl ?? ctx.endpointUrl,
    _HANDLER: spec.handler,
    ...LOCAL_CREDENTIALS,
  };
  if (ctx.tls) {
    env.AWS_CA_BUNDLE = spec.environment.AWS_CA_BUNDLE ?? ctx.tls.caBundlePath;
    // Not NODE_EXTRA_CA_CERTS: it loads the root store at start-up; the bootstrap trusts the certificate lazily.
    if (family === 'nodejs') env.COLDBENCH_EMULATOR_CA = ctx.tls.certPath;
  }
  if (family === 'python') {
    const py = ctx.interpreters.byRuntime[spec.runtime];
    if (!py?.path) return { ok: false, errorType: 'Runtime.InvalidRuntime', message: `${spec.runtime}: ${py?.problem ?? 'not a runtime the local emulator runs'}` };
    const minor = spec.runtime.slice('python'.length);
    env.AWS_EXECUTION_ENV = `AWS_Lambda_${spec.runtime}`;
    env.PATH = [...binDirs, dirname(py.path), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
    // The bootstrap runs with -I (PYTHONPATH is ignored) and puts these after the task root itself.
    env.PYTHONPATH = [
      ...layers.map((l) => join(l, 'python', 'lib', `python${minor}`, 'site-packages')),
      ...layers.map((l) => join(l, 'python')),
      ...(ctx.sdkDir ? [ctx.sdkDir] : []),
    ].join(':');
    // -B: the task root is read-only on Lambda, so modules without shipped .pyc recompile on every
    // cold start; writing __pycache__ into the shared code folder would make later cold starts cheat.
    return { ok: true, command: py.path, args: ['-I', '-S', '-u', '-B', PYTHON_BOOTSTRAP], env };
  }
  if (family === 'nodejs') {
    const major = spec.runtime.slice('nodejs'.length, -2);
    env.AWS_EXECUTION_ENV = `AWS_Lambda_${spec.runtime}`;
    env.NODE_PATH = [
      ...layers.map((l) => join(l, 'nodejs', `node${major}`, 'node_modules')),
      ...layers.map((l) => join(l, 'nodejs', 'node_modules')),
      ...(ctx.sdkDir ? [join(ctx.sdkDir, 'node_modules')] : []),
    ].join(':');
    const node = ctx.interpreters.byRuntime[spec.runtime]?.path ?? ctx.interpreters.node.path;
    return { ok: true, command: node, args: [...lambdaNodeFlags(spec.memoryMB), NODE_BOOTSTRAP], env };
  }
  const candidates = [join(spec.codeDir, 'bootstrap'), ...layers.map((l) => join(l, 'bootstrap'))];
  const bootstrap = candidates.find((c) => existsSync(c));
  if (!bootstrap) {
    return {
      ok: false,
      errorType: 'Runtime.InvalidEntrypoint',
      message: `Couldn't find valid bootstrap(s): [${candidates.join(' ')}]`,
    };
  }
  return { ok: true, command: bootstrap, args: [], env };
}

/**
 * The flags Lambda's nodejs bootstrap script starts node with: a tenth of the memory for the
 * young generation (half of it per semi-space), the rest for the old one. A small function's
 * smaller semi-space means more scavenges, so GC time moves with memory as on Lambda.
 */
function lambdaNodeFlags(memoryMB: number): string[] {
  const newSpace = Math.floor(memoryMB / 10);
  return ['--expose-gc', '--max-http-header-size=81920', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMB - newSpace}`];
}
