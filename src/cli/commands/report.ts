import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const reportCommand: CommandDef = {
  command: 'report <run>',
  describe: 'Render a run folder (or exported JSON) as statistics, comparisons and cost',
  builder: (y) =>
    y
      .positional('run', { type: 'string', describe: 'run folder (results/<run-id>) or samples JSONL' })
      .option('format', { choices: ['table', 'markdown', 'json', 'csv', 'html'], default: 'table', describe: 'output format' })
      .option('out', { type: 'string', describe: 'write to this file instead of stdout (default: stdout)' }),
  run: async (_args, io) => notBuiltYet(io, 'report', 'issue #5, reports'),
};
