/**
 * `coldbench profile`, the pipeline: resolve the function (a folder + handler, or a suite
 * variant) → package it as the harness does → deploy a traced copy (AWS_LAMBDA_EXEC_WRAPPER) and
 * an untraced one → one cold start + a few warm invokes → the import trace from CloudWatch Logs →
 * analyze → optionally --verify. Returns the report; printing is the CLI's job.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import type { Deployment } from '../bench/deploy.ts';
import { type BuiltPackage, packageVariant } from '../bench/package.ts';
import { type Plan, type Variant, plan } from '../bench/plan.ts';
import type { BenchSample } from '../bench/results.ts';
import { type Suite, type SuiteFunction, loadSuite, loadSuiteDocument } from '../bench/suite.ts';
import { probeInterpreter } from '../emulator/environments/interpreters.ts';
import { analyze, findReuseTwin, splitHandler } from './analyze.ts';
import type { Language } from './group.ts';
import { NODE_MARKER, PYTHON_MARKER } from './import-trace.ts';
import { moduleSizeIn, pycTagFor, scanPackages, type PackageScan } from './package-scan.ts';
import { ColdbenchError } from '../errors.ts';
import { failuresOf, type VariantFailures } from '../report/failures.ts';
import { type ProgramCodePath, programCodePath } from './program-path.ts';
import { ProfileRunError, ProfileSession } from './session.ts';
import { LINE_MARKER, statementSpec, TRACE_STATEMENTS_ENV } from './statement-trace.ts';
import type { ProfileReport } from './types.ts';
import { verifyRecommendations } from './verify.ts';

/** The wrapper script AWS_LAMBDA_EXEC_WRAPPER points at (on a real account it would ship in a layer under /opt). */
export const TRACE_WRAPPER = fileURLToPath(new URL('./trace-wrapper.sh', import.meta.url));

/** How a function's init is traced, as the report says (`how`: through what the wrapper is applied). */
export function tracingText(language: Language, esm: boolean, how = 'through AWS_LAMBDA_EXEC_WRAPPER'): string {
  if (language === 'python') return `python -X importtime ${how}`;
  return `Module._load timer (--require)${esm ? ' and ES module hooks (--import)' : ''} ${how}`;
}

export interface ProfileOptions {
  /** `local` (the embedded emulator), `aws` (with functionName) or an endpoint URL */
  target: string;
  /** An existing function of the target to profile through a traced copy (remote.ts) */
  functionName?: string;
  /** Skip the consent question of --function */
  yes?: boolean;
  /** Asks the user (--function's consent); absent → not confirmed */
  confirm?: (question: string) => Promise<boolean>;
  /** Folder mode */
  dir?: string;
  handler?: string;
  runtime?: string;
  memoryMB?: number;
  requirements?: string;
  /** Suite mode */
  suiteFile?: string;
  only?: string;
  /** Warm invokes after the traced cold start */
  warm: number;
  verify: boolean;
  /** Cold (or warm) samples per side when verifying */
  samples: number;
  /** Most recommendations --verify measures, in rank order */
  verifyLimit: number;
  log: (line: string) => void;
}

/** Bad input to `profile`: a missing folder or handler, a suite variant that does not exist. */
export class ProfileInputError extends ColdbenchError {}

export interface Resolved {
  suite: Suite;
  fn: SuiteFunction;
  variant: Variant;
  plan: Plan;
}

