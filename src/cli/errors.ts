import { ColdbenchError, type ColdbenchErrorOptions, codeOrMessage, EXIT_ERROR } from '../errors.ts';

export { EXIT_ERROR, EXIT_FINDING, EXIT_OK, messageOf } from '../errors.ts';

/**
 * A flag, argument or input file the user can fix: printed as `Error: <message>` (plus
 * `Hint:` when given) and exits with code 2, like every ColdbenchError.
 */
export class UsageError extends ColdbenchError {
  constructor(message: string, options: Omit<ColdbenchErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: EXIT_ERROR });
  }
}

/** --out names a place that cannot be written (report, compare and import say it the same way). */
export function cannotWrite(out: string, error: unknown): UsageError {
  return new UsageError(`--out ${out}: cannot write there (${codeOrMessage(error)})`, { hint: 'Give a file path in a writable place; missing folders are created.', cause: error });
}
