import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const importCommand: CommandDef = {
  command: 'import <files..>',
  describe: 'Turn platform logs (text, JSON lines, CloudWatch JSON output) into samples JSONL; - reads stdin',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'log files; - for stdin' })
      .option('out', { type: 'string', describe: 'write samples here (default: stdout)' }),
  run: async (_args, io) => notBuiltYet(io, 'import', 'issue #2, the log probe'),
};
