/**
 * Module trees → per-package rows: the table and JSON `modules` of `coldbench profile`.
 * Pure: sizes and the handler's name come in as data.
 */
import { type ImportNode, walkImports } from './import-trace.ts';

export type Language = 'python' | 'node';

/** What a top-level name is: the handler's module, the function's other code, a shipped package, or the runtime's. */
export type ModuleKind = 'handler' | 'code' | 'package' | 'runtime';

export interface ModuleChild {
  name: string;
  selfMs: number;
  cumulativeMs: number;
  /** cumulativeMs / Init Duration */
  share: number;
  /** Bytes on disk of the module (its file, or its folder for a package); null when not shipped */
  sizeBytes: number | null;
}

/** One top-level package (or the handler module, or a runtime module) and its heaviest children. */
export interface ModuleEntry {
  name: string;
  kind: ModuleKind;
  /** Time in this package's own modules, wherever they were imported (exclusive; rows add up). */
  selfMs: number;
  /** Time from the start to the end of the package's outermost imports, dependencies included. */
  cumulativeMs: number;
  /** cumulativeMs / Init Duration: the part of init spent importing this package, its dependencies
   * included (shares overlap where one package imports another, as the tree shows). */
  share: number;
  /** Bytes on disk of the package's files in the deployment package; null when not shipped there. */
  sizeBytes: number | null;
  children: ModuleChild[];
}

/** Children kept per package: enough to see where a package spends its time, short enough to read. */
export const CHILDREN_PER_PACKAGE = 8;

/** The top-level package a traced module name belongs to. */
export function topLevelOf(name: string, language: Language): string {
  if (language === 'python') return name.split('.')[0];
  const parts = name.split('/');
  if (name.startsWith('@') && parts.length > 1) return `${parts[0]}/${parts[1]}`;
  if (name.startsWith('./')) return parts.length > 2 ? `./${parts[1]}` : name;
  return parts[0];
}

const toMs = (us: number): number => Math.round(us / 10) / 100;
const ratio = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

export interface GroupOptions {
  language: Language;
  /** Init Duration of the traced cold start, the denominator of every share. */
  initMs: number;
  /** Top-level name of the handler's module, e.g. `app` or `./index.js`. */
  handlerModule: string;
  /** Installed sizes of the top-level names found in the package (and its layers). */
  sizes: ReadonlyMap<string, number>;
  /** Top-level names of the function's own source files (not installed packages) */
  localModules?: ReadonlySet<string>;
  /** Size of one module (a child row) by its traced name; null when it is not in the package */
  moduleSize?: (name: string) => number | null;
}

/**
 * Groups an import forest by top-level package, sorted by cumulative time, largest first.
 *
 * @example
 * groupByPackage(parseImportTrace(trace), { language: 'python', initMs: 900, handlerModule: 'app', sizes })
 * // → [{ name: 'pandas', selfMs: 410.2, cumulativeMs: 620.5, share: 0.6894, sizeBytes: 70123456, … }, …]
 */
export function groupByPackage(roots: ImportNode[], options: GroupOptions): ModuleEntry[] {
  const { language, initMs } = options;
  const groups = new Map<string, { selfUs: number; cumulativeUs: number; children: Map<string, { selfUs: number; cumulativeUs: number }> }>();
  const groupOf = (top: string) => {
    let g = groups.get(top);
    if (!g) {
      g = { selfUs: 0, cumulativeUs: 0, children: new Map() };
      groups.set(top, g);
    }
    return g;
  };
  walkImports(roots, (node, ancestors) => {
    const top = topLevelOf(node.name, language);
    const g = groupOf(top);
    g.selfUs += node.selfUs;
    // Only outermost imports count towards cumulative, or nested submodules would count twice.
    if (ancestors.some((a) => topLevelOf(a.name, language) === top)) return;
    g.cumulativeUs += node.cumulativeUs;
    for (const child of node.children) {
      const c = g.children.get(child.name) ?? { selfUs: 0, cumulativeUs: 0 };
      c.selfUs += child.selfUs;
      c.cumulativeUs += child.cumulativeUs;
      g.children.set(child.name, c);
    }
  });
  const entries: ModuleEntry[] = [];
  for (const [name, g] of groups) {
    const size = options.sizes.get(name);
    const children = [...g.children]
      .sort((a, b) => b[1].cumulativeUs - a[1].cumulativeUs || a[0].localeCompare(b[0]))
      .slice(0, CHILDREN_PER_PACKAGE)
      .map(([childName, c]) => ({
        name: childName,
        selfMs: toMs(c.selfUs),
        cumulativeMs: toMs(c.cumulativeUs),
        share: ratio(c.cumulativeUs / 1000, initMs),
        sizeBytes: topLevelOf(childName, language) === childName ? (options.sizes.get(childName) ?? null) : (options.moduleSize?.(childName) ?? null),
      }));
    entries.push({
      name,
      kind: name === options.handlerModule ? 'handler' : options.localModules?.has(name) ? 'code' : size !== undefined ? 'package' : 'runtime',
      selfMs: toMs(g.selfUs),
      cumulativeMs: toMs(g.cumulativeUs),
      share: ratio(g.cumulativeUs / 1000, initMs),
      sizeBytes: size ?? null,
      children,
    });
  }
  return entries.sort((a, b) => b.cumulativeMs - a.cumulativeMs || a.name.localeCompare(b.name));
}

/** Init time no traced import accounts for: interpreter start, the runtime client, the first `/next`. */
export function unattributedMs(roots: ImportNode[], initMs: number): number {
  const traced = roots.reduce((sum, r) => sum + r.cumulativeUs, 0);
  return Math.max(0, Math.round((initMs - traced / 1000) * 100) / 100);
}
