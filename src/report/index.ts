/**
 * The report's public API: samples → summary → text. Pure: no files, clocks or network.
 * The CLI (`report`, `compare`) and the harness (`bench` prints `render(summarize(...), 'table')`)
 * use only these names.
 */
export { summarize, familyOf, type SummarizeOptions } from './summarize.ts';
export { DEFAULT_COLD_RATIO, DEFAULT_SEED } from './defaults.ts';
export { render, renderComparison, REPORT_FORMATS, COMPARISON_FORMATS, type ReportFormat, type ComparisonFormat, type RenderOptions } from './render/index.ts';
export { compareRuns, metricLabel, type CompareOptions } from './run-compare.ts';
export { isRunSummary, parseSampleLine } from './parse.ts';
export { NoCommonVariantsError, ReferenceVariantError, SummaryFormatError } from './errors.ts';
export { PRICES, DEFAULT_REGION, regionPrices, tieredDurationCost, type RegionPrices, type PriceTier, type Architecture } from './prices.ts';
export type * from './types.ts';
export type { RunInfo, PlannedVariant, RunInterpreter } from './run-info.ts';
