/**
 * What `report` and `compare` read: a run folder (run.json + samples.jsonl), a bare samples JSONL
 * or an exported summary. Read in two steps, so `report` knows what the input is (and where it
 * ran) before it summarizes: a calibration is loaded only for a run its estimates apply to.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Sample } from '../../probe/sample.ts';
import { isLocalRun } from '../../report/estimates.ts';
import { isRunSummary, parseSampleLine, type RunInfo, type RunSummary, type SummarizeOptions, SummaryFormatError, summarize } from '../../report/index.ts';
import { messageOf, UsageError } from '../errors.ts';

/** Read samples in 1 MiB chunks: a million-sample file never sits in memory as one string. */
const READ_CHUNK_BYTES = 1 << 20;

/** An input, read but not yet summarized: samples to summarize (with the run they came from), or a summary to use as computed. */
export type ReportInput = { kind: 'run' | 'samples'; path: string; samplesFile: string; run: RunInfo | undefined } | { kind: 'exported'; path: string; summary: RunSummary };

/** Lines of a file, read synchronously and lazily so `summarize` can consume them as an Iterable. */
export function* readLines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(READ_CHUNK_BYTES);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const text = rest + decoder.write(buffer.subarray(0, n));
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      yield* lines;
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

function* samplesOf(file: string): Generator<Sample> {
  let lineNo = 0;
  for (const line of readLines(file)) {
    lineNo++;
    const sample = parseSampleLine(line, lineNo, file);
    if (sample) yield sample;
  }
}

function firstLine(file: string): string {
  for (const line of readLines(file)) if (line.trim() !== '') return line.trim();
  return '';
}

/** The report layer names the file and line of a bad sample; the CLI adds which argument it was. */
function labelled<T>(label: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SummaryFormatError) throw new UsageError(`${label}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * What `path` is: a run folder, a samples JSONL or an exported summary (read whole). Samples are
 * not read yet. `label` names the argument in messages (RUN, BASE, CUR).
 */
export function readInput(path: string, label: string): ReportInput {
  if (!existsSync(path))
    throw new UsageError(`${label}: ${path} does not exist`, {
      hint: 'Give a run folder (results/<run-id>), a samples JSONL file or a JSON file written by `coldbench report --format json`.',
    });
  if (statSync(path).isDirectory()) {
    const samplesFile = join(path, 'samples.jsonl');
    if (!existsSync(samplesFile))
      throw new UsageError(`${label}: ${samplesFile} does not exist; a run folder holds samples.jsonl (and run.json)`, {
        hint: 'Point at the folder `coldbench bench` wrote, or at a samples JSONL file.',
      });
    const runFile = join(path, 'run.json');
    let run: RunInfo | undefined;
    if (existsSync(runFile)) {
      try {
        run = JSON.parse(readFileSync(runFile, 'utf8')) as RunInfo;
      } catch (error) {
        throw new UsageError(`${label}: ${runFile} is not valid JSON (${messageOf(error)})`, {
          hint: 'run.json is rewritten after every variant; a run killed mid-write can be reported from samples.jsonl alone.',
          cause: error,
        });
      }
    }
    return { kind: 'run', path, samplesFile, run };
  }
  const head = firstLine(path);
  if (head === '') throw new UsageError(`${label}: ${path} is empty; expected samples (one JSON object per line) or an exported summary`);
  let first: unknown;
  try {
    first = JSON.parse(head);
  } catch {
    first = undefined;
  }
  if (first && typeof first === 'object' && 'variant' in first) {
    return { kind: 'samples', path, samplesFile: path, run: { runId: basename(path).replace(/\.jsonl?$/, '') } };
  }
  let whole: unknown;
  try {
    whole = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${label}: ${path} is neither samples JSONL nor JSON (${messageOf(error)})`, {
      hint: 'Use a samples file from `coldbench bench`/`coldbench import` or `coldbench report --format json` output.',
      cause: error,
    });
  }
  if (!isRunSummary(whole))
    throw new UsageError(`${label}: ${path} is JSON but not a coldbench summary (no "format": "coldbench-summary")`, {
      hint: 'Export one with `coldbench report RUN --format json --out FILE`.',
    });
  return { kind: 'exported', path, summary: whole };
}

/** The input's RunSummary: its samples summarized with `options`, or an exported summary as it was computed. */
export function summarizeInput(input: ReportInput, label: string, options: SummarizeOptions): RunSummary {
  if (input.kind === 'exported') return input.summary;
  return labelled(label, () => summarize(samplesOf(input.samplesFile), input.run, options));
}

/** readInput then summarizeInput: a run folder, a bare samples JSONL or an exported summary → RunSummary. */
export function loadSummary(path: string, label: string, options: SummarizeOptions): RunSummary {
  return summarizeInput(readInput(path, label), label, options);
}

/**
 * Why a calibration cannot feed this input's "On Lambda (est.)" figures, as the end of a
 * sentence; null for a run on the local emulator, the one input estimates are made for.
 */
export function whyNoEstimates(input: ReportInput): string | null {
  if (input.kind === 'exported') return `${input.path} is an exported summary, reported as it was computed`;
  if (input.kind === 'samples') return `${input.path} is a samples file, which does not record where it ran`;
  if (isLocalRun(input.run)) return null;
  const target = input.run?.target;
  if (target?.kind === 'aws') return `${input.path} ran with --target aws: its times are Lambda's own`;
  if (target?.kind === 'url') return `${input.path} ran with --target ${target.endpoint ?? 'URL'}`;
  return `${input.path} has no run.json target saying it ran on the local emulator`;
}
