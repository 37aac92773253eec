import yargs from 'yargs';
import { ColdbenchError } from '../errors.ts';
import type { Command } from './command.ts';
import { benchCommand } from './commands/bench.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { cleanCommand } from './commands/clean.ts';
import { compareCommand } from './commands/compare.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { importCommand } from './commands/import.ts';
import { profileCommand } from './commands/profile.ts';
import { reportCommand } from './commands/report.ts';
import { EXIT_ERROR, UsageError } from './errors.ts';
import { type CliIO, packageVersion, processIO } from './io.ts';

const COMMANDS: Command[] = [benchCommand, reportCommand, compareCommand, importCommand, emulatorCommand, cleanCommand, profileCommand, calibrateCommand];

/** Parses argv, runs one command and returns its exit code. Never exits the process. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number | undefined;
  const parser = yargs(argv)
    .scriptName('coldbench')
    .usage('coldbench <command> [options]\n\nBenchmark and shrink serverless cold starts.')
    .version(packageVersion())
    .help()
    .strict()
    .demandCommand(1, 'Name a command; `coldbench --help` lists them.')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // Throwing stops yargs before it runs the command with the rejected value.
      throw error ?? new UsageError(message, { hint: 'Run `coldbench --help` for the commands and their flags.' });
    });
  for (const def of COMMANDS) {
    def.register(parser, io, (code) => {
      exitCode = code;
    });
  }
  let helpText = '';
  try {
    await parser.parseAsync(argv, {}, (_err, _argv, output) => {
      helpText = output;
    });
  } catch (error) {
    return reportError(error, io);
  }
  if (helpText) io.stdout(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
  return exitCode ?? 0;
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
