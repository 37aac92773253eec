/**
 * The advisor's rules: facts (import trace, grouped modules, package scan, handler scan) in,
 * ranked recommendations out. Pure. A rule's saving is either estimated from the import trace
 * (and says so) or left null; only --verify turns one into a measured, `verified` saving.
 */
import type { CodePathImport } from './code-path.ts';
import { type Language, type ModuleEntry, topLevelOf } from './group.ts';
import { type ImportNode, walkImports } from './import-trace.ts';
import type { PackageScan } from './package-scan.ts';
import { type FileImport, type FileStatement, fileOfModule, type ProgramCodePath, qualifiedName } from './program-path.ts';
import { CLIENT_CALLS, type SourceScan } from './scan-source.ts';
import type { StatementTime } from './statement-trace.ts';
import type { Recommendation, RuleId } from './types.ts';

/**
 * A recommendation's `unverifiedReason`: why --verify did not measure it. render.ts shows it
 * after the estimate, where the "not measured" prefix is what tells a reader the saving is not a measurement.
 * @example notMeasured('--verify-limit 1 reached') // → 'not measured: --verify-limit 1 reached'
 */
export function notMeasured(reason: string): string {
  return `not measured: ${reason}`;
}

/** Module-level work below this is noise next to a runtime's own start (~tens of ms); the line-scan fallback, used when the parser could not run. */
export const MODULE_WORK_MIN_MS = 10;
/** An import cheaper than this is not worth a code change. */
export const HEAVY_IMPORT_MIN_MS = 10;
/** An unused or branch-only import must cost at least this much of init to be worth a change… */
export const UNUSED_IMPORT_MIN_MS = 20;
/** …and at least this share of Init Duration. */
export const UNUSED_IMPORT_MIN_SHARE = 0.05;
/** At most this many uses in the code the handler reaches counts as "barely used". */
export const BARELY_USED_MAX_USES = 2;
/** Stripping less than this from a package is not worth a build step. */
export const STRIP_MIN_BYTES = 1024 * 1024;
/** Loading at least this many files from node_modules is what a bundle collapses into one. */
export const BUNDLE_MIN_FILES = 10;
/** Warm invocations shorter than this are mostly waiting, which more memory (CPU) does not speed up. */
export const MEMORY_MIN_WARM_MS = 20;
/** 1,769 MB buys one full vCPU; below it CPU is a fraction of one and scales with memory. */
export const ONE_VCPU_MB = 1769;

export interface RuleInput {
  language: Language;
  /** Module (Python) or file (Node, `./index.js`) that holds the handler */
  handlerModule: string;
  handlerFunction: string;
  initMs: number;
  roots: ImportNode[];
  modules: ModuleEntry[];
  packages: ReadonlyMap<string, PackageScan>;
  source: SourceScan;
  /** The handler's code path through its files from a real parser (Python ast, acorn); absent when it could not run */
  codePath?: ProgramCodePath;
  /** Module-level statements the tracer timed */
  statementTimes?: StatementTime[];
  /** Init time outside any traced import (ms) */
  unattributedMs?: number;
  /** Whether the package is already one esbuild bundle (no node_modules loaded) */
  bundled?: boolean;
  /** Other handlers in the same code that build their client once (the reuse twin), if any */
  reuseTwin?: string;
  /** Top-level names of the function's own modules: advice about packages does not apply to them */
  localModules?: ReadonlySet<string>;
  memoryMB?: number;
  /** Median warm Duration of the traced environment (ms) */
  warmMedianMs?: number | null;
}

const RULE_ORDER: RuleId[] = [
  'module-level-work',
  'unused-import',
  'branch-only-import',
  'barely-used-import',
  'per-call-client',
  'missing-bytecode',
  'node-bundle',
  'strip-package',
  'memory-size',
];
const round = (ms: number): number => Math.round(ms * 10) / 10;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Time the handler's own module spent importing `pkg` (outermost imports under it), minus what
 * it also loaded for packages the handler imports directly: those would load anyway. */
