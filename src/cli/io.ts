import { EXIT_ERROR } from './errors.ts';

/** Where a command writes; tests hand in buffers, the real CLI the process streams. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colours only when stdout is a TTY and NO_COLOR is unset (https://no-color.org). */
  color: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  isTTY: boolean;
}

export function processIO(): CliIO {
  const env = process.env;
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    color: isTTY && !('NO_COLOR' in env && env.NO_COLOR !== ''),
    env,
    stdin: process.stdin,
    isTTY,
  };
}

/** The result of a command: its exit code. Commands never call process.exit themselves. */
export type CommandResult = number;

export function notBuiltYet(io: CliIO, command: string, issue: string): CommandResult {
  io.stderr(`Error: \`coldbench ${command}\` is not built yet (${issue}).\n`);
  return EXIT_ERROR;
}
