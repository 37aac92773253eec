/**
 * The report's data: what `summarize` returns, what every renderer reads and what the `json`
 * renderer writes (field by field in docs/report-json.md). Plain JSON-safe values only, so an
 * exported summary read back with JSON.parse is a RunSummary again (`compare` takes either).
 */
import type { Architecture, InitializationType } from '../vocabulary.ts';
import type { LambdaEstimate } from '../calibration/predict.ts';
import type { EstimatesInfo } from './estimates.ts';
import type { RunInfo } from './run-info.ts';

/** A statistic the sample size cannot support is `null` (shown as `—` with a footnote). */
export type MaybeNumber = number | null;

/** Descriptive statistics of one column (milliseconds or MB), all from successful samples. */
export interface Stats {
  n: number;
  median: MaybeNumber;
  /** null when n < P90_MIN_N. */
  p90: MaybeNumber;
  /** null when n < P99_MIN_N. */
  p99: MaybeNumber;
  mean: MaybeNumber;
  /** Sample standard deviation (n − 1); null when n < 2. */
  sd: MaybeNumber;
  min: MaybeNumber;
  max: MaybeNumber;
  /** 95 % percentile-bootstrap interval of the median; null when n = 0. */
  medianCI: [number, number] | null;
}

/** Outliers of a column by the modified z-score on the MAD (hyperfine's rule), flagged only. */
export interface Outliers {
  count: number;
  /** 0-based positions in arrival order among the successful samples of the variant and kind. */
  indices: number[];
  /** The outlying values themselves, in the same order. */
  values: number[];
  /** The first sample is an outlier on the slow side (its own hint, as in hyperfine). */
  slowFirst: boolean;
}

export interface KindCounts {
  /** Every sample of this kind, whatever its status. */
  total: number;
  success: number;
  error: number;
  timeout: number;
  /** Succeeded, but the log gave no Duration (e.g. an Azure `Executed` line without it): in no statistic, and not a failure. */
  unmeasured: number;
  /** Error Type → count, for errors and timeouts. */
  errorTypes: Record<string, number>;
}

/** Cold starts of one variant. `latency` = Init + Duration (Restore + Duration for SnapStart). */
export interface ColdSummary {
  counts: KindCounts;
  latency: Stats;
  init: Stats;
  restore: Stats;
  duration: Stats;
  billed: Stats;
  billedRestore: Stats;
  maxMemory: Stats;
  client: Stats;
  /** How the cold starts were known: coldBy → count. */
  coldBy: Record<string, number>;
  outliers: Outliers;
  /** Sorted latency values (ms): compare resamples them for its intervals and rank test. */
  values: number[];
  /** Sorted Billed Duration (+ Billed Restore Duration) values (ms), for the cost comparison. */
  billedValues: number[];
  /** Estimate of `latency.median` on real Lambda, from a calibration (local runs only; docs/calibration.md) */
  lambdaEstimate?: LambdaEstimate;
}

/** Warm invocations of one variant. `latency` = Duration. */
export interface WarmSummary {
  counts: KindCounts;
  latency: Stats;
  billed: Stats;
  maxMemory: Stats;
  client: Stats;
  outliers: Outliers;
  values: number[];
  billedValues: number[];
  /** Estimate of `latency.median` on real Lambda, from a calibration (local runs only) */
  lambdaEstimate?: LambdaEstimate;
}

export interface VariantCost {
  region: string;
  architecture: Architecture;
  memoryMB: number;
  /** First-tier price per GB-second used for the figures below (USD). */
  gbSecondPrice: number;
  /** Price per request (USD). */
  requestPrice: number;
  /** Mean billed GB-seconds of one invocation, from the reported Billed Duration. */
  coldGBs: MaybeNumber;
  warmGBs: MaybeNumber;
  /** cold / (cold + warm) samples of this run (a property of the benchmark plan, not of traffic). */
  measuredColdRatio: MaybeNumber;
  /** USD per 1 M invocations at the measured cold ratio, and at `coldRatio`. */
  perMillionMeasured: MaybeNumber;
  coldRatio: number;
  perMillionAtRatio: MaybeNumber;
}

/** What the summary of a variant holds whether it was measured or failed. */
export interface VariantSummaryBase {
  name: string;
  /** `<base>@<memory>...` with the `@<memory>` removed: variants differing only in memory share it. */
  family: string;
  function: string | null;
  memoryMB: number | null;
  architecture: Architecture;
  cold: ColdSummary;
  warm: WarmSummary;
  /** Forced cold invokes (`forced: true`) that came back warm. */
  forcedButWarm: number;
}

