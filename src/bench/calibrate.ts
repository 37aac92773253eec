/**
 * `coldbench calibrate`: run the probe functions on the local emulator, fit the calibration
 * model to a real-Lambda reference (shipped, or the user's own samples) and keep the result
 * (docs/calibration.md). The model and its fit are pure (src/calibration); this module does
 * the I/O: reading references and samples, the local run, the machine's fingerprint, the file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fitCalibration } from '../calibration/fit.ts';
import { calibrationPoints, type ProbeRun, probePlan } from '../calibration/points.ts';
import { isProbeRuntime, PROBE_TIMEOUT_S, probeFunctions } from '../calibration/probes.ts';
import {
  type LambdaPerfFile,
  type PublishedFile,
  type Reference,
  type ReferenceSample,
  SHIPPED_REFERENCE_NAME,
  samplesReference,
  shippedReference,
} from '../calibration/reference.ts';
import { type Calibration, type MachineFingerprint, MODEL_VERSION, OLDER_MODEL_GAPS } from '../calibration/types.ts';
import { ColdbenchError } from '../errors.ts';
import { shippedPath } from '../paths.ts';
import { cpuProbeMs, runThrottled } from '../report/estimates.ts';
import { parseSampleLine } from '../report/parse.ts';
import type { BenchHooks, BenchOptions } from './run.ts';

/** The runtimes calibrated by default: the local interpreters of this project's suites. */
export const DEFAULT_CALIBRATION_RUNTIMES = ['python3.11', 'nodejs20.x'];
/** Cold samples per probe configuration: enough for a stable median of a ~100 ms Init. */
export const DEFAULT_CALIBRATION_SAMPLES = 10;

export class CalibrationInputError extends ColdbenchError {}

export function loadShippedReference(): Reference {
  const read = <T>(name: string) => JSON.parse(readFileSync(shippedPath(`fixtures/calibration/reference/${name}`), 'utf8')) as T;
  return shippedReference(read<LambdaPerfFile>('lambda-perf.json'), read<PublishedFile>('published.json'));
}

/** Cold, successful samples of run folders or samples JSONL files (a `--target aws` run or `coldbench import` output). */
export function readReferenceSamples(paths: string[]): ReferenceSample[] {
  const out: ReferenceSample[] = [];
  for (const path of paths) {
    if (!existsSync(path))
      throw new CalibrationInputError(`--from ${path}: no such file or folder`, {
        hint: 'Give a run folder of `coldbench bench --target aws` or a samples JSONL file written by `coldbench import`.',
      });
    const file = statSync(path).isDirectory() ? join(path, 'samples.jsonl') : path;
    if (!existsSync(file)) throw new CalibrationInputError(`--from ${path}: ${file} does not exist`, { hint: 'A run folder holds samples.jsonl.' });
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const s = parseSampleLine(line, i + 1, file);
        if (s?.kind !== 'cold' || s.status !== 'success' || s.durationMs === null || s.memoryMB === null) return;
        out.push({ variant: s.variant, memoryMB: s.memoryMB, initMs: s.initMs, durationMs: s.durationMs, date: typeof s.timestamp === 'string' ? s.timestamp : null });
      });
  }
  return out;
}

function fingerprintOf(fields: Omit<MachineFingerprint, 'id'>): MachineFingerprint {
  const id = createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
  return { id, ...fields };
}

/** What identifies this machine's speed: the CPU model and count, architecture, OS and memory. */
export function machineFingerprint(): MachineFingerprint {
  return fingerprintOf({ cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, arch: arch(), platform: platform(), memoryGB: Math.round(totalmem() / 2 ** 30) });
}

