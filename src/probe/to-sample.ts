/**
 * REPORT record (+ what other lines of the same request said) → Sample, per DESIGN.md's table.
 * Every field comes from a record in the input or is null; nothing is recomputed.
 */
import type { InitReportRecord, ReportRecord, ReportStatus } from './records.ts';
import type { Sample } from './sample.ts';
import { decideStatus } from './status.ts';

/** The errorType Lambda gives a runtime crash (`Runtime exited with error`). */
export const RUNTIME_EXIT_ERROR = 'Runtime.ExitError';

/** What the non-REPORT lines of one request said, folded into its sample. */
export interface RequestFold {
  timedOut: boolean;
  /** `Task timed out after 3.00 seconds`, from the timeout line (kept as the sample's errorMessage). */
  timeoutMessage: string | null;
  runtimeExited: boolean;
  /** INIT_REPORT / platform.initReport with phase invoke: the init re-ran inside this invoke. */
  invokeInit: InitReportRecord | null;
  /** platform.runtimeDone status and errorType. */
  doneStatus: ReportStatus | null;
  doneErrorType: string | null;
}

/** An empty fold. */
export function newFold(): RequestFold {
  return { timedOut: false, timeoutMessage: null, runtimeExited: false, invokeInit: null, doneStatus: null, doneErrorType: null };
}

/**
 * Builds the Sample for one REPORT / platform.report record.
 * Kind: Init Duration → cold (`init-duration`); Restore Duration → cold (`restore`, initMs null);
 * an INIT_REPORT of phase invoke for this request → cold (`init-duration`, initMs from that
 * line, `initPhase: 'invoke'`); otherwise warm (`none`) — Lambda writes Init Duration only on
 * the first invoke of an environment, so its absence means warm, not unknown.
 * Status by decideStatus (status.ts): a timeout line for the request makes it a timeout whatever
 * the REPORT says; else the REPORT's own Status, else a runtime exit, runtimeDone or the
 * phase-invoke INIT_REPORT; else success (a text REPORT has no Status for a handler exception,
 * so a log alone cannot show one: bench reads the invoke's answer for that).
 * @example sampleFromReport(parseLine('REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t'), null, 'f') // { kind: 'warm', … }
 */
export function sampleFromReport(report: ReportRecord, fold: RequestFold | null, variant: string): Sample {
  let kind: Sample['kind'] = 'warm';
  let coldBy: Sample['coldBy'] = 'none';
  let initMs = report.initMs;
  let suppressed = false;
  if (report.hasInit) {
    kind = 'cold';
    coldBy = 'init-duration';
  } else if (report.hasRestore) {
    kind = 'cold';
    coldBy = 'restore';
  } else if (fold !== null && fold.invokeInit !== null) {
    kind = 'cold';
    coldBy = 'init-duration';
    initMs = fold.invokeInit.initMs;
    suppressed = true;
  }
  let reportStatus: ReportStatus | null = report.status;
  let reportErrorType = report.errorType;
  if (reportStatus === null && fold !== null) {
    if (fold.runtimeExited) {
      reportStatus = 'error';
      reportErrorType = RUNTIME_EXIT_ERROR;
    } else if (fold.doneStatus !== null && fold.doneStatus !== 'success') {
      reportStatus = fold.doneStatus;
      reportErrorType = fold.doneErrorType;
    } else if (fold.invokeInit !== null && fold.invokeInit.status !== null && fold.invokeInit.status !== 'success') {
      reportStatus = fold.invokeInit.status;
      reportErrorType = fold.invokeInit.errorType;
    }
  }
  const timeoutLine = fold?.timedOut === true;
  const decided = decideStatus({
    reportStatus,
    reportErrorType,
    timeoutLine,
    functionError: null,
    payload: timeoutLine && fold.timeoutMessage !== null ? { errorType: null, errorMessage: fold.timeoutMessage } : null,
  });
  const sample: Sample = {
    variant,
    kind,
    coldBy,
    requestId: report.requestId,
    initMs,
    restoreMs: report.restoreMs,
    billedRestoreMs: report.billedRestoreMs,
    durationMs: report.durationMs,
    billedMs: report.billedMs,
    memoryMB: report.memoryMB,
    maxMemoryMB: report.maxMemoryMB,
    status: decided.status,
    errorType: decided.errorType,
    clientMs: null,
  };
  if (suppressed) sample.initPhase = 'invoke';
  if (decided.errorMessage !== null) sample.errorMessage = decided.errorMessage;
  return sample;
}
