/** The renderer registry: format name → pure function of the summary. */
import type { RunComparison, RunSummary } from '../types.ts';
import { renderSummaryTable } from './table.ts';
import { renderMarkdown } from './markdown.ts';
import { renderComparisonJson, renderJson } from './json.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderComparisonMarkdown, renderComparisonTable } from './comparison.ts';

export type ReportFormat = 'table' | 'markdown' | 'json' | 'csv' | 'html';
export type ComparisonFormat = 'table' | 'markdown' | 'json';
export interface RenderOptions {
  color?: boolean;
}

export const REPORT_FORMATS: Record<ReportFormat, (summary: RunSummary, options: RenderOptions) => string> = {
  table: (s, o) => renderSummaryTable(s, o),
  markdown: (s) => renderMarkdown(s),
  json: (s) => renderJson(s),
  csv: (s) => renderCsv(s),
  html: (s) => renderHtml(s),
};

export const COMPARISON_FORMATS: Record<ComparisonFormat, (c: RunComparison, options: RenderOptions) => string> = {
  table: (c, o) => renderComparisonTable(c, o.color ?? false),
  markdown: (c) => renderComparisonMarkdown(c),
  json: (c) => renderComparisonJson(c),
};

/** Renders a run summary in one format; colours (table only) only when options.color. */
export function render(summary: RunSummary, format: ReportFormat, options: RenderOptions = {}): string {
  const renderer = REPORT_FORMATS[format];
  if (!renderer) throw new Error(`unknown report format "${format}"; use one of ${Object.keys(REPORT_FORMATS).join(', ')}`);
  return renderer(summary, options);
}

/** Renders a run comparison (`coldbench compare`). */
export function renderComparison(comparison: RunComparison, format: ComparisonFormat, options: RenderOptions = {}): string {
  const renderer = COMPARISON_FORMATS[format];
  if (!renderer) throw new Error(`unknown comparison format "${format}"; use one of ${Object.keys(COMPARISON_FORMATS).join(', ')}`);
  return renderer(comparison, options);
}