function importCostUs(input: RuleInput, pkg: string, alsoImported: Set<string>): number {
  const { language } = input;
  let total = 0;
  walkImports(input.roots, (node, ancestors) => {
    if (topLevelOf(node.name, language) !== pkg) return;
    if (ancestors.some((a) => topLevelOf(a.name, language) === pkg)) return;
    let shared = 0;
    walkImports(node.children, (inner, innerAncestors) => {
      const top = topLevelOf(inner.name, language);
      if (top === pkg || !alsoImported.has(top)) return;
      if (innerAncestors.some((a) => topLevelOf(a.name, language) === top)) return;
      shared += inner.cumulativeUs;
    });
    total += node.cumulativeUs - shared;
  });
  return total;
}

function moduleLevelWork(input: RuleInput, flagged: ReadonlySet<string>): Recommendation[] {
  if (input.codePath?.handlerFound) return statementWork(input, input.codePath, flagged);
  const own = input.modules.find((m) => m.kind === 'handler');
  const work = input.source.moduleWork.filter((l) => !l.clientSetup);
  if (!own || own.selfMs < MODULE_WORK_MIN_MS || work.length === 0) return [];
  const lines = work.slice(0, 3).map((l) => `line ${l.line} \`${l.text}\``);
  const setup = input.source.moduleWork.length - work.length;
  return [
    {
      rule: 'module-level-work',
      target: input.handlerModule,
      action: `Move module-level work in ${input.handlerModule} into a lazily initialised function, so only invocations that need it pay for it.`,
      savingMs: round(own.selfMs),
      per: 'cold-start',
      basis: 'estimated from the import trace',
      evidence:
        `${input.handlerModule} runs ${round(own.selfMs)} ms of its own code at import (${Math.round((own.selfMs / Math.max(input.initMs, 1e-9)) * 100)} % of Init Duration, imports excluded): ${lines.join(', ')}` +
        (work.length > 3 ? ` and ${work.length - 3} more` : '') +
        (setup > 0 ? `; ${plural(setup, 'client setup line')} left out (building clients once at init is the pattern to keep)` : '') +
        '. Deferred work still runs on the first invocation that needs it.',
      verified: false,
    },
  ];
}

/** The traced time of a file's own code, imports excluded (its rows' self time; modules are traced by the same name: `app`, `./lib/x.js`), ms. */
function fileSelfMs(input: RuleInput, module: string): number {
  let us = 0;
  walkImports(input.roots, (node) => {
    if (node.name === module) us += node.selfUs;
  });
  return us / 1000;
}

/**
 * Module-level statements (found by the parser in every file the code path loads) that do work
 * at init, with the time the tracer measured for each; a file's statements that were not timed
 * one by one share the file's own traced time (imports excluded), named together.
 */
