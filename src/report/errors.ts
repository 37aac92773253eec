/** The report's failure kinds; the CLI turns each into exit code 2 with its message. */

/** Two summaries have no variant in common, so there is nothing to compare. */
export class NoCommonVariantsError extends Error {
  constructor(readonly baseVariants: string[], readonly curVariants: string[], options?: { cause?: unknown }) {
    super(
      `the two runs have no measured variant in common: BASE has ${baseVariants.length ? baseVariants.join(', ') : 'none'}; ` +
        `CUR has ${curVariants.length ? curVariants.join(', ') : 'none'}`,
      options,
    );
    this.name = 'NoCommonVariantsError';
  }
}

/** --normalize-by names a variant that is not measured in both runs. */
export class ReferenceVariantError extends Error {
  constructor(readonly variant: string, readonly side: 'BASE' | 'CUR', readonly available: string[], options?: { cause?: unknown }) {
    super(`--normalize-by ${variant}: ${side} has no measured variant of that name (it has ${available.join(', ') || 'none'})`, options);
    this.name = 'ReferenceVariantError';
  }
}

/** A file that is not a samples line, run.json or exported summary. */
export class SummaryFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SummaryFormatError';
  }
}
