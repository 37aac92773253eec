import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const cleanCommand: CommandDef = {
  command: 'clean',
  describe: 'Delete what coldbench created (recognised by tag and name prefix) and nothing else',
  builder: (y) =>
    y
      .option('target', { type: 'string', default: 'local', describe: 'local, aws or an endpoint URL' })
      .option('yes', { type: 'boolean', default: false, describe: 'do not ask for confirmation' }),
  run: async (_args, io) => notBuiltYet(io, 'clean', 'issue #4, the benchmark harness'),
};
