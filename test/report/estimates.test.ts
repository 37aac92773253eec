import { describe, expect, it } from 'vitest';
import { cpuOfWallMs, expectedWallMs } from '../../src/calibration/throttle.ts';
import type { CalibrationModel } from '../../src/calibration/types.ts';
import type { ReportCalibration } from '../../src/report/estimates.ts';
import { render, summarize } from '../../src/report/index.ts';
import type { RunInfo } from '../../src/report/run-info.ts';
import { coldStart } from './samples.ts';

const MODEL: CalibrationModel = {
  kind: 'offset-speed-throttle',
  version: 3,
  localPauseCpuMs: 0,
  speed: 0.5,
  initOffsetMs: { 'python3.11/x86_64': 40 },
  invokeCpuMs: { 'python3.11/x86_64': 0 },
  periodMs: 20,
  logSd: { init: 0.1, duration: 0.2 },
};
const CALIBRATION: ReportCalibration = {
  model: MODEL,
  reference: { name: 'lambda-perf + published', source: 'src', commit: null, from: '2026-06-23', to: '2026-08-22', builtOn: '2026-12-03' },
  createdAt: '2026-12-03T10:00:00.000Z',
  cpuProbeMs: 3,
  controlInitMs: { 'python3.11/x86_64': 40 },
  file: '/cache/calibration.json',
};

function run(overrides: Partial<RunInfo> = {}): RunInfo {
  const planned = (name: string, runtime: string) => ({
    name,
    function: name,
    memoryMB: 1769,
    architecture: 'x86_64' as const,
    runtime,
    packaging: 'bundled' as const,
    handler: 'app.handler',
    cold: 3,
    warm: 0,
  });
  return {
    runId: 'r1',
    target: { kind: 'local' },
    plan: { variants: [planned('py@1769', 'python3.11'), planned('node@1769', 'nodejs22.x')] },
    host: { cores: 2, cpuProbe: { startMs: 5, endMs: 7 } },
    ...overrides,
  };
}

const samples = [
  ...[60, 80, 100].map((initMs) => coldStart('py@1769', { initMs, durationMs: 10, billedMs: initMs + 10, memoryMB: 1769 })),
  ...[50, 50, 50].map((initMs) => coldStart('node@1769', { initMs, durationMs: 2, billedMs: 52, memoryMB: 1769 })),
];

