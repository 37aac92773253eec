/**
 * Which local interpreter runs each Lambda runtime, found by running it rather than by its name:
 * pyenv puts a shim for every `python3.X` on PATH, and a shim for a version that is not selected
 * exits 127. A command counts only when it runs and reports a version; a runtime is `exact` only
 * when that version is the runtime's own.
 *
 * - pythonX.Y: `python3.Y` on PATH when it reports 3.Y, else `python3` (the closest local),
 *   whatever its version. Environments run the real executable behind any shim (sys.executable):
 *   a pyenv shim costs every cold start ~50 ms.
 * - nodejsNN.x: a node binary given with `--node` / COLDBENCH_NODE whose `--version` major is NN,
 *   else the emulator's own node (process.execPath), whatever its version.
 * - provided.*: the package's own bootstrap; always exact.
 *
 * Probes are memoised in-process, and cached on disk (<cache dir>/interpreters.json) keyed by
 * the command, PATH, the working folder, PYENV_VERSION and the found file's mtime and size; a
 * cached interpreter is used only while its real executable is unchanged, and a cached "does not
 * run" expires after an hour (installing a pyenv version does not touch its shim).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { coldbenchCacheDir } from '../../cache-dir.ts';
import { ColdbenchError } from '../../errors.ts';
import { missingToolMessage } from '../../tools.ts';
import { LOCAL_RUNTIMES, type RuntimeInterpreter } from '../contract.ts';

const PROBE_TIMEOUT_MS = 10_000;
/** How long a cached "this command does not run" is trusted. */
const NEGATIVE_TTL_MS = 60 * 60_000;
/** Entries older than this are dropped when the cache is written (PATHs of deleted folders, old versions). */
const PRUNE_AFTER_MS = 7 * 24 * 60 * 60_000;
const CACHE_FILE = 'interpreters.json';
/** One spawn prints what `--version` prints, then the executable behind any shim. */
const PYTHON_SCRIPT = "import sys; print('Python %d.%d.%d' % sys.version_info[:3]); print(sys.executable)";

export type InterpreterKind = 'python' | 'node';

export type Probe = { ok: true; command: string; path: string; version: string } | { ok: false; command: string; reason: string };

export interface ProbeOptions {
  /** PATH and pyenv's variables come from here (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** Folder pyenv's `.python-version` lookup starts from (default process.cwd()) */
  cwd?: string;
  /** Root of the on-disk cache (default: coldbench's cache root, see src/cache-dir.ts); null: memo only */
  cacheDir?: string | null;
}

export interface ResolveOptions extends ProbeOptions {
  /** Node binaries to serve the nodejsNN.x runtimes of their major (`--node`, COLDBENCH_NODE) */
  nodeBinaries?: string[];
}

/** A `--node` / COLDBENCH_NODE binary that does not run, or serves no runtime. */
export class InterpreterError extends ColdbenchError {}

export interface ResolvedInterpreters {
  byRuntime: Record<string, RuntimeInterpreter>;
  /** `python3` on PATH: the spawner helper and the SDK build run on it */
  python3: Probe;
}

const memo = new Map<string, Promise<Probe>>();

/** Forgets every in-process probe (tests). */
export function clearInterpreterMemo(): void {
  memo.clear();
}

/** The file a command names: itself when it has a slash, else the first executable of that name on PATH. */
function locate(command: string, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const candidates = command.includes('/')
    ? [resolve(cwd, command)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(resolve(cwd, dir), command));
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

interface CacheEntry {
  probe: Probe;
  at: number;
  /** mtime and size of the real executable, for a probe that ran */
  real?: string;
}

function fileStamp(file: string): string | null {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return null;
  }
}

