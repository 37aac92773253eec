import { describe, expect, it } from 'vitest';
import { withLambdaSavings } from '../../src/profile/lambda-savings.ts';
import { renderProfile } from '../../src/profile/render.ts';
import type { ProfileReport, Recommendation } from '../../src/profile/types.ts';

const CALIBRATION = { speed: 0.5, initLogSd: 0.1, file: '/cache/calibration.json', calibratedAt: '2026-12-03T10:00:00Z', reference: 'lambda-perf + published' };
const SPREAD = Math.exp(1.6449 * 0.1);

function rec(overrides: Partial<Recommendation>): Recommendation {
  return { rule: 'unused-import', target: 'slowmod', action: 'Remove it.', savingMs: 400, per: 'cold-start', basis: 'measured', evidence: 'e', verified: false, ...overrides };
}

function report(recommendations: Recommendation[], target = 'local emulator'): ProfileReport {
  return {
    function: { name: 'fn', codeDir: '/x', runtime: 'python3.11', handler: 'app.handler', memoryMB: 512 },
    initMs: 500,
    unattributedMs: 20,
    tracing: 'python -X importtime',
    warm: { n: 0, medianMs: null },
    modules: [],
    recommendations,
    target,
    notes: [],
  };
}

describe('withLambdaSavings', () => {
  it('scales a measured cold-start saving and its interval by the CPU speed, widened by the model error', () => {
    const out = withLambdaSavings(report([rec({ verified: true, ci: [300, 500], n: { baseline: 3, variant: 3 } })]), CALIBRATION);
    expect(out.recommendations[0].lambdaSaving).toEqual({ median: 200, low: 150 / SPREAD, high: 250 * SPREAD });
    expect(out.lambdaEstimates).toEqual({ speed: 0.5, file: '/cache/calibration.json', calibratedAt: '2026-12-03T10:00:00Z', reference: 'lambda-perf + published' });
  });

  it('leaves per-invocation savings, unestimated savings and other endpoints without an estimate', () => {
    const out = withLambdaSavings(report([rec({ per: 'invocation' }), rec({ savingMs: null, basis: 'not estimated' })]), CALIBRATION);
    expect(out.recommendations.map((r) => r.lambdaSaving)).toEqual([undefined, undefined]);
    expect(out.lambdaEstimates).toBeUndefined();
    expect(withLambdaSavings(report([rec({})], 'http://127.0.0.1:9001'), CALIBRATION).recommendations[0].lambdaSaving).toBeUndefined();
  });

  it('labels the Lambda figure as an estimate in the table', () => {
    const text = renderProfile(withLambdaSavings(report([rec({ verified: true, ci: [300, 500], n: { baseline: 3, variant: 3 } })]), CALIBRATION), 'table');
    expect(text).toContain(
      `saves 400.0 ms per cold start, measured (95 % CI 300.0–500.0 ms, n = 3 + 3); on Lambda ≈ 200.0 ms (est. ${(150 / SPREAD).toFixed(1)}–${(250 * SPREAD).toFixed(1)} ms)`,
    );
    expect(text).toContain(
      "On Lambda ≈: an estimate, not a measurement: the local saving × the calibration's CPU speed factor 0.500 (/cache/calibration.json of 2026-12-03, reference lambda-perf + published), 90 % interval in brackets.",
    );
  });
});
