import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const benchCommand: CommandDef = {
  command: 'bench [suite]',
  describe: 'Run a benchmark suite (default fixtures/suites/seed.yaml) and print the comparison',
  builder: (y) =>
    y
      .positional('suite', { type: 'string', describe: 'suite file (YAML or JSON)', default: 'fixtures/suites/seed.yaml' })
      .option('target', { type: 'string', default: 'local', describe: 'local (embedded emulator), aws (real account: costs money, asks first unless --yes) or an endpoint URL' })
      .option('out', { type: 'string', describe: 'results folder (default results/<run-id>)' })
      .option('resume', { type: 'string', describe: 'continue an interrupted run in this folder without redoing finished samples (default: off)' }),
  run: async (_args, io) => notBuiltYet(io, 'bench', 'issue #4, the benchmark harness'),
};
