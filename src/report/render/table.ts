/** The terminal table `coldbench report` and `coldbench bench` print (hyperfine's layout). */
import type { RunSummary } from '../types.ts';
import { type Align, alignColumns } from './columns.ts';
import { costHeaders, costRows, footnotes, latencyHeaders, latencyRows, type LatencyRow } from './rows.ts';

const BEST_MARK = '*';
const GREEN_BOLD = (s: string) => `\u001b[1;32m${s}\u001b[0m`;
const YELLOW = (s: string) => `\u001b[33m${s}\u001b[0m`;

/** Left-aligned names, right-aligned numbers. */
function aligns(headers: string[], textColumns: number, trailingText: number): Align[] {
  return headers.map((_, i) => (i < textColumns || i >= headers.length - trailingText ? 'left' : 'right'));
}

/** A borderless table, only a rule under the header: text columns left, numbers right, the best cell marked (green when colour is on). */
export function renderTable(headers: string[], rows: LatencyRow[], textColumns: number, color: boolean, trailingText = 0): string {
  const rule = headers.map((h) => '─'.repeat(h.length));
  // Cells in a column with a best mark get the mark's width as padding, so digits stay aligned.
  const marked = new Set(rows.map((r) => r.bestCell).filter((i) => i >= 0));
  const cells = rows.map((r) =>
    r.cells.map((cell, i) => {
      if (i !== r.bestCell) return marked.has(i) ? `${cell}  ` : cell;
      return color ? GREEN_BOLD(`${cell} ${BEST_MARK}`) : `${cell} ${BEST_MARK}`;
    }),
  );
  return alignColumns([headers, rule, ...cells], aligns(headers, textColumns, trailingText));
}

/** The whole run: latency per variant and kind, cost, comparisons, recommendations, warnings. */
export function renderSummaryTable(summary: RunSummary, options: { color?: boolean } = {}): string {
  const color = options.color ?? false;
  const out: string[] = [];
  out.push(`coldbench run ${summary.run.runId}${summary.run.suite ? ` (suite ${summary.run.suite.name})` : ''}`);
  if (summary.variants.length === 0) return `${out[0]}: no samples recorded.\n`;
  out.push('');
  out.push(renderTable(latencyHeaders(summary), latencyRows(summary), 2, color));
  out.push('');
  const cost = costRows(summary);
  if (cost.length) {
    out.push(renderTable(costHeaders(summary), cost, 2, color));
    out.push('');
  }
  if (summary.comparisons.length) {
    out.push('Summary');
    for (const c of summary.comparisons) out.push(`  ${c.text}`);
    out.push('');
  }
  for (const c of summary.startup ?? []) {
    out.push(`Startup of ${c.group} (on-demand vs provisioned concurrency vs SnapStart)`);
    for (const line of c.text) out.push(`  ${line}`);
    out.push('');
  }
  if (summary.recommendations.length) {
    out.push(`Memory (optimize ${summary.options.optimize})`);
    for (const r of summary.recommendations) out.push(`  ${r.text}`);
    out.push('');
  }
  if (summary.notes.length) {
    for (const n of summary.notes) out.push(color ? YELLOW(`Warning: ${n}`) : `Warning: ${n}`);
    out.push('');
  }
  for (const f of footnotes(summary, BEST_MARK)) out.push(f);
  return `${out.join('\n')}\n`;
}
