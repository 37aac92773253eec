/**
 * The cells every text renderer shows, built once so table, markdown and csv agree to the
 * digit. Units live in the headers; cells hold numbers.
 */
import type { RunSummary, Stats, VariantSummary } from '../types.ts';
import { DASH, fixed, ms } from '../format.ts';
import { formatRatio } from '../cost.ts';
import { P90_MIN_N, P99_MIN_N, BOOTSTRAP_RESAMPLES } from '../stats.ts';

export interface LatencyRow {
  variant: string;
  kind: 'cold' | 'warm' | '';
  cells: string[];
  /** Index of the cell that holds the lowest median of its kind, or -1. */
  bestCell: number;
}

export const MEDIAN_CELL = 3;

/** After a variant whose runtime ran on a local interpreter of another version (python3.12 on 3.11). */
export const OTHER_VERSION_MARK = '†';

/** Runtimes of the run that ran on another version locally (run.json emulator.interpreters, exact: false), with their variants in this summary. */
function otherVersionRuntimes(summary: RunSummary): Array<{ runtime: string; family: string; version: string; path: string; variants: string[] }> {
  const names = new Set(summary.variants.map((v) => v.name));
  const out = [];
  for (const [runtime, it] of Object.entries(summary.run.emulator?.interpreters ?? {})) {
    if (it.exact || it.version === null || it.path === null) continue;
    const variants = (it.variants ?? []).filter((n) => names.has(n));
    if (variants.length) out.push({ runtime, family: runtime.startsWith('nodejs') ? 'node' : runtime.replace(/\d.*$/, ''), version: it.version, path: it.path, variants });
  }
  return out;
}

/** A variant's name as the tables show it: marked when its runtime ran on another local version. */
function variantLabeller(summary: RunSummary): (name: string) => string {
  const otherVersion = new Set(otherVersionRuntimes(summary).flatMap((r) => r.variants));
  return (name) => (otherVersion.has(name) ? `${name} ${OTHER_VERSION_MARK}` : name);
}

/** Headers of the latency table; a Restore column appears only when a variant has SnapStart restores. */
export function latencyHeaders(summary: RunSummary): string[] {
  const restore = hasRestore(summary);
  return [
    'Variant',
    'Kind',
    'n',
    'Median [ms]',
    '95 % CI [ms]',
    'p90 [ms]',
    'p99 [ms]',
    'Mean ± sd [ms]',
    'Min…max [ms]',
    'Init [ms]',
    ...(restore ? ['Restore [ms]'] : []),
    'Billed mean [ms]',
    'Max memory [MB]',
    'Failed',
    ...(summary.estimates ? [ESTIMATE_HEADER] : []),
  ];
}

/** The estimate column's header: never mistaken for a measurement. */
export const ESTIMATE_HEADER = 'On Lambda (est.) [ms]';

/** "local Init divided by the control probe's factor (python3.11/x86_64 1.08); " */
function initLoadText(factors: Record<string, number> | undefined): string {
  const entries = Object.entries(factors ?? {});
  if (!entries.length) return 'local Init and ';
  return `local Init divided by its control probe's factor (${entries.map(([g, f]) => `${g} ${fixed(f, 2)}`).join(', ')}); `;
}

function estimateCell(e: { median: number; low: number; high: number } | undefined): string {
  return e ? `${ms(e.median)} (${ms(e.low)}–${ms(e.high)})` : DASH;
}

function hasRestore(summary: RunSummary): boolean {
  return summary.variants.some((v) => v.cold.restore.n > 0);
}

function spread(s: Stats): [string, string, string, string, string] {
  return [
    ms(s.median),
    s.medianCI ? `${ms(s.medianCI[0])}–${ms(s.medianCI[1])}` : DASH,
    ms(s.p90),
    ms(s.p99),
    s.mean === null ? DASH : s.sd === null ? ms(s.mean) : `${ms(s.mean)} ± ${ms(s.sd)}`,
  ];
}

function range(s: Stats): string {
  return s.min === null ? DASH : `${ms(s.min)}…${ms(s.max)}`;
}

/** One row per variant and kind (a failed variant gets one row saying so). */
export function latencyRows(summary: RunSummary): LatencyRow[] {
  const restore = hasRestore(summary);
  const rows: LatencyRow[] = [];
  const best = { cold: bestOf(summary.variants, 'cold'), warm: bestOf(summary.variants, 'warm') };
  const label = variantLabeller(summary);
  for (const v of summary.variants) {
    for (const kind of ['cold', 'warm'] as const) {
      const k = v[kind];
      if (k.counts.total === 0) continue;
      const s = k.latency;
      const failed = k.counts.error + k.counts.timeout;
      const init = kind === 'cold' ? ms(v.cold.init.median) : '';
      const restoreCell = kind === 'cold' ? ms(v.cold.restore.median) : '';
      const cells = [
        label(v.name),
        kind,
        String(s.n),
        ...spread(s),
        range(s),
        init,
        ...(restore ? [restoreCell] : []),
        fixed(k.billed.mean, 1),
        fixed(k.maxMemory.median, 0),
        String(failed),
        ...(summary.estimates ? [estimateCell(k.lambdaEstimate)] : []),
      ];
      rows.push({ variant: v.name, kind, cells, bestCell: best[kind] === v.name ? MEDIAN_CELL : -1 });
    }
  }
  return rows;
}

