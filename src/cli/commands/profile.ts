import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const profileCommand: CommandDef = {
  command: 'profile <target>',
  describe: "What dominates a function's init, and what to change",
  builder: (y) => y.positional('target', { type: 'string', describe: 'function folder or suite variant' }),
  run: async (_args, io) => notBuiltYet(io, 'profile', 'issue #7, the optimisation advisor'),
};
