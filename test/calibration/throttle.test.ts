import { describe, expect, it } from 'vitest';
import { cpuOfWallMs, expectedWallMs, phaseWallMs, quotaMs, localWorkMs, pausesOf } from '../../src/calibration/throttle.ts';

describe('quotaMs', () => {
  it('returns memory / 1769 of the 20 ms period', () => {
    expect(quotaMs(1769)).toBe(20);
    expect(quotaMs(128)).toBeCloseTo(1.4471, 4);
  });
});

describe('expectedWallMs', () => {
  it('returns the work itself when it fits in one quota (1 ms at 128 MB)', () => {
    expect(expectedWallMs(1, 128)).toBeCloseTo(1, 12);
  });

  it('returns the work itself at a full vCPU and above', () => {
    expect(expectedWallMs(100, 1769)).toBe(100);
    expect(expectedWallMs(100, 10240)).toBe(100);
  });

  it('returns 0 for no work', () => {
    expect(expectedWallMs(0, 128)).toBe(0);
  });

  // Half a vCPU (10 ms per 20 ms), 15 ms of work: a start < 5 ms before a boundary waits a
  // whole period (25 ms), 5–10 ms before runs through (15 ms), ≥ 10 ms before waits to it (u + 5 ms).
  it('averages the throttled wall time over the start phase (15 ms at half a vCPU → 20 ms)', () => {
    expect(phaseWallMs(15, 1769 / 2)).toBeCloseTo(20, 9);
  });

  it('averages over ±15 % of work, so the expectation has no step at a whole quota', () => {
    const q = quotaMs(128);
    expect(phaseWallMs(q * 1.001, 128) - phaseWallMs(q * 0.999, 128)).toBeGreaterThan(8);
    expect(expectedWallMs(q * 1.001, 128) - expectedWallMs(q * 0.999, 128)).toBeLessThan(0.1);
  });

  it('approaches work × 1769 / memory for long work', () => {
    expect(expectedWallMs(500, 128) / ((500 * 1769) / 128)).toBeCloseTo(1, 1);
  });
});

describe('cpuOfWallMs', () => {
  it('inverts expectedWallMs', () => {
    for (const [cpu, memory] of [
      [3, 128],
      [30, 128],
      [15, 1769 / 2],
      [1.5, 128],
      [2, 256],
    ] as const)
      expect(cpuOfWallMs(expectedWallMs(cpu, memory), memory)).toBeCloseTo(cpu, 6);
  });

  it('returns the wall time when nothing throttles', () => {
    expect(cpuOfWallMs(1.2, 1024)).toBeCloseTo(1.2, 9);
    expect(cpuOfWallMs(0, 128)).toBe(0);
  });
});

describe('pausesOf', () => {
  it('returns none within the first quota, then one per further quota, and none at a full vCPU', () => {
    const q = quotaMs(128);
    expect(pausesOf(q, 128)).toBe(0);
    expect(pausesOf(0.5, 128)).toBe(0);
    expect(pausesOf(3 * q, 128)).toBeCloseTo(2, 12);
    expect(pausesOf(100, 1769)).toBe(0);
  });
});

describe('localWorkMs', () => {
  it('returns the CPU behind the wall time less the pause cost per pause', () => {
    const wall = expectedWallMs(30, 1024);
    // (30 − 11.5771) / 11.5771 = 1.59131 pauses after the first 1024 MB quota.
    expect(localWorkMs(wall, 1024, 0.5)).toBeCloseTo(30 - 0.5 * 1.59131, 4);
    expect(localWorkMs(wall, 1024, 0)).toBeCloseTo(30, 6);
    expect(localWorkMs(40, 1792, 0.5)).toBe(40);
  });
});
