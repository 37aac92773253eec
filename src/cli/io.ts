import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { cannotWrite } from './errors.ts';

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

/**
 * The result of a command: its exit code, which main() returns and bin/ sets. Commands end the
 * process themselves in one case only: a second Ctrl-C during `bench` exits at once with 130,
 * as its first Ctrl-C message promises, without waiting for the invokes in flight.
 */
export type CommandResult = number;

/** Reads one answer line from stdin; false on EOF (no one to ask). */
export function askYesNo(io: CliIO, question: string): Promise<boolean> {
  io.stderr(`${question} [y/N] `);
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(line.trim()));
    });
    rl.once('close', () => {
      if (!answered) {
        io.stderr('\n');
        resolve(false);
      }
    });
  });
}

/** coldbench's own version, from package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Writes the file a flag names (--out unless `flag` says otherwise), creating its missing folders;
 * a place that cannot be written is the user's to fix (exit 2, naming the flag).
 */
export function writeOutFile(out: string, text: string, flag = '--out'): void {
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  } catch (error) {
    throw cannotWrite(out, error, flag);
  }
}