function statementWork(input: RuleInput, path: ProgramCodePath, flagged: ReadonlySet<string>): Recommendation[] {
  const recs: Recommendation[] = [];
  const worthIt = (ms: number) => ms >= UNUSED_IMPORT_MIN_MS && ms >= UNUSED_IMPORT_MIN_SHARE * input.initMs;
  const outside = input.unattributedMs !== undefined ? `; ${round(input.unattributedMs)} ms of init is outside any traced import` : '';
  const setupLeftOut = (n: number) => (n > 0 ? `; ${plural(n, 'client setup statement')} left out (building clients once at init is the pattern to keep)` : '');
  // A local module whose import is already advised against: removing or moving the import removes its work too.
  const skipped = new Set(path.imports.filter((i) => i.local !== null && flagged.has(i.package)).map((i) => i.local));
  for (const module of path.files) {
    if (skipped.has(module)) continue;
    const file = fileOfModule(module, input.language);
    const all = path.moduleWork.filter((w) => w.file === module);
    const work = all.filter((w) => !CLIENT_CALLS[input.language].test(w.text));
    if (work.length === 0) continue;
    const timed = (w: FileStatement) => input.statementTimes?.find((t) => t.file === file && t.line === w.line);
    const untimed: FileStatement[] = [];
    for (const w of work) {
      const t = timed(w);
      if (!t) {
        untimed.push(w);
        continue;
      }
      if (!worthIt(t.ms)) continue;
      recs.push({
        rule: 'module-level-work',
        target: `${file}:${w.line}`,
        action: `Move \`${w.text}\` (${file}:${w.line}) out of module level: run it inside the handler when an invocation first needs it and keep the result in a global (or cache it in the package), so cold starts that do not need it skip it.`,
        savingMs: round(t.ms),
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence: `${file}:${w.line}${w.endLine > w.line ? `-${w.endLine}` : ''} \`${w.text}\` ran for ${round(t.ms)} ms at init (${percent(t.ms, input.initMs)} % of Init Duration), timed by the tracer${outside}${setupLeftOut(all.length - work.length)}. Deferred work still runs on the first invocation that needs it.`,
        verified: false,
      });
    }
    if (untimed.length === 0) continue;
    const ownMs = fileSelfMs(input, module);
    if (!worthIt(ownMs)) continue;
    const named = untimed.slice(0, 3).map((w) => `${file}:${w.line} \`${w.text}\``);
    recs.push({
      rule: 'module-level-work',
      target: untimed.length === 1 ? `${file}:${untimed[0].line}` : file,
      action: `Move module-level work in ${file} (${named.join(', ')}${untimed.length > 3 ? ` and ${untimed.length - 3} more` : ''}) into the handler, run when an invocation first needs it and kept in a global, so cold starts that do not need it skip it.`,
      savingMs: round(ownMs),
      per: 'cold-start',
      basis: 'estimated from the import trace',
      evidence: `${file} ran ${round(ownMs)} ms of its own code at import (${percent(ownMs, input.initMs)} % of Init Duration, imports excluded)${untimed.length === 1 ? `, and \`${untimed[0].text}\` is its one module-level statement that does work` : `, in ${untimed.length} module-level statements that do work (not timed one by one)`}${outside}${setupLeftOut(all.length - work.length)}. Deferred work still runs on the first invocation that needs it.`,
      verified: false,
    });
  }
  return recs;
}

const percent = (part: number, whole: number): number => Math.round((part / Math.max(whole, 1e-9)) * 100);
const linesOf = (uses: CodePathImport['uses']): string => {
  const lines = [...new Set(uses.map((u) => u.line))].sort((a, b) => a - b);
  return `${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}`;
};
const siteOf = (input: RuleInput, imp: FileImport): string => `${fileOfModule(imp.file, input.language)}:${imp.line}`;

/** How --verify moves a branch-only import into its branch, or why it cannot. */
function moveFix(input: RuleInput, imp: FileImport, sites: FileImport[]): Pick<Recommendation, 'fix' | 'unverifiedReason'> {
  const b = imp.branch;
  if (!b) return {};
  if (sites.length > 1) return { unverifiedReason: notMeasured(`${imp.package} is imported at module level in ${sites.length} places, so moving one import changes nothing`) };
  if (!imp.removable) return { unverifiedReason: notMeasured('the import shares its statement or line with other code, so it is not moved mechanically') };
  if (b.block === false)
    return { unverifiedReason: notMeasured('the branch has no line of its own to put an import on (a one-line or brace-less arm), so it is not moved mechanically') };
  if (imp.text.includes('await import(') && !b.async) return { unverifiedReason: notMeasured('an ES import moves as `await import()`, which needs an async function') };
  return {
    fix: { kind: 'move-import', package: imp.package, file: fileOfModule(imp.file, input.language), line: imp.line, endLine: imp.endLine, into: b.armLine, statement: imp.text },
  };
}

/**
 * Packages imported at module level (in any file the code path loads) that the code path never
 * uses, or uses only inside one arm of one branch; at least UNUSED_IMPORT_MIN_MS and
 * UNUSED_IMPORT_MIN_SHARE of init in the trace. Local modules count too (a slow file of the function).
 */
function codePathRules(input: RuleInput): Recommendation[] {
  const path = input.codePath;
  if (!path?.handlerFound) return [];
  const recs: Recommendation[] = [];
  const byPackage = new Map<string, FileImport[]>();
  for (const imp of path.imports) if (imp.package !== input.handlerModule) byPackage.set(imp.package, [...(byPackage.get(imp.package) ?? []), imp]);
  const imported = new Set(byPackage.keys());
  for (const [pkg, sites] of byPackage) {
    const costMs = importCostUs(input, pkg, new Set([...imported].filter((p) => p !== pkg))) / 1000;
    if (costMs < UNUSED_IMPORT_MIN_MS || costMs < UNUSED_IMPORT_MIN_SHARE * input.initMs) continue;
    const used = sites.filter((s) => s.uses.length > 0);
    const first = sites[0];
    const where = sites.map((s) => siteOf(input, s)).join(', ');
    const cost = `importing ${first.module} took ${round(costMs)} ms of init (${percent(costMs, input.initMs)} % of Init Duration, packages the handler also imports excluded)`;
    const names = [...new Set(sites.flatMap((s) => s.bound))].map((b) => `\`${b}\``).join(', ');
    if (used.length === 0) {
      const reached = [...path.reachable, 'module-level code'].join(', ');
      const unreachable = sites.flatMap((s) => s.unreachableUses.map((u) => ({ ...u, function: qualifiedName(s.file, u.function, input.handlerModule) })));
      const elsewhere = unreachable.length
        ? `; it is used only in ${[...new Set(unreachable.map((u) => u.function))].join(', ')} (${linesOf(unreachable)}), which the handler never reaches`
        : '';
      const single = sites.length === 1 && first.removable;
      recs.push({
        rule: 'unused-import',
        target: pkg,
        action: `Remove the module-level import of \`${first.module}\` (${where}), or import it lazily where it is needed: the handler's code path never uses it.`,
        savingMs: round(costMs),
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence: `${cost}; ${names} ${sites.flatMap((s) => s.bound).length === 1 ? 'is' : 'are'} never used in the code path of ${input.handlerFunction} (${reached})${elsewhere}`,
        verified: false,
        ...(single
          ? { fix: { kind: 'remove-import' as const, package: pkg, file: fileOfModule(first.file, input.language), line: first.line, endLine: first.endLine } }
          : {
              unverifiedReason: notMeasured(
                sites.length > 1
                  ? `${pkg} is imported at module level in ${sites.length} places, so it is not removed mechanically`
                  : 'the import shares its statement or line with other code, so it is not removed mechanically',
              ),
            }),
      });
    } else if (used.length === 1 && used[0].branch) {
      const imp = used[0];
      const b = imp.branch as NonNullable<FileImport['branch']>;
      const file = fileOfModule(imp.file, input.language);
      recs.push({
        rule: 'branch-only-import',
        target: pkg,
        action: `Import \`${imp.module}\` inside the branch that uses it (${b.function} in ${file}, line ${b.armLine}, under \`${b.condition}\`) instead of at module level (${where}), so cold starts whose invocation takes another path do not pay for it.`,
        savingMs: round(costMs),
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence: `${cost}; every use of ${names} in the code path (${linesOf(imp.uses)} of ${file}) is inside \`${b.condition}\` (line ${b.ifLine} of ${b.function}); an invocation that takes that branch pays the import then instead`,
        verified: false,
        ...moveFix(input, imp, sites),
      });
    }
  }
  return recs;
}