export type VariantSummary =
  | (VariantSummaryBase & {
      state: 'measured';
      /** Expected latency (ms) at the report's cold ratio: r·cold median + (1 − r)·warm median. */
      expectedLatencyMs: MaybeNumber;
      cost: VariantCost;
    })
  | (VariantSummaryBase & {
      state: 'failed';
      /** Why nothing was measured, e.g. "all 10 cold samples failed (Runtime.ExitError ×10)". */
      error: string;
      /** What the failed invocations cost (AWS bills them); null when none reported a Billed Duration. */
      cost: VariantCost | null;
    });

export type LatencyKind = 'cold' | 'warm';

/** One variant against another on one kind: `faster` is at least as fast as `slower`. */
export interface VariantComparison {
  kind: LatencyKind;
  faster: string;
  slower: string;
  /** median(slower) / median(faster); null when a median is missing or the denominator is 0. */
  ratio: MaybeNumber;
  ratioCI: [number, number] | null;
  /** Two-sided Mann–Whitney U p-value; null when a side has no samples. */
  p: MaybeNumber;
  pMethod: 'exact' | 'normal' | null;
  /** The sentence shown to users. */
  text: string;
}

export interface Recommendation {
  family: string;
  optimize: 'cost' | 'speed' | 'balanced';
  coldRatio: number;
  /** The chosen variant, or null when no memory size of the family was measured. */
  best: string | null;
  candidates: Array<{ variant: string; memoryMB: number; expectedLatencyMs: number; perMillion: number; score: number }>;
  text: string;
}

export interface RunSummary {
  /** Marks an exported summary so `report`/`compare` recognise it. */
  format: 'coldbench-summary';
  formatVersion: 1;
  run: Pick<RunInfo, 'runId' | 'suite' | 'target' | 'startedAt' | 'endedAt' | 'coldStrategy' | 'status' | 'emulator' | 'host'> & {
    runId: string;
  };
  options: { coldRatio: number; seed: number; region: string; optimize: 'cost' | 'speed' | 'balanced' };
  variants: VariantSummary[];
  comparisons: VariantComparison[];
  recommendations: Recommendation[];
  /** Warnings for the reader: outliers, forced-but-warm invokes, unknown region, failures. */
  notes: string[];
  /** How the "On Lambda (est.)" figures were made; absent without a calibration or on a real-account run */
  estimates?: EstimatesInfo;
  /** On-demand vs provisioned concurrency vs SnapStart per function (src/report/provisioned.ts); absent when the run has none. */
  startup?: StartupComparison[];
}

/** One startup mode of a function at the report's cold ratio and request rate. */
export interface StartupOption {
  variant: string;
  initType: InitializationType;
  /** Provisioned environments (PC only; null otherwise). */
  environments: number | null;
  memoryMB: number;
  /** Expected latency (ms): PC the median of all its invocations; the others r·cold median + (1 − r)·warm median. */
  latencyMs: MaybeNumber;
  /** USD per 1 M invocations, PC's standing charge and SnapStart's cache at `requestsPerSecond`. */
  perMillion: MaybeNumber;
}

export interface StartupComparison {
  /** The variant name without the `-pc<N>` / `-snap` suffixes. */
  group: string;
  coldRatio: number;
  requestsPerSecond: number;
  options: StartupOption[];
  /** Per PC variant: the request rate above which it costs less than on-demand (null: never), and what it can serve. */
  breakEven: Array<{ variant: string; requestsPerSecond: MaybeNumber; capacityRps: MaybeNumber }>;
  /** The sentences shown to users. */
  text: string[];
}

export type CompareMetric = 'cold.median' | 'cold.p90' | 'warm.median' | 'cost';

export interface VariantChange {
  variant: string;
  /** The metric's value in each run (ms or USD per 1 M), normalised when normalizeBy is set. */
  base: MaybeNumber;
  cur: MaybeNumber;
  /** cur / base; > 1 is slower (or dearer). */
  ratio: MaybeNumber;
  ratioCI: [number, number] | null;
  /** Mann–Whitney p of the raw values (null when normalised or for cost). */
  p: MaybeNumber;
  significant: boolean;
  regression: boolean;
  improvement: boolean;
  text: string;
}

export interface RunComparison {
  base: string;
  cur: string;
  metric: CompareMetric;
  threshold: number;
  normalizeBy: string | null;
  changes: VariantChange[];
  onlyInBase: string[];
  onlyInCur: string[];
  regressions: number;
}
