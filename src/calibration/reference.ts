/**
 * Reference points: what real Lambda measured for a probe configuration. The shipped reference
 * combines maxday/lambda-perf's daily hello-world runs (fixtures/calibration/reference/
 * lambda-perf.json: Init and cold Duration per runtime, architecture and memory) with figures
 * published beside their code (published.json: the per-call boto3 client). A user's own
 * reference comes from samples of the same probes (`coldbench calibrate --from`). Pure.
 */
import { quantileSorted, sampleSd } from '../report/stats.ts';
import { type ProbeConfig, type ProbeKind, probeOfVariant } from './probes.ts';
import type { PointMetric, ReferenceInfo, ReferenceValue } from './types.ts';

/** The shipped reference's name: a calibration fitted to it is stale once a newer one ships. */
export const SHIPPED_REFERENCE_NAME = 'lambda-perf + published';

/** lambda-perf-reference.json as shipped (the fields read here). */
export interface LambdaPerfFile {
  source: string;
  commit: string;
  files: string[];
  builtOn: string;
  rows: Array<{
    runtime: string;
    architecture: string;
    packageType: string;
    memoryMB: number;
    initMs: { median: number; p10: number; p90: number };
    dailyInitMedianMs: { p10: number; p90: number };
    coldDurationMeanMs: { median: number; p10: number; p90: number };
  }>;
}

export interface PublishedFile {
  builtOn: string;
  rows: Array<{ probe: ProbeKind; runtime: string; architecture: string; metric: PointMetric; statistic: string; values: Record<string, number>; source: string }>;
}

export interface ReferenceKey {
  probe: ProbeConfig;
  memoryMB: number;
  metric: PointMetric;
}

export interface Reference {
  info: ReferenceInfo;
  /** The configurations it covers, as `kind runtime arch memory metric` keys */
  lookup(key: ReferenceKey): ReferenceValue | null;
  /** Memory sizes it has for a probe configuration and metric */
  memories(probe: ProbeConfig, metric: PointMetric): number[];
}

function dayOf(file: string): string | null {
  return /(\d{4}-\d{2}-\d{2})/.exec(file)?.[1] ?? null;
}

/** The shipped reference from its two files. */
export function shippedReference(perf: LambdaPerfFile, published: PublishedFile): Reference {
  const days = perf.files
    .map(dayOf)
    .filter((d): d is string => d !== null)
    .sort();
  const perfSource = `maxday/lambda-perf ${days[0] ?? '?'}…${days[days.length - 1] ?? '?'} (commit ${perf.commit.slice(0, 12)})`;
  const zip = perf.rows.filter((r) => r.packageType === 'zip');
  const perfRow = (p: ProbeConfig, memoryMB: number) => zip.find((r) => r.runtime === p.runtime && r.architecture === p.architecture && r.memoryMB === memoryMB) ?? null;
  // A published row stands for its probe on any runtime of the same language: it is the only figure there is.
  const publishedRow = (p: ProbeConfig, metric: PointMetric) =>
    published.rows.find((r) => r.probe === p.kind && r.metric === metric && r.architecture === p.architecture && r.runtime.split(/\d/)[0] === p.runtime.split(/\d/)[0]) ?? null;
  return {
    info: {
      name: SHIPPED_REFERENCE_NAME,
      source: `${perf.source}; ${published.rows.map((r) => r.source).join('; ')}`,
      commit: perf.commit,
      from: days[0] ?? null,
      to: days[days.length - 1] ?? null,
      builtOn: [perf.builtOn, published.builtOn].sort().at(-1) as string,
    },
    lookup({ probe, memoryMB, metric }) {
      if (probe.kind === 'hello') {
        const row = perfRow(probe, memoryMB);
        if (!row) return null;
        if (metric === 'init')
          return {
            medianMs: row.initMs.median,
            p10Ms: row.initMs.p10,
            p90Ms: row.initMs.p90,
            medianP10Ms: row.dailyInitMedianMs.p10,
            medianP90Ms: row.dailyInitMedianMs.p90,
            source: perfSource,
          };
        // lambda-perf keeps the mean cold Duration per day: the median of those is the figure.
        return {
          medianMs: row.coldDurationMeanMs.median,
          p10Ms: null,
          p90Ms: null,
          medianP10Ms: row.coldDurationMeanMs.p10,
          medianP90Ms: row.coldDurationMeanMs.p90,
          source: perfSource,
        };
      }
      const row = publishedRow(probe, metric);
      const value = row?.values[String(memoryMB)];
      if (!row || value === undefined) return null;
      return { medianMs: value, p10Ms: null, p90Ms: null, medianP10Ms: null, medianP90Ms: null, source: `${row.source} (${row.statistic}, ${row.runtime})` };
    },
    memories(probe, metric) {
      if (probe.kind === 'hello')
        return zip
          .filter((r) => r.runtime === probe.runtime && r.architecture === probe.architecture)
          .map((r) => r.memoryMB)
          .sort((a, b) => a - b);
      const row = publishedRow(probe, metric);
      return row
        ? Object.keys(row.values)
            .map(Number)
            .sort((a, b) => a - b)
        : [];
    },
  };
}

