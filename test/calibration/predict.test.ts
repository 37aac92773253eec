import { describe, expect, it } from 'vitest';
import { estimateLambda, lambdaDurationMs, lambdaInitMs } from '../../src/calibration/predict.ts';
import { expectedWallMs } from '../../src/calibration/throttle.ts';
import type { CalibrationModel } from '../../src/calibration/types.ts';

const MODEL: CalibrationModel = {
  kind: 'offset-speed-throttle',
  version: 3,
  localPauseCpuMs: 0,
  speed: 2,
  initOffsetMs: { 'python3.11/x86_64': 30 },
  invokeCpuMs: { 'python3.11/x86_64': 1 },
  periodMs: 20,
  logSd: { init: 0.1, duration: 0.2 },
};
const Z = 1.6449;

describe('lambdaInitMs', () => {
  it('returns offset + speed × local Init', () => {
    expect(lambdaInitMs(MODEL, 'python3.11/x86_64', 40)).toBe(110);
  });
});

describe('lambdaDurationMs', () => {
  it('returns speed × local CPU + the runtime extra, unthrottled at a full vCPU', () => {
    expect(lambdaDurationMs(MODEL, 10, 1769, 1)).toBe(21);
  });

  it('throttles the Lambda work at small memory', () => {
    expect(lambdaDurationMs(MODEL, 1, 128, 1)).toBeCloseTo(expectedWallMs(3, 128), 9);
  });

  it("takes this machine's CPU per throttled pause out of the local work first", () => {
    // 30 ms of local CPU at 128 MB took (30 − 1.4471) / 1.4471 = 19.73 pauses: 0.5 ms each is not work.
    const local = expectedWallMs(30, 128);
    const work = 20.134765625; // 30 − 0.5 × 19.7305
    expect(lambdaDurationMs({ ...MODEL, localPauseCpuMs: 0.5 }, local, 128, 1)).toBeCloseTo(expectedWallMs(2 * work + 1, 128), 6);
    // A version 1 model has no such term.
    expect(lambdaDurationMs({ ...MODEL, version: 1, localPauseCpuMs: undefined }, local, 128, 1)).toBeCloseTo(expectedWallMs(61, 128), 6);
  });
});

describe('estimateLambda', () => {
  it('returns the cold estimate as Init + Duration with a 90 % interval from both errors', () => {
    const r = estimateLambda(MODEL, {
      runtime: 'python3.11',
      architecture: 'x86_64',
      memoryMB: 1769,
      kind: 'cold',
      init: { median: 40, ci: [35, 45] },
      duration: { median: 10, ci: [8, 12] },
      loadFactor: 1,
    });
    expect(r).toEqual({
      state: 'estimated',
      estimate: {
        median: 110 + 21,
        low: 100 * Math.exp(-Z * 0.1) + 17 * Math.exp(-Z * 0.2),
        high: 120 * Math.exp(Z * 0.1) + 25 * Math.exp(Z * 0.2),
      },
    });
  });

  it('divides local times by the load factor first', () => {
    const r = estimateLambda(MODEL, {
      runtime: 'python3.11',
      architecture: 'x86_64',
      memoryMB: 1769,
      kind: 'cold',
      init: { median: 80, ci: null },
      duration: { median: 20, ci: null },
      loadFactor: 2,
    });
    expect(r.state === 'estimated' && r.estimate.median).toBe(110 + 21);
  });

  it('estimates warm Duration without the cold runtime-client extra', () => {
    const r = estimateLambda(MODEL, { runtime: 'python3.11', architecture: 'x86_64', memoryMB: 1769, kind: 'warm', init: null, duration: { median: 10, ci: null }, loadFactor: 1 });
    expect(r.state === 'estimated' && r.estimate.median).toBe(20);
  });

  it('says which probe is missing for an uncalibrated runtime', () => {
    const r = estimateLambda(MODEL, {
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      memoryMB: 512,
      kind: 'cold',
      init: { median: 50, ci: null },
      duration: { median: 1, ci: null },
      loadFactor: 1,
    });
    expect(r).toEqual({ state: 'missing', reason: 'the calibration has no nodejs22.x/arm64 probe (run coldbench calibrate --runtime nodejs22.x)' });
  });
});
