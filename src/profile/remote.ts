/**
 * `coldbench profile --function NAME [--endpoint aws|URL]`: profiles a function that already runs
 * on the target without touching it. Its code is downloaded (GetFunction), a copy is created with
 * the same code, role, layers, memory and environment plus the tracing wrapper as a layer and
 * AWS_LAMBDA_EXEC_WRAPPER, a few cold starts are forced on the copy, the trace is read from the
 * copy's logs, and the copy and the layer are deleted (whatever happens).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FunctionConfiguration, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { NotConfirmedError } from '../bench/errors.ts';
import { existingFunctionPlan, snapshotFunction } from '../bench/existing.ts';
import type { BuiltZip } from '../bench/package.ts';
import { EMPTY_EVENT } from '../bench/suite.ts';
import { zipFolder } from '../bench/zip.ts';
import { median } from '../report/stats.ts';
import { analyze } from './analyze.ts';
import type { Language } from './group.ts';
import { scanPackages, pycTagFor } from './package-scan.ts';
import { codePathFor, collectTrace, ownCodeIsEsm, ProfileInputError, readSources, tracingEnvironment, tracingText, unzipTo } from './run.ts';
import { ProfileRunError, type ProfileSession } from './session.ts';
import type { ProfileReport } from './types.ts';
import { MAX_LAYERS } from '../vocabulary.ts';

/** Cold starts forced on the copy: the first is traced in detail, all give Init Durations. */
export const REMOTE_COLD_STARTS = 3;
/** Where the tracing layer puts the wrapper (/opt is where Lambda mounts layers). */
export const LAYER_WRAPPER = '/opt/coldbench/trace-wrapper.sh';
/** The files of the tracing layer, beside this module. */
const LAYER_FILES = [
  'trace-wrapper.sh',
  'python-trace-shim.py',
  'node-require-timer.cjs',
  'node-statement-timer.cjs',
  'node-trace-line.cjs',
  'node-esm-timer.mjs',
  'node-esm-hooks.mjs',
];

export interface RemoteProfileOptions {
  functionName: string;
  warm: number;
  yes: boolean;
  confirm: (question: string) => Promise<boolean>;
  log: (line: string) => void;
}

/** The tracing layer's zip: the wrapper and its timers under coldbench/ (so at /opt/coldbench/ in the function). */
export function traceLayerZip(dir: string): BuiltZip {
  const folder = join(dir, 'layer');
  mkdirSync(join(folder, 'coldbench'), { recursive: true });
  for (const name of LAYER_FILES) {
    const to = join(folder, 'coldbench', name);
    copyFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), to);
    chmodSync(to, name.endsWith('.sh') ? 0o755 : 0o644);
  }
  const zip = zipFolder(folder);
  const path = join(dir, 'coldbench-trace-layer.zip');
  writeFileSync(path, zip.bytes);
  return { path, sha256: zip.sha256, zipBytes: zip.bytes.length, unzippedBytes: zip.unzippedBytes, key: `trace-${zip.sha256.slice(0, 12)}`, cached: false };
}

/** What the user is asked before anything is created. */
export function remotePlanText(config: FunctionConfiguration, where: string, warm: number): string {
  const name = config.FunctionName ?? '';
  return [
    `profile ${name} on ${where}:`,
    `  creates a copy of ${name} (same code, role, layers, memory, timeout and environment) with the coldbench tracing layer and AWS_LAMBDA_EXEC_WRAPPER=${LAYER_WRAPPER},`,
    `  forces ${REMOTE_COLD_STARTS} cold starts and ${warm} warm invokes of the copy with the event {} (its code runs: whatever it calls, it calls ${REMOTE_COLD_STARTS + warm} times),`,
    "  reads the trace from the copy's CloudWatch logs, then deletes the copy and the layer.",
    `  ${name} itself is not changed.`,
  ].join('\n');
}

function languageOf(runtime: string | undefined, name: string): Language {
  if (runtime?.startsWith('python')) return 'python';
  if (runtime?.startsWith('nodejs')) return 'node';
  throw new ProfileInputError(
    `--function ${name}: runtime ${runtime ?? 'none (a container image)'} cannot be traced; profile traces the managed Python and Node.js runtimes, which honour AWS_LAMBDA_EXEC_WRAPPER`,
  );
}

/**
 * The function's own files among a deployed package's: a Python package may hold its
 * dependencies beside the code (pip --target); the names their `*.dist-info/top_level.txt` lists
 * are packages, not the function's modules. (Node's are in node_modules, which readSources skips.)
 */
export function ownSources(sources: Map<string, string>, fnDir: string, language: Language): Map<string, string> {
  if (language !== 'python') return sources;
  const installed = new Set<string>();
  for (const entry of readdirSync(fnDir)) {
    if (!entry.endsWith('.dist-info')) continue;
    const top = join(fnDir, entry, 'top_level.txt');
    const names = existsSync(top) ? readFileSync(top, 'utf8').split(/\r?\n/) : [entry.replace(/-.*$/, '')];
    for (const n of names) if (n.trim()) installed.add(n.trim().toLowerCase());
  }
  return new Map([...sources].filter(([module]) => !installed.has(module.split('.')[0].toLowerCase())));
}

