/**
 * One error class per failure kind of the harness. Every class marks itself `expected` so the
 * CLI prints the message (and `Reason:` from the cause) without a stack.
 */

/** The base of the harness's errors: `expected`, and named after its class. */
abstract class HarnessError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The suite file is missing, malformed or breaks a rule of docs/suite-format.md. */
export class SuiteError extends HarnessError {}

/** A flag (or flag combination) the harness cannot honour. */
export class BenchOptionError extends HarnessError {}

/** Building a package failed: pip, npm or esbuild exited with an error. */
export class PackagingError extends HarnessError {}

/** A package (function + layers) is above Lambda's 250 MB unzipped limit. */
export class PackageTooLargeError extends HarnessError {}

/** Creating or updating a function or layer failed. */
export class DeployError extends HarnessError {}

/** The target (emulator, endpoint, account) cannot be reached or is not usable. */
export class TargetError extends HarnessError {}

/** The results folder given to --resume cannot be resumed. */
export class ResumeError extends HarnessError {}

/** The user declined the confirmation prompt, or none could be shown. */
export class NotConfirmedError extends HarnessError {}

/** Restoring a user's function (--function) to its original configuration failed. */
export class RestoreError extends HarnessError {}
