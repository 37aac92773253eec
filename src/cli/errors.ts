import { ColdbenchError, type ColdbenchErrorOptions, EXIT_ERROR } from '../errors.ts';

export { EXIT_ERROR, EXIT_FINDING, EXIT_OK } from '../errors.ts';

/**
 * A flag, argument or input file the user can fix: printed as `Error: <message>` (plus
 * `Hint:` when given) and exits with code 2, like every ColdbenchError.
 */
export class UsageError extends ColdbenchError {
  constructor(message: string, options: Omit<ColdbenchErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: EXIT_ERROR });
  }
}

/** What went wrong, for a message: Node's error code when it has one (ENOENT, ENOTDIR, …), else the error's message. */
function codeOrMessage(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return messageOf(error);
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** --out names a place that cannot be written (report, compare and import say it the same way). */
export function cannotWrite(out: string, error: unknown): UsageError {
  return new UsageError(`--out ${out}: cannot write there (${codeOrMessage(error)})`, { hint: 'Give a file path in a writable place; missing folders are created.', cause: error });
}
