import { ColdbenchError } from '../errors.ts';

/**
 * One error class per failure kind of the harness, each a ColdbenchError (src/errors.ts): the
 * CLI prints the message without a stack and exits 2.
 */

/** The suite file is missing, malformed or breaks a rule of docs/suite-format.md. */
export class SuiteError extends ColdbenchError {}

/** A flag (or flag combination) the harness cannot honour. */
export class BenchOptionError extends ColdbenchError {}

/** Building a package failed: pip, npm or esbuild exited with an error. */
export class PackagingError extends ColdbenchError {}

/** A package (function + layers) is above Lambda's 250 MB unzipped limit. */
export class PackageTooLargeError extends ColdbenchError {}

/** Creating or updating a function or layer failed. */
export class DeployError extends ColdbenchError {}

/** The target (emulator, endpoint, account) cannot be reached or is not usable. */
export class TargetError extends ColdbenchError {}

/** The results folder given to --resume cannot be resumed. */
export class ResumeError extends ColdbenchError {}

/** The user declined the confirmation prompt, or none could be shown. */
export class NotConfirmedError extends ColdbenchError {}

/** Restoring a user's function (--function) to its original configuration failed. */
export class RestoreError extends ColdbenchError {}
