import type { Argv } from 'yargs';
import type { CliIO, CommandResult } from './io.ts';

/**
 * One subcommand. Each lives in its own file under src/cli/commands so the pieces of the CLI
 * can grow independently; main.ts only registers them.
 */
export interface CommandDef {
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: Record<string, unknown>, io: CliIO) => Promise<CommandResult>;
}
