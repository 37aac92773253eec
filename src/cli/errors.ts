/** Exit codes shared by every command (knip's convention). */
export const EXIT_OK = 0;
/** A finding: a regression at or beyond the threshold, a variant that failed. */
export const EXIT_FINDING = 1;
/** Usage or input error: bad flag, missing file, malformed suite. */
export const EXIT_ERROR = 2;

/**
 * An error the user can fix: printed as `Error: <message>` (plus `Hint:` when given) and
 * exits with code 2. Anything else that reaches the top is a bug and is printed with its stack.
 */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