function importRules(input: RuleInput, flagged: ReadonlySet<string>): Recommendation[] {
  const recs: Recommendation[] = [];
  const imported = new Set(input.source.imports.map((i) => i.package));
  for (const imp of input.source.imports) {
    if (input.localModules?.has(imp.package) || flagged.has(imp.package)) continue;
    const others = new Set([...imported].filter((p) => p !== imp.package));
    const costMs = importCostUs(input, imp.package, others) / 1000;
    if (costMs < HEAVY_IMPORT_MIN_MS) continue;
    const useLines = imp.bound.flatMap((b) => input.source.uses.get(b) ?? []);
    const uses = new Set(useLines.map((l) => l.line)).size;
    // A package the handler's own body uses runs on every invocation: deferring it saves nothing.
    const inHandler = useLines.some((l) => input.source.handlerLines.includes(l.line));
    // Used by module-level code: it is needed during init whatever the handler does.
    const atInit = useLines.some((l) => !input.source.functionOfLine.has(l.line));
    // Unused imports are the parser's (codePathRules): a line scan cannot tell scopes apart.
    if (uses === 0 || uses > BARELY_USED_MAX_USES || inHandler || atInit) continue;
    const lineNumbers = [...new Set(useLines.map((l) => l.line))].sort((a, b) => a - b);
    const where = lineNumbers.map((n) => `line ${n}`).join(', ');
    const whereFns = lineNumbers.map((n) => `${input.source.functionOfLine.get(n)}, line ${n}`).join('; ');
    recs.push({
      rule: 'barely-used-import',
      target: imp.package,
      action: `Import \`${imp.package}\` inside the code that uses it (${where}) instead of at module level, so invocations that skip it do not pay for it.`,
      savingMs: round(costMs),
      per: 'cold-start',
      basis: 'estimated from the import trace',
      evidence:
        `importing ${imp.package} took ${round(costMs)} ms of init (${Math.round((costMs / Math.max(input.initMs, 1e-9)) * 100)} %, packages the handler also imports excluded); ` +
        `${imp.bound.map((b) => `\`${b}\``).join(', ')} is used on ${plural(uses, 'line')}, outside ${input.handlerFunction}'s own body (${whereFns})`,
      verified: false,
      ...(input.source.lazyPackages.includes(imp.package) ? { fix: { kind: 'lazy-import' as const, package: imp.package } } : {}),
    });
  }
  return recs;
}

