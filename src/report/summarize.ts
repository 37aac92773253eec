/**
 * samples → RunSummary. Streams: it keeps one numeric column per variant, kind and field, never
 * the sample objects, so memory grows by a few doubles per sample.
 */
import type { Sample } from '../probe/sample.ts';
import { type Architecture, isArchitecture } from '../vocabulary.ts';
import type { RunInfo } from './run-info.ts';
import type { ColdSummary, KindCounts, RunSummary, Stats, VariantComparison, VariantSummary, WarmSummary } from './types.ts';
import { Column } from './column.ts';
import { describe, findOutliers, mean, quantileSorted } from './stats.ts';
import { makeRng } from './random.ts';
import { hash32, ms } from './format.ts';
import { compareVariants } from './ratio.ts';
import { recommendMemory, variantCost } from './cost.ts';
import { DEFAULT_REGION, regionPrices } from './prices.ts';
import { pricedAsStartup, startupComparisons } from './provisioned.ts';
import { groupOf } from '../calibration/predict.ts';
import { addLambdaEstimates, type ReportCalibration } from './estimates.ts';
import { DEFAULT_COLD_RATIO, DEFAULT_SEED } from './defaults.ts';

const NO_SAMPLES = 'no samples recorded';
const NOT_YET = 'no samples recorded yet (the run is still running)';

export interface SummarizeOptions {
  coldRatio?: number;
  seed?: number;
  region?: string;
  optimize?: 'cost' | 'speed' | 'balanced';
  /** A calibration: measured variants of a local run get "On Lambda (est.)" figures (lambdaEstimate) */
  calibration?: ReportCalibration;
  /** The request rate PC's standing charge and SnapStart's cache are priced at (default DEFAULT_REQUESTS_PER_SECOND) */
  requestsPerSecond?: number;
}

interface KindAcc {
  counts: KindCounts;
  latency: Column;
  billed: Column;
  billedTotal: Column;
  maxMemory: Column;
  client: Column;
}

interface ColdAcc extends KindAcc {
  init: Column;
  restore: Column;
  duration: Column;
  billedRestore: Column;
  coldBy: Record<string, number>;
}

interface VariantAcc {
  name: string;
  fn: string | null;
  memoryMB: number | null;
  architecture: Architecture | null;
  cold: ColdAcc;
  warm: KindAcc;
  forcedButWarm: number;
}

function kindAcc(): KindAcc {
  return {
    counts: { total: 0, success: 0, error: 0, timeout: 0, unmeasured: 0, errorTypes: {} },
    latency: new Column(),
    billed: new Column(),
    billedTotal: new Column(),
    maxMemory: new Column(),
    client: new Column(),
  };
}

function variantAcc(name: string): VariantAcc {
  const cold: ColdAcc = { ...kindAcc(), init: new Column(), restore: new Column(), duration: new Column(), billedRestore: new Column(), coldBy: {} };
  return { name, fn: null, memoryMB: null, architecture: null, cold, warm: kindAcc(), forcedButWarm: 0 };
}

