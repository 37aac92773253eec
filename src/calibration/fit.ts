/**
 * Fitting the calibration model (types.ts, CalibrationModel) to reference points by weighted least
 * squares on log times, and its leave-one-out errors. Pure and deterministic.
 *
 * For a given CPU speed factor the per-group offsets have their own optimum (init: a weighted
 * mean in closed form; invoke CPU: a one-dimensional search), so the fit searches the speed
 * alone: a log-spaced grid, then golden-section refinement around the best grid point.
 */
import { ColdbenchError } from '../errors.ts';
import { mean, median } from '../report/stats.ts';
import { durationOfWorkMs, groupOf } from './predict.ts';
import { cpuOfWallMs, LAMBDA_PERIOD_MS, localWorkMs, MB_PER_VCPU, pausesOf } from './throttle.ts';
import { type CalibrationModel, type CalibrationPoint, type FitResult, type LeaveOneOut, MODEL_VERSION, type PointMetric } from './types.ts';

/** z of a two-sided 80 % normal interval: p10–p90 of a log-normal spread is ±1.2816 sd. */
const Z_P10_P90 = 1.2816;
/** Log sd given to a reference figure published without its spread (tecracer's means): ±15 %. */
const DEFAULT_LOG_SD = 0.15;
/** No figure is trusted to better than ±3 %: day-to-day drift on Lambda is larger. */
const MIN_LOG_SD = 0.03;
/** Speeds searched: Lambda's CPU from 5× slower to 5× faster than the local one. */
const SPEED_RANGE: [number, number] = [0.2, 5];
const SPEED_GRID = 25;
const GOLDEN_STEPS = 30;
/**
 * Lambda's runtime client adds between nothing and 5 ms of CPU to a cold invoke: lambda-perf's
 * hello cold Durations are 1.4–3.1 ms at 256–1024 MB for every runtime, so more than a few ms
 * would show there. A wider range lets a poor fit hide CPU-bound error in this term.
 */
const INVOKE_CPU_RANGE: [number, number] = [0, 5];
/** A Duration at least this long on Lambda is CPU-bound work, not the runtime's few-ms round trip. */
const CPU_BOUND_MS = 20;
/** Predictions are floored here before taking logs (an offset may be negative). */
const MIN_PREDICTION_MS = 0.01;

export class CalibrationError extends ColdbenchError {}

/** How sure the reference median is, as a log standard deviation. */
export function referenceLogSd(point: CalibrationPoint): number {
  const r = point.reference;
  const [lo, hi] = r.medianP10Ms !== null && r.medianP90Ms !== null ? [r.medianP10Ms, r.medianP90Ms] : [r.p10Ms, r.p90Ms];
  if (lo === null || hi === null || lo <= 0 || hi <= lo) return DEFAULT_LOG_SD;
  return Math.max(MIN_LOG_SD, Math.log(hi / lo) / (2 * Z_P10_P90));
}

interface Prepared {
  point: CalibrationPoint;
  group: string;
  weight: number;
  /** Duration points: the work behind the local Duration (localWorkMs) */
  localCpuMs: number;
  /** A Duration of CPU-bound work on Lambda (≥ CPU_BOUND_MS) */
  cpuBound: boolean;
}

/**
 * This machine's extra CPU per throttled pause, from the local points alone: a probe measured both
 * at a full vCPU or more (its Duration is its CPU) and throttled (its CPU from its wall time)
 * spent (throttled CPU − full-vCPU CPU) ÷ pauses more per pause. Pooled over every such pair,
 * so the many pauses at 128 MB weigh most; 0 without such a probe, never negative.
 */
export function localPauseCpuMs(points: CalibrationPoint[]): number {
  const key = (p: CalibrationPoint) => `${p.probe}|${p.runtime}|${p.architecture}`;
  const durations = points.filter((p) => p.metric === 'duration');
  const full = new Map<string, number[]>();
  for (const p of durations) if (p.memoryMB >= MB_PER_VCPU) full.set(key(p), [...(full.get(key(p)) ?? []), p.localMs]);
  let extra = 0;
  let pauses = 0;
  for (const p of durations) {
    const unthrottled = full.get(key(p));
    if (!unthrottled || p.memoryMB >= MB_PER_VCPU) continue;
    const cpu = cpuOfWallMs(p.localMs, p.memoryMB);
    extra += cpu - (mean(unthrottled) as number);
    pauses += pausesOf(cpu, p.memoryMB);
  }
  return pauses >= 1 ? Math.max(0, extra / pauses) : 0;
}

