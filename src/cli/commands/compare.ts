import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const compareCommand: CommandDef = {
  command: 'compare <base> <cur>',
  describe: 'Regression check: exit 0 = no significant regression, 1 = regression beyond --threshold, 2 = usage/input error',
  builder: (y) =>
    y
      .positional('base', { type: 'string', describe: 'baseline run folder or exported JSON' })
      .positional('cur', { type: 'string', describe: 'current run folder or exported JSON' })
      .option('threshold', { type: 'string', default: '10%', describe: 'smallest change that counts as a regression' }),
  run: async (_args, io) => notBuiltYet(io, 'compare', 'issue #5, reports'),
};
