/**
 * Packaging: real zips for every (function, runtime, architecture, packaging) the plan needs.
 * Python dependencies via pip --target, Node via npm --omit=dev, layers laid out as Lambda
 * expects (python/, nodejs/node_modules), esbuild bundles for Node. Builds are cached under
 * <cacheDir>/builds/<content hash>/ so the same inputs are never built twice.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { coldbenchCacheDir } from '../cache-dir.ts';
import { extraPipArgs } from '../pip-args.ts';
import { isNotFound, missingToolMessage } from '../tools.ts';
import { PackageTooLargeError, PackagingError } from './errors.ts';
import type { Plan, Variant } from './plan.ts';
import type { Suite, SuiteFunction } from './suite.ts';
import { listFiles, zipFolder } from './zip.ts';

/** Bumped when the build recipe changes, so old cache entries are not reused. */
const BUILD_RECIPE_VERSION = '2';
/** Lambda's limit for function + layers, unzipped (262,144,000 bytes). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1000;
/** Lambda's limit for a zip uploaded directly in the request; larger goes through S3. */
export const MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface BuiltZip {
  /** Path of the cached zip */
  path: string;
  sha256: string;
  zipBytes: number;
  unzippedBytes: number;
  /** Content hash the build is cached under */
  key: string;
  /** Whether it came from the cache (no build ran) */
  cached: boolean;
}

export interface BuiltPackage {
  function: BuiltZip;
  /** The dependencies layer of `packaging: layer` */
  layer: BuiltZip | null;
  /** The variant's folder layers (`layers:` and the `extensions` axis), zipped, in the suite's order (packageAll fills them; packageVariant leaves []) */
  folderLayers: { name: string; path: string; zip: BuiltZip }[];
}

export interface PackageOptions {
  /** Root of coldbench's cache (default: src/cache-dir.ts's coldbenchCacheDir()) */
  cacheDir?: string;
  /** `aws` builds Python wheels for Lambda's platform; local targets use this machine's */
  targetKind: 'local' | 'url' | 'aws';
  /** Extra pip arguments after the suite's pip.args (default: COLDBENCH_PIP_ARGS of this process, for callers that do not pass the CLI's env, such as profile) */
  extraPipArgs?: string[];
  /** Python used for pip on local targets (default python3) */
  python?: string;
  /** The interpreter that will run a python runtime locally (the embedded emulator's), used for its pip instead of `python` */
  pythonFor?: (runtime: string) => string | undefined;
  /** Where build tools' progress goes (one line each) */
  log?: (line: string) => void;
}

/** coldbench's one cache root (COLDBENCH_CACHE_DIR, else $XDG_CACHE_HOME/coldbench, else ~/.cache/coldbench). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return coldbenchCacheDir(env);
}

/** Folders that are never part of a package's inputs (installed output, caches, VCS). */
function skipInput(rel: string): boolean {
  return /(^|\/)(node_modules|__pycache__|\.git|\.pytest_cache|\.venv)(\/|$)/.test(rel) || rel.endsWith('.pyc') || TOP_LEVEL_TESTS.test(rel);
}

/** A function's own test folder (tests/, test/, __tests__/ at the top of `code`) is not deployed. */
const TOP_LEVEL_TESTS = /^(tests?|__tests__)\//;

function hashInputs(parts: Array<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 32);
}

function folderDigest(root: string): string[] {
  return listFiles(root, skipInput).flatMap((rel) => [
    rel,
    createHash('sha256')
      .update(readFileSync(join(root, rel)))
      .digest('hex'),
  ]);
}

/** The Node handler modules the function's variants use (esbuild entry points). */
function handlerModules(fn: SuiteFunction, variants: Variant[]): string[] {
  const modules = new Set(variants.filter((v) => v.function === fn.name).map((v) => v.handler.slice(0, v.handler.lastIndexOf('.'))));
  return [...modules].sort();
}

