/**
 * The Extensions API's event bodies (2020-01-01), as AWS documents them:
 * `{"eventType":"INVOKE","deadlineMs","requestId","invokedFunctionArn","tracing":{"type","value"}}`
 * and `{"eventType":"SHUTDOWN","shutdownReason","deadlineMs"}`. deadlineMs is epoch milliseconds,
 * like the Runtime API's Lambda-Runtime-Deadline-Ms.
 */

export type ShutdownReason = 'spindown' | 'timeout' | 'failure';
export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';
export const EXTENSION_EVENT_TYPES: readonly ExtensionEventType[] = ['INVOKE', 'SHUTDOWN'];

export interface InvokeEvent {
  eventType: 'INVOKE';
  deadlineMs: number;
  requestId: string;
  invokedFunctionArn: string;
  tracing: { type: 'X-Amzn-Trace-Id'; value: string };
}

export interface ShutdownEvent {
  eventType: 'SHUTDOWN';
  shutdownReason: ShutdownReason;
  deadlineMs: number;
}

export type ExtensionEvent = InvokeEvent | ShutdownEvent;

/** Lambda's shutdown phase when the function has external extensions (AWS: 2,000 ms). */
export const SHUTDOWN_PHASE_MS = 2000;

export function invokeEvent(requestId: string, deadlineMs: number, functionArn: string, traceId: string): InvokeEvent {
  return { eventType: 'INVOKE', deadlineMs, requestId, invokedFunctionArn: functionArn, tracing: { type: 'X-Amzn-Trace-Id', value: traceId } };
}

export function shutdownEvent(reason: ShutdownReason, deadlineMs: number): ShutdownEvent {
  return { eventType: 'SHUTDOWN', shutdownReason: reason, deadlineMs };
}
