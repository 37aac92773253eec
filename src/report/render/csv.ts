/** CSV: one row per variant and kind, raw numbers (3 decimals), units in the column names. */
import type { MaybeNumber, RunSummary } from '../types.ts';

export const CSV_COLUMNS = [
  'variant',
  'kind',
  'state',
  'memory_mb',
  'architecture',
  'samples',
  'n',
  'errors',
  'timeouts',
  'median_ms',
  'median_ci_low_ms',
  'median_ci_high_ms',
  'p90_ms',
  'p99_ms',
  'mean_ms',
  'sd_ms',
  'min_ms',
  'max_ms',
  'init_median_ms',
  'restore_median_ms',
  'duration_median_ms',
  'billed_mean_ms',
  'max_memory_median_mb',
  'outliers',
  'gb_seconds_mean',
  'forced_but_warm',
  'lambda_estimate_median_ms',
  'lambda_estimate_low_ms',
  'lambda_estimate_high_ms',
] as const;

function num(value: MaybeNumber | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return String(Math.round(value * 1000) / 1000);
}

/** RFC 4180 quoting for the rare variant name with a comma or quote. */
function text(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV row per variant and kind, columns as CSV_COLUMNS. */
export function renderCsv(summary: RunSummary): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const v of summary.variants) {
    for (const kind of ['cold', 'warm'] as const) {
      const k = v[kind];
      const s = k.latency;
      const gbs = v.state === 'measured' ? (kind === 'cold' ? v.cost.coldGBs : v.cost.warmGBs) : null;
      const row = [
        text(v.name),
        kind,
        v.state,
        num(v.memoryMB),
        v.architecture,
        String(k.counts.total),
        String(s.n),
        String(k.counts.error),
        String(k.counts.timeout),
        num(s.median),
        num(s.medianCI?.[0]),
        num(s.medianCI?.[1]),
        num(s.p90),
        num(s.p99),
        num(s.mean),
        num(s.sd),
        num(s.min),
        num(s.max),
        kind === 'cold' ? num(v.cold.init.median) : '',
        kind === 'cold' ? num(v.cold.restore.median) : '',
        kind === 'cold' ? num(v.cold.duration.median) : num(s.median),
        num(k.billed.mean),
        num(k.maxMemory.median),
        String(k.outliers.count),
        num(gbs),
        kind === 'warm' ? String(v.forcedButWarm) : '',
        num(k.lambdaEstimate?.median),
        num(k.lambdaEstimate?.low),
        num(k.lambdaEstimate?.high),
      ];
      lines.push(row.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
