/**
 * Installed size of each top-level package in a deployment package (bytes on disk, as they count
 * towards Lambda's 250 MB unzipped limit), what of it no import needs (tests, docs, examples,
 * type stubs, C sources), and whether Python modules ship their bytecode. Reads the file system;
 * everything that decides from the numbers lives in rules.ts.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Language } from './group.ts';

export interface PackageScan {
  name: string;
  /** Folders or files the package occupies, relative to the scanned root */
  paths: string[];
  bytes: number;
  /** Parts no import needs, largest first: relative path and size */
  removable: Array<{ path: string; bytes: number }>;
  removableBytes: number;
  /** Python: .py files, and those without a .pyc for the runtime's tag (recompiled every cold start) */
  pyFiles: number;
  pyFilesWithoutPyc: number;
}

/** Folder names that hold tests, docs and examples in published packages, never runtime code. */
const REMOVABLE_DIRS = new Set(['tests', 'test', '__tests__', 'testing_data', 'docs', 'doc', 'examples', 'example', 'benchmarks', '.github']);
/** Files only type checkers, compilers and readers use. */
const REMOVABLE_FILE = /\.(pyi|pyx|pxd|c|cc|cpp|h|hpp|md|rst|map|d\.ts|d\.mts|d\.cts|ts\.map)$/i;
/** Entries in a site-packages folder that are not importable packages. */
const NOT_A_PACKAGE = /(\.dist-info|\.egg-info|\.pth|^__pycache__|^bin|^\.)/;

function sizeOf(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const entry of readdirSync(path)) total += sizeOf(join(path, entry));
  return total;
}

/** The top-level import name a site-packages entry provides (`numpy.libs` → numpy, `_yaml.cpython-311-x86_64-linux-gnu.so` → _yaml). */
export function pythonTopLevel(entry: string): string {
  if (entry.endsWith('.libs')) return entry.slice(0, -'.libs'.length);
  return entry.split('.')[0];
}

function walkFiles(root: string, path: string, onFile: (rel: string, full: string) => void, onDir: (rel: string, full: string) => boolean): void {
  for (const entry of readdirSync(path)) {
    const full = join(path, entry);
    const st = lstatSync(full);
    const rel = relative(root, full);
    if (st.isDirectory()) {
      if (onDir(rel, full)) walkFiles(root, full, onFile, onDir);
    } else if (st.isFile()) onFile(rel, full);
  }
}

interface ScanOptions {
  language: Language;
  /** CPython's cache tag for the target runtime, e.g. `cpython-311` for python3.11 */
  pycTag?: string;
  /** Folders (relative to the root) that traced modules were loaded from: never removable */
  importedDirs?: ReadonlySet<string>;
}

function scanOne(root: string, name: string, paths: string[], options: ScanOptions): PackageScan {
  const scan: PackageScan = { name, paths, bytes: 0, removable: [], removableBytes: 0, pyFiles: 0, pyFilesWithoutPyc: 0 };
  const addRemovable = (rel: string, bytes: number) => {
    scan.removable.push({ path: rel, bytes });
    scan.removableBytes += bytes;
  };
  for (const rel of paths) {
    const full = join(root, rel);
    if (!lstatSync(full).isDirectory()) {
      scan.bytes += sizeOf(full);
      if (options.language === 'python' && rel.endsWith('.py')) {
        scan.pyFiles += 1;
        if (!hasPyc(full, options.pycTag)) scan.pyFilesWithoutPyc += 1;
      }
      continue;
    }
    walkFiles(
      root,
      full,
      (fileRel, fileFull) => {
        const bytes = lstatSync(fileFull).size;
        scan.bytes += bytes;
        if (REMOVABLE_FILE.test(fileRel)) addRemovable(fileRel, bytes);
        if (options.language === 'python' && fileRel.endsWith('.py')) {
          scan.pyFiles += 1;
          if (!hasPyc(fileFull, options.pycTag)) scan.pyFilesWithoutPyc += 1;
        }
      },
      (dirRel, dirFull) => {
        const base = dirRel.split('/').pop() ?? '';
        if (!REMOVABLE_DIRS.has(base) || options.importedDirs?.has(dirRel)) return true;
        const bytes = sizeOf(dirFull);
        scan.bytes += bytes;
        addRemovable(dirRel, bytes);
        return false;
      },
    );
  }
  scan.removable.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  return scan;
}

