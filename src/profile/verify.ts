/**
 * --verify: apply a recommendation mechanically, benchmark the result against the unchanged
 * function on the same target (interleaved, one sample of each in turn, so drift favours
 * neither), and replace the estimate with the measured saving and its bootstrap interval.
 */
import { messageOf } from '../errors.ts';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../bench/deploy.ts';
import { type BuiltPackage, type BuiltZip, packageVariant } from '../bench/package.ts';
import type { Variant } from '../bench/plan.ts';
import type { BenchSample } from '../bench/results.ts';
import { zipFolder } from '../bench/zip.ts';
import { gbSeconds } from '../report/cost.ts';
import { median } from '../report/stats.ts';
import type { Language } from './group.ts';
import { notMeasured, rankRecommendations } from './rules.ts';
import type { Resolved, Unpacked } from './run.ts';
import { measuredSaving } from './saving.ts';
import { LAZY_IMPORTS_ENV } from './scan-source.ts';
import type { ProfileSession } from './session.ts';
import type { Fix, ProfileReport, Recommendation } from './types.ts';

export interface VerifyContext {
  session: ProfileSession;
  resolved: Resolved;
  pkg: BuiltPackage;
  unpacked: Unpacked;
  language: Language;
  samples: number;
  limit: number;
  log: (line: string) => void;
}

function zipOf(dir: string, name: string): BuiltZip {
  const zip = zipFolder(dir);
  const path = join(dir, '..', `${name}.zip`);
  writeFileSync(path, zip.bytes);
  return { path, sha256: zip.sha256, zipBytes: zip.bytes.length, unzippedBytes: zip.unzippedBytes, key: `${name}-${zip.sha256.slice(0, 12)}`, cached: false };
}

