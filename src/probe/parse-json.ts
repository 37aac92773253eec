/**
 * Lambda's JSON log format (LoggingConfig.LogFormat = JSON): one object per line,
 * `{"time", "type": "platform.X", "record": {…}}`, keys in any order. A JSON line cannot be torn
 * without failing to parse, so a missing or mistyped key only makes that field null.
 */
import { clip } from './fields.ts';
import type { Malformed, PlatformRecord, RecordOrigin, ReportStatus } from './records.ts';

const PLATFORM_PREFIX = 'platform.';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The string at `key`, or null when it is absent or not a string. */
function stringField(o: Json, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' ? v : null;
}

/** A metric as the platform wrote it: a finite non-negative number, else null. */
function metric(o: Json | null, key: string): number | null {
  if (o === null) return null;
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** JSON `status`: success | failure | error | timeout (failure and error both mean the invoke failed). */
function jsonStatus(v: unknown): ReportStatus | null | undefined {
  if (v === undefined || v === null) return null;
  if (v === 'success' || v === 'error' || v === 'timeout') return v;
  if (v === 'failure') return 'error';
  return undefined;
}

/**
 * Parses one JSON log line. Returns null for JSON that is not a platform record (application
 * log lines `{"timestamp","level","requestId","message"}`), Malformed for a `platform.*` record
 * that cannot be read.
 * @example parseJsonLine('{"time":"2026-10-08T07:30:29.470Z","type":"platform.report","record":{"requestId":"8f1e…","metrics":{"durationMs":1233.96,"billedDurationMs":1698,"memorySizeMB":256,"maxMemoryUsedMB":123,"initDurationMs":463.512},"status":"success"}}')
 */
export function parseJsonLine(line: string, stream: string | null): PlatformRecord | Malformed | null {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    if (line.includes('"platform.')) return { type: 'malformed', reason: 'JSON platform record that does not parse (torn line?)' };
    return null;
  }
  return platformRecordFromObject(doc, stream);
}

/**
 * A parsed JSON value → its platform record: the same as parseJsonLine, for values read by the
 * streaming JSON reader (Telemetry API arrays, exports).
 */
export function platformRecordFromObject(doc: unknown, stream: string | null): PlatformRecord | Malformed | null {
  if (!isObject(doc)) return null;
  const kind = doc.type;
  if (typeof kind !== 'string' || !kind.startsWith(PLATFORM_PREFIX)) return null;
  const record = doc.record;
  if (!isObject(record)) return { type: 'malformed', reason: `${clip(kind)}: no "record" object` };
  const origin: RecordOrigin = { time: stringField(doc, 'time'), stream, format: 'json' };
  switch (kind) {
    case 'platform.report': {
      const requestId = stringField(record, 'requestId');
      if (requestId === null || requestId === '') return { type: 'malformed', reason: 'platform.report: no requestId' };
      const metrics = isObject(record.metrics) ? record.metrics : null;
      const status = jsonStatus(record.status);
      if (status === undefined) return { type: 'malformed', reason: `platform.report: unknown status ${clip(JSON.stringify(record.status))}` };
      const initMs = metric(metrics, 'initDurationMs');
      const restoreMs = metric(metrics, 'restoreDurationMs');
      if (initMs !== null && restoreMs !== null) return { type: 'malformed', reason: 'platform.report: both initDurationMs and restoreDurationMs' };
      const errorType = stringField(record, 'errorType');
      return {
        type: 'report',
        requestId,
        durationMs: metric(metrics, 'durationMs'),
        billedMs: metric(metrics, 'billedDurationMs'),
        memoryMB: metric(metrics, 'memorySizeMB'),
        maxMemoryMB: metric(metrics, 'maxMemoryUsedMB'),
        initMs,
        restoreMs,
        billedRestoreMs: metric(metrics, 'billedRestoreDurationMs'),
        status: status === null && errorType !== null ? 'error' : status,
        errorType,
        hasInit: initMs !== null,
        hasRestore: restoreMs !== null,
        ...origin,
      };
    }
    case 'platform.start': {
      const requestId = stringField(record, 'requestId');
      if (requestId === null || requestId === '') return { type: 'malformed', reason: 'platform.start: no requestId' };
      return { type: 'start', requestId, version: stringField(record, 'version'), ...origin };
    }
    case 'platform.initStart':
      return {
        type: 'initStart',
        runtimeVersion: stringField(record, 'runtimeVersion'),
        runtimeVersionArn: stringField(record, 'runtimeVersionArn'),
        initializationType: stringField(record, 'initializationType'),
        functionName: stringField(record, 'functionName'),
        functionVersion: stringField(record, 'functionVersion'),
        ...origin,
      };
    case 'platform.initReport': {
      const status = jsonStatus(record.status);
      if (status === undefined) return { type: 'malformed', reason: `platform.initReport: unknown status ${clip(JSON.stringify(record.status))}` };
      const phase = record.phase === 'init' || record.phase === 'invoke' ? record.phase : null;
      const metrics = isObject(record.metrics) ? record.metrics : null;
      return { type: 'initReport', initMs: metric(metrics, 'durationMs'), phase, status, errorType: stringField(record, 'errorType'), ...origin };
    }
    case 'platform.runtimeDone': {
      const status = jsonStatus(record.status);
      if (status === undefined) return { type: 'malformed', reason: `platform.runtimeDone: unknown status ${clip(JSON.stringify(record.status))}` };
      return { type: 'runtimeDone', requestId: stringField(record, 'requestId'), status, errorType: stringField(record, 'errorType'), ...origin };
    }
    default:
      return { type: 'otherPlatform', name: kind.slice(PLATFORM_PREFIX.length), ...origin };
  }
}
