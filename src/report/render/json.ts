/** The exported summary (docs/report-json.md): the RunSummary itself, readable back by report/compare. */
import type { RunComparison, RunSummary } from '../types.ts';

/** Pretty-printed, but arrays of numbers kept on one line so a big run stays a readable file. */
export function stableJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  return `${text.replace(/\[\n\s+(-?[\d.e+-]+(?:,\n\s+-?[\d.e+-]+)*)\n\s+\]/g, (_m, body: string) => `[${body.replace(/,\n\s+/g, ', ')}]`)}\n`;
}

/** The summary as JSON (docs/report-json.md); `report` and `compare` read it back. */
export function renderJson(summary: RunSummary): string {
  return stableJson(summary);
}

/** A run comparison as JSON (docs/report-json.md, last section). */
export function renderComparisonJson(comparison: RunComparison): string {
  return stableJson(comparison);
}
