/**
 * The calibration `report` and `bench` estimate with: `--calibration FILE`, else
 * COLDBENCH_CALIBRATION (a file, or `off`), else the one `coldbench calibrate` keeps in the cache
 * folder, else none. Its warnings (another machine, an
 * older reference) go to stderr; estimates are still made, labelled as they always are.
 */
import { existsSync } from 'node:fs';
import type { ControlProbe } from '../bench/controls.ts';
import { groupOf } from '../calibration/predict.ts';
import type { CalibrationPoint } from '../calibration/types.ts';
import type { ReportCalibration } from '../report/estimates.ts';
import { median } from '../report/stats.ts';
import { defaultCalibrationFile } from '../calibration/location.ts';
import type { CliIO } from './io.ts';
import { UsageError } from './errors.ts';

/** COLDBENCH_CALIBRATION: `off` never estimates; a path replaces the cached calibration as the default. */
function fromEnvironment(io: CliIO): string | 'off' | undefined {
  const value = io.env.COLDBENCH_CALIBRATION;
  return value === undefined || value === '' ? undefined : value;
}

export async function calibrationFor(io: CliIO, explicit: string | undefined): Promise<ReportCalibration | undefined> {
  const env = fromEnvironment(io);
  if (explicit === undefined && env === 'off') return undefined;
  const file = explicit ?? env ?? defaultCalibrationFile(io.env);
  if (!existsSync(file)) {
    if (explicit !== undefined)
      throw new UsageError(`--calibration ${explicit}: no such file`, {
        hint: 'Run `coldbench calibrate --out FILE` to write one, or leave the flag out to use the cached calibration.',
      });
    return undefined;
  }
  // Only with a calibration to use: the calibration code and the shipped reference load here.
  const { loadCalibration, loadShippedReference, machineFingerprint } = await import('../bench/calibrate.ts');
  const { calibration, warnings } = loadCalibration(file, { machine: machineFingerprint(), referenceBuiltOn: () => loadShippedReference().info.builtOn });
  for (const w of warnings) io.stderr(`Warning: ${w}\n`);
  return {
    model: calibration.model,
    reference: calibration.reference,
    createdAt: calibration.createdAt,
    cpuProbeMs: calibration.cpuProbeMs,
    controlInitMs: controlBaselines(calibration.points),
    file,
  };
}

/** The hello probes' local Init per runtime and architecture: the median over the memory sizes calibrated (Init does not depend on memory). */
function controlBaselines(points: CalibrationPoint[]): Record<string, number> {
  const byGroup = new Map<string, number[]>();
  for (const p of points) {
    if (p.metric !== 'init' || !p.probe.startsWith('hello-')) continue;
    const key = groupOf(p.runtime, p.architecture);
    byGroup.set(key, [...(byGroup.get(key) ?? []), p.localMs]);
  }
  const out: Record<string, number> = {};
  for (const [key, values] of byGroup) out[key] = median(values) as number;
  return out;
}

/** The control probes a local bench run measures for this calibration: one per runtime and architecture it estimates. */
export function controlProbes(calibration: ReportCalibration): ControlProbe[] {
  return Object.keys(calibration.controlInitMs).map((key) => {
    const [runtime, architecture] = key.split('/');
    return { runtime, architecture: architecture as ControlProbe['architecture'] };
  });
}

/** Whether the user turned estimates off (COLDBENCH_CALIBRATION=off): then bench does not suggest calibrating. */
export function estimatesOff(io: CliIO): boolean {
  return fromEnvironment(io) === 'off';
}