/** A cold sample of a user's own run, reduced to what the reference needs. */
export interface ReferenceSample {
  variant: string;
  memoryMB: number;
  initMs: number | null;
  durationMs: number;
  date: string | null;
}

/** z of p10/p90. */
const Z_P90 = 1.2816;
/** The median's standard error relative to the mean's for a normal sample (√(π/2)). */
const MEDIAN_SE_FACTOR = 1.2533;

/** Median and spreads of a set of values; the median's own p10–p90 from its standard error on the log scale. */
function referenceValue(values: number[], source: string): ReferenceValue {
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantileSorted(sorted, 0.5) as number;
  const p10 = quantileSorted(sorted, 0.1) as number;
  const p90 = quantileSorted(sorted, 0.9) as number;
  const logs = sorted.filter((v) => v > 0).map(Math.log);
  const se = (MEDIAN_SE_FACTOR * (sampleSd(logs) ?? 0)) / Math.sqrt(Math.max(logs.length, 1));
  return {
    medianMs: median,
    p10Ms: p10,
    p90Ms: p90,
    medianP10Ms: median * Math.exp(-Z_P90 * se),
    medianP90Ms: median * Math.exp(Z_P90 * se),
    source,
  };
}

/**
 * A reference from the user's own cold samples of the probe functions (a `--target aws` run of
 * `coldbench calibrate --print-suite`, or imported CloudWatch logs of the same functions).
 */
export function samplesReference(samples: ReferenceSample[], sourceName: string, builtOn: string): Reference {
  const groups = new Map<string, { probe: ProbeConfig; memoryMB: number; init: number[]; duration: number[] }>();
  const dates: string[] = [];
  for (const s of samples) {
    const probe = probeOfVariant(s.variant);
    if (!probe) continue;
    const key = `${probe.name} ${probe.architecture} ${s.memoryMB}`;
    const g = groups.get(key) ?? { probe, memoryMB: s.memoryMB, init: [], duration: [] };
    if (s.initMs !== null) g.init.push(s.initMs);
    g.duration.push(s.durationMs);
    groups.set(key, g);
    if (s.date) dates.push(s.date.slice(0, 10));
  }
  dates.sort();
  const find = (probe: ProbeConfig, memoryMB: number) => groups.get(`${probe.name} ${probe.architecture} ${memoryMB}`);
  return {
    info: { name: sourceName, source: sourceName, commit: null, from: dates[0] ?? null, to: dates.at(-1) ?? null, builtOn },
    lookup({ probe, memoryMB, metric }) {
      const g = find(probe, memoryMB);
      const values = metric === 'init' ? g?.init : g?.duration;
      return values?.length ? referenceValue(values, sourceName) : null;
    },
    memories(probe, metric) {
      return [...groups.values()]
        .filter((g) => g.probe.name === probe.name && g.probe.architecture === probe.architecture && (metric === 'init' ? g.init : g.duration).length > 0)
        .map((g) => g.memoryMB)
        .sort((a, b) => a - b);
    },
  };
}
