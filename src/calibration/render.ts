/** The text `coldbench calibrate` prints: the model, each point's fit and leave-one-out error. Pure. */
import { alignColumns } from '../report/render/columns.ts';
import { Z_90 } from './predict.ts';
import type { Calibration } from './types.ts';

const ms = (v: number | null) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
const pct = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} %`);
/** The 90 % interval factor of a log sd. */
const factor = (sd: number) => Math.exp(Z_90 * sd).toFixed(2);

export function renderCalibration(c: Calibration, savedTo: string | null): string {
  const m = c.model;
  const out: string[] = [];
  const probes = new Set(c.points.map((p) => p.id.split(' ')[0])).size;
  out.push(
    `coldbench calibration against ${c.reference.name} (${c.reference.from ?? '?'}…${c.reference.to ?? '?'}): ${c.points.length} points from ${probes} probe configurations`,
  );
  out.push('');
  out.push(`Model: Lambda Init = offset(runtime) + ${m.speed.toFixed(3)} × local Init`);
  out.push(`       Lambda Duration = throttled(${m.speed.toFixed(3)} × local work + runtime client CPU, ${m.periodMs} ms periods)`);
  out.push(`  CPU speed factor (Lambda ms per local ms): ${m.speed.toFixed(3)}`);
  out.push(
    m.localThrottled === false
      ? '  Local Durations ran unthrottled (no cgroup v1 cpu controller here): each is taken as CPU work, and only the estimate throttles it'
      : `  This machine's CPU per throttled pause: ${(m.localPauseCpuMs ?? 0).toFixed(2)} ms (taken out of local work; measured by the probes run both throttled and at a full vCPU)`,
  );
  for (const group of Object.keys(m.initOffsetMs).sort())
    out.push(`  ${group}: Init offset ${signed(m.initOffsetMs[group])} ms, runtime client CPU per cold invoke ${(m.invokeCpuMs[group] ?? 0).toFixed(2)} ms`);
  out.push(`  90 % interval of an estimate: Init ×/÷ ${factor(m.logSd.init)}, Duration ×/÷ ${factor(m.logSd.duration)}`);
  out.push('');
  const loo = new Map(c.leaveOneOut.map((l) => [l.id, l]));
  const rows = [['Point', 'Local [ms]', 'Lambda [ms]', 'Lambda p10…p90 [ms]', 'Fitted [ms]', 'Leave-one-out [ms]', 'LOO error']];
  for (const p of c.points) {
    const l = loo.get(p.id);
    const r = p.reference;
    const range =
      r.p10Ms !== null && r.p90Ms !== null ? `${ms(r.p10Ms)}…${ms(r.p90Ms)}` : r.medianP10Ms !== null && r.medianP90Ms !== null ? `${ms(r.medianP10Ms)}…${ms(r.medianP90Ms)}` : '—';
    rows.push([p.id, ms(p.localMs), ms(r.medianMs), range, ms(c.fitted[p.id] ?? null), ms(l?.predictedMs ?? null), pct(l?.error ?? null)]);
  }
  out.push(alignColumns([rows[0], rows[0].map((h) => '─'.repeat(h.length)), ...rows.slice(1)], ['left', 'right', 'right', 'right', 'right', 'right', 'right']));
  out.push('');
  out.push('— leave-one-out: no other point fixes that offset.');
  out.push(`Reference: ${c.reference.source}`);
  out.push(`Machine: ${c.machine.cpuModel}, ${c.machine.cores} cores, ${c.machine.arch} (fingerprint ${c.machine.id}); CPU probe ${c.cpuProbeMs.toFixed(1)} ms`);
  if (savedTo) out.push(`Saved: ${savedTo} (coldbench report and bench use it for "On Lambda (est.)")`);
  return `${out.join('\n')}\n`;
}
