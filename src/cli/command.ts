import { type ChoiceDefaults, type CommandSpec, commandHint, type FlagSpec, type ParsedArgs, type PositionalSpec, parseCommandArgs } from './args.ts';
import { UsageError } from './errors.ts';
import type { CliIO, CommandResult } from './io.ts';

/**
 * One subcommand. Each lives in its own file under src/cli/commands so the pieces of the CLI
 * can grow independently; main.ts only lists them. A command's flags go through three typed
 * steps: `positionals` and `flags` declare them (args.ts infers their types from the
 * declaration, and its parser checks types and choices before anything runs), `resolve` turns
 * them into the command's own options (every other check of a flag value: ranges, formats,
 * combinations), and `run` does the work with those options only. `run` imports the modules
 * that do the work (the report, the harness, the log readers) when it starts, so only the
 * command that runs loads them.
 */
export interface CommandDef<P extends readonly PositionalSpec[], F extends Readonly<Record<string, FlagSpec>>, Options> {
  /** The word after `coldbench`. */
  name: string;
  describe: string;
  positionals?: P;
  flags: F;
  epilogue?: string;
  /** Parsed arguments → options; throws UsageError for a value no option can hold (without a hint of its own, it gets `coldbench <name> --help`). */
  resolve: (args: ParsedArgs<P, F>) => Options;
  run: (options: Options, io: CliIO) => Promise<CommandResult>;
}

/** A command as main.ts sees it: its declaration (for the help) and a way to run it on its arguments. */
export interface Command extends CommandSpec {
  /** Parses the words after the command's name, resolves them and runs the command. */
  execute: (args: readonly string[], io: CliIO) => Promise<CommandResult>;
}

/** Checks a command's steps against each other (the flags it declares are the ones resolve reads, a choice flag's default is one of its choices, …). */
export function defineCommand<
  const P extends readonly PositionalSpec[] = [],
  const F extends Readonly<Record<string, FlagSpec>> & ChoiceDefaults<F> = Readonly<Record<string, FlagSpec>>,
  Options = unknown,
>(def: CommandDef<P, F, Options>): Command & CommandDef<P, F, Options> {
  const positionals = def.positionals ?? ([] as readonly PositionalSpec[] as P);
  return {
    ...def,
    positionals,
    execute: async (args, io) => {
      // The parser builds exactly the object ParsedArgs<P, F> describes from the same declaration.
      const parsed = parseCommandArgs({ ...def, positionals }, args) as ParsedArgs<P, F>;
      return def.run(resolveWithHint(def, parsed), io);
    },
  };
}

/** `def.resolve(parsed)`; a UsageError it throws without a hint gets the command's, as the parser's errors have. */
function resolveWithHint<P extends readonly PositionalSpec[], F extends Readonly<Record<string, FlagSpec>>, Options>(
  def: CommandDef<P, F, Options>,
  parsed: ParsedArgs<P, F>,
): Options {
  try {
    return def.resolve(parsed);
  } catch (error) {
    if (error instanceof UsageError && error.hint === undefined) throw new UsageError(error.message, { hint: commandHint(def.name), cause: error.cause });
    throw error;
  }
}