function prepare(points: CalibrationPoint[], pauseCpuMs: number, localThrottled: boolean): Prepared[] {
  return points.map((point) => ({
    point,
    group: groupOf(point.runtime, point.architecture),
    weight: 1 / referenceLogSd(point) ** 2,
    localCpuMs: point.metric === 'duration' ? localWorkMs(point.localMs, point.memoryMB, pauseCpuMs, localThrottled) : 0,
    cpuBound: point.metric === 'duration' && point.reference.medianMs >= CPU_BOUND_MS,
  }));
}

function logError(predicted: number, reference: number): number {
  return Math.log(Math.max(predicted, MIN_PREDICTION_MS)) - Math.log(reference);
}

/** Prediction of one point by a (partial) model. */
function predictPoint(p: Prepared, speed: number, initOffset: number, invokeCpu: number): number {
  if (p.point.metric === 'init') return initOffset + speed * p.point.localMs;
  return durationOfWorkMs(speed, p.localCpuMs, invokeCpu, p.point.memoryMB);
}

/** Minimises f on [lo, hi] (unimodal or nearly so). */
function goldenSection(f: (x: number) => number, lo: number, hi: number): number {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < GOLDEN_STEPS; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

function byGroup(prepared: Prepared[], metric: PointMetric): Map<string, Prepared[]> {
  const groups = new Map<string, Prepared[]>();
  for (const p of prepared) {
    if (p.point.metric !== metric) continue;
    const list = groups.get(p.group) ?? [];
    list.push(p);
    groups.set(p.group, list);
  }
  return groups;
}

/**
 * The init loss of a group, on each probe's mean over memory sizes: on-demand Init does not
 * depend on memory (init is unthrottled), so the spread of one probe's local Init across memory
 * sizes is noise, and fitting the speed to it would shrink the speed toward 0 (noise in the
 * regressor). Only differences between probes (hello vs a CPU-bound init) say something about speed.
 */
function probeMeansLoss(list: Prepared[], speed: number, offset: number): number {
  const byProbe = new Map<string, { w: number; local: number; reference: number }>();
  for (const p of list) {
    const m = byProbe.get(p.point.probe) ?? { w: 0, local: 0, reference: 0 };
    m.w += p.weight;
    m.local += p.weight * p.point.localMs;
    m.reference += p.weight * p.point.reference.medianMs;
    byProbe.set(p.point.probe, m);
  }
  let loss = 0;
  for (const m of byProbe.values()) loss += m.w * logError(offset + (speed * m.local) / m.w, m.reference / m.w) ** 2;
  return loss;
}

interface Fitted {
  speed: number;
  initOffsetMs: Record<string, number>;
  invokeCpuMs: Record<string, number>;
  loss: number;
}

/** The best offsets for a given speed, and the total weighted squared log error. */
function fitAtSpeed(inits: Map<string, Prepared[]>, durations: Map<string, Prepared[]>, speed: number): Fitted {
  const anyCpuBound = [...durations.values()].some((list) => list.some((p) => p.cpuBound));
  const initOffsetMs: Record<string, number> = {};
  const invokeCpuMs: Record<string, number> = {};
  let loss = 0;
  for (const [group, list] of inits) {
    // The median residual, not the mean: one Init measured while the host was busy (local Init
    // of the same probe is the same work at every memory size) must not move the offset.
    initOffsetMs[group] = median(list.map((p) => p.point.reference.medianMs - speed * p.point.localMs)) as number;
    loss += probeMeansLoss(list, speed, initOffsetMs[group]);
  }
  for (const [group, list] of durations) {
    const groupLoss = (extra: number) => list.reduce((sum, p) => sum + p.weight * logError(predictPoint(p, speed, 0, extra), p.point.reference.medianMs) ** 2, 0);
    const extra = goldenSection(groupLoss, ...INVOKE_CPU_RANGE);
    invokeCpuMs[group] = extra;
    // Few-ms Durations are mostly the runtime's round trip, not CPU work: they fix the runtime
    // client's extra, while the speed is fixed by CPU-bound work wherever the points have some.
    const speedSetting = list.filter((p) => p.cpuBound);
    loss +=
      speedSetting.length || !anyCpuBound
        ? (speedSetting.length ? speedSetting : list).reduce((sum, p) => sum + p.weight * logError(predictPoint(p, speed, 0, extra), p.point.reference.medianMs) ** 2, 0)
        : 0;
  }
  return { speed, initOffsetMs, invokeCpuMs, loss };
}

function fitPrepared(prepared: Prepared[]): Fitted {
  const inits = byGroup(prepared, 'init');
  const durations = byGroup(prepared, 'duration');
  const [lo, hi] = SPEED_RANGE.map(Math.log) as [number, number];
  const step = (hi - lo) / (SPEED_GRID - 1);
  let best = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let i = 0; i < SPEED_GRID; i++) {
    const loss = fitAtSpeed(inits, durations, Math.exp(lo + i * step)).loss;
    if (loss < bestLoss) {
      bestLoss = loss;
      best = i;
    }
  }
  const logSpeed = goldenSection((x) => fitAtSpeed(inits, durations, Math.exp(x)).loss, lo + Math.max(best - 1, 0) * step, lo + Math.min(best + 1, SPEED_GRID - 1) * step);
  return fitAtSpeed(inits, durations, Math.exp(logSpeed));
}

