import type { CommandDef } from '../command.ts';
import { EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';
import { compareRuns, NoCommonVariantsError, ReferenceVariantError, renderComparison, type CompareMetric, type ComparisonFormat } from '../../report/index.ts';
import { appendStepSummary, emit, loadSummary, parseRatio } from './report.ts';

export const compareCommand: CommandDef = {
  command: 'compare <base> <cur>',
  describe: 'Regression check: exit 0 = no significant regression, 1 = regression at or beyond --threshold, 2 = usage/input error',
  builder: (y) =>
    y
      .positional('base', { type: 'string', describe: 'baseline: run folder, samples JSONL or exported JSON (results/baseline.json)' })
      .positional('cur', { type: 'string', describe: 'current: run folder, samples JSONL or exported JSON' })
      .option('threshold', { type: 'string', default: '10%', describe: 'smallest relative change that counts as a regression (percentage or fraction); exit 1 needs a change at least this large whose 95 % CI of current/base excludes 1' })
      .option('metric', { choices: ['cold.median', 'cold.p90', 'warm.median', 'cost'], default: 'cold.median', describe: 'what is compared; cost = $ per 1 M invocations at --cold-ratio' })
      .option('normalize-by', { type: 'string', describe: 'compare each variant relative to this variant of the same run, so runs from different machines compare (default: absolute values)' })
      .option('cold-ratio', { type: 'string', default: '0.01', describe: 'cold share used by --metric cost (fraction or %)' })
      .option('format', { choices: ['table', 'markdown', 'json'], default: 'table', describe: 'output format' })
      .option('out', { type: 'string', describe: 'write to this file instead of stdout, creating missing folders (default: stdout)' })
      .option('github-summary', { type: 'boolean', default: false, describe: 'also append the markdown comparison to $GITHUB_STEP_SUMMARY when set' }),
  run: async (args, io) => {
    const threshold = parseRatio(args.threshold, '--threshold');
    const coldRatio = parseRatio(args['cold-ratio'], '--cold-ratio');
    const base = loadSummary(String(args.base), 'BASE', { coldRatio });
    const cur = loadSummary(String(args.cur), 'CUR', { coldRatio });
    let comparison;
    try {
      comparison = compareRuns(base, cur, { threshold, metric: args.metric as CompareMetric, normalizeBy: args['normalize-by'] as string | undefined });
    } catch (error) {
      if (error instanceof NoCommonVariantsError) throw new UsageError(`${args.base} and ${args.cur}: ${error.message}`, 'Variants are matched by name; compare runs of the same suite.', { cause: error });
      if (error instanceof ReferenceVariantError) throw new UsageError(error.message, 'Name a variant measured in both runs.', { cause: error });
      throw error;
    }
    const out = args.out as string | undefined;
    emit(io, renderComparison(comparison, args.format as ComparisonFormat, { color: io.color && !out }), out);
    if (args['github-summary']) appendStepSummary(io, renderComparison(comparison, 'markdown'));
    return comparison.regressions > 0 ? EXIT_FINDING : EXIT_OK;
  },
};