/** `reuse@512` → `reuse@*`, `deps@1024-layer` → `deps@*-layer`: variants that differ only in memory. */
export function familyOf(variant: string): string {
  return variant.replace(/@\d+/, '@*');
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function add(acc: VariantAcc, s: Sample): void {
  if (acc.fn === null && typeof s.function === 'string') acc.fn = s.function;
  if (acc.memoryMB === null && isNum(s.memoryMB)) acc.memoryMB = s.memoryMB;
  if (acc.architecture === null && isArchitecture(s.architecture)) acc.architecture = s.architecture;
  if (s.forced === true && s.kind === 'warm') acc.forcedButWarm++;
  const k: KindAcc = s.kind === 'cold' ? acc.cold : acc.warm;
  k.counts.total++;
  // AWS bills failed and timed-out invocations too: every reported Billed Duration counts for
  // billing, whatever the status; latency statistics below use successful samples only.
  if (isNum(s.billedMs)) {
    k.billed.push(s.billedMs);
    k.billedTotal.push(s.billedMs + (s.kind === 'cold' && isNum(s.billedRestoreMs) ? s.billedRestoreMs : 0));
    if (s.kind === 'cold' && isNum(s.billedRestoreMs)) acc.cold.billedRestore.push(s.billedRestoreMs);
  }
  if (s.status === 'success' && !isNum(s.durationMs)) {
    // Other platforms' logs can say an execution succeeded without saying how long it took.
    k.counts.unmeasured++;
    return;
  }
  if (s.status !== 'success') {
    if (s.status === 'timeout') k.counts.timeout++;
    else k.counts.error++;
    const type = s.errorType ?? (s.status === 'timeout' ? 'timeout' : 'error');
    k.counts.errorTypes[type] = (k.counts.errorTypes[type] ?? 0) + 1;
    return;
  }
  k.counts.success++;
  const duration = s.durationMs as number;
  if (isNum(s.maxMemoryMB)) k.maxMemory.push(s.maxMemoryMB);
  if (isNum(s.clientMs)) k.client.push(s.clientMs);
  if (s.kind === 'cold') {
    const c = acc.cold;
    c.coldBy[s.coldBy] = (c.coldBy[s.coldBy] ?? 0) + 1;
    c.duration.push(duration);
    if (isNum(s.initMs)) c.init.push(s.initMs);
    if (isNum(s.restoreMs)) c.restore.push(s.restoreMs);
    // SnapStart replaces init with restore; a cold start with neither (pre-warmed) waited only for Duration.
    c.latency.push(duration + (isNum(s.restoreMs) ? s.restoreMs : isNum(s.initMs) ? s.initMs : 0));
  } else {
    acc.warm.latency.push(duration);
  }
}

function rngFor(seed: number, key: string): () => number {
  return makeRng((seed ^ hash32(key)) >>> 0);
}

/** The columns a kind's summary describes after its latency, in the order the summary lists them. */
const WARM_COLUMNS = ['billed', 'maxMemory', 'client'] as const;
const COLD_COLUMNS = ['init', 'restore', 'duration', 'billed', 'billedRestore', 'maxMemory', 'client'] as const;

/**
 * The summary of one kind of a variant: counts, latency, then `columns`, then `extra`, then the outliers and the
 * sorted values compare resamples. Each statistic has a bootstrap of its own, seeded by variant, kind and column.
 */
function finishKind<K extends string, E extends object>(name: string, kind: 'cold' | 'warm', k: KindAcc & Record<K, Column>, columns: readonly K[], seed: number, extra: E) {
  const sorted = k.latency.sorted();
  const d = (values: Float64Array, key: string) => describe(values, rngFor(seed, `${name}/${kind}/${key}`));
  return {
    counts: k.counts,
    latency: d(sorted, 'latency'),
    ...(Object.fromEntries(columns.map((key) => [key, d(k[key].sorted(), key)])) as Record<K, Stats>),
    ...extra,
    outliers: findOutliers(k.latency.view(), sorted),
    values: Array.from(sorted),
    billedValues: Array.from(k.billedTotal.sorted()),
  };
}

function finishWarm(name: string, k: KindAcc, seed: number): WarmSummary {
  return finishKind(name, 'warm', k, WARM_COLUMNS, seed, {});
}

function finishCold(name: string, c: ColdAcc, seed: number): ColdSummary {
  return finishKind(name, 'cold', c, COLD_COLUMNS, seed, { coldBy: c.coldBy });
}

function failureText(kind: string, counts: KindCounts): string {
  if (counts.error + counts.timeout === 0) return `none of the ${counts.total} ${kind} samples has a Duration in the log`;
  const types = Object.entries(counts.errorTypes)
    .map(([t, n]) => `${t} ×${n}`)
    .join(', ');
  return `${counts.error + counts.timeout} of ${counts.total} ${kind} samples failed${types ? ` (${types})` : ''}`;
}

/**
 * Per-variant statistics, comparisons, cost and memory recommendations of a run.
 * @param samples any iterable (an array, or a generator reading samples.jsonl line by line)
 * @param run run.json, when there is one: variant order, memory, architecture, compare pairs
 */
export function summarize(samples: Iterable<Sample>, run?: RunInfo, options: SummarizeOptions = {}): RunSummary {
  const seed = options.seed ?? run?.seed ?? DEFAULT_SEED;
  const coldRatio = options.coldRatio ?? DEFAULT_COLD_RATIO;
  const optimize = options.optimize ?? 'balanced';
  const requestedRegion = options.region ?? run?.target?.region ?? DEFAULT_REGION;
  const notes: string[] = [];
  const region = regionPrices(requestedRegion) ? requestedRegion : DEFAULT_REGION;
  if (region !== requestedRegion) notes.push(`No prices for ${requestedRegion} in src/report/prices.ts; costs use ${DEFAULT_REGION}.`);

  const accs = new Map<string, VariantAcc>();
  const planned = run?.plan?.variants ?? [];
  // The suite's order, not plan.order: that one is the shuffled execution order.
  for (const v of planned) accs.set(v.name, variantAcc(v.name));
  for (const s of samples) {
    let acc = accs.get(s.variant);
    if (!acc) {
      acc = variantAcc(s.variant);
      accs.set(s.variant, acc);
    }
    add(acc, s);
  }

  const variants: VariantSummary[] = [];
  /** Control probes' Init medians per `runtime/architecture`: for the estimates, in no table. */
  const controlInitMs: Record<string, number> = {};
  for (const acc of accs.values()) {
    const plan = planned.find((v) => v.name === acc.name);
    if (plan?.control) {
      // Only its median Init is needed: none of the bootstrap statistics of a shown variant.
      const init = quantileSorted(acc.cold.init.sorted(), 0.5);
      if (init !== null) controlInitMs[groupOf(plan.runtime, plan.architecture)] = init;
      continue;
    }
    const cold = finishCold(acc.name, acc.cold, seed);
    const warm = finishWarm(acc.name, acc.warm, seed);
    const common = {
      name: acc.name,
      family: familyOf(acc.name),
      function: plan?.function ?? acc.fn,
      memoryMB: plan?.memoryMB ?? acc.memoryMB,
      architecture: plan?.architecture ?? acc.architecture ?? ('x86_64' as const),
      cold,
      warm,
      forcedButWarm: acc.forcedButWarm,
    };
    if (acc.cold.counts.total + acc.warm.counts.total === 0) {
      variants.push({ state: 'failed', ...common, error: run?.status === 'running' ? NOT_YET : NO_SAMPLES, cost: null });
      continue;
    }
    const cost = variantCost({
      region,
      architecture: common.architecture,
      memoryMB: common.memoryMB,
      meanBilledColdMs: mean(cold.billedValues),
      meanBilledWarmMs: mean(warm.billedValues),
      coldCount: cold.counts.total,
      warmCount: warm.counts.total,
      coldRatio,
    });
    if (cold.latency.n === 0 && warm.latency.n === 0) {
      const parts = [cold.counts.total ? failureText('cold', cold.counts) : '', warm.counts.total ? failureText('warm', warm.counts) : ''].filter(Boolean);
      // Failed invocations are billed: what they cost is known even when nothing succeeded.
      variants.push({ state: 'failed', ...common, error: parts.join('; '), cost: cold.billedValues.length + warm.billedValues.length > 0 ? cost : null });
      continue;
    }
    const cm = cold.latency.median;
    const wm = warm.latency.median;
    const expectedLatencyMs = cm !== null && wm !== null ? coldRatio * cm + (1 - coldRatio) * wm : coldRatio === 1 ? cm : coldRatio === 0 ? wm : null;
    variants.push({ state: 'measured', ...common, expectedLatencyMs, cost });
  }

  for (const v of variants) notes.push(...variantNotes(v));
  const estimates = options.calibration ? addLambdaEstimates(variants, run, options.calibration, controlInitMs) : null;
  // On-demand prices would misstate what PC and SnapStart variants cost: the startup comparison prices them.
  for (const v of variants) {
    if (
      !v.cost ||
      !pricedAsStartup(
        v.name,
        planned.find((p) => p.name === v.name),
      )
    )
      continue;
    v.cost = { ...v.cost, perMillionMeasured: null, perMillionAtRatio: null };
    notes.push(`${v.name}: its cost per 1 M is in the startup comparison (provisioned concurrency or SnapStart charges), not at the on-demand prices of the cost table.`);
  }
  const comparisons = compareAll(variants, run?.compare, seed);
  const recommendations = recommendAll(variants, optimize, coldRatio);
  const startup = startupComparisons(variants, planned, { coldRatio, region, requestsPerSecond: options.requestsPerSecond });
  return {
    format: 'coldbench-summary',
    formatVersion: 1,
    run: pickRun(run),
    options: { coldRatio, seed, region, optimize },
    variants,
    comparisons,
    recommendations,
    notes,
    ...(estimates ? { estimates } : {}),
    ...(startup.length ? { startup } : {}),
  };
}

function pickRun(run?: RunInfo): RunSummary['run'] {
  if (!run) return { runId: 'samples' };
  const out: RunSummary['run'] = { runId: run.runId };
  for (const key of ['suite', 'target', 'startedAt', 'endedAt', 'coldStrategy', 'status', 'emulator', 'host'] as const) {
    if (run[key] !== undefined) (out as Record<string, unknown>)[key] = run[key];
  }
  return out;
}

function variantNotes(v: VariantSummary): string[] {
  const notes: string[] = [];
  if (v.state === 'failed') return [v.error === NO_SAMPLES || v.error === NOT_YET ? `${v.name}: ${v.error}.` : `${v.name} failed: ${v.error}.`];
  for (const [kind, k] of [
    ['cold', v.cold],
    ['warm', v.warm],
  ] as const) {
    if (k.counts.error + k.counts.timeout > 0) notes.push(`${v.name} ${kind}: ${failureText(kind, k.counts)}; statistics use the ${k.counts.success} successful ones.`);
    if (k.counts.unmeasured > 0)
      notes.push(`${v.name} ${kind}: ${k.counts.unmeasured} of ${k.counts.total} samples succeeded without a Duration in the log; they are in no statistic.`);
    const o = k.outliers;
    if (o.count > 0) {
      const shown = o.values
        .slice(0, 5)
        .map((x) => `${ms(x)} ms`)
        .join(', ');
      notes.push(
        `${v.name} ${kind}: ${o.count} of ${k.latency.n} samples are outliers (modified z-score above 14.8 on the MAD): ${shown}${o.count > 5 ? ', …' : ''}. Flagged, not removed.`,
      );
      if (o.slowFirst)
        notes.push(`${v.name} ${kind}: the first sample (${ms(o.values[0])} ms) is the slow outlier; a first invoke often pays lazy initialisation or a cold disk cache.`);
    }
  }
  if (v.forcedButWarm > 0)
    notes.push(`${v.name}: ${v.forcedButWarm} forced cold invoke${v.forcedButWarm === 1 ? '' : 's'} came back warm (the platform reused an environment); counted as warm.`);
  return notes;
}

function compareAll(variants: VariantSummary[], pairs: Array<[string, string]> | undefined, seed: number): VariantComparison[] {
  const measured = variants.filter((v) => v.state === 'measured');
  const byName = new Map(measured.map((v) => [v.name, v]));
  const out: VariantComparison[] = [];
  for (const kind of ['cold', 'warm'] as const) {
    const withData = measured.filter((v) => v[kind].values.length > 0);
    let todo: Array<[(typeof measured)[number], (typeof measured)[number]]>;
    if (pairs?.length) {
      // A pair where neither side has this kind (e.g. a cold-only suite) says nothing for it.
      todo = pairs.flatMap(([a, b]) => {
        const va = byName.get(a);
        const vb = byName.get(b);
        return va && vb && (va[kind].values.length > 0 || vb[kind].values.length > 0) ? [[va, vb] as [typeof va, typeof vb]] : [];
      });
    } else {
      if (withData.length < 2) continue;
      const fastest = withData.reduce((best, v) => ((quantileSorted(v[kind].values, 0.5) as number) < (quantileSorted(best[kind].values, 0.5) as number) ? v : best));
      todo = withData.filter((v) => v !== fastest).map((v) => [fastest, v]);
    }
    for (const [va, vb] of todo) {
      const a = va.name;
      const b = vb.name;
      out.push(compareVariants(kind, { name: a, values: va[kind].values }, { name: b, values: vb[kind].values }, (seed ^ hash32(`${kind}:${a}:${b}`)) >>> 0));
    }
  }
  return out;
}

function recommendAll(variants: VariantSummary[], optimize: 'cost' | 'speed' | 'balanced', coldRatio: number) {
  const families = new Map<string, Array<{ variant: string; memoryMB: number; expectedLatencyMs: number; perMillion: number }>>();
  for (const v of variants) {
    if (v.state !== 'measured' || v.expectedLatencyMs === null || v.cost.perMillionAtRatio === null || v.memoryMB === null) continue;
    const list = families.get(v.family) ?? [];
    list.push({ variant: v.name, memoryMB: v.memoryMB, expectedLatencyMs: v.expectedLatencyMs, perMillion: v.cost.perMillionAtRatio });
    families.set(v.family, list);
  }
  return [...families.entries()].filter(([, list]) => new Set(list.map((c) => c.memoryMB)).size > 1).map(([family, list]) => recommendMemory(family, list, optimize, coldRatio));
}
