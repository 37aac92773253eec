import { describe, expect, it } from 'vitest';
import { calibrationPoints, probePlan } from '../../src/calibration/points.ts';
import { probeFunctions } from '../../src/calibration/probes.ts';
import { samplesReference } from '../../src/calibration/reference.ts';
import { loadShippedReference } from '../../src/bench/calibrate.ts';

describe('shippedReference', () => {
  const ref = loadShippedReference();

  it('returns lambda-perf Init of a zip hello with its spreads and source', () => {
    const probe = { kind: 'hello' as const, name: 'hello-python311', runtime: 'python3.11', architecture: 'x86_64' as const };
    expect(ref.lookup({ probe, memoryMB: 512, metric: 'init' })).toEqual({
      medianMs: 78.56,
      p10Ms: 71.58,
      p90Ms: 96.27,
      medianP10Ms: expect.any(Number),
      medianP90Ms: expect.any(Number),
      source: 'maxday/lambda-perf 2026-06-23…2026-08-22 (commit 6070b7947b5d)',
    });
  });

  it("returns the tecracer client Duration for the first Python runtime's client probe", () => {
    const probe = { kind: 'client' as const, name: 'client-python311', runtime: 'python3.11', architecture: 'x86_64' as const };
    expect(ref.lookup({ probe, memoryMB: 128, metric: 'duration' })?.medianMs).toBe(640);
    expect(ref.memories(probe, 'duration')).toEqual([128, 512, 1024, 1792]);
    expect(ref.lookup({ probe: { ...probe, architecture: 'arm64' }, memoryMB: 128, metric: 'duration' })).toBeNull();
  });

  it('plans hello on both architectures at 128–1024 MB and the client on x86_64 only', () => {
    const plan = probePlan(probeFunctions(['python3.11', 'nodejs20.x']), ref);
    expect(plan.map((r) => `${r.fn.name} ${r.architectures.join('+')} ${r.memories.join(',')}`)).toEqual([
      'hello-python311 x86_64+arm64 128,256,512,1024',
      'hello-nodejs20x x86_64+arm64 128,256,512,1024',
      'client-python311 x86_64 128,512,1024,1792',
    ]);
    expect(ref.info).toMatchObject({ from: '2026-06-23', to: '2026-08-22', commit: '6070b7947b5ddf788cb69f2ffe6bbde3e22033fb' });
  });
});

describe('samplesReference', () => {
  const samples = [100, 110, 120, 130, 140].map((initMs, i) => ({ variant: 'hello-python311@512', memoryMB: 512, initMs, durationMs: 2 + i, date: `2026-11-0${i + 1}T10:00:00Z` }));

  it("returns the median and p10–p90 of the user's own cold samples", () => {
    const ref = samplesReference(samples, 'mine', '2026-12-03');
    const probe = { kind: 'hello' as const, name: 'hello-python311', runtime: 'python3.11', architecture: 'x86_64' as const };
    const init = ref.lookup({ probe, memoryMB: 512, metric: 'init' });
    expect(init).toMatchObject({ medianMs: 120, p10Ms: 104, p90Ms: 136, source: 'mine' });
    expect(init?.medianP10Ms).toBeLessThan(120);
    expect(ref.info).toMatchObject({ from: '2026-11-01', to: '2026-11-05' });
    expect(ref.memories(probe, 'init')).toEqual([512]);
  });

  it('makes calibration points of local samples that match reference configurations only', () => {
    const ref = samplesReference(samples, 'mine', '2026-12-03');
    const local = [
      { variant: 'hello-python311@512', memoryMB: 512, initMs: 40, durationMs: 1, date: null },
      { variant: 'hello-python311@512', memoryMB: 512, initMs: 50, durationMs: 3, date: null },
      { variant: 'hello-python311@1024', memoryMB: 1024, initMs: 45, durationMs: 1, date: null },
      { variant: 'reuse@512', memoryMB: 512, initMs: 300, durationMs: 1, date: null },
    ];
    expect(calibrationPoints(local, ref).map((p) => [p.id, p.localMs, p.reference.medianMs])).toEqual([
      ['hello-python311@512 init', 45, 120],
      ['hello-python311@512 duration', 2, 4],
    ]);
  });
});
