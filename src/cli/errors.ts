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

/** A file flag (--out unless `flag` names another) names a place that cannot be written (report, compare, import and calibrate --print-suite say it the same way). */
export function cannotWrite(out: string, error: unknown, flag = '--out'): UsageError {
  return new UsageError(`${flag} ${out}: cannot write there (${codeOrMessage(error)})`, {
    hint: 'Give a file path in a writable place; missing folders are created.',
    cause: error,
  });
}
