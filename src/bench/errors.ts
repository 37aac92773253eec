/**
 * One error class per failure kind of the harness (STYLE.md). Every class marks itself
 * `expected` so the CLI prints the message (and `Reason:` from the cause) without a stack.
 */

/** The suite file is missing, malformed or breaks a rule of docs/suite-format.md. */
export class SuiteError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SuiteError';
  }
}

/** A flag (or flag combination) the harness cannot honour. */
export class BenchOptionError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchOptionError';
  }
}

/** Building a package failed: pip, npm or esbuild exited with an error. */
export class PackagingError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackagingError';
  }
}

/** A package (function + layers) is above Lambda's 250 MB unzipped limit. */
export class PackageTooLargeError extends Error {
  readonly expected = true;
  constructor(message: string) {
    super(message);
    this.name = 'PackageTooLargeError';
  }
}

/** Creating or updating a function or layer failed. */
export class DeployError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** The target (emulator, endpoint, account) cannot be reached or is not usable. */
export class TargetError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetError';
  }
}

/** The results folder given to --resume cannot be resumed. */
export class ResumeError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResumeError';
  }
}

/** The user declined the confirmation prompt, or none could be shown. */
export class NotConfirmedError extends Error {
  readonly expected = true;
  constructor(message: string) {
    super(message);
    this.name = 'NotConfirmedError';
  }
}

/** Restoring a user's function (--function) to its original configuration failed. */
export class RestoreError extends Error {
  readonly expected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestoreError';
  }
}
