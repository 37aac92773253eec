/**
 * Everything gathered about one traced cold start → the profile report. Pure: the trace text,
 * the package scan, the handler's sources and its code path (code-path.ts) come in as data.
 */
import { median } from '../report/stats.ts';
import { type Language, groupByPackage, topLevelOf, unattributedMs } from './group.ts';
import { NODE_MARKER, PYTHON_MARKER, parseImportTrace, walkImports } from './import-trace.ts';
import type { PackageScan } from './package-scan.ts';
import type { ProgramCodePath } from './program-path.ts';
import { recommend } from './rules.ts';
import { scanSource } from './scan-source.ts';
import { parseStatementTimes } from './statement-trace.ts';
import type { ProfileReport } from './types.ts';

export interface AnalyzeInput {
  function: ProfileReport['function'];
  language: Language;
  /** The traced environment's log lines from its init (the import trace) */
  traceText: string;
  /** Trace lines written during invocations: imports deferred past init */
  invokeTraceText?: string;
  initMs: number;
  warmDurationsMs: number[];
  packages: ReadonlyMap<string, PackageScan>;
  /** The function's own source files: module name (`app`, `./index.js`) → text */
  sources: ReadonlyMap<string, string>;
  target: string;
  tracing: string;
  /** The handler's code path through its files from a real parser (see program-path.ts), for the import and module-level-work rules */
  codePath?: ProgramCodePath;
  /** Why there is no code path (the parser failed or could not run): said in a note */
  codePathProblem?: string;
  /** Another handler in the same code that builds its client once, for the per-call rule */
  reuseTwin?: string;
  /** Size of one traced module in the package (child rows); absent → null sizes */
  moduleSize?: (name: string) => number | null;
  notes?: string[];
}

/** Splits `module.function` (Python) or `path/file.function` (Node) into the module key and the function. */
export function splitHandler(handler: string, language: Language, sources: ReadonlyMap<string, string>): { module: string; fn: string } {
  const at = handler.lastIndexOf('.');
  const modulePart = handler.slice(0, at);
  const fn = handler.slice(at + 1);
  if (language === 'python') return { module: modulePart.replace(/\//g, '.'), fn };
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => `./${modulePart}${ext}`);
  return { module: candidates.find((c) => sources.has(c)) ?? candidates[0], fn };
}

/**
 * Builds the report: modules grouped by top-level package with shares of Init Duration, and the
 * ranked recommendations.
 * @example analyze({ function: { name: 'deps', handler: 'app.handler', … }, language: 'python', traceText, initMs: 1480, … })
 */
export function analyze(input: AnalyzeInput): ProfileReport {
  const { language } = input;
  const roots = parseImportTrace(input.traceText, language === 'python' ? PYTHON_MARKER : NODE_MARKER);
  const handler = splitHandler(input.function.handler, language, input.sources);
  const sizes = new Map([...input.packages].map(([name, scan]) => [name, scan.bytes]));
  const localModules = new Set([...input.sources.keys()].map((k) => topLevelOf(k, language)));
  const modules = groupByPackage(roots, { language, initMs: input.initMs, handlerModule: handler.module, sizes, localModules, moduleSize: input.moduleSize });
  const unattributed = unattributedMs(roots, input.initMs);
  const notes = [...(input.notes ?? [])];
  let recommendations: ProfileReport['recommendations'] = [];
  if (input.sources.has(handler.module)) {
    const source = scanSource(input.sources, handler.module, handler.fn, language);
    let nodeModuleFiles = 0;
    walkImports(roots, (n) => {
      if (!n.name.startsWith('./') && !n.name.startsWith('(runtime)')) nodeModuleFiles += 1;
    });
    recommendations = recommend({
      language,
      handlerModule: handler.module,
      handlerFunction: handler.fn,
      initMs: input.initMs,
      roots,
      modules,
      packages: input.packages,
      source,
      codePath: input.codePath,
      statementTimes: parseStatementTimes(input.traceText),
      unattributedMs: unattributed,
      bundled: language === 'node' && nodeModuleFiles === 0,
      reuseTwin: input.reuseTwin,
      localModules,
      memoryMB: input.function.memoryMB,
      warmMedianMs: median(input.warmDurationsMs),
    });
  } else {
    notes.push(`the handler's source ${handler.module} was not found in the code folder, so the source rules did not run`);
  }
  if (input.codePathProblem) notes.push(`the parser rules (unused-import, branch-only-import, module-level-work by statement) did not run: ${input.codePathProblem}`);
  else if (input.codePath && !input.codePath.handlerFound)
    notes.push(
      `the parser rules (unused-import, branch-only-import, module-level-work by statement) did not run: ${handler.fn} is not a function defined in ${handler.module}, so its code path is unknown`,
    );
  if (roots.length === 0) notes.push('the function wrote no import trace: check that the runtime honours AWS_LAMBDA_EXEC_WRAPPER');
  const deferred = parseImportTrace(input.invokeTraceText ?? '', language === 'python' ? PYTHON_MARKER : NODE_MARKER);
  if (deferred.length > 0) {
    const top = [...deferred].sort((a, b) => b.cumulativeUs - a.cumulativeUs).slice(0, 3);
    const total = deferred.reduce((sum, r) => sum + r.cumulativeUs, 0) / 1000;
    notes.push(`imported during invocations, so not in Init Duration: ${total.toFixed(1)} ms (${top.map((r) => `${r.name} ${(r.cumulativeUs / 1000).toFixed(1)} ms`).join(', ')})`);
  }
  return {
    function: input.function,
    initMs: input.initMs,
    unattributedMs: unattributed,
    tracing: input.tracing,
    warm: { n: input.warmDurationsMs.length, medianMs: median(input.warmDurationsMs) },
    modules,
    recommendations,
    target: input.target,
    notes,
  };
}

/** Other handlers in the same code that build their client once while `handler` builds it per call. */
export function findReuseTwin(sources: ReadonlyMap<string, string>, handler: string, language: Language): string | undefined {
  const own = splitHandler(handler, language, sources);
  if (!sources.has(own.module)) return undefined;
  if (scanSource(sources, own.module, own.fn, language).perCallClients.length === 0) return undefined;
  for (const module of [...sources.keys()].sort()) {
    if (module === own.module) continue;
    const text = sources.get(module) ?? '';
    const fnPattern =
      language === 'python'
        ? new RegExp(`^(async\\s+)?def\\s+${own.fn}\\s*\\(`, 'm')
        : new RegExp(`exports\\.${own.fn}\\s*=|export\\s+(const|async\\s+function|function)\\s+${own.fn}\\b`);
    if (!fnPattern.test(text)) continue;
    const scan = scanSource(sources, module, own.fn, language);
    if (scan.perCallClients.length === 0 && scan.moduleWork.some((l) => l.clientSetup)) {
      const name = language === 'python' ? module : module.replace(/^\.\//, '').replace(/\.(c|m)?js$/, '');
      return `${name}.${own.fn}`;
    }
  }
  return undefined;
}