function readCache(root: string): Record<string, CacheEntry> {
  try {
    const parsed = JSON.parse(readFileSync(join(root, CACHE_FILE), 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, CacheEntry>) : {};
  } catch {
    return {};
  }
}

function cached(root: string, key: string): Probe | null {
  const entry = readCache(root)[key];
  if (!entry?.probe) return null;
  if (entry.probe.ok) return entry.real !== undefined && fileStamp(entry.probe.path) === entry.real ? entry.probe : null;
  return Date.now() - entry.at < NEGATIVE_TTL_MS ? entry.probe : null;
}

function store(root: string, key: string, probe: Probe): void {
  try {
    mkdirSync(root, { recursive: true });
    const now = Date.now();
    const entries = Object.fromEntries(Object.entries(readCache(root)).filter(([, e]) => typeof e?.at === 'number' && now - e.at < PRUNE_AFTER_MS));
    entries[key] = { probe, at: now, ...(probe.ok ? { real: fileStamp(probe.path) ?? '' } : {}) };
    const temp = join(root, `${CACHE_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    writeFileSync(temp, JSON.stringify(entries));
    renameSync(temp, join(root, CACHE_FILE));
  } catch {
    // A cache that cannot be written only costs the next start a probe.
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { env, cwd, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? ((error as NodeJS.ErrnoException & { code?: number | string }).code ?? 'error') : 0;
      done({ code: code ?? null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function spawnProbe(command: string, file: string, kind: InterpreterKind, env: NodeJS.ProcessEnv, cwd: string): Promise<Probe> {
  const out = await run(file, kind === 'python' ? ['-I', '-S', '-c', PYTHON_SCRIPT] : ['--version'], env, cwd);
  if (out.code !== 0) {
    const said = (out.stderr.trim() || out.stdout.trim()).split('\n')[0];
    return { ok: false, command, reason: `${file} exited with ${String(out.code)}${said ? ` (${said})` : ''}` };
  }
  const lines = out.stdout
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const version = (kind === 'python' ? /^Python (\d+\.\d+\.\d+)/ : /^v(\d+\.\d+\.\d+)/).exec(lines[0] ?? '')?.[1];
  if (!version) return { ok: false, command, reason: `${file} did not report a ${kind} version (it printed ${JSON.stringify(lines[0] ?? '')})` };
  // The executable behind a shim, when the interpreter names it; else the file that was run.
  const real = kind === 'python' && lines[1] && isAbsolute(lines[1]) && fileStamp(lines[1]) !== null ? lines[1] : file;
  return { ok: true, command, path: real, version };
}

/**
 * Runs one interpreter command (`python3.12`, `python3`, `/opt/node22/bin/node`) and reports
 * whether it runs, its version and its real executable. Memoised, and cached on disk.
 */
export function probeInterpreter(command: string, kind: InterpreterKind, options: ProbeOptions = {}): Promise<Probe> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = locate(command, env, cwd);
  if (!file) return Promise.resolve({ ok: false, command, reason: command.includes('/') ? `${command} is not an executable file` : `${command} is not on PATH` });
  const key = createHash('sha256')
    .update(JSON.stringify([kind, command, file, fileStamp(file), env.PATH ?? '', cwd, env.PYENV_VERSION ?? '']))
    .digest('hex')
    .slice(0, 32);
  const known = memo.get(key);
  if (known) return known;
  const root = options.cacheDir === undefined ? coldbenchCacheDir(env) : options.cacheDir;
  const job = (async () => {
    const hit = root === null ? null : cached(root, key);
    if (hit) return hit;
    const probe = await spawnProbe(command, file, kind, env, cwd);
    if (root !== null) store(root, key, probe);
    return probe;
  })();
  memo.set(key, job);
  return job;
}

const major = (version: string) => version.split('.')[0];

/** Why python3 cannot serve the emulator, for a probe that failed: the missing-tool advice, or what running it said. */
export function python3Problem(probe: Extract<Probe, { ok: false }>): string {
  return probe.reason.endsWith('is not on PATH') ? missingToolMessage('python3') : `python3 could not be run (${probe.reason})`;
}

/** The interpreter behind every runtime in LOCAL_RUNTIMES. Rejects with InterpreterError for a node binary that does not run or serves none. */
export async function resolveInterpreters(options: ResolveOptions = {}): Promise<ResolvedInterpreters> {
  const pythonRuntimes = LOCAL_RUNTIMES.filter((r) => r.startsWith('python'));
  const nodeRuntimes = LOCAL_RUNTIMES.filter((r) => r.startsWith('nodejs'));
  const [python3, versioned, nodes] = await Promise.all([
    probeInterpreter('python3', 'python', options),
    Promise.all(pythonRuntimes.map((r) => probeInterpreter(r, 'python', options))),
    Promise.all((options.nodeBinaries ?? []).map((b) => probeInterpreter(b, 'node', options))),
  ]);
  const byRuntime: Record<string, RuntimeInterpreter> = {};
  pythonRuntimes.forEach((runtime, i) => {
    const minor = `${runtime.slice('python'.length)}.`;
    const own = versioned[i];
    if (own.ok && own.version.startsWith(minor)) byRuntime[runtime] = { command: own.command, path: own.path, version: own.version, exact: true };
    else if (python3.ok) byRuntime[runtime] = { command: 'python3', path: python3.path, version: python3.version, exact: python3.version.startsWith(minor) };
    else byRuntime[runtime] = { command: null, path: null, version: null, exact: false, problem: python3Problem(python3) };
  });
  const given = new Map<string, RuntimeInterpreter>();
  for (const node of nodes) {
    if (!node.ok) throw new InterpreterError(`node binary ${node.command} (--node / COLDBENCH_NODE): ${node.reason}; pass the path of a node executable`);
    const runtime = `nodejs${major(node.version)}.x`;
    if (!nodeRuntimes.includes(runtime)) {
      throw new InterpreterError(
        `node binary ${node.command} (--node / COLDBENCH_NODE) is node ${node.version}, which serves none of the runtimes the emulator runs (${nodeRuntimes.join(', ')})`,
      );
    }
    if (!given.has(runtime)) given.set(runtime, { command: node.command, path: node.path, version: node.version, exact: true });
  }
  const current = process.version.slice(1);
  for (const runtime of nodeRuntimes) {
    byRuntime[runtime] = given.get(runtime) ?? { command: 'node', path: process.execPath, version: current, exact: runtime === `nodejs${major(current)}.x` };
  }
  for (const runtime of LOCAL_RUNTIMES.filter((r) => r.startsWith('provided'))) byRuntime[runtime] = { command: null, path: null, version: null, exact: true };
  return { byRuntime, python3 };
}

/** COLDBENCH_NODE as a list of paths (PATH-style, `:`-separated). */
export function nodeBinariesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.COLDBENCH_NODE ?? '')
    .split(delimiter)
    .map((s) => s.trim())
    .filter(Boolean);
}
