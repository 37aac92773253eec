/**
 * What the Google Cloud and Azure assemblers share: the probe's SampleAssembler contract
 * (src/probe/assembler.ts), the skipped / malformed bookkeeping, and the sample they emit.
 */
import { type AssemblerOptions, type AssemblerStats, MAX_MALFORMED_KEPT, type SampleAssembler, UNNAMED_VARIANT } from '../assembler.ts';
import type { Sample, SampleStatus } from '../sample.ts';

export type { AssemblerOptions, SampleAssembler };

/** Why a line gave no sample, as `stats().skippedBy` counts it (the Lambda assembler's names, plus one). */
export type SkipReason = 'blank' | 'not a platform line' | 'malformed' | 'duplicate execution';

/** The variant of a sample: the option, else the function the log names, else the caller's fallback. */
export function variantOf(options: AssemblerOptions, functionName: string | null): string {
  return options.variant ?? functionName ?? options.fallbackVariant ?? UNNAMED_VARIANT;
}

/** Counts records, skipped lines and malformed lines for `stats()`. */
export class StatsCounter {
  records = 0;
  private skipped = 0;
  private readonly skippedBy: Record<string, number> = {};
  private readonly malformed: Array<{ line: number; reason: string }> = [];
  private malformedCount = 0;

  skip(why: SkipReason): void {
    this.skipped += 1;
    this.skippedBy[why] = (this.skippedBy[why] ?? 0) + 1;
  }

  /** A line that looked like a platform record but could not be read; the first few keep their reason. */
  bad(line: number, reason: string): void {
    this.skip('malformed');
    this.malformedCount += 1;
    if (this.malformed.length < MAX_MALFORMED_KEPT) this.malformed.push({ line, reason });
  }

  snapshot(): AssemblerStats {
    return { records: this.records, skipped: this.skipped, skippedBy: { ...this.skippedBy }, malformed: [...this.malformed], malformedCount: this.malformedCount };
  }
}

/** The facts a platform gives about one execution; everything it does not give is null. */
export interface ExecutionFacts {
  platform: 'gcp' | 'azure';
  variant: string;
  functionName: string | null;
  instance: string | null;
  cold: boolean;
  requestId: string | null;
  initMs: number | null;
  durationMs: number | null;
  status: SampleStatus;
  errorType: string | null;
  /** Epoch ms of the execution's start (or its end when the start was not logged). */
  timestamp: number | null;
}

/** A Sample in the shared record shape; memory and billing are null because these logs never give them. */
export function platformSample(facts: ExecutionFacts): Sample {
  return {
    variant: facts.variant,
    kind: facts.cold ? 'cold' : 'warm',
    coldBy: facts.cold ? 'instance-start' : 'none',
    requestId: facts.requestId,
    initMs: facts.cold ? facts.initMs : null,
    restoreMs: null,
    billedRestoreMs: null,
    durationMs: facts.durationMs,
    billedMs: null,
    memoryMB: null,
    maxMemoryMB: null,
    status: facts.status,
    errorType: facts.errorType,
    clientMs: null,
    platform: facts.platform,
    function: facts.functionName,
    instance: facts.instance,
    timestamp: facts.timestamp === null ? null : new Date(Math.floor(facts.timestamp)).toISOString(),
  };
}