/** Folder mode → a one-function suite document, validated like any suite. */
export function resolveFunction(options: Pick<ProfileOptions, 'dir' | 'handler' | 'runtime' | 'memoryMB' | 'requirements' | 'suiteFile' | 'only' | 'warm'>): Resolved {
  if (options.suiteFile) {
    const suite = loadSuite(options.suiteFile);
    const all = plan(suite);
    if (!options.only)
      throw new ProfileInputError(`${options.suiteFile} is a suite: name the variant to profile with --only, one of ${all.variants.map((v) => v.name).join(', ')}`);
    const chosen = plan(suite, { only: [options.only] });
    if (chosen.variants.length !== 1) {
      throw new ProfileInputError(
        `--only ${options.only}: matches ${chosen.variants.length} variants of ${options.suiteFile} (${chosen.variants.map((v) => v.name).join(', ') || 'none'}); profile takes exactly one, e.g. ${all.variants[0]?.name}`,
      );
    }
    const variant = chosen.variants[0];
    return { suite, fn: suite.functions.find((f) => f.name === variant.function) as SuiteFunction, variant, plan: all };
  }
  const dir = resolve(options.dir ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ProfileInputError(`${options.dir}: not a folder; pass the function's code folder (or a suite file with --only VARIANT)`);
  if (!options.handler) throw new ProfileInputError(`--handler is required with a folder: module.function, e.g. --handler app.handler`);
  const name = basename(dir).replace(/[^A-Za-z0-9_-]/g, '-') || 'function';
  const doc = {
    name: 'profile',
    functions: {
      [name]: {
        code: dir,
        handler: options.handler,
        runtime: options.runtime ?? 'python3.11',
        memory: [options.memoryMB ?? 1024],
        cold: 1,
        warm: options.warm,
        ...(options.requirements ? { requirements: relative(dir, resolve(options.requirements)) } : {}),
      },
    },
  };
  const suite = loadSuiteDocument(doc, join(dir, 'profile.yaml'));
  const all = plan(suite);
  return { suite, fn: suite.functions[0], variant: all.variants[0], plan: all };
}

export function unzipTo(zipPath: string, dir: string): void {
  const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
  for (const [rel, data] of Object.entries(files)) {
    if (rel.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
}

/** The folders a function imports packages from, as Lambda lays them out (task root, layer paths). */
export function importRoots(language: Language, runtime: string, fnDir: string, layerDir: string | null): string[] {
  if (!layerDir) return [fnDir];
  if (language === 'node') return [fnDir, join(layerDir, 'nodejs')];
  return [fnDir, join(layerDir, 'python', 'lib', runtime, 'site-packages'), join(layerDir, 'python')];
}

/** The function's own source files (top level and one folder down) as module name → text. */
export function readSources(code: string, language: Language): Map<string, string> {
  const sources = new Map<string, string>();
  const pattern = language === 'python' ? /\.py$/ : /\.(c|m)?js$/;
  const add = (rel: string) => {
    const key = language === 'python' ? rel.replace(/\.py$/, '').replace(/\//g, '.') : `./${rel}`;
    sources.set(key, readFileSync(join(code, rel), 'utf8'));
  };
  for (const entry of readdirSync(code, { withFileTypes: true })) {
    if (entry.isFile() && pattern.test(entry.name)) add(entry.name);
    else if (entry.isDirectory() && !/^(node_modules|__pycache__|\.|tests?$)/.test(entry.name)) {
      for (const inner of readdirSync(join(code, entry.name), { withFileTypes: true })) if (inner.isFile() && pattern.test(inner.name)) add(`${entry.name}/${inner.name}`);
    }
  }
  return sources;
}

export interface Unpacked {
  fnDir: string;
  layerDir: string | null;
  roots: string[];
  packages: Map<string, PackageScan>;
  cleanup(): void;
}

/** Unpacks a built package to scan it (sizes, removable parts, bytecode). */
export function unpack(pkg: BuiltPackage, language: Language, runtime: string): Unpacked {
  const base = mkdtempSync(join(tmpdir(), 'coldbench-profile-pkg-'));
  const fnDir = join(base, 'function');
  unzipTo(pkg.function.path, fnDir);
  let layerDir: string | null = null;
  if (pkg.layer) {
    layerDir = join(base, 'layer');
    unzipTo(pkg.layer.path, layerDir);
  }
  const roots = importRoots(language, runtime, fnDir, layerDir);
  const packages = scanPackages(roots, { language, pycTag: pycTagFor(runtime) });
  return { fnDir, layerDir, roots, packages, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Splits a function's log lines into those before its first invocation (init) and after. */
export function splitAtFirstStart(lines: string[]): { init: string[]; invoke: string[] } {
  const at = lines.findIndex((l) => /(^|\s)START RequestId:/.test(l));
  return at < 0 ? { init: lines, invoke: [] } : { init: lines.slice(0, at), invoke: lines.slice(at + 1).filter((l) => !/(^|\s)START RequestId:/.test(l)) };
}

/** The Python the emulator runs `runtime` on (python3.Y when it reports 3.Y), else python3. */
export async function pythonFor(runtime: string): Promise<string> {
  const probe = await probeInterpreter(runtime, 'python').catch(() => null);
  return probe?.ok && probe.version.startsWith(`${runtime.replace(/^python/, '')}.`) ? probe.path : 'python3';
}

/** The handler's code path through its files from the parsers, or why there is none. */
export async function codePathFor(
  sources: ReadonlyMap<string, string>,
  handler: string,
  runtime: string,
  language: Language,
): Promise<{ codePath?: ProgramCodePath; codePathProblem?: string }> {
  const { module, fn } = splitHandler(handler, language, sources);
  if (!sources.has(module)) return {};
  try {
    return { codePath: programCodePath(sources, module, fn, language, language === 'python' ? await pythonFor(runtime) : undefined) };
  } catch (error) {
    return { codePathProblem: (error as Error).message };
  }
}

/** What a traced drive gave: the Init Durations of its cold starts that reported one, its trace lines split at the first START, its successful warm invokes' durations. */
export interface DrivenTrace {
  initsMs: number[];
  init: string[];
  invoke: string[];
  warmDurationsMs: number[];
}

/**
 * After a traced deployment's drive: refuses failed invokes (ProfileRunError, `problems.failed`'s
 * message) and a drive where no cold start reported an Init Duration (`problems.noCold`), then
 * reads the trace from the deployment's logs.
 */
export async function collectTrace(
  session: ProfileSession,
  dep: Deployment,
  samples: BenchSample[],
  language: Language,
  since: number,
  problems: { failed: (failure: VariantFailures) => string; noCold: () => Error },
): Promise<DrivenTrace> {
  // A failing handler's durations are not its performance: say so rather than profile them.
  const failed = failuresOf(samples)[0];
  if (failed !== undefined) throw new ProfileRunError(problems.failed(failed));
  const colds = samples.filter((s) => s.phase === 'cold' && s.initMs !== null);
  if (colds.length === 0) throw problems.noCold();
  const marker = language === 'python' ? PYTHON_MARKER : NODE_MARKER;
  // START lines come too: trace lines after the first one were imports during an invocation.
  const lines = await session.traceLines(dep, [marker, LINE_MARKER, 'START RequestId:'], since);
  const { init, invoke } = splitAtFirstStart(lines);
  return {
    initsMs: colds.map((s) => s.initMs as number),
    init,
    invoke,
    warmDurationsMs: samples.filter((s) => s.phase === 'warm' && s.status === 'success' && s.durationMs !== null).map((s) => s.durationMs as number),
  };
}

const isEsmPackage = (file: string): boolean => {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type === 'module';
  } catch {
    return false;
  }
};

/**
 * Whether a Node function's own code is ES modules: .mjs files, or `"type": "module"` in its
 * package.json. (Dual packages in node_modules that the code requires load as CommonJS.)
 */
export function ownCodeIsEsm(sources: ReadonlyMap<string, string>, codeDir: string): boolean {
  return [...sources.keys()].some((k) => k.endsWith('.mjs')) || isEsmPackage(join(codeDir, 'package.json'));
}

/** Set on the traced copy when the ES module hooks are wanted (their loader thread costs init time of its own). */
export const TRACE_ESM_ENV = 'COLDBENCH_TRACE_ESM';

/** The tracing variables of the traced copy: the wrapper, the module-level statements to time, ES module tracing. */
export function tracingEnvironment(
  codePath: ProgramCodePath | undefined,
  sources: ReadonlyMap<string, string>,
  language: Language,
  wrapper: string,
  esm: boolean,
): Record<string, string> {
  const spec = codePath ? statementSpec(codePath.moduleWork, sources, language) : '';
  return { AWS_LAMBDA_EXEC_WRAPPER: wrapper, ...(spec ? { [TRACE_STATEMENTS_ENV]: spec } : {}), ...(esm ? { [TRACE_ESM_ENV]: '1' } : {}) };
}

/** Runs the whole profile; the session (emulator, functions, layers) is closed whatever happens. */
export async function runProfile(options: ProfileOptions): Promise<ProfileReport> {
  if (options.functionName !== undefined) {
    if (options.verify)
      throw new ProfileInputError('--verify with --function: --verify rebuilds the function from its source folder; profile the folder on the emulator to verify');
    const { profileExistingFunction } = await import('./remote.ts');
    const session = await ProfileSession.open(options.target, options.log);
    return profileExistingFunction(session, {
      functionName: options.functionName,
      warm: options.warm,
      yes: options.yes ?? false,
      confirm: options.confirm ?? (async () => false),
      log: options.log,
    });
  }
  if (options.target === 'aws') {
    // Code built here is deployed by profile only to the emulator; on an account it profiles a copy of a deployed function.
    throw new ProfileInputError(
      '--endpoint aws needs --function NAME: on a real account profile traces a copy of a deployed function; a folder or suite variant is profiled on the emulator (local, or an emulator URL)',
    );
  }
  const resolved = resolveFunction(options);
  const { fn, variant } = resolved;
  const language: Language = variant.runtime.startsWith('python') ? 'python' : 'node';
  options.log(`packaging ${variant.name} (${variant.packaging})`);
  // Built before the target opens, so a failed build leaves no emulator running.
  const pkg = await packageVariant(fn, variant, resolved.plan.variants, { targetKind: options.target === 'local' ? 'local' : 'url', log: options.log });
  const unpacked = unpack(pkg, language, variant.runtime);
  let session: ProfileSession;
  try {
    session = await ProfileSession.open(options.target, options.log);
  } catch (error) {
    unpacked.cleanup();
    throw error;
  }
  try {
    const since = Date.now() - 1_000;
    const sources = readSources(fn.code, language);
    const codePath = await codePathFor(sources, variant.handler, variant.runtime, language);
    const esm = language === 'node' && ownCodeIsEsm(sources, fn.code);
    const traced = {
      ...variant,
      name: `${variant.name}-trace`,
      environment: { ...variant.environment, ...tracingEnvironment(codePath.codePath, sources, language, TRACE_WRAPPER, esm) },
    };
    options.log(`tracing the init of ${variant.name} on ${session.target.endpoint ?? session.target.kind}`);
    const dep = await session.deploy(traced, pkg);
    const samples = await session.drive(dep, 1, options.warm);
    const { initsMs, init, invoke, warmDurationsMs } = await collectTrace(session, dep, samples, language, since, {
      failed: (f) => `${variant.name}: the handler failed on ${f.failed} of ${f.total} invokes: ${f.first}; fix the handler (or the event it gets) before profiling it`,
      noCold: () =>
        new ProfileInputError(`the traced cold start of ${variant.name} reported no Init Duration: ${samples[0]?.error ?? samples[0]?.errorType ?? 'no REPORT record'}`),
    });
    const report = analyze({
      function: {
        name: fn.name,
        codeDir: fn.code,
        runtime: variant.runtime,
        handler: variant.handler,
        memoryMB: variant.memoryMB,
        ...(options.suiteFile ? { variant: variant.name } : {}),
      },
      language,
      traceText: init.join('\n'),
      invokeTraceText: invoke.join('\n'),
      initMs: initsMs[0],
      warmDurationsMs,
      packages: unpacked.packages,
      sources,
      target: session.target.kind === 'local' ? 'local emulator' : (session.target.endpoint ?? session.target.kind),
      tracing: tracingText(language, esm),
      ...codePath,
      reuseTwin: findReuseTwin(sources, variant.handler, language),
      moduleSize: (name) => moduleSizeIn(unpacked.roots, language, name),
      notes: ['times come from one traced cold start: tracing adds its own overhead, so shares are more reliable than absolute times'],
    });
    if (options.verify) {
      await verifyRecommendations(report, { session, resolved, pkg, unpacked, language, samples: options.samples, limit: options.verifyLimit, log: options.log });
    }
    return report;
  } finally {
    unpacked.cleanup();
    const failures = await session.close();
    for (const f of failures) options.log(f);
  }
}
