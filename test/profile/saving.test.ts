import { describe, expect, it } from 'vitest';
import { measuredSaving } from '../../src/profile/saving.ts';

describe('measuredSaving', () => {
  it('is the difference of medians, positive when the variant is faster', () => {
    expect(measuredSaving([100, 110, 120, 130, 140], [60, 70, 80, 90, 100])?.savingMs).toBe(40);
  });

  it('gives an interval that holds the point estimate and lies within the extreme differences', () => {
    const s = measuredSaving([100, 110, 120, 130, 140], [60, 70, 80, 90, 100]);
    expect(s?.ci[0]).toBeLessThanOrEqual(40);
    expect(s?.ci[1]).toBeGreaterThanOrEqual(40);
    expect(s?.ci[0]).toBeGreaterThanOrEqual(100 - 100);
    expect(s?.ci[1]).toBeLessThanOrEqual(140 - 60);
  });

  it('collapses to the point for constant samples', () => {
    expect(measuredSaving([50, 50, 50], [20, 20])).toEqual({ savingMs: 30, ci: [30, 30], n: { baseline: 3, variant: 2 } });
  });

  it('is reproducible for the same seed', () => {
    const a = [12, 15, 11, 19, 14, 13];
    const b = [9, 8, 12, 10, 7, 11];
    expect(measuredSaving(a, b)).toEqual(measuredSaving(a, b));
  });

  it('is negative when the variant is slower', () => {
    expect(measuredSaving([10], [25])?.savingMs).toBe(-15);
  });

  it('returns null when a side has no samples', () => {
    expect(measuredSaving([], [1])).toBeNull();
    expect(measuredSaving([1], [])).toBeNull();
  });
});
