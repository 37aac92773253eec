/**
 * The host CPU probe: a fixed piece of single-threaded work (SHA-256 rounds) timed a few times
 * while nothing of the run is executing, at its start and at its end, so it measures the load
 * other programs put on the host and not the run's own cold starts (a probe taken during the run
 * mostly measures the run itself: two CPU-heavy inits on two cores). `calibrate` records it for
 * its probe run and `bench` for each local run; estimates divide local times by run probe ÷
 * calibration probe (docs/calibration.md).
 */
import { createHash } from 'node:crypto';

/** SHA-256 rounds of one timing: about 15 ms on a 2020s x86 core. */
const PROBE_ROUNDS = 15_000;
/** Timings per probe; their median is the figure, so one preempted timing does not move it. */
const PROBE_REPEATS = 7;

function timeOnce(): number {
  let digest: Buffer = Buffer.from('coldbench');
  const started = performance.now();
  for (let i = 0; i < PROBE_ROUNDS; i++) digest = createHash('sha256').update(digest).digest();
  return performance.now() - started;
}

/** Median wall time (ms) of the probe on this host now (about 0.1 s). */
export function measureCpuProbe(): number {
  timeOnce(); // the first timing includes JIT and hash setup
  const times = Array.from({ length: PROBE_REPEATS }, timeOnce).sort((a, b) => a - b);
  return Math.round(times[Math.floor(PROBE_REPEATS / 2)] * 1000) / 1000;
}