describe('summarize › with a calibration', () => {
  it('adds lambdaEstimate to a measured cold block, local times divided by the host load factor', () => {
    const summary = summarize(samples, run(), { calibration: CALIBRATION });
    const py = summary.variants.find((v) => v.name === 'py@1769');
    // Load factor 6 / 3 = 2: Init 80 → 40 → 40 + 0.5 × 40 = 60; Duration 10 → 5 → 2.5 at a full vCPU.
    expect(py?.cold.lambdaEstimate?.median).toBeCloseTo(62.5, 9);
    expect(summary.estimates).toEqual({
      model: 'offset-speed-throttle v3',
      speed: 0.5,
      reference: { name: 'lambda-perf + published', source: 'src', from: '2026-06-23', to: '2026-08-22' },
      calibratedAt: '2026-12-03T10:00:00.000Z',
      file: '/cache/calibration.json',
      loadFactor: 2,
      initLoadFactors: {},
      missing: { 'node@1769': 'the calibration has no nodejs22.x/x86_64 probe (run coldbench calibrate --runtime nodejs22.x)' },
      localThrottled: true,
    });
  });

  it('takes the Durations of an unthrottled run (no cgroup cpu controller) as the work itself, throttled only in the estimate', () => {
    const at128 = (cpu: RunInfo['emulator']) => {
      const info = run({ emulator: cpu });
      for (const v of info.plan?.variants ?? []) Object.assign(v, { memoryMB: 128, name: v.name.replace('@1769', '@128') });
      const small = samples.map((x) => ({ ...x, variant: x.variant.replace('@1769', '@128'), memoryMB: 128 }));
      return summarize(small, info, { calibration: CALIBRATION });
    };
    const free = at128({ cpu: { throttled: false, reason: 'cgroups need Linux (this is darwin)' } });
    // Init 80 → 40 → 60 as above; Duration 10 → 5 ms of work → 0.5 × 5 = 2.5 ms of Lambda work at 128 MB.
    expect(free.variants.find((v) => v.name === 'py@128')?.cold.lambdaEstimate?.median).toBeCloseTo(60 + expectedWallMs(2.5, 128), 9);
    expect(free.estimates?.localThrottled).toBe(false);
    expect(render(free, 'table')).toContain(
      "This run's invoke phase was not throttled (no cgroup v1 cpu controller): its Durations are full-speed CPU work, throttled as on Lambda only in the estimate.",
    );
    // The same 5 ms measured throttled at 128 MB was much less work.
    const throttled = at128({ cpu: { throttled: true, reason: 'cgroup v1' } });
    expect(throttled.variants.find((v) => v.name === 'py@128')?.cold.lambdaEstimate?.median).toBeCloseTo(60 + expectedWallMs(0.5 * cpuOfWallMs(5, 128), 128), 9);
    expect(render(throttled, 'table')).not.toContain('was not throttled');
  });

  it("corrects Init by the control probe's Init now ÷ while calibrating, and shows the control in no table", () => {
    const control = 'coldbench-control-python311-x8664@512';
    const withControl = run();
    withControl.plan?.variants.push({
      name: control,
      function: 'coldbench-control-python311-x8664',
      memoryMB: 512,
      architecture: 'x86_64',
      runtime: 'python3.11',
      packaging: 'bundled',
      handler: 'app.handler',
      cold: 5,
      warm: 0,
      control: true,
    });
    const controlSamples = [55, 60, 65].map((initMs) => coldStart(control, { initMs, durationMs: 1, billedMs: initMs + 1 }));
    const summary = summarize([...samples, ...controlSamples], withControl, { calibration: CALIBRATION });
    // Control Init 60 now vs 40 while calibrating: Init 80 → 53.33 → 40 + 0.5 × 53.33; Duration still by the CPU probe (÷ 2).
    expect(summary.variants.find((v) => v.name === 'py@1769')?.cold.lambdaEstimate?.median).toBeCloseTo(40 + 0.5 * (80 / 1.5) + 2.5, 9);
    expect(summary.estimates?.initLoadFactors).toEqual({ 'python3.11/x86_64': 1.5 });
    expect(summary.variants.map((v) => v.name)).toEqual(['py@1769', 'node@1769']);
    const table = render(summary, 'table');
    expect(table).not.toContain('coldbench-control');
    expect(table).toContain("local Init divided by its control probe's factor (python3.11/x86_64 1.50); local Durations divided by the host CPU load factor 2.00.");
  });

  it('makes no estimate for a run on a real account: it is Lambda already', () => {
    const summary = summarize(samples, run({ target: { kind: 'aws', region: 'us-east-1' } }), { calibration: CALIBRATION });
    expect(summary.estimates).toBeUndefined();
    expect(summary.variants.every((v) => v.cold.lambdaEstimate === undefined)).toBe(true);
  });

  it('uses a load factor of 1 for a run without a CPU probe', () => {
    const summary = summarize(samples, run({ host: { cores: 2 } }), { calibration: CALIBRATION });
    expect(summary.estimates?.loadFactor).toBe(1);
    expect(summary.variants.find((v) => v.name === 'py@1769')?.cold.lambdaEstimate?.median).toBeCloseTo(40 + 40 + 5, 9);
  });

  it('shows the estimate in its own column and names the model and reference under the table', () => {
    const table = render(summarize(samples, run(), { calibration: CALIBRATION }), 'table');
    expect(table).toMatch(/Failed {2}On Lambda \(est\.\) \[ms\]\n/);
    expect(table).toMatch(/^py@1769 +cold .* 62\.5 \(\d+\.\d–\d+\.\d\)$/m);
    expect(table).toMatch(/^node@1769 +cold .* —$/m);
    expect(table).toContain(
      'On Lambda (est.) [ms]: an estimate of the median on real Lambda, not a measurement: 90 % interval in brackets; model offset-speed-throttle v3 (CPU speed × 0.500) from the calibration /cache/calibration.json of 2026-12-03, reference lambda-perf + published 2026-06-23…2026-08-22; local Init and local Durations divided by the host CPU load factor 2.00.',
    );
    expect(table).toContain('— node@1769: no estimate: the calibration has no nodejs22.x/x86_64 probe (run coldbench calibrate --runtime nodejs22.x).');
  });

  it('adds no column without a calibration', () => {
    expect(render(summarize(samples, run()), 'table')).not.toContain('On Lambda');
  });
});
