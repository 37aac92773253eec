/**
 * On-demand vs provisioned concurrency vs SnapStart for variants of one function that differ only in the
 * `provisioned` / `snapStart` axes (docs/suite-format.md): latency at the report's cold ratio, cost per 1 M
 * invocations at a request rate, and the rate above which provisioned concurrency pays for itself. Pure.
 */
import { formatRatio, gbSeconds, perMillion, provisionedBreakEven, provisionedPerMillion, provisionedStandingPerSecond, snapStartPerMillion } from './cost.ts';
import { DASH, ms, usd } from './format.ts';
import { pricesOrDefault } from './prices.ts';
import type { PlannedVariant } from './run-info.ts';
import type { InitializationType } from '../vocabulary.ts';
import { mean, median } from './stats.ts';
import type { MaybeNumber, StartupComparison, StartupOption, VariantSummary } from './types.ts';

/** A steady, modest API load: PC's standing charge and SnapStart's cache are priced per second, so cost per 1 M needs a rate. */
export const DEFAULT_REQUESTS_PER_SECOND = 10;

const SUFFIX = /-pc(\d+)|-snap/g;

type Measured = Extract<VariantSummary, { state: 'measured' }>;

/** `api@512-pc2` → `api@512`: the variant with the startup axes' suffixes removed. */
export function startupGroupOf(variant: string): string {
  return variant.replace(SUFFIX, '');
}

/** The startup mode of a variant: from run.json's plan, else from its name's suffix. */
function modeOf(name: string, plan: PlannedVariant | undefined): { initType: InitializationType; environments: number | null } {
  const pc = plan?.provisioned ?? Number(/-pc(\d+)/.exec(name)?.[1] ?? 0);
  if (pc > 0) return { initType: 'provisioned-concurrency', environments: pc };
  if (plan?.snapStart ?? /-snap(?:-|$)/.test(name)) return { initType: 'snap-start', environments: null };
  return { initType: 'on-demand', environments: null };
}

/**
 * Whether a variant's cost is not on-demand pricing (provisioned concurrency's standing charge and
 * lower duration price, SnapStart's cache and restores): the startup comparison prices it.
 */
export function pricedAsStartup(name: string, plan: PlannedVariant | undefined): boolean {
  return modeOf(name, plan).initType !== 'on-demand';
}

/**
 * One comparison per group that has an on-demand variant and a provisioned or SnapStart one.
 * PC latency is the median of its invocations (every one served by an environment initialised ahead); on-demand and
 * SnapStart latency is r·cold median + (1 − r)·warm median, a SnapStart cold start being Restore + Duration.
 */