/** The probe suite as YAML: for the local run, and printed for the user to deploy on a real account. */
export function probeSuiteYaml(runs: ProbeRun[], cold: number, concurrency: number): string {
  const lines = [
    '# coldbench calibration probes (docs/calibration.md). Deploy them on a real account with',
    '#   coldbench bench <this file> --target aws --out my-lambda-run',
    '# then fit this machine to your own account: coldbench calibrate --from my-lambda-run',
    'name: coldbench-calibration',
    'defaults:',
    `  timeout: ${PROBE_TIMEOUT_S}`,
    `  cold: ${cold}`,
    '  warm: 0',
    `  concurrency: ${concurrency}`,
    '  coldStrategy: burst',
    '  seed: 42',
    'functions:',
  ];
  for (const { fn, architectures, memories } of runs) {
    lines.push(`  ${fn.name}:`);
    lines.push(`    code: ${JSON.stringify(shippedPath(`fixtures/calibration/functions/${fn.folder}`))}`);
    lines.push(`    runtime: ${fn.runtime}`);
    lines.push(`    handler: ${fn.handler}`);
    lines.push(`    architecture: [${architectures.join(', ')}]`);
    lines.push(`    memory: [${memories.join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

export interface CalibrateOptions {
  runtimes: string[];
  samples: number;
  /** The user's own real-Lambda samples; without them the shipped reference */
  from: string[];
  /** Folder for the local probe run */
  workDir: string;
  bench: Pick<BenchOptions, 'cacheDir' | 'extraPipArgs' | 'toolVersion' | 'node'>;
  now: () => Date;
}

export function checkRuntimes(runtimes: string[]): void {
  const bad = runtimes.filter((r) => !isProbeRuntime(r));
  if (bad.length)
    throw new CalibrationInputError(`--runtime ${bad.join(', ')}: not a runtime the probes exist for`, {
      hint: 'Allowed: python3.x and nodejsNN.x, e.g. --runtime python3.12 --runtime nodejs22.x.',
    });
}

/** The reference and the probe configurations it covers. */
export function calibrationPlan(options: Pick<CalibrateOptions, 'runtimes' | 'from'>, now: Date): { reference: Reference; runs: ProbeRun[] } {
  checkRuntimes(options.runtimes);
  const reference = options.from.length
    ? samplesReference(readReferenceSamples(options.from), `your samples (${options.from.join(', ')})`, now.toISOString().slice(0, 10))
    : loadShippedReference();
  const runs = probePlan(probeFunctions(options.runtimes), reference);
  if (runs.length === 0)
    throw new CalibrationInputError(
      options.from.length
        ? `--from: no cold sample of a probe function of ${options.runtimes.join(', ')} (variant names such as hello-python311@128)`
        : `the shipped reference has no figure for ${options.runtimes.join(', ')}`,
      { hint: 'Deploy the suite that `coldbench calibrate --print-suite` writes, run it with --target aws, and pass that run folder to --from.' },
    );
  return { reference, runs };
}

/** Runs the probes locally and fits the model. */
export async function runCalibration(options: CalibrateOptions, hooks: BenchHooks): Promise<{ calibration: Calibration; runDir: string }> {
  const { reference, runs } = calibrationPlan(options, options.now());
  mkdirSync(options.workDir, { recursive: true });
  const suiteFile = join(options.workDir, 'calibration-suite.yaml');
  writeFileSync(suiteFile, probeSuiteYaml(runs, options.samples, Math.max(1, Math.min(2, cpus().length))));
  const { runBench } = await import('./run.ts');
  const outcome = await runBench(
    {
      ...options.bench,
      suiteFile,
      target: 'local',
      out: join(options.workDir, 'run'),
      overrides: {},
      logsTimeoutMs: 10_000,
      keep: false,
      yes: true,
    },
    hooks,
  );
  if (outcome.info.status !== 'completed')
    throw new CalibrationInputError(`the local probe run ended ${outcome.info.status}; nothing was fitted`, { hint: `See ${outcome.runDir}.` });
  const local: ReferenceSample[] = outcome.samples
    .filter((s) => s.kind === 'cold' && s.status === 'success' && s.durationMs !== null && s.memoryMB !== null)
    .map((s) => ({ variant: s.variant, memoryMB: s.memoryMB as number, initMs: s.initMs, durationMs: s.durationMs as number, date: null }));
  const points = calibrationPoints(local, reference);
  // Without a cgroup cpu controller (macOS, cgroup v2-only hosts) the probes ran at full speed.
  const fit = fitCalibration(points, { localThrottled: runThrottled(outcome.info) });
  const calibration: Calibration = {
    format: 'coldbench-calibration',
    formatVersion: 1,
    createdAt: options.now().toISOString(),
    machine: machineFingerprint(),
    cpuProbeMs: cpuProbeMs(outcome.info) ?? 0,
    reference: reference.info,
    model: fit.model,
    points,
    fitted: fit.fitted,
    leaveOneOut: fit.leaveOneOut,
  };
  return { calibration, runDir: outcome.runDir };
}

export function saveCalibration(calibration: Calibration, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(calibration, null, 2)}\n`);
}

/**
 * A calibration file, checked, and the warnings its use deserves (another machine, an older
 * reference). `referenceBuiltOn` is asked only of a calibration fitted to the shipped reference.
 */
export function loadCalibration(file: string, current: { machine: MachineFingerprint; referenceBuiltOn: () => string | null }): { calibration: Calibration; warnings: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CalibrationInputError(`--calibration ${file}: not readable as JSON (${(err as Error).message})`, {
      hint: 'Give a file written by `coldbench calibrate`, or run it again.',
    });
  }
  const c = parsed as Calibration;
  if (c?.format !== 'coldbench-calibration' || c.formatVersion !== 1 || c.model?.kind !== 'offset-speed-throttle')
    throw new CalibrationInputError(`--calibration ${file}: not a coldbench calibration (format coldbench-calibration, version 1)`, {
      hint: 'Run `coldbench calibrate` to write one.',
    });
  const warnings: string[] = [];
  if (c.model.version < MODEL_VERSION)
    warnings.push(
      `the calibration ${file} was fitted by an older coldbench (model v${c.model.version}, ${OLDER_MODEL_GAPS[c.model.version]}): Duration estimates at small memory sizes run high; run coldbench calibrate again`,
    );
  if (c.machine.id !== current.machine.id)
    warnings.push(
      `the calibration ${file} was made on another machine (${c.machine.cpuModel}, ${c.machine.cores} cores; this one: ${current.machine.cpuModel}, ${current.machine.cores} cores): estimates may be off; run coldbench calibrate here`,
    );
  const shippedBuiltOn = c.reference.name === SHIPPED_REFERENCE_NAME ? current.referenceBuiltOn() : null;
  if (shippedBuiltOn && c.reference.builtOn < shippedBuiltOn)
    warnings.push(`the calibration ${file} was fitted to a reference of ${c.reference.builtOn}, older than the shipped one (${shippedBuiltOn}): run coldbench calibrate again`);
  return { calibration: c, warnings };
}
