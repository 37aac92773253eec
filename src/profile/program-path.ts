/**
 * The handler's code path across the function's own files: code-path.ts reads one file from
 * given roots; this follows the names the code path uses from a local module (Python
 * `from helpers import render` / `import helpers` then `helpers.render`; Node relative requires
 * and imports) into that file, with those names as its roots, until nothing new is reached. A
 * local module imported at init has its module-level code run whether or not its names are used,
 * so its imports and module-level work count too.
 */
import { posix } from 'node:path';
import { type CodePath, CodePathError, type CodePathImport, type ModuleStatement, nodeCodePath, pythonCodePaths } from './code-path.ts';
import type { Language } from './group.ts';

export interface FileImport extends CodePathImport {
  /** The module (Python `helpers`, Node `./lib/util.js`) whose statement this is */
  file: string;
  /** The function's own module it imports, when it is one */
  local: string | null;
}

export interface FileStatement extends ModuleStatement {
  file: string;
}

export interface ProgramCodePath {
  handlerFound: boolean;
  /** Functions reached: the entry's by name, other files' as `module.function` */
  reachable: string[];
  imports: FileImport[];
  moduleWork: FileStatement[];
  /** Local modules whose code runs at init or on the code path, the entry first */
  files: string[];
}

/** A chain of local modules longer than this is a cycle the sets did not catch; stop there. */
const MAX_ROUNDS = 25;

/** The local module an import names, if the function ships it. */
export function localModuleOf(imp: Pick<CodePathImport, 'module'>, importer: string, language: Language, sources: ReadonlyMap<string, string>): string | null {
  if (language === 'python') return [imp.module, `${imp.module}.__init__`].find((m) => sources.has(m)) ?? null;
  if (!imp.module.startsWith('.')) return null;
  const joined = `./${posix.normalize(posix.join(posix.dirname(importer), imp.module))}`;
  return [joined, `${joined}.js`, `${joined}.cjs`, `${joined}.mjs`, `${joined}/index.js`].find((c) => sources.has(c)) ?? null;
}

/** The file of a module relative to the function's folder: `lib.util` → lib/util.py, `./lib/x.js` → lib/x.js. */
export function fileOfModule(module: string, language: Language): string {
  return language === 'python' ? `${module.replace(/\./g, '/')}.py` : module.replace(/^\.\//, '');
}

/**
 * A function of `module` as the report names it: bare in the `entry` module, else qualified by
 * the module without `./` and a .js/.cjs/.mjs extension.
 * @example qualifiedName('./lib/render.js', 'render', './app.js') // → 'lib/render.render'
 */
export function qualifiedName(module: string, fn: string, entry: string): string {
  return module === entry ? fn : `${module.replace(/^\.\//, '').replace(/\.(c|m)?js$/, '')}.${fn}`;
}

/** Modules to analyse, each with its source and root names (`*`: every function) → their code paths. */
export type FileAnalyser = (request: ReadonlyMap<string, { source: string; roots: string[] | '*' }>) => Map<string, CodePath>;

/**
 * The parsers behind programCodePath: one run of code-path.py for all of a round's Python
 * modules, acorn for Node. Throws CodePathError when a file does not parse or Python cannot run.
 */
export function fileAnalyser(sources: ReadonlyMap<string, string>, language: Language, python = 'python3'): FileAnalyser {
  if (language === 'python')
    return (request) => {
      const out = new Map<string, CodePath>();
      for (const [m, r] of pythonCodePaths(request, python)) {
        if ('error' in r) throw new CodePathError(`${fileOfModule(m, language)} does not parse with ${python}: ${r.error}`);
        out.set(m, r);
      }
      return out;
    };
  const files = new Set(sources.keys());
  return (request) => new Map([...request].map(([m, r]) => [m, nodeCodePath(r.source, m, r.roots, files)]));
}

/**
 * The code path of `entry.handler` through every local module it reaches.
 * Throws CodePathError when a reached file does not parse or the parser cannot run.
 * @example programCodePath(new Map([['app', 'from helpers import render\ndef handler(e, c):\n    return render(e)\n'], ['helpers', 'import jinja2\ndef render(e):\n    return jinja2.Template("x")\n']]), 'app', 'handler', 'python').imports.map((i) => [i.file, i.module, i.uses.length])
 * // → [['app', 'helpers', 1], ['helpers', 'jinja2', 1]]
 */
export function programCodePath(
  sources: ReadonlyMap<string, string>,
  entry: string,
  handler: string,
  language: Language,
  python = 'python3',
  analyse: FileAnalyser = fileAnalyser(sources, language, python),
): ProgramCodePath {
  const roots = new Map<string, Set<string>>([[entry, new Set([handler])]]);
  // A module's analysis depends only on its source (fixed for this call) and its roots, which
  // only grow: it is analysed again only in a round that gave it new roots (a Python round is one
  // interpreter start, so a round with nothing new starts none).
  const analysed = new Map<string, { rootCount: number; path: CodePath }>();
  let results = new Map<string, CodePath>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    results = analyseRound(sources, roots, analysed, analyse);
    let changed = false;
    for (const [file, path] of results) {
      for (const imp of path.imports) {
        const target = localModuleOf(imp, file, language, sources);
        // Python `from lib import util` (lib.util a file of the function): util is used as a whole.
        const submodules = language === 'python' && target === null ? imp.bound.map((b) => `${imp.module}.${b}`).filter((m) => sources.has(m)) : [];
        const targets: Array<[string, string[]]> = target !== null ? [[target, imp.namesUsed]] : submodules.map((m) => [m, imp.uses.length > 0 ? ['*'] : []]);
        for (const [module, used] of targets) {
          if (module === file) continue;
          const names = roots.get(module) ?? new Set<string>();
          const before = roots.has(module) ? names.size : -1;
          for (const n of used) names.add(n);
          roots.set(module, names);
          if (names.size !== before) changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const files = [...roots.keys()];
  const main = results.get(entry) as CodePath;
  return {
    handlerFound: main.handlerFound,
    reachable: files.flatMap((f) => (results.get(f)?.reachable ?? []).map((fn) => qualifiedName(f, fn, entry))),
    imports: files.flatMap((f) => (results.get(f)?.imports ?? []).map((imp) => ({ ...imp, file: f, local: localModuleOf(imp, f, language, sources) }))),
    moduleWork: files.flatMap((f) => (results.get(f)?.moduleWork ?? []).map((w) => ({ ...w, file: f }))),
    files,
  };
}

/** Every module's code path from its current roots, analysing only those whose roots changed since their last analysis. */
function analyseRound(
  sources: ReadonlyMap<string, string>,
  roots: ReadonlyMap<string, Set<string>>,
  analysed: Map<string, { rootCount: number; path: CodePath }>,
  analyse: FileAnalyser,
): Map<string, CodePath> {
  const wanted = (names: Set<string>): string[] | '*' => (names.has('*') ? '*' : [...names]);
  const request = new Map<string, { source: string; roots: string[] | '*' }>();
  // A module's roots only grow, so their count says whether they changed since its last analysis.
  for (const [m, names] of roots) if (analysed.get(m)?.rootCount !== names.size) request.set(m, { source: sources.get(m) ?? '', roots: wanted(names) });
  if (request.size > 0) for (const [m, path] of analyse(request)) analysed.set(m, { rootCount: roots.get(m)?.size ?? 0, path });
  // In the roots' order: the next round adds newly reached modules in this order, which is the order of `files`.
  return new Map(
    [...roots.keys()].flatMap((m) => {
      const a = analysed.get(m);
      return a ? [[m, a.path] as const] : [];
    }),
  );
}
