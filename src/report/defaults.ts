/**
 * The report's defaults, in a module of their own: `coldbench report --help` shows them, and
 * parsing flags should not load the report to learn two numbers.
 */

/** Production traffic rarely sees more than about 1 % cold starts (AWS's own figure). */
export const DEFAULT_COLD_RATIO = 0.01;
/** The seed when neither the options nor run.json give one. */
export const DEFAULT_SEED = 42;