/** A copy of the unpacked package changed by `change(roots)`, zipped again. */
function rebuilt(ctx: VerifyContext, label: string, change: (roots: string[]) => void): { pkg: BuiltPackage; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'coldbench-verify-'));
  const fnDir = join(base, 'function');
  cpSync(ctx.unpacked.fnDir, fnDir, { recursive: true });
  let layerDir: string | null = null;
  if (ctx.unpacked.layerDir) {
    layerDir = join(base, 'layer');
    cpSync(ctx.unpacked.layerDir, layerDir, { recursive: true });
  }
  const roots = ctx.unpacked.roots.map((r) => r.replace(ctx.unpacked.fnDir, fnDir).replace(ctx.unpacked.layerDir ?? '\0', layerDir ?? ''));
  change(roots);
  const pkg: BuiltPackage = { function: zipOf(fnDir, `${label}-function`), layer: layerDir ? zipOf(layerDir, `${label}-layer`) : null, folderLayers: [] };
  return { pkg, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** The variant and package that apply a fix, or why this fix cannot apply to this function. */
async function applyFix(ctx: VerifyContext, fix: Fix, label: string): Promise<{ variant: Variant; pkg: BuiltPackage; cleanup: () => void } | string> {
  const v = ctx.resolved.variant;
  const variant: Variant = { ...v, name: `${v.name}-${label}` };
  const none = () => {};
  switch (fix.kind) {
    case 'strip': {
      const r = rebuilt(ctx, label, (roots) => {
        for (const root of roots) for (const rel of fix.paths) if (existsSync(join(root, rel))) rmSync(join(root, rel), { recursive: true, force: true });
      });
      return { variant, ...r };
    }
    case 'precompile': {
      const r = rebuilt(ctx, label, (roots) => {
        for (const root of roots.filter(existsSync)) spawnSync('python3', ['-m', 'compileall', '-q', '-j', '0', root], { stdio: 'ignore' });
      });
      return { variant, ...r };
    }
    case 'esbuild': {
      if (ctx.language !== 'node') return 'esbuild bundles are for Node functions';
      const bundled = { ...variant, packaging: 'esbuild' as const };
      const pkg = await packageVariant(ctx.resolved.fn, bundled, [bundled], { targetKind: ctx.session.target.kind, log: ctx.log });
      return { variant: bundled, pkg, cleanup: none };
    }
    case 'remove-import':
    case 'move-import': {
      const problem = sameAsSource(ctx, fix.file);
      if (problem) return problem;
      const edit = (text: string): string =>
        fix.kind === 'move-import' ? withImportMoved(text, fix.line, fix.endLine, fix.into, fix.statement, ctx.language) : withoutLines(text, fix.line, fix.endLine, ctx.language);
      const r = rebuilt(ctx, label, (roots) => writeFileSync(join(roots[0], fix.file), edit(readFileSync(join(roots[0], fix.file), 'utf8'))));
      return { variant, ...r };
    }
    case 'lazy-import':
      return { variant: { ...variant, environment: { ...v.environment, [LAZY_IMPORTS_ENV]: fix.package } }, pkg: ctx.pkg, cleanup: none };
    case 'compare-handler':
      return { variant: { ...variant, handler: fix.handler }, pkg: ctx.pkg, cleanup: none };
    case 'memory':
      return { variant: { ...variant, memoryMB: fix.memoryMB }, pkg: ctx.pkg, cleanup: none };
  }
}

/** Why a source edit cannot apply: the package must hold the file as it is in the code folder (not a bundle). */
function sameAsSource(ctx: VerifyContext, file: string): string | null {
  const packaged = join(ctx.unpacked.fnDir, file);
  const original = join(ctx.resolved.fn.code, file);
  if (!existsSync(packaged) || !existsSync(original) || readFileSync(packaged, 'utf8') !== readFileSync(original, 'utf8'))
    return `${file} is not in the package as it is in the code folder (bundled?), so it is not edited mechanically`;
  return null;
}

/**
 * `text` with the import on lines `line`..`endLine` moved to just before line `into` (both
 * 1-based, in the original numbering), indented like that line: Python's local import, Node's
 * local require or `await import()`.
 * @example withImportMoved('import slowmod\n\ndef handler(e, c):\n    if e:\n        return slowmod.f()\n', 1, 1, 5, 'import slowmod', 'python')
 * // → 'pass\n\ndef handler(e, c):\n    if e:\n        import slowmod\n        return slowmod.f()\n'
 */
export function withImportMoved(text: string, line: number, endLine: number, into: number, statement: string, language: Language): string {
  const lines = withoutLines(text, line, endLine, language).split('\n');
  const indent = /^\s*/.exec(lines[into - 1] ?? '')?.[0] ?? '';
  lines.splice(into - 1, 0, `${indent}${statement}`);
  return lines.join('\n');
}

/**
 * `text` with lines `line`..`endLine` (1-based) emptied, line numbers kept; Python gets a `pass`
 * at the statement's indentation, so an import that was a block's only statement leaves it valid.
 * @example withoutLines('import slowmod\nx = 1\n', 1, 1, 'python') // → 'pass\nx = 1\n'
 */
export function withoutLines(text: string, line: number, endLine: number, language: Language): string {
  const lines = text.split('\n');
  for (let i = line - 1; i < endLine && i < lines.length; i++) {
    const indent = /^\s*/.exec(lines[i])?.[0] ?? '';
    lines[i] = language === 'python' && i === line - 1 ? `${indent}pass` : '';
  }
  return lines.join('\n');
}

const coldLatency = (s: BenchSample): number | null => (s.status === 'success' && s.initMs !== null && s.durationMs !== null ? s.initMs + s.durationMs : null);
const warmDuration = (s: BenchSample): number | null => (s.status === 'success' && s.kind === 'warm' && s.durationMs !== null ? s.durationMs : null);
const values = (samples: BenchSample[], pick: (s: BenchSample) => number | null): number[] => samples.map(pick).filter((x): x is number => x !== null);

interface Measured {
  baseline: number[];
  variant: number[];
  what: string;
  /** Median Billed Duration of the warm samples on each side (ms) */
  billed?: { baseline: number | null; variant: number | null };
}

async function measure(ctx: VerifyContext, rec: Recommendation, base: Deployment, candidate: Deployment): Promise<Measured> {
  const n = ctx.samples;
  if (rec.per === 'invocation') {
    // One cold start each, then warm invokes taken in turns: the per-call cost shows warm, and
    // load on a shared machine drifts over both alike.
    await ctx.session.drive(base, 1, 0);
    await ctx.session.drive(candidate, 1, 0);
    const a: BenchSample[] = [];
    const b: BenchSample[] = [];
    for (let i = 0; i < n; i++) {
      a.push(...(await ctx.session.drive(base, 0, 1)));
      b.push(...(await ctx.session.drive(candidate, 0, 1)));
    }
    const billed = (xs: BenchSample[]) => median(values(xs, (x) => (warmDuration(x) !== null ? x.billedMs : null)));
    return { baseline: values(a, warmDuration), variant: values(b, warmDuration), what: 'warm Duration', billed: { baseline: billed(a), variant: billed(b) } };
  }
  const a: BenchSample[] = [];
  const b: BenchSample[] = [];
  for (let i = 0; i < n; i++) {
    a.push(...(await ctx.session.drive(base, 1, 0)));
    b.push(...(await ctx.session.drive(candidate, 1, 0)));
  }
  return { baseline: values(a, coldLatency), variant: values(b, coldLatency), what: 'cold start (Init + Duration)' };
}

/** Billed GB-seconds per warm invocation at both sizes: the price per ms rises with memory, so faster is cheaper only when billed time falls faster. */
function costText(fromMB: number, toMB: number, m: Measured): string {
  if (!m.billed || m.billed.baseline === null || m.billed.variant === null) return '';
  const before = gbSeconds(m.billed.baseline, fromMB);
  const after = gbSeconds(m.billed.variant, toMB);
  const change = Math.round(((after - before) / before) * 100);
  return `; billed median ${m.billed.baseline} ms at ${fromMB} MB (${before.toFixed(5)} GB-s) vs ${m.billed.variant} ms at ${toMB} MB (${after.toFixed(5)} GB-s): ${change < 0 ? `${-change} % cheaper` : change > 0 ? `${change} % dearer` : 'the same cost'} per warm invocation at ${toMB} MB by the billed medians`;
}

const describeFix = (fix: Fix): string =>
  ({
    strip: 'stripped',
    precompile: 'precompiled',
    esbuild: 'bundled with esbuild',
    'lazy-import': `${LAZY_IMPORTS_ENV} set`,
    'remove-import': `line ${(fix as { line?: number }).line} of ${(fix as { file?: string }).file} removed`,
    'move-import': `the import on line ${(fix as { line?: number }).line} of ${(fix as { file?: string }).file} moved to line ${(fix as { into?: number }).into}`,
    'compare-handler': `handler ${(fix as { handler?: string }).handler}`,
    memory: `${(fix as { memoryMB?: number }).memoryMB} MB`,
  })[fix.kind];

/** Measures every recommendation that has a mechanical fix (up to ctx.limit, in rank order) and re-ranks. */
export async function verifyRecommendations(report: ProfileReport, ctx: VerifyContext): Promise<void> {
  let baseline: Deployment | undefined;
  let tried = 0;
  for (const rec of report.recommendations) {
    if (!rec.fix) {
      rec.unverifiedReason ??= notMeasured('no mechanical fix; apply it by hand and benchmark the two versions with `coldbench bench`');
      continue;
    }
    if (tried >= ctx.limit) {
      rec.unverifiedReason = notMeasured(`--verify-limit ${ctx.limit} reached`);
      continue;
    }
    tried += 1;
    const label = `v${tried}`;
    let applied: Awaited<ReturnType<typeof applyFix>> | undefined;
    try {
      applied = await applyFix(ctx, rec.fix, label);
      if (typeof applied === 'string') {
        rec.unverifiedReason = notMeasured(applied);
        continue;
      }
      ctx.log(`verifying ${rec.rule} ${rec.target}: ${ctx.samples} samples each of ${ctx.resolved.variant.name} and ${applied.variant.name}`);
      baseline ??= await ctx.session.deploy(ctx.resolved.variant, ctx.pkg);
      const candidate = await ctx.session.deploy(applied.variant, applied.pkg);
      const m = await measure(ctx, rec, baseline, candidate);
      const saving = measuredSaving(m.baseline, m.variant);
      if (!saving) {
        rec.unverifiedReason = notMeasured(`no successful samples to compare (${m.baseline.length} baseline, ${m.variant.length} variant)`);
        continue;
      }
      const cost = rec.fix.kind === 'memory' ? costText(ctx.resolved.variant.memoryMB, rec.fix.memoryMB, m) : '';
      Object.assign(rec, {
        savingMs: saving.savingMs,
        ci: saving.ci,
        n: saving.n,
        basis: 'measured' as const,
        verified: true,
        evidence: `${rec.evidence}; measured on the ${report.target}: median ${m.what} ${saving.savingMs.toFixed(1)} ms lower with the change (${describeFix(rec.fix)}; 95 % CI ${saving.ci[0].toFixed(1)}–${saving.ci[1].toFixed(1)} ms, n = ${saving.n.baseline} + ${saving.n.variant})${cost}`,
      });
    } catch (error) {
      rec.unverifiedReason = notMeasured(`the variant did not run: ${messageOf(error)}`);
    } finally {
      if (applied && typeof applied !== 'string') applied.cleanup();
    }
  }
  report.recommendations = rankRecommendations(report.recommendations);
}
