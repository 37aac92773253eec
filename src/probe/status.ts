/**
 * The status of one invocation, decided the same way wherever a sample is made (bench, profile,
 * import): a timeout first, then an error, then success. A text REPORT carries no Status for an
 * exception the handler raised, so the invoke's own answer (X-Amz-Function-Error and its error
 * payload) must be read too; a REPORT alone never proves success.
 */
import type { ReportStatus } from './records.ts';
import type { SampleStatus } from './sample.ts';

/** Longest errorMessage kept on a sample: enough for a message and the start of its context. */
export const MAX_ERROR_MESSAGE_CHARS = 500;

/** The error payload an invoke returns with X-Amz-Function-Error: `{"errorType", "errorMessage", …}`. */
export interface InvokeErrorPayload {
  errorType: string | null;
  errorMessage: string | null;
}

/** Everything one invocation said about how it ended; absent sources are null / false. */
export interface StatusEvidence {
  /** The REPORT's `Status` (platform.report `status`); `failure` counts as error. */
  reportStatus: ReportStatus | 'failure' | null;
  reportErrorType: string | null;
  /** A `Task timed out after N seconds` line carried this request's id (before or after its REPORT). */
  timeoutLine: boolean;
  /** The X-Amz-Function-Error header of the invoke: `Handled` or `Unhandled`. */
  functionError: string | null;
  payload: InvokeErrorPayload | null;
}

export interface DecidedStatus {
  status: SampleStatus;
  errorType: string | null;
  errorMessage: string | null;
}

/** The errorType current Lambda answers for a timed-out invoke. */
export const SANDBOX_TIMEDOUT = 'Sandbox.Timedout';
/** Older runtimes answered only an errorMessage ending like this. */
const TIMED_OUT_MESSAGE = /Task timed out after [\d.]+ seconds\s*$/;

/**
 * 1. `timeout`: REPORT Status timeout, an errorType `Sandbox.Timedout`, an errorMessage ending
 *    `Task timed out after N seconds`, or a timeout line for the request;
 * 2. `error`: X-Amz-Function-Error (Handled or Unhandled) or REPORT Status error / failure,
 *    errorType from the payload, else from the REPORT;
 * 3. `success`.
 * @example decideStatus({ reportStatus: null, reportErrorType: null, timeoutLine: false, functionError: 'Unhandled', payload: { errorType: 'ValueError', errorMessage: 'boom' } }) // { status: 'error', errorType: 'ValueError', errorMessage: 'boom' }
 */
export function decideStatus(e: StatusEvidence): DecidedStatus {
  const payloadType = e.payload?.errorType ?? null;
  const errorMessage = shortenErrorMessage(e.payload?.errorMessage ?? null);
  const timedOut =
    e.reportStatus === 'timeout' || payloadType === SANDBOX_TIMEDOUT || (e.payload?.errorMessage != null && TIMED_OUT_MESSAGE.test(e.payload.errorMessage)) || e.timeoutLine;
  if (timedOut) return { status: 'timeout', errorType: payloadType ?? e.reportErrorType, errorMessage };
  if (e.functionError !== null || e.reportStatus === 'error' || e.reportStatus === 'failure') {
    return { status: 'error', errorType: payloadType ?? e.reportErrorType, errorMessage };
  }
  return { status: 'success', errorType: null, errorMessage: null };
}

/**
 * An invoke's error payload as Lambda returns it (JSON with errorType / errorMessage); a payload
 * that is not such JSON (a runtime that answered plain text) becomes the message itself.
 * @example parseErrorPayload('{"errorType":"ValueError","errorMessage":"boom"}') // { errorType: 'ValueError', errorMessage: 'boom' }
 */
export function parseErrorPayload(text: string): InvokeErrorPayload {
  try {
    const body = JSON.parse(text) as unknown;
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      const { errorType, errorMessage } = body as Record<string, unknown>;
      return {
        errorType: typeof errorType === 'string' && errorType !== '' ? errorType : null,
        errorMessage: typeof errorMessage === 'string' ? errorMessage : errorMessage === undefined ? null : JSON.stringify(errorMessage),
      };
    }
  } catch {
    // not JSON: the text is the message
  }
  return { errorType: null, errorMessage: text === '' ? null : text };
}

/** At most MAX_ERROR_MESSAGE_CHARS characters, an ellipsis marking a cut. */
export function shortenErrorMessage(message: string | null): string | null {
  if (message === null) return null;
  if (message.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  let end = MAX_ERROR_MESSAGE_CHARS - 1;
  // Never split a surrogate pair: half of one is not a character.
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${message.slice(0, end)}…`;
}

/** `ValueError: boom from the handler`, or whichever of the two is known. */
export function describeError(errorType: string | null, errorMessage: string | null): string | null {
  const parts = [errorType, errorMessage].filter((p): p is string => p !== null && p !== '');
  return parts.length === 0 ? null : parts.join(': ');
}
