/** `coldbench compare` output: one row per common variant. */
import type { RunComparison } from '../types.ts';
import { metricLabel, thresholdPercent } from '../run-compare.ts';
import { renderTable } from './table.ts';
import { markdownTable } from './markdown.ts';
import type { LatencyRow } from './rows.ts';
import { DASH, percentChange, pValue } from '../format.ts';

function headers(c: RunComparison): string[] {
  const unit = c.normalizeBy ? `[× ${c.normalizeBy}]` : c.metric === 'cost' ? '[$ per 1 M]' : '[ms]';
  return ['Variant', `Base ${unit}`, `Current ${unit}`, 'Change [%]', '95 % CI [%]', 'p', 'Verdict'];
}

function rows(c: RunComparison): LatencyRow[] {
  const value = (v: number | null) => (v === null ? DASH : c.normalizeBy ? v.toFixed(3) : c.metric === 'cost' ? v.toFixed(2) : v.toFixed(1));
  return c.changes.map((ch) => ({
    variant: ch.variant,
    kind: '',
    cells: [
      ch.variant,
      value(ch.base),
      value(ch.cur),
      ch.ratio === null ? 'n/a' : percentChange(ch.ratio),
      ch.ratioCI ? `${percentChange(ch.ratioCI[0])} to ${percentChange(ch.ratioCI[1])}` : DASH,
      ch.p === null ? DASH : pValue(ch.p).replace(/^p [=<] /, (m) => (m.includes('<') ? '< ' : '')),
      ch.regression ? 'REGRESSION' : ch.improvement ? 'improvement' : ch.significant ? 'within threshold' : ch.ratio === null ? 'n/a' : 'no significant change',
    ],
    bestCell: -1,
  }));
}

function title(c: RunComparison): string {
  return `${metricLabel(c.metric)}${c.normalizeBy ? ` relative to ${c.normalizeBy}` : ''}: ${c.cur} against ${c.base}, threshold ${thresholdPercent(c.threshold)} %`;
}

function verdict(c: RunComparison): string {
  return c.regressions
    ? `${c.regressions} significant regression${c.regressions === 1 ? '' : 's'} at or beyond ${thresholdPercent(c.threshold)} %.`
    : `No significant regression at or beyond ${thresholdPercent(c.threshold)} %.`;
}

function unmatched(c: RunComparison): string[] {
  const out: string[] = [];
  if (c.onlyInBase.length) out.push(`Only in BASE (not compared): ${c.onlyInBase.join(', ')}`);
  if (c.onlyInCur.length) out.push(`Only in CUR (not compared): ${c.onlyInCur.join(', ')}`);
  return out;
}

/** The terminal table of `coldbench compare`: one row per variant, then the sentences and the verdict. */
export function renderComparisonTable(c: RunComparison, color = false): string {
  const out = [title(c), '', renderTable(headers(c), rows(c), 1, color, 1), '', ...c.changes.map((ch) => `  ${ch.text}`), ''];
  out.push(...unmatched(c), verdict(c), 'Significant = the 95 % bootstrap CI of current/base excludes 1.');
  return `${out.join('\n')}\n`;
}

/** The markdown of `coldbench compare`, for a PR comment or the step summary. */
export function renderComparisonMarkdown(c: RunComparison): string {
  const out = [`### coldbench compare: ${title(c)}`, '', markdownTable(headers(c), rows(c), 1, 1), '', ...c.changes.map((ch) => `- ${ch.text}`), ''];
  for (const u of unmatched(c)) out.push(`${u}  `);
  out.push(`**${verdict(c)}**`, '', '<sub>Significant = the 95 % bootstrap CI of current/base excludes 1.</sub>');
  return `${out.join('\n')}\n`;
}
