import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CalibrationInputError, calibrationPlan, checkRuntimes, loadCalibration, machineFingerprint, probeSuiteYaml, readReferenceSamples } from '../../src/bench/calibrate.ts';
import { plan } from '../../src/bench/plan.ts';
import { loadSuite } from '../../src/bench/suite.ts';
import type { Calibration } from '../../src/calibration/types.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-calibrate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function calibrationFile(overrides: Partial<Calibration>): string {
  const c = {
    format: 'coldbench-calibration',
    formatVersion: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    machine: machineFingerprint(),
    cpuProbeMs: 3,
    reference: { name: 'lambda-perf + published', source: 's', commit: null, from: null, to: null, builtOn: '2026-12-03' },
    model: { kind: 'offset-speed-throttle', version: 3, localPauseCpuMs: 0, speed: 1, initOffsetMs: {}, invokeCpuMs: {}, periodMs: 20, logSd: { init: 0.1, duration: 0.1 } },
    points: [],
    fitted: {},
    leaveOneOut: [],
    ...overrides,
  };
  const file = join(work, `cal-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

describe('loadCalibration', () => {
  const current = { machine: machineFingerprint(), referenceBuiltOn: () => '2026-12-03' };

  it('returns a calibration of this machine and the current reference without warnings', () => {
    const { calibration, warnings } = loadCalibration(calibrationFile({}), current);
    expect(calibration.model.speed).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('warns when the calibration was made on another machine', () => {
    const other = { ...machineFingerprint(), id: 'feedfacefeedface', cpuModel: 'Other CPU', cores: 64 };
    const file = calibrationFile({ machine: other });
    expect(loadCalibration(file, current).warnings).toEqual([
      `the calibration ${file} was made on another machine (Other CPU, 64 cores; this one: ${current.machine.cpuModel}, ${current.machine.cores} cores): estimates may be off; run coldbench calibrate here`,
    ]);
  });

  it('warns when the shipped reference is newer than the one it was fitted to', () => {
    const file = calibrationFile({ reference: { name: 'lambda-perf + published', source: 's', commit: null, from: null, to: null, builtOn: '2026-01-01' } });
    expect(loadCalibration(file, current).warnings).toEqual([
      `the calibration ${file} was fitted to a reference of 2026-01-01, older than the shipped one (2026-12-03): run coldbench calibrate again`,
    ]);
  });

  it('warns that a model v1 calibration (no cost per throttled pause) overestimates small-memory Durations', () => {
    const file = calibrationFile({
      model: { kind: 'offset-speed-throttle', version: 1, speed: 1, initOffsetMs: {}, invokeCpuMs: {}, periodMs: 20, logSd: { init: 0.1, duration: 0.1 } },
    });
    const { warnings } = loadCalibration(file, current);
    expect(warnings).toEqual([
      `the calibration ${file} was fitted by an older coldbench (model v1, without this machine's CPU per throttled pause): Duration estimates at small memory sizes run high; run coldbench calibrate again`,
    ]);
  });

  it("warns that a model v2 calibration (fitted without the Runtime API relay's CPU) overestimates small-memory Durations", () => {
    const file = calibrationFile({
      model: { kind: 'offset-speed-throttle', version: 2, localPauseCpuMs: 0, speed: 1, initOffsetMs: {}, invokeCpuMs: {}, periodMs: 20, logSd: { init: 0.1, duration: 0.1 } },
    });
    expect(loadCalibration(file, current).warnings).toEqual([
      `the calibration ${file} was fitted by an older coldbench (model v2, fitted before local Durations included the Runtime API relay's CPU): Duration estimates at small memory sizes run high; run coldbench calibrate again`,
    ]);
  });

  it('refuses a file that is not a calibration, naming the flag', () => {
    const notJson = join(work, 'bad.json');
    writeFileSync(notJson, '{');
    expect(() => loadCalibration(notJson, current)).toThrow(CalibrationInputError);
    expect(() => loadCalibration(notJson, current)).toThrow(`--calibration ${notJson}: not readable as JSON`);
    const summary = join(work, 'summary.json');
    writeFileSync(summary, JSON.stringify({ format: 'coldbench-summary' }));
    expect(() => loadCalibration(summary, current)).toThrow(`--calibration ${summary}: not a coldbench calibration (format coldbench-calibration, version 1)`);
  });
});

describe('calibrationPlan', () => {
  it('refuses a runtime the probes do not exist for', () => {
    expect(() => checkRuntimes(['python3.11', 'java21'])).toThrow('--runtime java21: not a runtime the probes exist for');
  });

  it('refuses --from samples with no probe in them, saying how to make some', () => {
    const file = join(work, 'other.jsonl');
    writeFileSync(file, `${JSON.stringify({ variant: 'reuse@512', kind: 'cold', status: 'success', initMs: 100, durationMs: 5, memoryMB: 512 })}\n`);
    expect(() => calibrationPlan({ runtimes: ['python3.11'], from: [file] }, new Date())).toThrow(
      '--from: no cold sample of a probe function of python3.11 (variant names such as hello-python311@128)',
    );
  });

  it('plans only the configurations the user measured', () => {
    const file = join(work, 'mine.jsonl');
    const line = (variant: string, initMs: number | null, memoryMB: number, kind = 'cold') =>
      JSON.stringify({ variant, kind, status: 'success', initMs, durationMs: 3, memoryMB, billedMs: 4 });
    writeFileSync(
      file,
      `${[line('coldbench-x1-hello-python311@512', 80, 512), line('coldbench-x1-client-python311@128', 200, 128), line('coldbench-x1-hello-python311@512', null, 512, 'warm')].join('\n')}\n`,
    );
    expect(readReferenceSamples([file])).toHaveLength(2);
    const { runs, reference } = calibrationPlan({ runtimes: ['python3.11'], from: [file] }, new Date('2026-12-03T00:00:00Z'));
    expect(runs.map((r) => `${r.fn.name} ${r.architectures.join('+')} ${r.memories.join(',')}`)).toEqual(['hello-python311 x86_64 512', 'client-python311 x86_64 128']);
    expect(reference.info).toMatchObject({ name: `your samples (${file})`, builtOn: '2026-12-03' });
  });

  it('refuses a --from path that does not exist', () => {
    expect(() => readReferenceSamples([join(work, 'nope')])).toThrow(`--from ${join(work, 'nope')}: no such file or folder`);
  });
});

describe('probeSuiteYaml', () => {
  it('writes a suite coldbench itself loads, one variant per probe configuration', () => {
    const { runs } = calibrationPlan({ runtimes: ['python3.11', 'nodejs20.x'], from: [] }, new Date());
    const file = join(work, 'probes.yaml');
    writeFileSync(file, probeSuiteYaml(runs, 10, 2));
    const planned = plan(loadSuite(file));
    expect(planned.variants).toHaveLength(20);
    expect(planned.variants.map((v) => v.name)).toContain('hello-nodejs20x@128-arm64');
    expect(planned.variants.map((v) => v.name)).toContain('client-python311@1792');
    expect(planned.variants.every((v) => v.cold === 10 && v.warm === 0)).toBe(true);
  });
});
