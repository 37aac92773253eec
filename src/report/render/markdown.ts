/** Markdown for pull-request comments and GitHub step summaries. */
import type { RunSummary } from '../types.ts';
import { costHeaders, costRows, footnotes, latencyHeaders, latencyRows, type LatencyRow } from './rows.ts';

const BEST_MARK = '**★**';

/** A GitHub table: `|` escaped in cells, numbers right-aligned. */
export function markdownTable(headers: string[], rows: LatencyRow[], textColumns: number, trailingText = 0): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${headers.map(esc).join(' | ')} |`, `|${headers.map((_, i) => (i < textColumns || i >= headers.length - trailingText ? ':---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const cells = r.cells.map((c, i) => (i === r.bestCell ? `**${esc(c)}** ★` : esc(c)));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The run as GitHub markdown: latency and cost tables, summary sentences, warnings, footnotes. */
export function renderMarkdown(summary: RunSummary): string {
  const out: string[] = [];
  out.push(`### coldbench: ${summary.run.runId}${summary.run.suite ? ` (suite \`${summary.run.suite.name}\`)` : ''}`);
  if (summary.variants.length === 0) return `${out[0]}\n\nNo samples recorded.\n`;
  out.push('');
  out.push(markdownTable(latencyHeaders(summary), latencyRows(summary), 2));
  out.push('');
  const cost = costRows(summary);
  if (cost.length) {
    out.push(markdownTable(costHeaders(summary), cost, 2));
    out.push('');
  }
  if (summary.comparisons.length) {
    out.push('**Summary**');
    out.push('');
    for (const c of summary.comparisons) out.push(`- ${c.text}`);
    out.push('');
  }
  for (const c of summary.startup ?? []) {
    out.push(`**Startup of ${c.group}** (on-demand vs provisioned concurrency vs SnapStart)`);
    out.push('');
    for (const line of c.text) out.push(`- ${line}`);
    out.push('');
  }
  if (summary.recommendations.length) {
    out.push(`**Memory** (optimize ${summary.options.optimize})`);
    out.push('');
    for (const r of summary.recommendations) out.push(`- ${r.text}`);
    out.push('');
  }
  if (summary.notes.length) {
    out.push('> [!WARNING]');
    for (const n of summary.notes) out.push(`> ${n}`);
    out.push('');
  }
  for (const f of footnotes(summary, BEST_MARK)) out.push(`<sub>${f}</sub><br>`);
  return `${out.join('\n')}\n`;
}
