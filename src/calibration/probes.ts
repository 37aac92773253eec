/**
 * The probe functions `coldbench calibrate` runs (fixtures/calibration/functions) and how their
 * variant names map back to a configuration, locally and in the user's own real-Lambda samples.
 * Pure.
 */
import type { Architecture } from '../vocabulary.ts';

export type ProbeKind = 'hello' | 'client' | 'cpuinit';

export interface ProbeFunction {
  kind: ProbeKind;
  /** The suite's function name, e.g. `hello-nodejs20x`: the runtime without dots */
  name: string;
  runtime: string;
  /** Folder under fixtures/calibration/functions */
  folder: string;
  handler: string;
}

/** Far above any probe invoke (client@128 takes ~1.3 s locally). */
export const PROBE_TIMEOUT_S = 60;

const PYTHON = /^python3\.\d+$/;
const NODE = /^nodejs\d+\.x$/;

/** `python3.11` → `python311`, `nodejs20.x` → `nodejs20x`. */
export function runtimeSlug(runtime: string): string {
  return runtime.replaceAll('.', '');
}

function runtimeOfSlug(slug: string): string | null {
  let m = /^python3(\d+)$/.exec(slug);
  if (m) return `python3.${m[1]}`;
  m = /^nodejs(\d+)x$/.exec(slug);
  return m ? `nodejs${m[1]}.x` : null;
}

/** The calibration runtimes the probes support: Python 3 and Node.js zip runtimes. */
export function isProbeRuntime(runtime: string): boolean {
  return PYTHON.test(runtime) || NODE.test(runtime);
}

/**
 * The probe functions for these runtimes: a hello per runtime (Init and cold Duration), and on
 * the first Python runtime the per-call client (a CPU-bound cold Duration) and a CPU-bound init.
 */
export function probeFunctions(runtimes: string[]): ProbeFunction[] {
  const out: ProbeFunction[] = [];
  for (const runtime of runtimes) {
    const python = PYTHON.test(runtime);
    out.push({
      kind: 'hello',
      name: `hello-${runtimeSlug(runtime)}`,
      runtime,
      folder: python ? 'hello-python' : 'hello-node',
      handler: python ? 'app.handler' : 'index.handler',
    });
  }
  const python = runtimes.find((r) => PYTHON.test(r));
  if (python) {
    const slug = runtimeSlug(python);
    out.push({ kind: 'client', name: `client-${slug}`, runtime: python, folder: 'client-python', handler: 'app.handler' });
    out.push({ kind: 'cpuinit', name: `cpuinit-${slug}`, runtime: python, folder: 'cpu-init-python', handler: 'app.handler' });
  }
  return out;
}

export interface ProbeConfig {
  kind: ProbeKind;
  name: string;
  runtime: string;
  architecture: Architecture;
}

/**
 * The probe a sample's variant belongs to: `hello-nodejs20x@512-arm64`, or a function name that
 * ends with a probe name (`coldbench-ab12-hello-python311@128`, an imported log group's function).
 * The architecture is arm64 when the name says so, else x86_64.
 * @example probeOfVariant('hello-python311@128-arm64') // → { kind: 'hello', name: 'hello-python311', runtime: 'python3.11', architecture: 'arm64' }
 */
export function probeOfVariant(variant: string): ProbeConfig | null {
  const base = variant.split('@')[0];
  const m = /(?:^|[-_])(hello|client|cpuinit)-(python3\d+|nodejs\d+x)$/.exec(base);
  if (!m) return null;
  const runtime = runtimeOfSlug(m[2]);
  if (!runtime) return null;
  const architecture: Architecture = /arm64/.test(variant) ? 'arm64' : 'x86_64';
  return { kind: m[1] as ProbeKind, name: `${m[1]}-${m[2]}`, runtime, architecture };
}
