/**
 * Telemetry API event records (schema 2022-12-13, AWS's "Telemetry API Event schema reference"):
 * platform.initReport, platform.start, platform.runtimeDone, platform.report, and the function /
 * extension log records.
 */

/** What a record needs of an invoke: its request id and the X-Ray header handed to the runtime. */
interface Traced {
  request: { requestId: string };
  traceId?: string;
}

function tracing(inv: Traced): { type: 'X-Amzn-Trace-Id'; value: string } | undefined {
  return inv.traceId ? { type: 'X-Amzn-Trace-Id', value: inv.traceId } : undefined;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function initReportRecord(initializationType: string, phase: 'init' | 'invoke', status: string, durationMs: number, errorType?: string): Record<string, unknown> {
  const record: Record<string, unknown> = { initializationType, phase, status, metrics: { durationMs: round3(durationMs) } };
  if (errorType) record.errorType = errorType;
  return record;
}

export function startRecord(inv: Traced, version: string): Record<string, unknown> {
  return { requestId: inv.request.requestId, version, tracing: tracing(inv) };
}

export function runtimeDoneRecord(inv: Traced, status: string, durationMs: number, producedBytes: number): Record<string, unknown> {
  return { requestId: inv.request.requestId, status, tracing: tracing(inv), metrics: { durationMs: round3(durationMs), producedBytes } };
}

export function reportRecord(
  inv: Traced & { initMs: number | null },
  status: string,
  m: { durationMs: number; billedMs: number; memoryMB: number; maxMemoryMB: number },
  errorType?: string,
): Record<string, unknown> {
  const metrics: Record<string, number> = { durationMs: round3(m.durationMs), billedDurationMs: m.billedMs, memorySizeMB: m.memoryMB, maxMemoryUsedMB: m.maxMemoryMB };
  if (inv.initMs !== null) metrics.initDurationMs = round3(inv.initMs);
  const record: Record<string, unknown> = { requestId: inv.request.requestId, status, metrics, tracing: tracing(inv) };
  if (errorType) record.errorType = errorType;
  return record;
}

/** A function or extension log line as a telemetry record: the parsed object in JSON log format, else the text. */
export function telemetryLine(line: string, logFormat: 'Text' | 'JSON'): unknown {
  if (logFormat === 'JSON' && line.startsWith('{')) {
    try {
      return JSON.parse(line);
    } catch {
      // not JSON after all: the text as it is
    }
  }
  return line;
}