export function startupComparisons(
  variants: VariantSummary[],
  planned: PlannedVariant[],
  options: { coldRatio: number; region: string; requestsPerSecond?: number },
): StartupComparison[] {
  const rate = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  const groups = new Map<string, Measured[]>();
  for (const v of variants) {
    if (v.state !== 'measured') continue;
    const key = startupGroupOf(v.name);
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const out: StartupComparison[] = [];
  for (const [group, members] of groups) {
    const opts = members.map((v) =>
      option(
        v,
        modeOf(
          v.name,
          planned.find((p) => p.name === v.name),
        ),
        options.coldRatio,
        options.region,
        rate,
      ),
    );
    const onDemand = opts.find((o) => o.initType === 'on-demand');
    if (!onDemand || opts.every((o) => o.initType === 'on-demand')) continue;
    const breakEven = opts.flatMap((o) => (o.initType === 'provisioned-concurrency' ? [breakEvenOf(o, onDemand, members, options.region)] : []));
    const comparison: StartupComparison = { group, coldRatio: options.coldRatio, requestsPerSecond: rate, options: opts, breakEven, text: [] };
    comparison.text = startupText(comparison);
    out.push(comparison);
  }
  return out;
}

function option(v: Measured, mode: { initType: InitializationType; environments: number | null }, coldRatio: number, region: string, rate: number): StartupOption {
  const { prices } = pricesOrDefault(region);
  const memoryMB = v.memoryMB ?? 0;
  const base = { variant: v.name, initType: mode.initType, environments: mode.environments, memoryMB };
  if (mode.initType === 'provisioned-concurrency' && prices.provisioned) {
    const billed = mean([...v.cold.billedValues, ...v.warm.billedValues]);
    const billedGBs = billed === null ? null : gbSeconds(billed, memoryMB);
    const pc = prices.provisioned;
    const input = {
      billedGBs: billedGBs ?? 0,
      environments: mode.environments ?? 0,
      memoryMB,
      requestsPerSecond: rate,
      configuredPerGBs: pc.configuredPerGBs[v.architecture],
      durationPerGBs: pc.durationPerGBs[v.architecture],
      requestPrice: prices.requestPrice,
    };
    return { ...base, latencyMs: medianOfAll(v), perMillion: billedGBs === null ? null : provisionedPerMillion(input) };
  }
  if (mode.initType === 'snap-start' && prices.snapStart) {
    const perM = snapStartPerMillion({
      coldGBs: v.cost.coldGBs,
      warmGBs: v.cost.warmGBs,
      coldRatio,
      gbSecondPrice: v.cost.gbSecondPrice,
      requestPrice: v.cost.requestPrice,
      memoryMB,
      requestsPerSecond: rate,
      cachePerGBs: prices.snapStart.cachePerGBs,
      restorePerGB: prices.snapStart.restorePerGB,
    });
    return { ...base, latencyMs: v.expectedLatencyMs, perMillion: perM };
  }
  return { ...base, latencyMs: v.expectedLatencyMs, perMillion: v.cost.perMillionAtRatio };
}

/** PC serves cold and warm phase alike from initialised environments: one median over both. */
function medianOfAll(v: VariantSummary): MaybeNumber {
  return median([...v.cold.values, ...v.warm.values]);
}

function breakEvenOf(pc: StartupOption, onDemand: StartupOption, members: Measured[], region: string): StartupComparison['breakEven'][number] {
  const { prices } = pricesOrDefault(region);
  const v = members.find((m) => m.name === pc.variant) as Measured;
  const environments = pc.environments ?? 0;
  const billed = mean([...v.cold.billedValues, ...v.warm.billedValues]);
  const duration = medianOfAll(v);
  // N environments each serve one request at a time: at most N per (median Duration) seconds.
  const capacity = duration && duration > 0 ? (environments * 1000) / duration : null;
  if (!prices.provisioned || billed === null || onDemand.perMillion === null) return { variant: pc.variant, requestsPerSecond: null, capacityRps: capacity };
  const configuredPerGBs = prices.provisioned.configuredPerGBs[v.architecture];
  const variable = perMillion({
    coldGBs: null,
    warmGBs: gbSeconds(billed, pc.memoryMB),
    coldRatio: 0,
    gbSecondPrice: prices.provisioned.durationPerGBs[v.architecture],
    requestPrice: prices.requestPrice,
  }) as number;
  const standingPerSecond = provisionedStandingPerSecond({ environments, memoryMB: pc.memoryMB, configuredPerGBs });
  return {
    variant: pc.variant,
    requestsPerSecond: provisionedBreakEven({ onDemandPerMillion: onDemand.perMillion, provisionedVariablePerMillion: variable, standingPerSecond }),
    capacityRps: capacity,
  };
}

const LABEL: Record<InitializationType, string> = { 'on-demand': 'on-demand', 'provisioned-concurrency': 'provisioned concurrency', 'snap-start': 'SnapStart' };

/** 2.7778 → "2.78", 123.4 → "123": three significant digits, as a rate is an estimate. */
export function formatRate(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

/** The sentences the renderers print for one comparison. */
export function startupText(c: StartupComparison): string[] {
  const pct = formatRatio(c.coldRatio);
  const lines = c.options.map((o) => {
    const what = o.initType === 'provisioned-concurrency' ? `${LABEL[o.initType]}, ${o.environments} environment${o.environments === 1 ? '' : 's'}` : LABEL[o.initType];
    return `${o.variant} (${what}): ${o.latencyMs === null ? DASH : `${ms(o.latencyMs)} ms`} expected latency at ${pct} cold starts, ${usd(o.perMillion)} per 1 M invocations at ${formatRate(c.requestsPerSecond)} requests/s`;
  });
  for (const b of c.breakEven) {
    const cap = b.capacityRps === null ? '' : `; its environments serve at most about ${formatRate(b.capacityRps)} requests/s`;
    if (b.requestsPerSecond === null) {
      lines.push(`${b.variant}: PC does not pay for itself at a cold ratio of ${pct}: its own duration and request charges are not below on-demand's${cap}`);
    } else if (b.capacityRps !== null && b.requestsPerSecond > b.capacityRps) {
      lines.push(`${b.variant}: PC would pay for itself only above ${formatRate(b.requestsPerSecond)} requests/s at a cold ratio of ${pct}, more than it can serve${cap}`);
    } else {
      lines.push(`PC pays for itself above ${formatRate(b.requestsPerSecond)} requests/s at a cold ratio of ${pct} (${b.variant}${cap})`);
    }
  }
  return lines;
}
