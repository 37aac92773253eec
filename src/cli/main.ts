import { ColdbenchError } from '../errors.ts';
import { closest } from './args.ts';
import type { Command } from './command.ts';
import { benchCommand } from './commands/bench.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { cleanCommand } from './commands/clean.ts';
import { compareCommand } from './commands/compare.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { importCommand } from './commands/import.ts';
import { profileCommand } from './commands/profile.ts';
import { reportCommand } from './commands/report.ts';
import { EXIT_ERROR, EXIT_OK, UsageError } from './errors.ts';
import { commandHelp, helpWidth, mainHelp } from './help.ts';
import { type CliIO, packageVersion, processIO } from './io.ts';

/** Every command, in the order `coldbench --help` lists them. */
export const COMMANDS: Command[] = [benchCommand, reportCommand, compareCommand, importCommand, emulatorCommand, cleanCommand, profileCommand, calibrateCommand];
const MAIN_HINT = 'Run `coldbench --help` for the commands and their flags.';

/**
 * Parses argv, runs one command and returns its exit code. Never exits the process. `--help`
 * and `--version` win wherever they stand before a `--`: `coldbench report --help` prints the
 * report's help even without its RUN.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    const width = helpWidth(process.stdout.columns);
    const end = argv.indexOf('--');
    // Every word before `--` counts, values included, deliberately: no flag takes a word starting with `--` as its value (args.ts), so such a word is always the flag.
    const flagged = (flag: string) => (end < 0 ? argv : argv.slice(0, end)).includes(flag);
    const at = argv.findIndex((word) => word === '--' || !word.startsWith('-') || word === '-');
    const name = at < 0 || argv[at] === '--' ? undefined : argv[at];
    const command = COMMANDS.find((c) => c.name === name);
    if (flagged('--help')) {
      io.stdout(command ? commandHelp(command, width) : mainHelp(COMMANDS, width));
      return EXIT_OK;
    }
    if (flagged('--version')) {
      io.stdout(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    // Before the command only --help and --version are flags.
    const stray = argv.slice(0, at < 0 ? argv.length : at).find((word) => word.startsWith('-'));
    if (stray !== undefined) throw new UsageError(`unknown flag ${stray} before the command; a command's flags go after its name`, { hint: MAIN_HINT });
    if (name === undefined) throw new UsageError('Name a command; `coldbench --help` lists them.', { hint: MAIN_HINT });
    if (command === undefined) {
      const names = COMMANDS.map((c) => c.name);
      const guess = closest(name, names);
      throw new UsageError(`unknown command ${name}${guess ? `; did you mean ${guess}?` : `; the commands are ${names.join(', ')}`}`, { hint: MAIN_HINT });
    }
    return await command.execute(argv.slice(at + 1), io);
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * Every failure the user can act on is a ColdbenchError: its message, its hint, its exit code.
 * Anything else is a bug in coldbench, printed with its cause and stack.
 */
function reportError(error: unknown, io: CliIO): number {
  if (error instanceof ColdbenchError) {
    io.stderr(`Error: ${error.message}\n`);
    if (error.hint) io.stderr(`Hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  io.stderr(`Error: ${err.message}\n`);
  if (err.cause instanceof Error) io.stderr(`Reason: ${err.cause.message}\n`);
  io.stderr(`${err.stack ?? ''}\n`);
  return EXIT_ERROR;
}

/** Entry point used by bin/coldbench.js. */
export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv, processIO());
}