/** The measured variant with the lowest median latency of a kind, when at least two have one. */
export function bestOf(variants: VariantSummary[], kind: 'cold' | 'warm'): string | null {
  const withMedian = variants.filter((v) => v.state === 'measured' && v[kind].latency.median !== null);
  if (withMedian.length < 2) return null;
  return withMedian.reduce((a, b) => ((b[kind].latency.median as number) < (a[kind].latency.median as number) ? b : a)).name;
}

/** Headers of the cost table, naming the cold ratio the prices assume. */
export function costHeaders(summary: RunSummary): string[] {
  return [
    'Variant',
    'Arch',
    'Memory [MB]',
    'Cold [GB-s]',
    'Warm [GB-s]',
    'Run cold share [%]',
    '$ per 1 M at run mix',
    `$ per 1 M at ${formatRatio(summary.options.coldRatio)} cold`,
    `Expected latency at ${formatRatio(summary.options.coldRatio)} cold [ms]`,
  ];
}

export const COST_BEST_CELL = 7;

/**
 * One cost row per variant that has a cost (measured ones, and failed ones whose invocations were
 * billed); the cheapest measured one at the given cold ratio is marked.
 */
export function costRows(summary: RunSummary): LatencyRow[] {
  const priced = summary.variants.flatMap((v) => (v.cost === null ? [] : [{ v, cost: v.cost }]));
  const candidates = priced.filter(({ v, cost }) => v.state === 'measured' && cost.perMillionAtRatio !== null);
  const cheapest = candidates.length >= 2 ? candidates.reduce((a, b) => ((b.cost.perMillionAtRatio as number) < (a.cost.perMillionAtRatio as number) ? b : a)).v.name : null;
  const label = variantLabeller(summary);
  return priced.map(({ v, cost }) => {
    return {
      variant: v.name,
      kind: '',
      cells: [
        label(v.name),
        v.architecture,
        v.memoryMB === null ? DASH : String(v.memoryMB),
        fixed(cost.coldGBs, 5),
        fixed(cost.warmGBs, 5),
        cost.measuredColdRatio === null ? DASH : (cost.measuredColdRatio * 100).toFixed(1),
        fixed(cost.perMillionMeasured, 2),
        fixed(cost.perMillionAtRatio, 2),
        v.state === 'measured' ? ms(v.expectedLatencyMs) : DASH,
      ],
      bestCell: v.name === cheapest ? COST_BEST_CELL : -1,
    };
  });
}

/** Footnotes for what the tables show: the best mark, dashes, how intervals were made. */
export function footnotes(summary: RunSummary, bestMark: string): string[] {
  const notes: string[] = [];
  notes.push(`${bestMark} lowest of its kind.`);
  for (const r of otherVersionRuntimes(summary))
    notes.push(`${OTHER_VERSION_MARK} ${r.runtime} ran on the local ${r.family} ${r.version} (${r.path}): its times are not ${r.runtime}'s.`);
  const dashed = summary.variants.some((v) => [v.cold.latency, v.warm.latency].some((s) => s.n > 0 && (s.p90 === null || s.p99 === null)));
  if (dashed) notes.push(`${DASH} not enough samples: p90 needs n ≥ ${P90_MIN_N}, p99 n ≥ ${P99_MIN_N}.`);
  notes.push(
    `Cold = Init + Duration (Restore + Duration for SnapStart); warm = Duration. Statistics use successful samples; 95 % CI of the median: percentile bootstrap, ${BOOTSTRAP_RESAMPLES} resamples, seed ${summary.options.seed}.`,
  );
  const e = summary.estimates;
  if (e) {
    const span = e.reference.from && e.reference.to ? ` ${e.reference.from}…${e.reference.to}` : '';
    notes.push(
      `${ESTIMATE_HEADER}: an estimate of the median on real Lambda, not a measurement: 90 % interval in brackets; model ${e.model} (CPU speed × ${fixed(e.speed, 3)}) from the calibration ${e.file} of ${e.calibratedAt.slice(0, 10)}, reference ${e.reference.name}${span}; ${initLoadText(e.initLoadFactors)}local Durations divided by the host CPU load factor ${fixed(e.loadFactor, 2)}.` +
        (e.localThrottled === false
          ? " This run's invoke phase was not throttled (no cgroup v1 cpu controller): its Durations are full-speed CPU work, throttled as on Lambda only in the estimate."
          : ''),
    );
    for (const [variant, why] of Object.entries(e.missing)) notes.push(`${DASH} ${variant}: no estimate: ${why}.`);
  }
  notes.push(
    `Cost: ${summary.options.region} prices (first tier), the reported Billed Duration of every invocation, failed and timed-out ones included (AWS bills them), requests at $0.20 per 1 M. Billed mean: the same invocations.`,
  );
  return notes;
}
