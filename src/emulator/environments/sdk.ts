import { messageOf } from '../../errors.ts';
import { extraPipArgs } from '../../pip-args.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachePath } from '../../cache-dir.ts';
import { missingToolMessage } from '../../tools.ts';
import type { Interpreters } from './launch.ts';

/** Where built runtime folders live (<cache root>/runtimes), outside any checkout, keyed by a hash of their inputs. */
export function runtimesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return cachePath('runtimes', env);
}

/** A build holding the lock longer than this is considered abandoned. */
const LOCK_STALE_MS = 15 * 60_000;
const LOCK_POLL_MS = 500;
const MARKER = '.complete';

export type SdkState =
  | { state: 'building'; dir?: string }
  | { state: 'available'; dir: string; contents: string }
  | { state: 'unavailable'; reason: string }
  | { state: 'skipped'; reason: string };

type Family = 'python' | 'nodejs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * The AWS SDK each runtime provides on Lambda (boto3 for Python, @aws-sdk v3 for Node), built
 * once into a cached runtime folder. Builds run in the background; until one finishes, functions
 * of that family start without it (and `states()` says so), rather than making an invoke wait.
 */
export class RuntimeSdks {
  private readonly state: Record<Family, SdkState>;
  private readonly builds: Promise<void>[] = [];
  private readonly children = new Set<ChildProcess>();
  private stopped = false;

  constructor(
    private readonly interpreters: Pick<Interpreters, 'python' | 'pythonProblem' | 'node'>,
    skip: boolean,
    private readonly cacheRoot = runtimesCacheDir(),
    families: Family[] = ['python', 'nodejs'],
  ) {
    if (skip) {
      const s: SdkState = { state: 'skipped', reason: 'SDK build skipped by the caller' };
      this.state = { python: s, nodejs: s };
      return;
    }
    this.state = { python: { state: 'skipped', reason: 'not requested' }, nodejs: { state: 'skipped', reason: 'not requested' } };
    if (families.includes('python')) {
      this.state.python = { state: 'building' };
      this.builds.push(this.run('python', () => this.buildPython()));
    }
    if (families.includes('nodejs')) {
      this.state.nodejs = { state: 'building' };
      this.builds.push(this.run('nodejs', () => this.buildNode()));
    }
  }

  dirFor(family: Family): string | null {
    const s = this.state[family];
    return s.state === 'available' ? s.dir : null;
  }

  /** Why functions of this family start without their SDK right now (null when they have it, or when skipped on purpose). */
  missingNote(family: Family): string | null {
    const s = this.state[family];
    const sdk = family === 'python' ? 'boto3' : '@aws-sdk v3';
    if (s.state === 'building') return `coldbench: ${sdk} (the ${family} runtime's AWS SDK) is still being built; this environment starts without it`;
    if (s.state === 'unavailable') return `coldbench: ${sdk} (the ${family} runtime's AWS SDK) is unavailable: ${s.reason}`;
    return null;
  }

  available(): Record<string, boolean> {
    return { python: this.state.python.state === 'available', nodejs: this.state.nodejs.state === 'available' };
  }

  states(): Record<string, SdkState> {
    return { ...this.state };
  }