async function downloadCode(session: ProfileSession, name: string, dir: string): Promise<BuiltZip> {
  const out = await session.target.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  const location = out.Code?.Location;
  if (!location) throw new ProfileInputError(`--function ${name}: GetFunction returned no code location (a container image function?); profile needs a .zip package`);
  const res = await fetch(location);
  if (!res.ok) throw new ProfileRunError(`--function ${name}: downloading its code failed: HTTP ${res.status} from the code location GetFunction returned`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const path = join(dir, 'function.zip');
  writeFileSync(path, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('base64');
  return { path, sha256, zipBytes: bytes.length, unzippedBytes: bytes.length, key: `copy-${sha256.slice(0, 12)}`, cached: false };
}

/** Runs the whole remote profile on an open session; the session is closed (copy and layer deleted) whatever happens. */
export async function profileExistingFunction(session: ProfileSession, options: RemoteProfileOptions): Promise<ProfileReport> {
  const work = mkdtempSync(join(tmpdir(), 'coldbench-profile-remote-'));
  try {
    const name = options.functionName;
    const { config } = await snapshotFunction(session.target.lambda, name);
    const language = languageOf(config.Runtime, name);
    const layers = (config.Layers ?? []).map((l) => l.Arn).filter((a): a is string => typeof a === 'string');
    if (layers.length >= MAX_LAYERS)
      throw new ProfileInputError(`--function ${name}: it already has ${layers.length} layers; the copy needs one more for the tracing wrapper and Lambda allows ${MAX_LAYERS}`);
    if (!config.Role) throw new ProfileInputError(`--function ${name}: GetFunctionConfiguration returned no Role; the copy must run as the function's own role`);
    const where = session.target.kind === 'aws' ? `the AWS account in ${session.target.region}` : (session.target.endpoint ?? session.target.kind);
    options.log(remotePlanText(config, where, options.warm));
    if (!options.yes && !(await options.confirm('Proceed?'))) throw new NotConfirmedError('not confirmed; nothing was created. Pass --yes to run without asking.');

    const code = await downloadCode(session, name, work);
    const fnDir = join(work, 'function');
    unzipTo(code.path, fnDir);
    const sources = ownSources(readSources(fnDir, language), fnDir, language);
    const handler = config.Handler ?? '';
    const { codePath, codePathProblem } = await codePathFor(sources, handler, config.Runtime as string, language);
    const esm = language === 'node' && ownCodeIsEsm(sources, fnDir);
    const architecture = config.Architectures?.[0] ?? 'x86_64';
    options.log(`publishing the tracing layer and creating the copy of ${name} on ${where}`);
    const layerArn = await session.publishLayer('trace', traceLayerZip(work), config.Runtime as string, architecture);
    const [planned] = existingFunctionPlan(config, {
      cold: REMOTE_COLD_STARTS,
      warm: options.warm,
      concurrency: 1,
      coldStrategy: 'config-bump',
      seed: 1,
      events: [EMPTY_EVENT],
    }).variants;
    const variant = { ...planned, name: `${name}-trace`, environment: { ...planned.environment, ...tracingEnvironment(codePath, sources, language, LAYER_WRAPPER, esm) } };
    const since = Date.now() - 1_000;
    const dep = await session.deployCopy(variant, { function: code, layer: null, folderLayers: [] }, config.Role, [...layers, layerArn]);
    options.log(`forcing ${REMOTE_COLD_STARTS} cold starts of ${dep.functionName}`);
    const samples = await session.drive(dep, REMOTE_COLD_STARTS, options.warm);
    // init is the first init, before the first START: later cold starts' traces follow later STARTs.
    const { initsMs, init, warmDurationsMs } = await collectTrace(session, dep, samples, language, since, {
      failed: (f) => `${name}: the copy failed on ${f.failed} of ${f.total} invokes: ${f.first}; profile sends the event {}: check that the function accepts it`,
      noCold: () => new ProfileRunError(`${name}: none of the forced cold starts of the copy reported an Init Duration`),
    });
    const packages = scanPackages([fnDir], { language, pycTag: pycTagFor(config.Runtime as string) });
    return analyze({
      function: { name, codeDir: `${where}: ${name}`, runtime: config.Runtime as string, handler, memoryMB: config.MemorySize ?? 128 },
      language,
      traceText: init.join('\n'),
      initMs: initsMs[0],
      warmDurationsMs,
      packages,
      sources,
      target: session.target.kind === 'aws' ? `AWS account (${session.target.region})` : `endpoint ${session.target.endpoint ?? session.target.kind}`,
      tracing: tracingText(language, esm, `through AWS_LAMBDA_EXEC_WRAPPER on a copy of ${name} (tracing layer)`),
      codePath,
      codePathProblem,
      notes: [
        `traced on ${dep.functionName}, a copy of ${name} deleted afterwards with its tracing layer; ${name} was not changed`,
        `Init Duration of the ${initsMs.length} forced cold starts of the copy: median ${median(initsMs)?.toFixed(1)} ms (${initsMs.map((x) => x.toFixed(1)).join(', ')}); the table is the first one's trace`,
        `package sizes are of the function's own .zip; its ${layers.length} layer(s) are not scanned`,
        'times come from one traced cold start: tracing adds its own overhead, so shares are more reliable than absolute times',
      ],
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
    const failures = await session.close();
    for (const f of failures) options.log(f);
  }
}
