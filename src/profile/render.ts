/**
 * Profile report → text, in the report's formats (table, markdown, json, html). Pure.
 * Units in headers, numbers in cells, `—` where there is no value (a module the package does
 * not ship has no size), a saving always with how it was obtained.
 */
import { DASH, ms } from '../report/format.ts';
import { alignColumns } from '../report/render/columns.ts';
import type { ModuleEntry } from './group.ts';
import type { ProfileFormat, ProfileReport, Recommendation } from './types.ts';

/** Packages shown in table / markdown / html (the JSON holds every one). */
export const SHOWN_PACKAGES = 12;
/** Children shown under each package in the tree; the handler's (its own imports) get more. */
export const SHOWN_CHILDREN = 3;
export const SHOWN_HANDLER_CHILDREN = 6;

const HEADERS = ['Module', 'Kind', 'Self [ms]', 'Cumulative [ms]', 'Share of init', 'Size [MB]'];

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const mb = (bytes: number | null): string => (bytes === null ? DASH : (bytes / 1024 / 1024).toFixed(1));

interface Row {
  cells: string[];
}

function moduleRows(report: ProfileReport): Row[] {
  const rows: Row[] = [];
  for (const m of report.modules.slice(0, SHOWN_PACKAGES)) {
    rows.push({ cells: [m.name, m.kind, ms(m.selfMs), ms(m.cumulativeMs), pct(m.share), mb(m.sizeBytes)] });
    for (const c of m.children.slice(0, m.kind === 'handler' ? SHOWN_HANDLER_CHILDREN : SHOWN_CHILDREN))
      rows.push({ cells: [`  ${c.name}`, '', ms(c.selfMs), ms(c.cumulativeMs), pct(c.share), c.sizeBytes === null ? '' : mb(c.sizeBytes)] });
  }
  return rows;
}

/** `saves 612.3 ms per cold start (estimated from the import trace)` and its measured form. */
export function savingText(rec: Recommendation): string {
  const text = localSavingText(rec);
  const e = rec.lambdaSaving;
  return e ? `${text}; on Lambda ≈ ${ms(e.median)} ms (est. ${ms(e.low)}–${ms(e.high)} ms)` : text;
}

function localSavingText(rec: Recommendation): string {
  const per = rec.per === 'cold-start' ? 'per cold start' : 'per invocation';
  if (rec.savingMs === null) return `saving not estimated${rec.unverifiedReason ? ` (${rec.unverifiedReason})` : ''}`;
  if (rec.verified && rec.ci && rec.n) {
    const interval = `95 % CI ${ms(rec.ci[0])}–${ms(rec.ci[1])} ms, n = ${rec.n.baseline} + ${rec.n.variant}`;
    // An interval that holds zero is no evidence of a saving, whatever the point estimate says.
    if (rec.ci[0] <= 0 && rec.ci[1] >= 0) return `no measurable saving ${per}: measured ${ms(rec.savingMs)} ms (${interval})`;
    return `saves ${ms(rec.savingMs)} ms ${per}, measured (${interval})`;
  }
  // Every reason a saving was not measured starts "not measured" (rules.ts notMeasured); without one, say so.
  return `saves ~${ms(rec.savingMs)} ms ${per}, ${rec.basis}${rec.unverifiedReason ? ` (${rec.unverifiedReason})` : ', not measured'}`;
}

/** Where the "on Lambda ≈" figures come from: they are estimates, and say of what. */
export function estimatesNote(e: NonNullable<ProfileReport['lambdaEstimates']>): string {
  return `On Lambda ≈: an estimate, not a measurement: the local saving × the calibration's CPU speed factor ${e.speed.toFixed(3)} (${e.file} of ${e.calibratedAt.slice(0, 10)}, reference ${e.reference}), 90 % interval in brackets.`;
}

function heading(report: ProfileReport): string[] {
  const f = report.function;
  const unshown = report.modules.length - Math.min(report.modules.length, SHOWN_PACKAGES);
  return [
    `coldbench profile ${f.variant ?? f.name} (${f.handler}, ${f.runtime}, ${f.memoryMB} MB) on the ${report.target}`,
    `Init Duration ${ms(report.initMs)} ms, traced with ${report.tracing}; ${ms(report.unattributedMs)} ms of it outside any traced import (interpreter start, runtime client)`,
    `Warm Duration (median) ${report.warm.medianMs === null ? DASH : `${ms(report.warm.medianMs)} ms`} [n = ${report.warm.n}]`,
    ...(unshown > 0 ? [`${unshown} smaller modules are in --format json`] : []),
  ];
}

