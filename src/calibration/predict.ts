/**
 * Estimates of Lambda's figures from a calibration model and local medians (docs/calibration.md).
 * Estimates carry a 90 % interval that includes the model's leave-one-out error, the reference's
 * own uncertainty and the local median's confidence interval. Pure.
 */
import { expectedWallMs, LAMBDA_PERIOD_MS, localWorkMs } from './throttle.ts';
import type { CalibrationModel } from './types.ts';

/** z of a two-sided 90 % normal interval on log times: every estimate's interval. */
export const Z_90 = 1.6449;

/** The offset group of a configuration: `python3.11/x86_64`. */
export function groupOf(runtime: string, architecture: string): string {
  return `${runtime}/${architecture}`;
}

/** An estimate of a block's median on Lambda (ms), with its 90 % interval. */
export interface LambdaEstimate {
  median: number;
  low: number;
  high: number;
}

/** A local median and its confidence interval (ms). */
export interface LocalMedian {
  median: number;
  ci: [number, number] | null;
}

export interface EstimateRequest {
  runtime: string;
  architecture: string;
  memoryMB: number;
  kind: 'cold' | 'warm';
  /** Cold only: the local Init Duration */
  init: LocalMedian | null;
  duration: LocalMedian;
  /**
   * How much slower the host ran than while calibrating (run probe ÷ calibration probe): local
   * Durations are divided by it first. 1 when either probe is missing.
   */
  loadFactor: number;
  /** The same for Init (the control probe's Init now ÷ while calibrating); default loadFactor */
  initLoadFactor?: number;
  /** Whether the local run throttled the invoke phase (default true); false: Durations are full-speed work */
  localThrottled?: boolean;
}

export type EstimateResult = { state: 'estimated'; estimate: LambdaEstimate } | { state: 'missing'; reason: string };

function bounds(local: LocalMedian): [number, number, number] {
  const [lo, hi] = local.ci ?? [local.median, local.median];
  return [lo, local.median, hi];
}

/**
 * Lambda Duration of a local Duration: same throttling on both sides, Lambda's CPU speed, plus
 * Lambda's runtime-client work; this machine's own cost of each throttled pause is taken out first.
 * A local Duration measured unthrottled (`localThrottled` false) is the work itself.
 */
export function lambdaDurationMs(model: CalibrationModel, localMs: number, memoryMB: number, extraCpuMs: number, localThrottled = true): number {
  const work = localWorkMs(localMs, memoryMB, model.localPauseCpuMs ?? 0, localThrottled, model.periodMs);
  return durationOfWorkMs(model.speed, work, extraCpuMs, memoryMB, model.periodMs);
}

/** Lambda Duration of local work: Lambda's speed on it plus the runtime client's extra, throttled as on Lambda (the fit predicts with it too). */
export function durationOfWorkMs(speed: number, workMs: number, extraCpuMs: number, memoryMB: number, periodMs = LAMBDA_PERIOD_MS): number {
  return expectedWallMs(speed * workMs + extraCpuMs, memoryMB, periodMs);
}

/** Lambda Init Duration of a local one. */
export function lambdaInitMs(model: CalibrationModel, group: string, localMs: number): number {
  return (model.initOffsetMs[group] ?? 0) + model.speed * localMs;
}

/**
 * The estimate of one block (cold: Init + Duration, as the block's median is; warm: Duration).
 * Warm invokes get no runtime-client extra: the reference measures cold invokes only.
 */
export function estimateLambda(model: CalibrationModel, request: EstimateRequest): EstimateResult {
  const group = groupOf(request.runtime, request.architecture);
  const load = request.loadFactor > 0 ? request.loadFactor : 1;
  const spread = (sd: number, side: -1 | 1) => Math.exp(side * Z_90 * sd);
  const [dLo, dMid, dHi] = bounds(request.duration).map((v) => v / load) as [number, number, number];
  if (request.kind === 'warm') {
    const at = (x: number) => lambdaDurationMs(model, x, request.memoryMB, 0, request.localThrottled);
    return {
      state: 'estimated',
      estimate: { median: at(dMid), low: at(dLo) * spread(model.logSd.duration, -1), high: at(dHi) * spread(model.logSd.duration, 1) },
    };
  }
  if (!(group in model.initOffsetMs) || !(group in model.invokeCpuMs))
    return { state: 'missing', reason: `the calibration has no ${group} probe (run coldbench calibrate --runtime ${request.runtime})` };
  if (!request.init) return { state: 'missing', reason: 'no Init Duration was measured' };
  const initLoad = request.initLoadFactor !== undefined && request.initLoadFactor > 0 ? request.initLoadFactor : load;
  const [iLo, iMid, iHi] = bounds(request.init).map((v) => v / initLoad) as [number, number, number];
  const init = (x: number) => lambdaInitMs(model, group, x);
  const duration = (x: number) => lambdaDurationMs(model, x, request.memoryMB, model.invokeCpuMs[group], request.localThrottled);
  return {
    state: 'estimated',
    estimate: {
      median: init(iMid) + duration(dMid),
      low: init(iLo) * spread(model.logSd.init, -1) + duration(dLo) * spread(model.logSd.duration, -1),
      high: init(iHi) * spread(model.logSd.init, 1) + duration(dHi) * spread(model.logSd.duration, 1),
    },
  };
}