function perCallClient(input: RuleInput): Recommendation[] {
  const found = input.source.perCallClients;
  if (found.length === 0) return [];
  const first = found[0];
  return [
    {
      rule: 'per-call-client',
      target: first.inFunction,
      action: `Build the client once at module level (or cache it in a global) and reuse it across invocations instead of creating it in ${first.inFunction} on every call.`,
      savingMs: null,
      per: 'invocation',
      basis: 'not estimated',
      evidence:
        `${input.handlerFunction} reaches ${found.map((c) => `\`${c.text}\` (${c.inFunction}, line ${c.line})`).join(', ')} on every invocation` +
        (input.reuseTwin ? `; ${input.reuseTwin} builds it once and can be benchmarked against it with --verify` : ''),
      verified: false,
      ...(input.reuseTwin ? { fix: { kind: 'compare-handler' as const, handler: input.reuseTwin } } : {}),
    },
  ];
}

function packageRules(input: RuleInput): Recommendation[] {
  const recs: Recommendation[] = [];
  const loaded = new Map(input.modules.map((m) => [m.name, m]));
  for (const pkg of input.packages.values()) {
    if (input.localModules?.has(pkg.name)) continue;
    if (pkg.removableBytes >= STRIP_MIN_BYTES) {
      const top = pkg.removable.slice(0, 3).map((r) => `${r.path} ${mb(r.bytes)}`);
      recs.push({
        rule: 'strip-package',
        target: pkg.name,
        action:
          input.language === 'python'
            ? `Strip tests, docs, examples and type stubs from ${pkg.name} when packaging (keep the .pyc files).`
            : `Strip tests, docs, examples, type declarations and source maps from ${pkg.name} when packaging (or bundle, which drops them).`,
        savingMs: null,
        per: 'cold-start',
        basis: 'not estimated',
        evidence: `${mb(pkg.removableBytes)} of ${pkg.name}'s ${mb(pkg.bytes)} is never imported (${top.join(', ')}${pkg.removable.length > 3 ? `, ${pkg.removable.length - 3} more` : ''}); a smaller package downloads and unpacks faster on Lambda`,
        verified: false,
        fix: { kind: 'strip', package: pkg.name, paths: pkg.removable.map((r) => r.path) },
      });
    }
    const traced = loaded.get(pkg.name);
    if (input.language === 'python' && pkg.pyFilesWithoutPyc > 0 && traced) {
      recs.push({
        rule: 'missing-bytecode',
        target: pkg.name,
        action: `Ship ${pkg.name} with its .pyc files (python -m compileall with the runtime's Python): the task root is read-only on Lambda, so Python recompiles modules without bytecode on every cold start.`,
        savingMs: null,
        per: 'cold-start',
        basis: 'not estimated',
        evidence: `${pkg.pyFilesWithoutPyc} of ${pkg.pyFiles} .py files in ${pkg.name} have no bytecode for this runtime; importing ${pkg.name} took ${traced.cumulativeMs} ms, compilation included`,
        verified: false,
        fix: { kind: 'precompile' },
      });
    }
  }
  return recs;
}