/** The terminal rendering: the module table (packages with their heaviest children) and the ranked advice. */
export function renderProfileTable(report: ProfileReport): string {
  const table = alignColumns([HEADERS, HEADERS.map((h) => '─'.repeat(h.length)), ...moduleRows(report).map((r) => r.cells)], ['left', 'left', 'right', 'right', 'right', 'right']);
  const out = [...heading(report), '', table, ''];
  out.push(report.recommendations.length ? 'Recommendations (largest saving first)' : 'Recommendations: none; no rule found anything to change');
  report.recommendations.forEach((r, i) => {
    out.push(` ${i + 1}. ${r.rule}  ${r.target}: ${savingText(r)}${r.verified ? '  [verified]' : ''}`);
    out.push(`    ${r.action}`);
    out.push(`    Evidence: ${r.evidence}`);
  });
  for (const n of report.notes) out.push(`Note: ${n}`);
  if (report.lambdaEstimates) out.push(estimatesNote(report.lambdaEstimates));
  return `${out.join('\n')}\n`;
}

const mdEscape = (s: string): string => s.replace(/\|/g, '\\|');

/** Markdown for a pull-request comment or a step summary. */
export function renderProfileMarkdown(report: ProfileReport): string {
  const out = heading(report).map((l, i) => (i === 0 ? `### ${l}` : l));
  out.splice(1, 0, '');
  out.push('', `| ${HEADERS.join(' | ')} |`, `|${HEADERS.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of moduleRows(report)) out.push(`| ${r.cells.map((c, i) => (i === 0 && c.startsWith('  ') ? `↳ ${mdEscape(c.trim())}` : mdEscape(c))).join(' | ')} |`);
  out.push('', '#### Recommendations', '');
  if (report.recommendations.length === 0) out.push('None: no rule found anything to change.');
  report.recommendations.forEach((r, i) => {
    out.push(`${i + 1}. **${r.rule}** \`${r.target}\`: ${savingText(r)}${r.verified ? ' ✅ verified' : ''}  `, `   ${r.action}  `, `   _Evidence:_ ${r.evidence}`);
  });
  for (const n of report.notes) out.push('', `> ${n}`);
  if (report.lambdaEstimates) out.push('', `> ${estimatesNote(report.lambdaEstimates)}`);
  return `${out.join('\n')}\n`;
}

/** The machine-readable report: `modules` (sorted by cumulativeMs), `initMs`, `recommendations`, and the context. */
export function renderProfileJson(report: ProfileReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function htmlBar(m: ModuleEntry, max: number): string {
  const self = max > 0 ? (m.selfMs / max) * 100 : 0;
  const rest = max > 0 ? ((m.cumulativeMs - m.selfMs) / max) * 100 : 0;
  return `<div class="bar"><span class="self" style="width:${self.toFixed(2)}%"></span><span class="deps" style="width:${Math.max(0, rest).toFixed(2)}%"></span></div>`;
}

/** One self-contained HTML file (no scripts, no external assets): the table with bars and the advice. */
export function renderProfileHtml(report: ProfileReport): string {
  const max = Math.max(...report.modules.map((m) => m.cumulativeMs), 0);
  const rows = report.modules
    .slice(0, SHOWN_PACKAGES)
    .map(
      (m) =>
        `<tr><td>${esc(m.name)}</td><td>${m.kind}</td><td class="n">${ms(m.selfMs)}</td><td class="n">${ms(m.cumulativeMs)}</td><td class="n">${pct(m.share)}</td><td class="n">${mb(m.sizeBytes)}</td><td>${htmlBar(m, max)}</td></tr>`,
    )
    .join('\n');
  const recs = report.recommendations
    .map(
      (r) =>
        `<li><b>${esc(r.rule)}</b> <code>${esc(r.target)}</code>: ${esc(savingText(r))}${r.verified ? ' <span class="ok">verified</span>' : ''}<br>${esc(r.action)}<br><small>Evidence: ${esc(r.evidence)}</small></li>`,
    )
    .join('\n');
  const head = heading(report);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(head[0])}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{width:16rem;height:.8rem;background:#f2f2f2;display:flex}.self{background:#3a6ea5}.deps{background:#9cc0e6}
.ok{color:#1a7f37;font-weight:bold}li{margin-bottom:.8rem}
</style></head><body>
<h1>${esc(head[0])}</h1>
${head
  .slice(1)
  .map((l) => `<p>${esc(l)}</p>`)
  .join('\n')}
<table><thead><tr>${HEADERS.map((h, i) => `<th${i >= 2 ? ' class="n"' : ''}>${esc(h)}</th>`).join('')}<th>self / dependencies</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Recommendations</h2>
<ol>
${recs || '<li>None: no rule found anything to change.</li>'}
</ol>
${report.notes.map((n) => `<p><small>${esc(n)}</small></p>`).join('\n')}
</body></html>
`;
}

/** Renders the report in one format. */
export function renderProfile(report: ProfileReport, format: ProfileFormat): string {
  if (format === 'markdown') return renderProfileMarkdown(report);
  if (format === 'json') return renderProfileJson(report);
  if (format === 'html') return renderProfileHtml(report);
  return renderProfileTable(report);
}
