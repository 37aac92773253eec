/**
 * What `coldbench profile` produces: the JSON of `--format json` and what every renderer reads.
 * Plain JSON-safe values. Field meanings in docs/profile.md.
 */
import type { ModuleEntry } from './group.ts';

/** `coldbench profile --format`; here, in a module the CLI loads without the renderers. */
export type ProfileFormat = 'table' | 'markdown' | 'json' | 'html';
export const PROFILE_FORMATS: ProfileFormat[] = ['table', 'markdown', 'json', 'html'];

export type RuleId =
  | 'module-level-work'
  | 'unused-import'
  | 'branch-only-import'
  | 'barely-used-import'
  | 'per-call-client'
  | 'strip-package'
  | 'missing-bytecode'
  | 'node-bundle'
  | 'memory-size';

/** How --verify can apply a recommendation mechanically; absent when only a person can. */
export type Fix =
  | { kind: 'strip'; package: string; paths: string[] }
  | { kind: 'precompile' }
  | { kind: 'esbuild' }
  | { kind: 'lazy-import'; package: string }
  /** Delete lines `line`..`endLine` of `file` (relative to the function's folder): one import statement */
  | { kind: 'remove-import'; package: string; file: string; line: number; endLine: number }
  /** Empty lines `line`..`endLine` of `file` and insert `statement` before line `into` at that line's indentation: a module-level import moved into the branch that uses it */
  | { kind: 'move-import'; package: string; file: string; line: number; endLine: number; into: number; statement: string }
  | { kind: 'compare-handler'; handler: string }
  | { kind: 'memory'; memoryMB: number };

/** Where a saving comes from: a measurement of both variants, the trace, or nowhere yet. */
export type SavingBasis = 'measured' | 'estimated from the import trace' | 'not estimated';

export interface Recommendation {
  rule: RuleId;
  /** The package, module or function the rule is about */
  target: string;
  /** What to change, in one sentence */
  action: string;
  /** Milliseconds saved per cold start (`per: 'cold-start'`) or per invocation; null when not estimated */
  savingMs: number | null;
  per: 'cold-start' | 'invocation';
  basis: SavingBasis;
  /** What the rule saw: numbers, files, lines */
  evidence: string;
  /** True only after --verify benchmarked both variants and measured the saving */
  verified: boolean;
  /** 95 % bootstrap interval of the measured saving (difference of medians), when verified */
  ci?: [number, number];
  /** Samples behind a measured saving */
  n?: { baseline: number; variant: number };
  fix?: Fix;
  /** Why --verify did not measure it, when it was asked to */
  unverifiedReason?: string;
  /** The cold-start saving estimated on Lambda (ms, 90 % interval) from a calibration; an estimate, never a measurement */
  lambdaSaving?: { median: number; low: number; high: number };
}

export interface ProfileReport {
  function: {
    name: string;
    codeDir: string;
    runtime: string;
    handler: string;
    memoryMB: number;
    variant?: string;
  };
  /** Init Duration of the traced cold start (ms), the denominator of every share */
  initMs: number;
  /** Init time no traced import accounts for: interpreter start, runtime client, first /next */
  unattributedMs: number;
  /** How the trace was taken, e.g. `python -X importtime through AWS_LAMBDA_EXEC_WRAPPER` */
  tracing: string;
  /** Warm Duration of the traced environment's warm invokes (ms) */
  warm: { n: number; medianMs: number | null };
  modules: ModuleEntry[];
  recommendations: Recommendation[];
  /** Endpoint the function ran on */
  target: string;
  notes: string[];
  /** The calibration the `lambdaSaving` figures come from, when there was one */
  lambdaEstimates?: { speed: number; file: string; calibratedAt: string; reference: string };
}
