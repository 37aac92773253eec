/**
 * Which probe configurations a calibration runs (those its reference knows), and the
 * calibration points made of local cold samples and the reference. Pure.
 */
import { median } from '../report/stats.ts';
import { ARCHITECTURES, type Architecture } from '../vocabulary.ts';
import { type ProbeFunction, type ProbeKind, probeOfVariant } from './probes.ts';
import type { Reference, ReferenceSample } from './reference.ts';
import type { CalibrationPoint, PointMetric } from './types.ts';

const METRICS: Record<ProbeKind, PointMetric[]> = { hello: ['init', 'duration'], client: ['duration'], cpuinit: ['init'] };

export interface ProbeRun {
  fn: ProbeFunction;
  architectures: Architecture[];
  memories: number[];
}

/** The probe functions, architectures and memory sizes the reference has figures for. */
export function probePlan(functions: ProbeFunction[], reference: Reference): ProbeRun[] {
  const out: ProbeRun[] = [];
  for (const fn of functions) {
    const architectures: Architecture[] = [];
    const memories = new Set<number>();
    for (const architecture of ARCHITECTURES) {
      const probe = { kind: fn.kind, name: fn.name, runtime: fn.runtime, architecture };
      const ms = METRICS[fn.kind].flatMap((metric) => reference.memories(probe, metric));
      if (ms.length === 0) continue;
      architectures.push(architecture);
      for (const m of ms) memories.add(m);
    }
    if (architectures.length) out.push({ fn, architectures, memories: [...memories].sort((a, b) => a - b) });
  }
  return out;
}

/**
 * One point per probe configuration and metric that has both local cold samples and a
 * reference figure. Local medians are of successful cold samples only.
 */
export function calibrationPoints(local: ReferenceSample[], reference: Reference): CalibrationPoint[] {
  const groups = new Map<string, { samples: ReferenceSample[]; memoryMB: number; probe: NonNullable<ReturnType<typeof probeOfVariant>> }>();
  for (const s of local) {
    const probe = probeOfVariant(s.variant);
    if (!probe) continue;
    const key = `${probe.name}@${s.memoryMB}${probe.architecture === 'arm64' ? '-arm64' : ''}`;
    const g = groups.get(key) ?? { samples: [], memoryMB: s.memoryMB, probe };
    g.samples.push(s);
    groups.set(key, g);
  }
  const points: CalibrationPoint[] = [];
  for (const [key, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    for (const metric of METRICS[g.probe.kind]) {
      const values = g.samples.map((s) => (metric === 'init' ? s.initMs : s.durationMs)).filter((v): v is number => v !== null && v > 0);
      const ref = reference.lookup({ probe: g.probe, memoryMB: g.memoryMB, metric });
      if (!values.length || !ref) continue;
      points.push({
        id: `${key} ${metric}`,
        probe: g.probe.name,
        runtime: g.probe.runtime,
        architecture: g.probe.architecture,
        memoryMB: g.memoryMB,
        metric,
        localMs: median(values) as number,
        reference: ref,
      });
    }
  }
  return points;
}
