import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CliIO, CommandResult } from './io.ts';

/**
 * One subcommand. Each lives in its own file under src/cli/commands so the pieces of the CLI
 * can grow independently; main.ts only registers them. A command's flags go through three
 * typed steps: `builder` declares them (yargs infers their types from the declarations, and
 * checks types and choices before anything runs), `resolve` turns them into the command's own
 * options (every other check of a flag value: ranges, formats, combinations), and `run` does
 * the work with those options only. `run` imports the modules that do the work (the report, the
 * harness, the log readers) when it starts, so only the command that runs loads them.
 */
export interface CommandDef<Flags, Options> {
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv<Flags>;
  /** Parsed flags → options; throws UsageError for a value no option can hold. */
  resolve: (flags: ArgumentsCamelCase<Flags>) => Options;
  run: (options: Options, io: CliIO) => Promise<CommandResult>;
}

/** A command as main.ts sees it: something that registers itself on the parser. */
export interface Command {
  command: string;
  register: (parser: Argv, io: CliIO, done: (exitCode: CommandResult) => void) => void;
}

/** Checks a command's steps against each other (the flags builder declares are the ones resolve reads, …). */
export function defineCommand<Flags, Options>(def: CommandDef<Flags, Options>): Command & CommandDef<Flags, Options> {
  return {
    ...def,
    register: (parser, io, done) => {
      parser.command(def.command, def.describe, def.builder, async (flags) => done(await def.run(def.resolve(flags), io)));
    },
  };
}
