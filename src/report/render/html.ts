/**
 * One self-contained HTML file: tables, box plots of cold and warm latency per variant and a
 * cost-vs-latency chart across memory sizes. Inline CSS and SVG only — no script, font or
 * network request — so it opens offline and can be attached to a CI run as is.
 */
import type { RunSummary } from '../types.ts';
import { formatRatio } from '../cost.ts';
import { costHeaders, costRows, footnotes, latencyHeaders, latencyRows, type LatencyRow } from './rows.ts';
import { boxPlotSvg, costLatencySvg, esc } from './svg.ts';

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.8em}table{border-collapse:collapse;margin:.6em 0}
th,td{padding:.25em .6em;border-bottom:1px solid #ddd;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.best{font-weight:bold;color:#17702a}svg{display:block;margin:.5em 0;font-size:12px}svg rect{fill:#cfe2f3;stroke:#3b6ea5}
svg line{stroke:#555}svg line.median{stroke:#c0392b;stroke-width:2}svg .axis{stroke:#999}svg circle.outlier{fill:none;stroke:#c0392b}
svg .family{stroke-width:1.5}.notes li{color:#8a5a00}.foot{color:#666;font-size:.9em}p.empty{color:#666}`;

/** Which statistic a column of the latency table holds, for data-stat (the test matches JSON by it). */
const LATENCY_STATS: Record<number, string> = { 2: 'n', 3: 'median', 5: 'p90', 6: 'p99' };

function tableHtml(id: string, headers: string[], rows: LatencyRow[], textColumns: number, stats: Record<number, string> = {}): string {
  const head = `<tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => {
      const cells = r.cells.map((c, i) => {
        const cls = [i >= textColumns ? 'num' : '', i === r.bestCell ? 'best' : ''].filter(Boolean).join(' ');
        const stat = stats[i] ? ` data-stat="${stats[i]}"` : '';
        return `<td${cls ? ` class="${cls}"` : ''}${stat}>${esc(c)}${i === r.bestCell ? ' ★' : ''}</td>`;
      });
      return `<tr data-variant="${esc(r.variant)}"${r.kind ? ` data-kind="${r.kind}"` : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<table id="${id}">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** The whole run as one offline HTML page (tables, box plots, cost-vs-latency chart). */
export function renderHtml(summary: RunSummary): string {
  const measured = summary.variants.filter((v) => v.state === 'measured');
  const ratio = formatRatio(summary.options.coldRatio);
  const title = `coldbench ${summary.run.runId}`;
  const sub = [
    summary.run.suite ? `suite ${summary.run.suite.name}` : '',
    summary.run.target ? `target ${summary.run.target.kind}` : '',
    summary.run.startedAt ? `started ${summary.run.startedAt}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const points = measured
    .filter((v) => v.expectedLatencyMs !== null && v.cost.perMillionAtRatio !== null)
    .map((v) => ({ name: v.name, family: v.family, memoryMB: v.memoryMB ?? 0, latencyMs: v.expectedLatencyMs as number, perMillion: v.cost.perMillionAtRatio as number }));
  const list = (items: string[], cls = '') => (items.length ? `<ul${cls ? ` class="${cls}"` : ''}>${items.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : '');
  const body = [
    `<h1>${esc(title)}</h1>`,
    sub ? `<p>${esc(sub)}</p>` : '',
    '<h2>Latency</h2>',
    tableHtml('latency', latencyHeaders(summary), latencyRows(summary), 2, LATENCY_STATS),
    '<h2>Cold starts (Init + Duration)</h2>',
    boxPlotSvg(
      'cold-boxes',
      'Cold start latency per variant [ms]',
      measured.map((v) => ({ name: v.name, values: v.cold.values })),
    ),
    '<h2>Warm invocations (Duration)</h2>',
    boxPlotSvg(
      'warm-boxes',
      'Warm invocation latency per variant [ms]',
      measured.map((v) => ({ name: v.name, values: v.warm.values })),
    ),
    `<h2>Cost and latency at ${esc(ratio)} cold starts</h2>`,
    tableHtml('cost', costHeaders(summary), costRows(summary), 2, { 7: 'perMillion' }),
    costLatencySvg('cost-latency', `Cost per 1 M invocations against expected latency at ${ratio} cold starts`, points),
    summary.comparisons.length ? `<h2>Summary</h2>${list(summary.comparisons.map((c) => c.text))}` : '',
    ...(summary.startup ?? []).map((c) => `<h2>Startup of ${esc(c.group)} (on-demand vs provisioned concurrency vs SnapStart)</h2>${list(c.text)}`),
    summary.recommendations.length ? `<h2>Memory (optimize ${esc(summary.options.optimize)})</h2>${list(summary.recommendations.map((r) => r.text))}` : '',
    summary.notes.length ? `<h2>Warnings</h2>${list(summary.notes, 'notes')}` : '',
    `<div class="foot">${footnotes(summary, '★')
      .map((f) => `<p>${esc(f)}</p>`)
      .join('')}</div>`,
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