function hasPyc(pyFile: string, tag: string | undefined): boolean {
  const dir = join(pyFile, '..');
  const stem = (pyFile.split('/').pop() ?? '').slice(0, -'.py'.length);
  const cache = join(dir, '__pycache__');
  if (!existsSync(cache)) return existsSync(`${pyFile}c`);
  const prefix = tag ? `${stem}.${tag}` : `${stem}.`;
  return readdirSync(cache).some((f) => f.startsWith(prefix) && f.endsWith('.pyc'));
}

/**
 * Scans the roots a function imports from (task root, layer site-packages) and returns one entry
 * per top-level package name. A name found in several roots is summed: both copies ship.
 */
export function scanPackages(roots: string[], options: ScanOptions): Map<string, PackageScan> {
  const result = new Map<string, PackageScan>();
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const byName = new Map<string, string[]>();
    const add = (name: string, rel: string) => byName.set(name, [...(byName.get(name) ?? []), rel]);
    if (options.language === 'python') {
      for (const entry of readdirSync(root)) {
        if (NOT_A_PACKAGE.test(entry)) continue;
        add(pythonTopLevel(entry), entry);
      }
    } else {
      const modules = join(root, 'node_modules');
      if (!existsSync(modules)) continue;
      for (const entry of readdirSync(modules)) {
        if (entry.startsWith('.')) continue;
        if (entry.startsWith('@')) {
          for (const inner of readdirSync(join(modules, entry))) add(`${entry}/${inner}`, join('node_modules', entry, inner));
        } else add(entry, join('node_modules', entry));
      }
    }
    for (const [name, paths] of byName) {
      const scan = scanOne(root, name, paths, options);
      const prev = result.get(name);
      if (!prev) result.set(name, scan);
      else {
        result.set(name, {
          ...prev,
          paths: [...prev.paths, ...scan.paths],
          bytes: prev.bytes + scan.bytes,
          removable: [...prev.removable, ...scan.removable].sort((a, b) => b.bytes - a.bytes),
          removableBytes: prev.removableBytes + scan.removableBytes,
          pyFiles: prev.pyFiles + scan.pyFiles,
          pyFilesWithoutPyc: prev.pyFilesWithoutPyc + scan.pyFilesWithoutPyc,
        });
      }
    }
  }
  return result;
}

/** `python3.11` → `cpython-311`: the tag CPython writes into __pycache__ file names. */
export function pycTagFor(runtime: string): string | undefined {
  const m = /^python(\d)\.(\d+)/.exec(runtime);
  return m ? `cpython-${m[1]}${m[2]}` : undefined;
}

/**
 * Bytes on disk of one traced module in the given roots: Python `a.b` → `a/b/` (a package) or
 * `a/b.py` / `a/b.*.so`; Node `pkg/lib/x.js` → `node_modules/pkg/lib/x.js`. Null when absent.
 */
export function moduleSizeIn(roots: string[], language: Language, name: string): number | null {
  for (const root of roots) {
    if (language === 'node') {
      if (name.startsWith('./') || name.startsWith('(')) continue;
      const file = join(root, 'node_modules', name);
      if (existsSync(file)) return sizeOf(file);
      continue;
    }
    const base = join(root, ...name.split('.'));
    if (existsSync(base) && lstatSync(base).isDirectory()) return sizeOf(base);
    if (existsSync(`${base}.py`)) return sizeOf(`${base}.py`);
    const dir = join(base, '..');
    const stem = name.split('.').pop() ?? '';
    if (existsSync(dir) && lstatSync(dir).isDirectory()) {
      const ext = readdirSync(dir).find((f) => f.startsWith(`${stem}.`) && f.endsWith('.so'));
      if (ext) return sizeOf(join(dir, ext));
    }
  }
  return null;
}