function nodeBundle(input: RuleInput): Recommendation[] {
  if (input.language !== 'node' || input.bundled) return [];
  let files = 0;
  let us = 0;
  walkImports(input.roots, (node, ancestors) => {
    if (node.name.startsWith('./') || node.name.startsWith('(runtime)')) return;
    files += 1;
    // Outermost package files only (required from the function's code or the runtime), or nested time counts twice.
    if (ancestors.every((a) => a.name.startsWith('./') || a.name.startsWith('(runtime)'))) us += node.cumulativeUs;
  });
  if (files < BUNDLE_MIN_FILES) return [];
  return [
    {
      rule: 'node-bundle',
      target: input.handlerModule,
      action: 'Bundle and minify the handler with its dependencies (esbuild --bundle --minify --platform=node) so init loads one file instead of many.',
      savingMs: null,
      per: 'cold-start',
      basis: 'not estimated',
      evidence: `init loaded ${files} files from node_modules, taking ${round(us / 1000)} ms cumulative; resolving and reading each file is part of that time`,
      verified: false,
      fix: { kind: 'esbuild' },
    },
  ];
}

function memorySize(input: RuleInput): Recommendation[] {
  const { memoryMB, warmMedianMs } = input;
  if (!memoryMB || warmMedianMs === undefined || warmMedianMs === null) return [];
  if (memoryMB >= ONE_VCPU_MB || warmMedianMs < MEMORY_MIN_WARM_MS) return [];
  const candidate = Math.min(memoryMB * 2, ONE_VCPU_MB);
  return [
    {
      rule: 'memory-size',
      target: `${memoryMB} MB`,
      action: `Benchmark ${candidate} MB against ${memoryMB} MB: CPU grows with memory up to ${ONE_VCPU_MB} MB, and when billed time falls faster than the price per ms rises, the larger size is cheaper as well as faster.`,
      savingMs: null,
      per: 'invocation',
      basis: 'not estimated',
      evidence: `warm Duration median ${round(warmMedianMs)} ms at ${memoryMB} MB (${Math.round((memoryMB / ONE_VCPU_MB) * 100)} % of a vCPU); whether it is CPU-bound only a measurement at ${candidate} MB shows`,
      verified: false,
      fix: { kind: 'memory', memoryMB: candidate },
    },
  ];
}

/** Ranks recommendations by the time they save (measured or estimated), unknown savings last. */
export function rankRecommendations(recs: Recommendation[]): Recommendation[] {
  return [...recs].sort((a, b) => {
    if (a.savingMs !== null && b.savingMs !== null && a.savingMs !== b.savingMs) return b.savingMs - a.savingMs;
    if ((a.savingMs === null) !== (b.savingMs === null)) return a.savingMs === null ? 1 : -1;
    return RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule) || a.target.localeCompare(b.target);
  });
}

/**
 * Runs every rule and ranks the recommendations.
 *
 * @example
 * recommend({ language: 'python', handlerModule: 'app', handlerFunction: 'handler', initMs: 900, roots, modules, packages, source })
 * // → [{ rule: 'unused-import', target: 'pandas', savingMs: 612.3, basis: 'estimated from the import trace', … }, …]
 */
export function recommend(input: RuleInput): Recommendation[] {
  const codePath = codePathRules(input);
  const flagged = new Set(codePath.map((r) => r.target));
  return rankRecommendations([
    ...moduleLevelWork(input, flagged),
    ...codePath,
    ...importRules(input, flagged),
    ...perCallClient(input),
    ...packageRules(input),
    ...nodeBundle(input),
    ...memorySize(input),
  ]);
}
