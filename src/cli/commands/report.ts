import { appendFileSync } from 'node:fs';
import type { ReportFormat, SummarizeOptions } from '../../report/index.ts';
import { DEFAULT_COLD_RATIO } from '../../report/defaults.ts';
import { defineCommand } from '../command.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { type CliIO, writeOutFile } from '../io.ts';

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
  if (!(Number.isFinite(value) && value > 0)) throw new UsageError(`--requests-per-second ${value}: allowed: a number of requests per second above 0, e.g. 25`);
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
  name: 'report',
  describe: 'Render a run folder, samples JSONL or exported JSON as statistics, comparisons and cost',
  positionals: [{ name: 'run', required: true, describe: 'run folder (results/<run-id>), samples JSONL (from `coldbench import`) or exported JSON' }],
  flags: {
    format: { choices: FORMATS, default: DEFAULT_FORMAT, describe: 'output format' },
    out: { type: 'string', describe: 'write to this file instead of stdout, creating missing folders (default: stdout)' },
    'cold-ratio': {
      type: 'string',
      default: String(DEFAULT_COLD_RATIO),
      describe: 'share of invocations that are cold when pricing per 1 M and recommending memory (fraction or %)',
    },
    optimize: { choices: OPTIMIZE_GOALS, default: DEFAULT_OPTIMIZE, describe: 'what the memory recommendation optimises (AWS Lambda Power Tuning strategies)' },
    region: { type: 'string', describe: "price table region (default: the run's region, else us-east-1)" },
    seed: { type: 'number', describe: "seed of the bootstrap intervals (default: the run's seed, else 42)" },
    'github-summary': { type: 'boolean', describe: 'also append the markdown report to $GITHUB_STEP_SUMMARY when set' },
    'requests-per-second': {
      type: 'number',
      describe: "request rate provisioned concurrency's standing charge and SnapStart's cache are priced at (default: 10)",
    },
    calibration: {
      type: 'string',
      describe: 'calibration file for "On Lambda (est.)" figures of a local run (default: the one `coldbench calibrate` keeps in the cache, when there is one)',
    },
  },
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
  run: async ({ run, summarize: options, format, out, githubSummary, calibration: calibrationFile }, io) => {
    // Loaded when a report runs, not when any command parses its flags.
    const [{ readInput, summarizeInput, whyNoEstimates }, { render }, { calibrationFor }] = await Promise.all([
      import('./report-input.ts'),
      import('../../report/index.ts'),
      import('../calibration.ts'),
    ]);
    const input = readInput(run, 'RUN');
    // A calibration feeds only a local run's estimates: for anything else it is not read, and its warnings (another machine, an older reference) do not print.
    const noEstimates = whyNoEstimates(input);
    if (noEstimates !== null && calibrationFile !== undefined)
      io.stderr(`Note: --calibration ${calibrationFile} is not used: "On Lambda (est.)" estimates are made only for local (emulator) runs, and ${noEstimates}.\n`);
    const calibration = noEstimates === null ? await calibrationFor(io, calibrationFile) : undefined;
    const summary = summarizeInput(input, 'RUN', { ...options, calibration });
    if (input.kind === 'exported') {
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
