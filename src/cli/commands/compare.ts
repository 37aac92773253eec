import { defineCommand } from '../command.ts';
import { EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';
import type { CompareMetric, CompareOptions, ComparisonFormat } from '../../report/index.ts';
import { appendStepSummary, emit, parseRatio } from './report.ts';

const METRICS: CompareMetric[] = ['cold.median', 'cold.p90', 'warm.median', 'cost'];
const DEFAULT_METRIC: CompareMetric = 'cold.median';
const FORMATS: ComparisonFormat[] = ['table', 'markdown', 'json'];
const DEFAULT_FORMAT: ComparisonFormat = 'table';

/** What `coldbench compare` runs with, every flag checked. */
interface CompareCommandOptions {
  base: string;
  cur: string;
  compare: CompareOptions;
  coldRatio: number;
  format: ComparisonFormat;
  out: string | undefined;
  githubSummary: boolean;
}

export const compareCommand = defineCommand({
  name: 'compare',
  describe: 'Regression check: exit 0 = no significant regression, 1 = regression at or beyond --threshold, 2 = usage/input error',
  positionals: [
    { name: 'base', required: true, describe: 'baseline: run folder, samples JSONL or exported JSON (results/baseline.json)' },
    { name: 'cur', required: true, describe: 'current: run folder, samples JSONL or exported JSON' },
  ],
  flags: {
    threshold: {
      type: 'string',
      default: '10%',
      describe: 'smallest relative change that counts as a regression (percentage or fraction); exit 1 needs a change at least this large whose 95 % CI of current/base excludes 1',
    },
    metric: { choices: METRICS, default: DEFAULT_METRIC, describe: 'what is compared; cost = $ per 1 M invocations at --cold-ratio' },
    'normalize-by': {
      type: 'string',
      describe: 'compare each variant relative to this variant of the same run, so runs from different machines compare (default: absolute values)',
    },
    'cold-ratio': { type: 'string', default: '0.01', describe: 'cold share used by --metric cost (fraction or %)' },
    format: { choices: FORMATS, default: DEFAULT_FORMAT, describe: 'output format' },
    out: { type: 'string', describe: 'write to this file instead of stdout, creating missing folders (default: stdout)' },
    'github-summary': { type: 'boolean', describe: 'also append the markdown comparison to $GITHUB_STEP_SUMMARY when set' },
  },
  resolve: (flags): CompareCommandOptions => ({
    base: flags.base,
    cur: flags.cur,
    compare: { threshold: parseRatio(flags.threshold, '--threshold'), metric: flags.metric, normalizeBy: flags.normalizeBy },
    coldRatio: parseRatio(flags.coldRatio, '--cold-ratio'),
    format: flags.format,
    out: flags.out,
    githubSummary: flags.githubSummary,
  }),
  run: async (options, io) => {
    // Loaded when a comparison runs, not when any command parses its flags.
    const [{ loadSummary }, { compareRuns, NoCommonVariantsError, renderComparison }] = await Promise.all([import('./report-input.ts'), import('../../report/index.ts')]);
    const base = loadSummary(options.base, 'BASE', { coldRatio: options.coldRatio });
    const cur = loadSummary(options.cur, 'CUR', { coldRatio: options.coldRatio });
    let comparison: ReturnType<typeof compareRuns>;
    try {
      comparison = compareRuns(base, cur, options.compare);
    } catch (error) {
      // The report layer does not know where the runs came from: name the two inputs.
      if (error instanceof NoCommonVariantsError) throw new UsageError(`${options.base} and ${options.cur}: ${error.message}`, { hint: error.hint, cause: error });
      throw error;
    }
    emit(io, renderComparison(comparison, options.format, { color: io.color && !options.out }), options.out);
    if (options.githubSummary) appendStepSummary(io, renderComparison(comparison, 'markdown'));
    return comparison.regressions > 0 ? EXIT_FINDING : EXIT_OK;
  },
});
