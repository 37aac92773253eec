/**
 * Lambda's CPU share as a function of time: `memory / 1769` of a vCPU handed out per 20 ms period
 * (docs/cpu-model.md). Both the emulator (through cgroups) and real Lambda throttle this way, so
 * a handler's wall time and the CPU work behind it convert into each other here. Pure.
 */

/** One vCPU per 1,769 MB (AWS, configuration-memory). */
export const MB_PER_VCPU = 1769;
/** Lambda's CFS period (docs/cpu-model.md: lambda-perf's 128 vs 256 MB Node Duration, pwrdrvr/lambda-throttling). */
export const LAMBDA_PERIOD_MS = 20;
/** Phases averaged over: the invoke starts at a random point of a period. */
const PHASES = 100;
/**
 * The same cold invoke does not do exactly the same work twice: lambda-perf's daily Node hello
 * cold Duration at 256 MB spans 2.84–4.01 ms (p10–p90), about ±15 %. Averaging over that
 * spread keeps the expected wall time from jumping at each whole number of quotas.
 */
const WORK_LOG_SD = 0.15;
/** Quantiles of the standard normal at (k + 0.5) / 5: five equally likely work sizes. */
const WORK_QUANTILES = [-1.2816, -0.5244, 0, 0.5244, 1.2816];
const WORK_FACTORS = (() => {
  const raw = WORK_QUANTILES.map((z) => Math.exp(WORK_LOG_SD * z));
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((f) => f / mean); // mean 1: unthrottled work keeps its exact time
})();
/** Bisection steps of the inverse: 2^-60 of the wall time, far below a microsecond. */
const BISECTION_STEPS = 60;

/** CPU milliseconds per period at this memory size. */
export function quotaMs(memoryMB: number, periodMs = LAMBDA_PERIOD_MS): number {
  return (periodMs * memoryMB) / MB_PER_VCPU;
}

/** Wall time of `cpuMs` of work started at a period boundary with the full quota. */
function alignedWallMs(cpuMs: number, quota: number, periodMs: number): number {
  if (cpuMs <= 0) return 0;
  const waits = Math.ceil(cpuMs / quota) - 1;
  return waits * periodMs + (cpuMs - waits * quota);
}

/**
 * Expected wall time of exactly `cpuMs` of single-threaded work at `memoryMB`, the start falling
 * at a uniformly random point of a period with its quota unused (an idle or just-initialised environment).
 * @example phaseWallMs(1, 128) // → 1 (under the 1.45 ms quota: never throttled)
 */
export function phaseWallMs(cpuMs: number, memoryMB: number, periodMs = LAMBDA_PERIOD_MS): number {
  if (cpuMs <= 0) return 0;
  const quota = quotaMs(memoryMB, periodMs);
  if (quota >= periodMs) return cpuMs;
  let sum = 0;
  for (let i = 0; i < PHASES; i++) {
    const untilBoundary = ((i + 0.5) / PHASES) * periodMs;
    const first = Math.min(quota, untilBoundary);
    sum += cpuMs <= first ? cpuMs : untilBoundary + alignedWallMs(cpuMs - first, quota, periodMs);
  }
  return sum / PHASES;
}

/**
 * Expected wall time of about `cpuMs` of work (±15 %, WORK_LOG_SD) at `memoryMB`: what the
 * calibration model predicts a Duration from.
 * @example expectedWallMs(1, 128) // → 1 (under the 1.45 ms quota however it varies)
 * @example expectedWallMs(100, 1769) // → 100 (a full vCPU)
 */
export function expectedWallMs(cpuMs: number, memoryMB: number, periodMs = LAMBDA_PERIOD_MS): number {
  if (cpuMs <= 0) return 0;
  if (quotaMs(memoryMB, periodMs) >= periodMs) return cpuMs;
  return WORK_FACTORS.reduce((sum, f) => sum + phaseWallMs(cpuMs * f, memoryMB, periodMs), 0) / WORK_FACTORS.length;
}

/**
 * The CPU work whose expected wall time at `memoryMB` is `wallMs` (the inverse of expectedWallMs;
 * time a handler spends waiting on I/O is counted as work, see docs/calibration.md).
 * @example cpuOfWallMs(expectedWallMs(30, 128), 128) // → 30
 */
export function cpuOfWallMs(wallMs: number, memoryMB: number, periodMs = LAMBDA_PERIOD_MS): number {
  if (wallMs <= 0) return 0;
  if (quotaMs(memoryMB, periodMs) >= periodMs) return wallMs;
  let lo = 0;
  let hi = wallMs;
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (expectedWallMs(mid, memoryMB, periodMs) < wallMs) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Throttled pauses `cpuMs` of work takes at `memoryMB` when it starts with a full quota: none
 * within the first quota, then one per further quota (0 at a full vCPU or more).
 * @example pausesOf(3 * quotaMs(128), 128) // → 2
 */
export function pausesOf(cpuMs: number, memoryMB: number, periodMs = LAMBDA_PERIOD_MS): number {
  const quota = quotaMs(memoryMB, periodMs);
  if (quota >= periodMs || cpuMs <= quota) return 0;
  return (cpuMs - quota) / quota;
}

/**
 * The work behind a local Duration: the CPU its wall time implies (cpuOfWallMs), less what this
 * machine spends again after each throttled pause (`pauseCpuMs`, measured by the calibration:
 * caches refilled after the CPU was elsewhere for up to 18.5 ms). A Duration measured unthrottled
 * (`throttled` false: no cgroup cpu controller) is the work itself.
 */
export function localWorkMs(wallMs: number, memoryMB: number, pauseCpuMs: number, throttled = true, periodMs = LAMBDA_PERIOD_MS): number {
  if (!throttled) return wallMs;
  const cpu = cpuOfWallMs(wallMs, memoryMB, periodMs);
  return Math.max(0, cpu - pauseCpuMs * pausesOf(cpu, memoryMB, periodMs));
}