/** Whether a model fitted without `left` can predict it: its group keeps a point of its metric. */
function identifiable(prepared: Prepared[], left: Prepared): boolean {
  return prepared.some((p) => p !== left && p.group === left.group && p.point.metric === left.point.metric);
}

function predictWith(f: Fitted, p: Prepared): number {
  return predictPoint(p, f.speed, f.initOffsetMs[p.group] ?? 0, f.invokeCpuMs[p.group] ?? 0);
}

/**
 * Fits the model to the points and reports each point's leave-one-out error.
 * Needs duration points (they fix the CPU speed: init points alone are absorbed by the offsets).
 * `localThrottled: false`: the local probes ran at full speed (no cgroup cpu controller), so a
 * local Duration is taken as the work itself.
 */
export function fitCalibration(points: CalibrationPoint[], options: { localThrottled?: boolean } = {}): FitResult {
  const localThrottled = options.localThrottled ?? true;
  const problems = points.filter((p) => !(p.localMs > 0) || !(p.reference.medianMs > 0)).map((p) => p.id);
  if (problems.length) throw new CalibrationError(`calibration points without a positive local and reference median: ${problems.join(', ')}`);
  if (!points.some((p) => p.metric === 'duration'))
    throw new CalibrationError('the calibration needs at least one Duration point: Init points alone cannot separate the CPU speed from the start-up offset', {
      hint: 'Use the shipped reference, or give --from samples of the client-python probe (its Duration is CPU-bound).',
    });
  const pauseCpuMs = localThrottled ? localPauseCpuMs(points) : 0;
  const prepared = prepare(points, pauseCpuMs, localThrottled);
  const full = fitPrepared(prepared);
  const fitted: Record<string, number> = {};
  for (const p of prepared) fitted[p.point.id] = predictWith(full, p);

  const leaveOneOut: LeaveOneOut[] = prepared.map((left) => {
    const referenceMs = left.point.reference.medianMs;
    const rest = prepared.filter((p) => p !== left);
    if (!identifiable(prepared, left) || !rest.some((p) => p.point.metric === 'duration')) return { id: left.point.id, predictedMs: null, referenceMs, error: null };
    const predictedMs = predictWith(fitPrepared(rest), left);
    return { id: left.point.id, predictedMs, referenceMs, error: (predictedMs - referenceMs) / referenceMs };
  });

  const logSd = { init: intervalLogSd(prepared, leaveOneOut, 'init'), duration: intervalLogSd(prepared, leaveOneOut, 'duration') };
  const model: CalibrationModel = {
    kind: 'offset-speed-throttle',
    version: MODEL_VERSION,
    localPauseCpuMs: pauseCpuMs,
    localThrottled,
    speed: full.speed,
    initOffsetMs: full.initOffsetMs,
    invokeCpuMs: full.invokeCpuMs,
    periodMs: LAMBDA_PERIOD_MS,
    logSd,
  };
  return { model, fitted, leaveOneOut };
}

/**
 * The log sd of a prediction of this metric: the leave-one-out errors (how wrong the model is on
 * a point it did not see) combined with how uncertain the reference medians themselves are.
 */
function intervalLogSd(prepared: Prepared[], loo: LeaveOneOut[], metric: PointMetric): number {
  const all = prepared.filter((p) => p.point.metric === metric);
  if (all.length === 0) return DEFAULT_LOG_SD;
  // A few-ms hello Duration sits on the 128 MB throttling cliff (1.45 ms per 20 ms), where a
  // tenth of a millisecond decides between 1.5 and 11 ms; CPU-bound Durations are what the
  // interval of a Duration estimate is for, so they set it when there are any.
  const cpuBound = all.filter((p) => p.cpuBound);
  const ofMetric = cpuBound.length ? cpuBound : all;
  const errors = loo.filter((l, i) => ofMetric.includes(prepared[i]) && l.predictedMs !== null).map((l) => logError(l.predictedMs as number, l.referenceMs));
  const looVar = errors.length ? errors.reduce((s, e) => s + e * e, 0) / errors.length : DEFAULT_LOG_SD ** 2;
  const refVar = ofMetric.reduce((s, p) => s + referenceLogSd(p.point) ** 2, 0) / ofMetric.length;
  return Math.sqrt(looVar + refVar);
}
