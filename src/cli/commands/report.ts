import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { calibrationFor } from '../calibration.ts';
import { defineCommand } from '../command.ts';
import { type CliIO, writeOutFile } from '../io.ts';
import { EXIT_OK, messageOf, UsageError } from '../errors.ts';
import type { Sample } from '../../probe/sample.ts';
import {
  DEFAULT_COLD_RATIO,
  isRunSummary,
  parseSampleLine,
  render,
  summarize,
  SummaryFormatError,
  type ReportFormat,
  type RunInfo,
  type RunSummary,
  type SummarizeOptions,
} from '../../report/index.ts';

/** Read samples in 1 MiB chunks: a million-sample file never sits in memory as one string. */
const READ_CHUNK_BYTES = 1 << 20;

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

/**
 * A run folder (run.json + samples.jsonl), a bare samples JSONL or an exported summary → RunSummary.
 * `label` names the argument in messages (RUN, BASE, CUR).
 */
export function loadSummary(path: string, label: string, options: SummarizeOptions): RunSummary {
  return loadInput(path, label, options).summary;
}

/** As loadSummary, also saying what the input was: an exported summary is used as computed. */
export function loadInput(path: string, label: string, options: SummarizeOptions): { summary: RunSummary; kind: 'run' | 'samples' | 'exported' } {
  if (!existsSync(path))
    throw new UsageError(`${label}: ${path} does not exist`, {
      hint: 'Give a run folder (results/<run-id>), a samples JSONL file or a JSON file written by `coldbench report --format json`.',
    });
  try {
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
      return { summary: summarize(samplesOf(samplesFile), run, options), kind: 'run' };
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
      return { summary: summarize(samplesOf(path), { runId: basename(path).replace(/\.jsonl?$/, '') }, options), kind: 'samples' };
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
    return { summary: whole, kind: 'exported' };
  } catch (error) {
    if (error instanceof SummaryFormatError) throw new UsageError(`${label}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** "0.3", "30%" → 0.3; the flag name goes in the message. */
export function parseRatio(value: string, flag: string): number {
  const text = value.trim();
  const percent = text.endsWith('%');
  const n = Number(percent ? text.slice(0, -1).trim() : text);
  const ratio = percent ? n / 100 : n;
  if (text === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new UsageError(`${flag} ${text}: expected a fraction between 0 and 1 or a percentage (e.g. 0.05 or 5%)`);
  }
  return ratio;
}

function requestRate(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isFinite(value) && value > 0)) throw new UsageError(`--requests-per-second ${String(value)}: allowed: a number of requests per second above 0, e.g. 25`);
  return value;
}

/** Writes to --out (creating its missing folders) or stdout. */
export function emit(io: CliIO, text: string, out: string | undefined): void {
  if (out) {
    writeOutFile(out, text);
    io.stderr(`Wrote ${out}\n`);
  } else {
    io.stdout(text);
  }
}

export function appendStepSummary(io: CliIO, markdown: string): void {
  const file = io.env.GITHUB_STEP_SUMMARY;
  if (!file) {
    io.stderr('Note: --github-summary: GITHUB_STEP_SUMMARY is not set (not running in GitHub Actions); nothing appended.\n');
    return;
  }
  appendFileSync(file, markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
}

const FORMATS: ReportFormat[] = ['table', 'markdown', 'json', 'csv', 'html'];
const DEFAULT_FORMAT: ReportFormat = 'table';
type Optimize = NonNullable<SummarizeOptions['optimize']>;
const OPTIMIZE_GOALS: Optimize[] = ['cost', 'speed', 'balanced'];
const DEFAULT_OPTIMIZE: Optimize = 'balanced';

/** What `coldbench report` runs with, every flag checked. */
interface ReportCommandOptions {
  run: string;
  summarize: SummarizeOptions;
  format: ReportFormat;
  out: string | undefined;
  githubSummary: boolean;
  calibration: string | undefined;
}

export const reportCommand = defineCommand({
  command: 'report <run>',
  describe: 'Render a run folder, samples JSONL or exported JSON as statistics, comparisons and cost',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run folder (results/<run-id>), samples JSONL (from `coldbench import`) or exported JSON' })
      .option('format', { choices: FORMATS, default: DEFAULT_FORMAT, describe: 'output format' })
      .option('out', { type: 'string', describe: 'write to this file instead of stdout, creating missing folders (default: stdout)' })
      .option('cold-ratio', {
        type: 'string',
        default: String(DEFAULT_COLD_RATIO),
        describe: 'share of invocations that are cold when pricing per 1 M and recommending memory (fraction or %)',
      })
      .option('optimize', { choices: OPTIMIZE_GOALS, default: DEFAULT_OPTIMIZE, describe: 'what the memory recommendation optimises (AWS Lambda Power Tuning strategies)' })
      .option('region', { type: 'string', describe: "price table region (default: the run's region, else us-east-1)" })
      .option('seed', { type: 'number', describe: "seed of the bootstrap intervals (default: the run's seed, else 42)" })
      .option('github-summary', { type: 'boolean', default: false, describe: 'also append the markdown report to $GITHUB_STEP_SUMMARY when set' })
      .option('requests-per-second', {
        type: 'number',
        describe: "request rate provisioned concurrency's standing charge and SnapStart's cache are priced at (default: 10)",
      })
      .option('calibration', {
        type: 'string',
        describe: 'calibration file for "On Lambda (est.)" figures of a local run (default: the one `coldbench calibrate` keeps in the cache, when there is one)',
      }),
  resolve: (flags): ReportCommandOptions => ({
    run: flags.run,
    summarize: {
      coldRatio: parseRatio(flags.coldRatio, '--cold-ratio'),
      optimize: flags.optimize,
      region: flags.region,
      seed: flags.seed,
      requestsPerSecond: requestRate(flags.requestsPerSecond),
    },
    format: flags.format,
    out: flags.out,
    githubSummary: flags.githubSummary,
    calibration: flags.calibration,
  }),
  run: async ({ run, summarize: options, format, out, githubSummary, calibration }, io) => {
    const { summary, kind } = loadInput(run, 'RUN', { ...options, calibration: await calibrationFor(io, calibration) });
    if (kind === 'exported') {
      // Its numbers were computed when it was exported; only the samples could be re-priced.
      const o = summary.options;
      const differs =
        o.coldRatio !== options.coldRatio ||
        o.optimize !== options.optimize ||
        (options.region !== undefined && o.region !== options.region) ||
        (options.seed !== undefined && o.seed !== options.seed);
      if (differs)
        io.stderr(
          `Note: ${run} is an exported summary computed with --cold-ratio ${o.coldRatio} --optimize ${o.optimize} --region ${o.region} --seed ${o.seed}; those flags apply only to run folders and samples files.\n`,
        );
    }
    emit(io, render(summary, format, { color: io.color && !out }), out);
    if (githubSummary) appendStepSummary(io, render(summary, 'markdown'));
    return EXIT_OK;
  },
});
