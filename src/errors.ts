/**
 * coldbench's one error family. Every failure the user can act on — a bad flag, a malformed
 * suite, a deploy the target refused, a function that cannot be profiled — is a ColdbenchError:
 * the CLI prints `Error: <message>` (and `Hint: <hint>` when given) and exits with its exit code,
 * without a stack. Anything else that reaches the top is a bug and is printed with its stack.
 *
 * Every layer may import this module (it imports nothing). The emulator's AWS wire errors
 * (src/emulator/api/errors.ts) are not part of it: they are answers on the wire, not CLI failures.
 */

/** Exit codes shared by every command (knip's convention). */
export const EXIT_OK = 0;
/** A finding: a regression at or beyond the threshold, a variant that failed, a function that cannot be profiled. */
export const EXIT_FINDING = 1;
/** Usage or input error: bad flag, missing file, malformed suite. */
export const EXIT_ERROR = 2;

export interface ColdbenchErrorOptions {
  cause?: unknown;
  /** What to do next, printed as `Hint: …` under the message. */
  hint?: string;
  /** The process exit code when this error ends a command (default EXIT_ERROR, 2). */
  exitCode?: number;
}

/** The base of every coldbench error; `name` is the class's own name. */
export class ColdbenchError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: ColdbenchErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_ERROR;
  }
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What went wrong, for a message: Node's error code when it has one (ENOENT, EACCES, …), else the error's message. */
export function codeOrMessage(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return messageOf(error);
}
