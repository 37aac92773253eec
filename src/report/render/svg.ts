/**
 * Inline SVG charts for the HTML report: horizontal box plots and a cost-vs-latency scatter.
 * Plain strings, no script, so the file renders offline and in any browser.
 */
import { quantileSorted } from '../stats.ts';

/** Escapes text for HTML and SVG content and attributes. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round for SVG coordinates: two decimals keep files small and output stable. */
const r2 = (x: number) => Math.round(x * 100) / 100;

/** 1, 2 or 5 × 10^k steps giving about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  // From the step at or below lo to the step at or above hi, so the axis covers every value.
  const ticks: number[] = [];
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step - 1e-9);
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

export interface BoxData {
  name: string;
  values: number[];
}

/** Tukey's box: quartiles, whiskers at the furthest values within 1.5 IQR, points beyond. */
export function boxStats(sorted: number[]) {
  const q1 = quantileSorted(sorted, 0.25) as number;
  const median = quantileSorted(sorted, 0.5) as number;
  const q3 = quantileSorted(sorted, 0.75) as number;
  const iqr = q3 - q1;
  const inside = sorted.filter((x) => x >= q1 - 1.5 * iqr && x <= q3 + 1.5 * iqr);
  return { q1, median, q3, low: inside[0], high: inside[inside.length - 1], beyond: sorted.filter((x) => x < q1 - 1.5 * iqr || x > q3 + 1.5 * iqr) };
}

const ROW = 34;
const LEFT = 170;
const WIDTH = 720;
const AXIS = 36;

/** One horizontal box per variant with values, on a shared millisecond axis. */
export function boxPlotSvg(id: string, title: string, boxes: BoxData[]): string {
  const withData = boxes.filter((b) => b.values.length > 0);
  if (withData.length === 0) return `<p class="empty">${esc(title)}: no successful samples.</p>`;
  const lo = Math.min(...withData.map((b) => b.values[0]));
  const hi = Math.max(...withData.map((b) => b.values[b.values.length - 1]));
  const ticks = niceTicks(Math.min(0, lo), hi === lo ? hi + 1 : hi);
  const min = ticks[0];
  const max = Math.max(ticks[ticks.length - 1], hi);
  const x = (v: number) => r2(LEFT + ((v - min) / (max - min || 1)) * (WIDTH - LEFT - 20));
  const height = withData.length * ROW + AXIS + 10;
  const parts: string[] = [];
  parts.push(`<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(title)}">`);
  parts.push(`<title>${esc(title)}</title>`);
  withData.forEach((b, i) => {
    const s = boxStats(b.values);
    const y = 10 + i * ROW;
    const mid = y + ROW / 2 - 4;
    parts.push(`<g class="box" data-variant="${esc(b.name)}" data-median="${s.median}" data-q1="${s.q1}" data-q3="${s.q3}" data-n="${b.values.length}">`);
    parts.push(`<text x="${LEFT - 8}" y="${mid + 4}" text-anchor="end">${esc(b.name)}</text>`);
    parts.push(`<line class="whisker" x1="${x(s.low)}" x2="${x(s.high)}" y1="${mid}" y2="${mid}"/>`);
    parts.push(`<rect x="${x(s.q1)}" y="${y + 2}" width="${r2(Math.max(1, x(s.q3) - x(s.q1)))}" height="${ROW - 12}"/>`);
    parts.push(`<line class="median" x1="${x(s.median)}" x2="${x(s.median)}" y1="${y + 2}" y2="${y + ROW - 10}"/>`);
    for (const v of s.beyond) parts.push(`<circle class="outlier" cx="${x(v)}" cy="${mid}" r="3"/>`);
    parts.push('</g>');
  });
  const axisY = 10 + withData.length * ROW;
  parts.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - 20}" y1="${axisY}" y2="${axisY}"/>`);
  for (const t of ticks) parts.push(`<text class="tick" x="${x(t)}" y="${axisY + 16}" text-anchor="middle">${t}</text>`);
  parts.push(`<text class="unit" x="${WIDTH - 20}" y="${axisY + 32}" text-anchor="end">ms</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export interface ScatterPoint {
  name: string;
  family: string;
  memoryMB: number;
  latencyMs: number;
  perMillion: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** Cost per 1 M (y) against expected latency (x), one line per family across its memory sizes. */
export function costLatencySvg(id: string, title: string, points: ScatterPoint[]): string {
  if (points.length === 0) return `<p class="empty">${esc(title)}: no priced variant.</p>`;
  const W = WIDTH;
  const H = 360;
  const pad = { l: 70, r: 20, t: 16, b: 46 };
  // 10 % headroom so the largest point and its label stay inside the frame.
  const xt = niceTicks(0, 1.1 * Math.max(...points.map((p) => p.latencyMs)) || 1);
  const yt = niceTicks(0, 1.1 * Math.max(...points.map((p) => p.perMillion)) || 1);
  const xMax = Math.max(xt[xt.length - 1], ...points.map((p) => p.latencyMs));
  const yMax = Math.max(yt[yt.length - 1], ...points.map((p) => p.perMillion));
  const x = (v: number) => r2(pad.l + (v / (xMax || 1)) * (W - pad.l - pad.r));
  const y = (v: number) => r2(H - pad.b - (v / (yMax || 1)) * (H - pad.t - pad.b));
  const parts: string[] = [
    `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
  ];
  parts.push(
    `<line class="axis" x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}"/><line class="axis" x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}"/>`,
  );
  for (const t of xt) parts.push(`<text class="tick" x="${x(t)}" y="${H - pad.b + 16}" text-anchor="middle">${t}</text>`);
  for (const t of yt) parts.push(`<text class="tick" x="${pad.l - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  parts.push(`<text class="unit" x="${W - pad.r}" y="${H - 8}" text-anchor="end">expected latency [ms]</text>`);
  parts.push(`<text class="unit" x="${pad.l}" y="${pad.t - 4}">$ per 1 M</text>`);
  const families = [...new Set(points.map((p) => p.family))];
  // Labels that would overprint an earlier one are left out; every point keeps a hover title.
  const placed: Array<[number, number]> = [];
  const free = (lx: number, ly: number) => !placed.some(([px, py]) => Math.abs(px - lx) < 90 && Math.abs(py - ly) < 13);
  families.forEach((family, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const members = points.filter((p) => p.family === family).sort((a, b) => a.memoryMB - b.memoryMB);
    if (members.length > 1)
      parts.push(`<polyline class="family" fill="none" stroke="${colour}" points="${members.map((p) => `${x(p.latencyMs)},${y(p.perMillion)}`).join(' ')}"/>`);
    for (const p of members) {
      parts.push(
        `<circle class="point" data-variant="${esc(p.name)}" data-latency="${p.latencyMs}" data-cost="${p.perMillion}" cx="${x(p.latencyMs)}" cy="${y(p.perMillion)}" r="5" fill="${colour}"><title>${esc(p.name)}: ${p.latencyMs.toFixed(1)} ms, $${p.perMillion.toFixed(2)} per 1 M</title></circle>`,
      );
      const right = x(p.latencyMs) > W * 0.7;
      if (!free(x(p.latencyMs), y(p.perMillion))) continue;
      placed.push([x(p.latencyMs), y(p.perMillion)]);
      parts.push(`<text class="label" x="${right ? x(p.latencyMs) - 7 : x(p.latencyMs) + 7}" y="${y(p.perMillion) - 6}"${right ? ' text-anchor="end"' : ''}>${esc(p.name)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