function run(command: string, args: string[], cwd: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => {
      const missing = isNotFound(error) && /(^|\/)python3?(\.\d+)?$/.test(command) ? missingToolMessage('python3', command === 'python3' ? undefined : command) : null;
      reject(new PackagingError(missing ? `${what}: ${missing}` : `${what}: cannot run ${command} (${error.message}); install it or put it on PATH`, { cause: error }));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else if (args[0] === '-m' && args[1] === 'pip' && /No module named pip/.test(output))
        reject(new PackagingError(`${what}: ${missingToolMessage('pip', `${command} -m pip: No module named pip`)}`));
      else reject(new PackagingError(`${what}: \`${command} ${args.join(' ')}\` exited with ${code}:\n${output.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

/** pip's retries per index request unless the user sets --retries or PIP_RETRIES. */
export const PIP_DEFAULT_RETRIES = 1;

/** pip arguments for the target: this machine's Python locally, Lambda's platform on AWS. */
export function pipInstallArgs(
  requirements: string,
  targetDir: string,
  runtime: string,
  architecture: string,
  targetKind: string,
  extra: string[],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements, '--target', targetDir];
  if (targetKind === 'aws') {
    const platform = architecture === 'arm64' ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64';
    args.push('--platform', platform, '--only-binary=:all:', '--python-version', runtime.replace(/^python/, ''), '--implementation', 'cp');
  }
  // pip's default of 5 retries with backoff turns an unreachable index (an offline machine, a
  // mirror-only network) into ~8 s per requirement; one retry still rides out a flaky network.
  const retries = extra.some((a) => a.startsWith('--retries')) || env.PIP_RETRIES ? [] : ['--retries', String(PIP_DEFAULT_RETRIES)];
  return [...args, ...retries, ...extra];
}

async function installPython(fn: SuiteFunction, runtime: string, architecture: string, targetDir: string, options: PackageOptions): Promise<void> {
  const requirements = fn.requirements;
  if (requirements === null) throw new PackagingError(`${fn.name}: no requirements.txt to install (the caller installs Python dependencies only when there is one)`);
  mkdirSync(targetDir, { recursive: true });
  const args = pipInstallArgs(requirements, targetDir, runtime, architecture, options.targetKind, [...fn.pipArgs, ...(options.extraPipArgs ?? [])]);
  options.log?.(`pip install -r ${requirements} (${fn.name}, ${runtime}, ${architecture})`);
  await run(options.pythonFor?.(runtime) ?? options.python ?? 'python3', args, dirname(requirements), `packaging ${fn.name}`);
}

async function installNode(fn: SuiteFunction, targetDir: string, options: PackageOptions): Promise<void> {
  mkdirSync(targetDir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc']) {
    if (existsSync(join(fn.code, file))) cpSync(join(fn.code, file), join(targetDir, file));
  }
  options.log?.(`npm install --omit=dev (${fn.name})`);
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...fn.npmArgs], targetDir, `packaging ${fn.name}`);
}

/** Installs in flight or done in this process, so bundled and layer builds share one install. */
const installs = new Map<string, Promise<string>>();

/**
 * The function's dependencies installed once per content hash under <cacheDir>/deps/<key>/
 * (Python: pip's --target folder; Node: node_modules) and copied into every build that needs them.
 */
function installedDeps(fn: SuiteFunction, runtime: string, architecture: string, key: string, cacheDir: string, options: PackageOptions): Promise<string> {
  const dir = join(cacheDir, 'deps', key);
  const existing = installs.get(dir);
  if (existing) return existing;
  const job = (async () => {
    if (existsSync(join(dir, '.complete'))) return dir;
    const temp = mkdtempSync(join(tmpdir(), 'coldbench-deps-'));
    try {
      if (runtime.startsWith('python')) await installPython(fn, runtime, architecture, temp, options);
      else await installNode(fn, temp, options);
      writeFileSync(join(temp, '.complete'), '');
      mkdirSync(dirname(dir), { recursive: true });
      rmSync(dir, { recursive: true, force: true });
      // cpSync, not rename: the temp folder may be on another filesystem than the cache.
      cpSync(temp, dir, { recursive: true, verbatimSymlinks: true });
      return dir;
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  })();
  installs.set(dir, job);
  job.catch(() => installs.delete(dir));
  return job;
}

/** Copies installed dependencies into a build: pip's folder as is, or node_modules. */
function copyDeps(installed: string, dest: string, isPython: boolean): void {
  const from = isPython ? installed : join(installed, 'node_modules');
  const to = isPython ? dest : join(dest, 'node_modules');
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('.complete') });
}

function copyCode(fn: SuiteFunction, dest: string): void {
  for (const rel of listFiles(fn.code, skipInput)) {
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    cpSync(join(fn.code, rel), join(dest, rel));
  }
}

/** The source file of a Node handler module (index → index.js / .mjs / .cjs / .ts). */
function nodeEntry(code: string, module: string): string {
  for (const ext of ['.js', '.mjs', '.cjs', '.ts', '.mts']) if (existsSync(join(code, module + ext))) return module + ext;
  throw new PackagingError(`packaging ${code}: handler module ${module} has no ${module}.js, .mjs, .cjs or .ts file; fix the handler in the suite`);
}

async function esbuildBundle(fn: SuiteFunction, runtime: string, modules: string[], stagingDir: string, depsDir: string | null): Promise<void> {
  const { build } = await import('esbuild');
  const work = mkdtempSync(join(tmpdir(), 'coldbench-esbuild-'));
  try {
    copyCode(fn, work);
    if (depsDir) copyDeps(depsDir, work, false);
    const isModule = JSON.parse(existsSync(join(work, 'package.json')) ? readFileSync(join(work, 'package.json'), 'utf8') : '{}').type === 'module';
    for (const module of modules) {
      const entry = nodeEntry(work, module);
      const esm = entry.endsWith('.mjs') || entry.endsWith('.mts') || (isModule && !entry.endsWith('.cjs'));
      await build({
        entryPoints: [join(work, entry)],
        outfile: join(stagingDir, module + (esm ? '.mjs' : '.js')),
        bundle: true,
        minify: true,
        platform: 'node',
        target: runtime.replace(/^nodejs(\d+)\.x$/, 'node$1'),
        format: esm ? 'esm' : 'cjs',
        // The runtime ships the AWS SDK v3; bundling it would only grow the package.
        external: ['@aws-sdk/*'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner: esm ? { js: "import{createRequire as __cbReq}from'module';const require=__cbReq(import.meta.url);" } : undefined,
        logLevel: 'silent',
      });
    }
  } catch (error) {
    if (error instanceof PackagingError) throw error;
    throw new PackagingError(`packaging ${fn.name} with esbuild failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Builds into a temp folder, zips it and moves the zip into the cache under `key`. */
async function cachedZip(cacheDir: string, key: string, name: string, fill: (staging: string) => Promise<void>): Promise<BuiltZip> {
  const dir = join(cacheDir, 'builds', key);
  const zipPath = join(dir, `${name}.zip`);
  const metaPath = join(dir, `${name}.json`);
  if (existsSync(zipPath) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Omit<BuiltZip, 'path' | 'cached' | 'key'>;
    return { ...meta, path: zipPath, key, cached: true };
  }
  const staging = mkdtempSync(join(tmpdir(), 'coldbench-build-'));
  try {
    await fill(staging);
    const zip = zipFolder(staging);
    mkdirSync(dir, { recursive: true });
    // Write then rename, so a concurrent or interrupted build never leaves a half-written zip.
    const tmpZip = `${zipPath}.${process.pid}.tmp`;
    writeFileSync(tmpZip, zip.bytes);
    renameSync(tmpZip, zipPath);
    const meta = { sha256: zip.sha256, zipBytes: zip.bytes.length, unzippedBytes: zip.unzippedBytes };
    writeFileSync(metaPath, JSON.stringify(meta));
    return { ...meta, path: zipPath, key, cached: false };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** One package (function zip + optional layer zip) for a variant's build cell. */
export async function packageVariant(fn: SuiteFunction, variant: Variant, allVariants: Variant[], given: PackageOptions): Promise<BuiltPackage> {
  // Resolved once: the same pip arguments go into the build's cache key and into pip's command line.
  const options = { ...given, extraPipArgs: given.extraPipArgs ?? extraPipArgs() };
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const { runtime, architecture, packaging } = variant;
  const isPython = runtime.startsWith('python');
  /** requirements.txt of a Python function that has one; null otherwise */
  const requirements = isPython ? fn.requirements : null;
  const hasDeps = isPython ? requirements !== null : fn.nodeDependencies;
  const platformKey = isPython && options.targetKind === 'aws' ? `lambda-${architecture}` : `host-${process.platform}-${process.arch}`;
  const pipArgs = [...fn.pipArgs, ...options.extraPipArgs].join(' ');
  const localPython = (): string[] => {
    const python = options.targetKind !== 'aws' ? options.pythonFor?.(runtime) : undefined;
    return python ? [python] : [];
  };
  const depsInputs =
    requirements !== null
      ? ['python', runtime, platformKey, pipArgs, readFileSync(requirements), ...localPython()]
      : hasDeps
        ? ['node', runtime, fn.npmArgs.join(' '), ...['package.json', 'package-lock.json'].map((f) => (existsSync(join(fn.code, f)) ? readFileSync(join(fn.code, f)) : ''))]
        : [];
  const codeDigest = folderDigest(fn.code);
  const modules = packaging === 'esbuild' ? handlerModules(fn, allVariants) : [];
  const fnKey = hashInputs([BUILD_RECIPE_VERSION, 'function', runtime, architecture, packaging, ...modules, ...codeDigest, ...(packaging === 'bundled' ? depsInputs : [])]);
  const deps = () => installedDeps(fn, runtime, architecture, hashInputs([BUILD_RECIPE_VERSION, 'deps', architecture, ...depsInputs]), cacheDir, options);
  const fnZip = await cachedZip(cacheDir, fnKey, 'function', async (staging) => {
    if (packaging === 'esbuild') return esbuildBundle(fn, runtime, modules, staging, hasDeps ? await deps() : null);
    copyCode(fn, staging);
    if (packaging === 'bundled' && hasDeps) copyDeps(await deps(), staging, isPython);
  });
  let layer: BuiltZip | null = null;
  if (packaging === 'layer' && hasDeps) {
    const layerKey = hashInputs([BUILD_RECIPE_VERSION, 'layer', architecture, ...depsInputs]);
    layer = await cachedZip(cacheDir, layerKey, 'layer', async (staging) => copyDeps(await deps(), join(staging, isPython ? 'python' : 'nodejs'), isPython));
  }
  return { function: fnZip, layer, folderLayers: [] };
}

/**
 * A suite's `layers` / `extensions` folder as a layer zip: the folder is what /opt holds (extensions/,
 * python/, bin/, …). Cached by content and exec bits, which extensions need.
 */
function packageLayerFolder(folder: string, options: Pick<PackageOptions, 'cacheDir'>): Promise<BuiltZip> {
  const files = listFiles(folder);
  const inputs = files.flatMap((rel) => [rel, readFileSync(join(folder, rel)), String(statSync(join(folder, rel)).mode & 0o111)]);
  const key = hashInputs([BUILD_RECIPE_VERSION, 'layer-folder', ...inputs]);
  return cachedZip(options.cacheDir ?? defaultCacheDir(), key, 'layer', async (staging) => {
    cpSync(folder, staging, { recursive: true });
  });
}

/** Builds every variant's package (each distinct build once), keyed by variant name. */
export async function packageAll(suite: Suite, plan: Plan, options: PackageOptions): Promise<Map<string, BuiltPackage>> {
  const out = new Map<string, BuiltPackage>();
  const byCell = new Map<string, Promise<BuiltPackage>>();
  /** Each layer folder is hashed (and zipped) once, however many variants use it */
  const byFolder = new Map<string, Promise<BuiltZip>>();
  for (const variant of plan.variants) {
    const fn = suite.functions.find((f) => f.name === variant.function);
    if (!fn) throw new Error(`variant ${variant.name} names function ${variant.function}, which the suite does not define`);
    const cell = `${fn.name}|${variant.runtime}|${variant.architecture}|${variant.packaging}`;
    let built = byCell.get(cell);
    if (!built) {
      built = packageVariant(fn, variant, plan.variants, options);
      byCell.set(cell, built);
    }
    const folderLayers = [];
    for (const layer of variant.layers ?? []) {
      if (layer.kind !== 'folder') continue;
      let zip = byFolder.get(layer.path);
      if (!zip) {
        zip = packageLayerFolder(layer.path, options);
        byFolder.set(layer.path, zip);
      }
      folderLayers.push({ name: layer.name, path: layer.path, zip: await zip });
    }
    out.set(variant.name, { ...(await built), folderLayers });
  }
  return out;
}

/** What counts towards the 250 MB: the function, its dependencies layer and its folder layers (a layer ARN's size is not known here). */
function unzippedTotal(p: BuiltPackage): number {
  return p.function.unzippedBytes + (p.layer?.unzippedBytes ?? 0) + p.folderLayers.reduce((sum, l) => sum + l.zip.unzippedBytes, 0);
}

/** Refuses, before anything is deployed, every variant whose function + layer exceed 250 MB unzipped. */
export function checkSizes(packages: Map<string, BuiltPackage>): void {
  const over = [...packages].filter(([, p]) => unzippedTotal(p) > MAX_UNZIPPED_BYTES);
  if (over.length === 0) return;
  const mb = (n: number) => (n / 1024 / 1000).toFixed(1);
  const lines = over.map(([name, p]) => {
    const parts = [
      `function ${mb(p.function.unzippedBytes)} MB`,
      `layer ${mb(p.layer?.unzippedBytes ?? 0)} MB`,
      ...p.folderLayers.map((l) => `layer ${l.name} ${mb(l.zip.unzippedBytes)} MB`),
    ];
    return `  ${name}: ${mb(unzippedTotal(p))} MB (${parts.join(' + ')})`;
  });
  throw new PackageTooLargeError(
    `${over.length === 1 ? 'a package is' : `${over.length} packages are`} above Lambda's 250 MB unzipped limit (function and layers together); nothing was deployed:\n${lines.join('\n')}\nTrim the dependencies, or move them to a container image (not supported by coldbench).`,
  );
}
