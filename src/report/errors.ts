import { ColdbenchError } from '../errors.ts';

/** The report's failure kinds, each a ColdbenchError (src/errors.ts): the CLI prints the message (and hint) and exits 2. */

/** Two summaries have no variant in common, so there is nothing to compare. */
export class NoCommonVariantsError extends ColdbenchError {
  constructor(
    readonly baseVariants: string[],
    readonly curVariants: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `the two runs have no measured variant in common: BASE has ${baseVariants.length ? baseVariants.join(', ') : 'none'}; ` +
        `CUR has ${curVariants.length ? curVariants.join(', ') : 'none'}`,
      { ...options, hint: 'Variants are matched by name; compare runs of the same suite.' },
    );
  }
}

/** --normalize-by names a variant that is not measured in both runs. */
export class ReferenceVariantError extends ColdbenchError {
  constructor(
    readonly variant: string,
    readonly side: 'BASE' | 'CUR',
    readonly available: string[],
    options?: { cause?: unknown },
  ) {
    super(`--normalize-by ${variant}: ${side} has no measured variant of that name (it has ${available.join(', ') || 'none'})`, {
      ...options,
      hint: 'Name a variant measured in both runs.',
    });
  }
}

/** A file that is not a samples line, run.json or exported summary. */
export class SummaryFormatError extends ColdbenchError {}
