/**
 * The run folder (docs/results-format.md): samples.jsonl appended and flushed per sample,
 * run.json rewritten atomically, and reading both back for --resume.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from '../probe/sample.ts';
import type { RunInfo } from '../report/run-info.ts';
import { BenchOptionError, ResumeError } from './errors.ts';

/** Which loop produced a sample: the forced-cold loop or the warm loop (its `kind` comes from the record). */
export type Phase = 'cold' | 'warm';

/** A sample as the harness writes it: the probe's fields plus the documented extras. */
export interface BenchSample extends Sample {
  function: string;
  phase: Phase;
  sampleIndex: number;
  forced: boolean;
  error: string | null;
  timestamp: string;
}

export type VariantState = 'pending' | 'running' | 'measured' | 'failed' | 'skipped';

/**
 * Per-variant outcome as run.json keeps it (an extra field, `variantResults`): every state with
 * the same four fields. The driver's typed form is VariantResult (drive.ts: recordOf, resultOf).
 */
export interface VariantRecord {
  state: VariantState;
  /** Distinct error messages, in the order first seen (empty unless failed or skipped) */
  errors: string[];
  /** Forced cold invokes whose record said warm */
  forcedWarm: number;
  /** Cold starts whose init ran before the request (AWS proactive initialisation) */
  proactiveInit: number;
}

export interface BenchRunInfo extends RunInfo {
  variantResults?: Record<string, VariantRecord>;
}

/** `20261128T162501Z-k3f9`: sortable UTC time plus a short random suffix. */
export function newRunId(
  now: Date = new Date(),
  suffix: string = randomBytes(3)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 4),
): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${suffix}`;
}

/** An open run folder. */
export class RunStore {
  private fd: number;
  /** Samples already in samples.jsonl (from a previous process on resume, and this one) */
  readonly counts = new Map<string, { cold: number; warm: number }>();

  constructor(
    readonly dir: string,
    public info: BenchRunInfo,
  ) {
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(join(dir, 'samples.jsonl'), 'a');
  }

  /** Appends one sample and flushes it to disk, so a crash loses nothing already measured. */
  append(sample: BenchSample): void {
    writeSync(this.fd, `${JSON.stringify(sample)}\n`);
    fsyncSync(this.fd);
    this.count(sample.variant, sample.phase);
  }

  count(variant: string, phase: Phase): void {
    const c = this.counts.get(variant) ?? { cold: 0, warm: 0 };
    c[phase] += 1;
    this.counts.set(variant, c);
  }

  done(variant: string, phase: Phase): number {
    return this.counts.get(variant)?.[phase] ?? 0;
  }

  /** Rewrites run.json through a temp file + rename, so it is never half-written. */
  writeInfo(): void {
    const path = join(this.dir, 'run.json');
    writeFileSync(`${path}.tmp`, `${JSON.stringify(this.info, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Creates a new run folder and any missing parents (refusing one that already holds a run). */
export function createRun(dir: string, info: BenchRunInfo): RunStore {
  if (existsSync(join(dir, 'run.json')) || existsSync(join(dir, 'samples.jsonl'))) {
    throw new ResumeError(`--out ${dir} already holds a run; pass --resume ${dir} to finish it, or choose another --out`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new BenchOptionError(
      `--out ${dir}: cannot create the run folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a folder path in a writable place`,
      { cause: error },
    );
  }
  const store = new RunStore(dir, info);
  store.writeInfo();
  return store;
}

/**
 * Opens an interrupted run for --resume: reads run.json and samples.jsonl, drops a torn last
 * line (the process died mid-write; that sample was never complete) and counts what is done.
 */
export function openRunForResume(dir: string): { store: RunStore; samples: BenchSample[] } {
  const infoPath = join(dir, 'run.json');
  if (!existsSync(infoPath)) throw new ResumeError(`--resume ${dir}: no run.json there; pass the folder of an earlier \`coldbench bench\` run (results/<run-id>)`);
  let info: BenchRunInfo;
  try {
    info = JSON.parse(readFileSync(infoPath, 'utf8')) as BenchRunInfo;
  } catch (error) {
    throw new ResumeError(`--resume ${dir}: run.json is not valid JSON (${(error as Error).message}); the run cannot be resumed`, { cause: error });
  }
  if (!info.plan?.variants?.length) throw new ResumeError(`--resume ${dir}: run.json has no plan; it was not written by \`coldbench bench\``);
  if (info.status === 'completed') throw new ResumeError(`--resume ${dir}: that run already completed; nothing to resume`);
  const samplesPath = join(dir, 'samples.jsonl');
  const samples: BenchSample[] = [];
  if (existsSync(samplesPath)) {
    const text = readFileSync(samplesPath, 'utf8');
    let validBytes = 0;
    let offset = 0;
    for (const line of text.split('\n')) {
      const end = offset + Buffer.byteLength(line) + 1;
      if (end > Buffer.byteLength(text)) break; // no newline: a torn last write
      if (line.trim()) {
        try {
          samples.push(JSON.parse(line) as BenchSample);
        } catch {
          break;
        }
      }
      validBytes = end;
      offset = end;
    }
    if (validBytes < Buffer.byteLength(text)) truncateSync(samplesPath, validBytes);
  }
  const store = new RunStore(dir, info);
  for (const s of samples) store.count(s.variant, s.phase ?? (s.forced ? 'cold' : 'warm'));
  return { store, samples };
}