  async ready(): Promise<void> {
    await Promise.all(this.builds);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.children) c.kill('SIGKILL');
  }

  private async run(family: Family, build: () => Promise<SdkState>): Promise<void> {
    try {
      this.state[family] = await build();
    } catch (err) {
      this.state[family] = { state: 'unavailable', reason: messageOf(err) };
    }
  }

  private async buildPython(): Promise<SdkState> {
    const py = this.interpreters.python;
    if (!py) return { state: 'unavailable', reason: this.interpreters.pythonProblem ?? missingToolMessage('python3') };
    const pipArgs = extraPipArgs();
    const dir = join(this.cacheRoot, `python-boto3-${hashOf({ v: 2, python: py.version, pkgs: ['boto3'], pipArgs })}`);
    return this.cached('python', dir, 'boto3', async (tmp) => {
      const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', tmp, ...pipArgs, 'boto3'];
      try {
        await this.exec(py.path, args);
      } catch (error) {
        // `python3 -m pip` without pip says "No module named pip": say what needs it and how to get it.
        if (/No module named pip/.test(messageOf(error))) throw new Error(missingToolMessage('pip'), { cause: error });
        throw error;
      }
    });
  }

  private async buildNode(): Promise<SdkState> {
    const root = findNodeModules();
    if (!root) return { state: 'unavailable', reason: 'no node_modules with @aws-sdk/client-* found above the emulator' };
    const clients = readdirSync(join(root, '@aws-sdk'))
      .filter((n) => n.startsWith('client-'))
      .map((n) => `@aws-sdk/${n}`);
    if (clients.length === 0) return { state: 'unavailable', reason: `no @aws-sdk/client-* package in ${root}` };
    const closure = dependencyClosure(root, clients);
    const versions = [...closure].map((d) => `${relative(root, d)}@${readVersion(d)}`).sort();
    const dir = join(this.cacheRoot, `nodejs-aws-sdk-${hashOf({ v: 1, versions })}`);
    return this.cached('nodejs', dir, clients.join(', '), async (tmp) => {
      for (const src of closure) {
        const dest = join(tmp, 'node_modules', relative(root, src));
        // Nested node_modules are in the closure themselves when needed.
        cpSync(src, dest, { recursive: true, dereference: true, filter: (s) => !s.slice(src.length).includes('/node_modules') });
      }
    });
  }

  /** Builds into `dir` once across processes: a lock folder, a temporary folder, an atomic rename. */
  private async cached(family: Family, dir: string, contents: string, build: (tmp: string) => Promise<void>): Promise<SdkState> {
    if (existsSync(join(dir, MARKER))) return { state: 'available', dir, contents };
    this.state[family] = { state: 'building', dir };
    mkdirSync(this.cacheRoot, { recursive: true });
    const lock = `${dir}.lock`;
    while (!this.tryLock(lock)) {
      if (this.stopped) return { state: 'unavailable', reason: 'pool shut down during the build' };
      if (existsSync(join(dir, MARKER))) return { state: 'available', dir, contents };
      await sleep(LOCK_POLL_MS);
    }
    try {
      if (existsSync(join(dir, MARKER))) return { state: 'available', dir, contents };
      const tmp = `${dir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      try {
        await build(tmp);
        writeFileSync(join(tmp, MARKER), `${contents}\n`);
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      return { state: 'available', dir, contents };
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }

  private tryLock(lock: string): boolean {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${process.pid} ${Date.now()}`);
      return true;
    } catch {
      try {
        const [pid, at] = readFileSync(join(lock, 'owner'), 'utf8').split(' ').map(Number);
        if (!pidAlive(pid) || Date.now() - at > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // being created or removed right now
      }
      return false;
    }
  }

  private exec(command: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      this.children.add(child);
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => {
        this.children.delete(child);
        if (code === 0) resolve();
        else reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
      });
    });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function findNodeModules(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, '@aws-sdk'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function readVersion(dir: string): string {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version ?? '0';
}

/** Package folders needed by `names`, resolved the way Node resolves them from each dependent. */
function dependencyClosure(root: string, names: string[]): Set<string> {
  const found = new Set<string>();
  const queue: Array<[string, string]> = names.map((n) => [n, root]);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [name, from] = next;
    const dir = resolvePackage(root, from, name);
    if (!dir || found.has(dir)) continue;
    found.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) queue.push([dep, dir]);
  }
  return found;
}

function resolvePackage(root: string, from: string, name: string): string | null {
  let dir = from;
  while (dir !== root) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const idx = dir.lastIndexOf('/node_modules/');
    if (idx < 0) break;
    // Up to the package (or project) whose node_modules holds `dir`.
    const owner = dir.slice(0, idx);
    dir = join(owner, 'node_modules') === root ? root : owner;
  }
  const top = join(root, name);
  return existsSync(join(top, 'package.json')) ? top : null;
}
