/**
 * Parsers for Lambda's text platform lines (the default log format). Each takes the message
 * without any prefix and returns a record, a Malformed (the marker is there but the line cannot
 * be read soundly) or null (not this kind of line).
 */
import { clip, field, FIELDS_BAD, FIELDS_END, nextField, parseDecimal, scanFields } from './fields.ts';
import type {
  EndRecord,
  InitReportRecord,
  InitStartRecord,
  Malformed,
  RecordOrigin,
  ReportRecord,
  ReportStatus,
  RuntimeExitRecord,
  StartRecord,
  TimeoutRecord,
  XrayRecord,
} from './records.ts';

export type TextResult<R> = R | Malformed | null;

function malformed(reason: string): Malformed {
  return { type: 'malformed', reason };
}

/** Reads a `<value> ms` / `<value> MB` field; a string is the reason it could not. */
function measure(label: string, value: string, unit: string | null, expected: string, whole: boolean): number | string {
  if (unit === null) return `${label}: "${clip(value)}" has no unit (expected ${expected}; torn line?)`;
  if (unit !== expected) return `${label}: unit "${unit}" (expected ${expected})`;
  const n = parseDecimal(value);
  if (Number.isNaN(n)) return `${label}: "${clip(value)}" is not a plain number`;
  if (whole && !Number.isInteger(n)) return `${label}: ${value} ${unit} is not a whole number`;
  return n;
}

function readStatus(value: string): ReportStatus | null {
  return value === 'success' || value === 'error' || value === 'timeout' ? value : null;
}

/**
 * Parses the fields of a REPORT line (the text after `REPORT `), in any order, tab- or
 * space-separated. The four fields Lambda always writes must be there: a line missing one is
 * torn, and reading it anyway could turn a cold start into a warm one (Init Duration comes last).
 * @example parseReport('RequestId: 8f1e…\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t', 7, origin)
 */
export function parseReport(text: string, pos: number, origin: RecordOrigin): ReportRecord | Malformed {
  let requestId: string | null = null;
  let durationMs: number | null = null;
  let billedMs: number | null = null;
  let memoryMB: number | null = null;
  let maxMemoryMB: number | null = null;
  let initMs: number | null = null;
  let restoreMs: number | null = null;
  let billedRestoreMs: number | null = null;
  let status: ReportStatus | null = null;
  let errorType: string | null = null;
  // One bit per label: a label seen twice means two lines were joined.
  let seen = 0;
  let p = pos;
  for (;;) {
    p = nextField(text, p);
    if (p === FIELDS_END) break;
    if (p === FIELDS_BAD) return malformed(`REPORT: ${field.error}`);
    const label = field.label;
    let bit = 0;
    let m: number | string = 0;
    switch (label) {
      case 'RequestId':
        bit = 1;
        requestId = field.value;
        break;
      case 'Duration':
        bit = 2;
        m = measure(label, field.value, field.unit, 'ms', false);
        if (typeof m === 'number') durationMs = m;
        break;
      case 'Billed Duration':
        bit = 4;
        m = measure(label, field.value, field.unit, 'ms', true);
        if (typeof m === 'number') billedMs = m;
        break;
      case 'Memory Size':
        bit = 8;
        m = measure(label, field.value, field.unit, 'MB', true);
        if (typeof m === 'number') memoryMB = m;
        break;
      case 'Max Memory Used':
        bit = 16;
        m = measure(label, field.value, field.unit, 'MB', true);
        if (typeof m === 'number') maxMemoryMB = m;
        break;
      case 'Init Duration':
        bit = 32;
        m = measure(label, field.value, field.unit, 'ms', false);
        if (typeof m === 'number') initMs = m;
        break;
      case 'Restore Duration':
        bit = 64;
        m = measure(label, field.value, field.unit, 'ms', false);
        if (typeof m === 'number') restoreMs = m;
        break;
      case 'Billed Restore Duration':
        bit = 128;
        m = measure(label, field.value, field.unit, 'ms', true);
        if (typeof m === 'number') billedRestoreMs = m;
        break;
      case 'Status':
        bit = 256;
        status = readStatus(field.value);
        if (status === null) m = `Status: unknown value "${clip(field.value)}"`;
        break;
      case 'Error Type':
        bit = 512;
        errorType = field.value;
        break;
      default:
        // A field Lambda may add later: ignored, the known ones still count.
        continue;
    }
    if (typeof m === 'string') return malformed(`REPORT: ${m}`);
    if (seen & bit) return malformed(`REPORT: ${label} appears twice (two lines joined?)`);
    seen |= bit;
  }
  if (requestId === null) return malformed('REPORT: no RequestId');
  if (durationMs === null) return malformed('REPORT: no Duration (torn line?)');
  if (billedMs === null) return malformed('REPORT: no Billed Duration (torn line?)');
  if (memoryMB === null) return malformed('REPORT: no Memory Size (torn line?)');
  if (maxMemoryMB === null) return malformed('REPORT: no Max Memory Used (torn line?)');
  if (initMs !== null && restoreMs !== null) return malformed('REPORT: both Init Duration and Restore Duration');
  if (status === null && errorType !== null) status = 'error';
  return {
    type: 'report',
    requestId,
    durationMs,
    billedMs,
    memoryMB,
    maxMemoryMB,
    initMs,
    restoreMs,
    billedRestoreMs,
    status,
    errorType,
    hasInit: initMs !== null,
    hasRestore: restoreMs !== null,
    time: origin.time,
    stream: origin.stream,
    format: 'text',
  };
}

/** Parses `START RequestId: <id> Version: $LATEST` (text after `START `). */
export function parseStart(text: string, pos: number, origin: RecordOrigin): StartRecord | Malformed {
  let requestId: string | null = null;
  let version: string | null = null;
  const error = scanFields(text, pos, (label, value) => {
    if (label === 'RequestId') requestId = value;
    else if (label === 'Version') version = value;
    return null;
  });
  if (error !== null) return malformed(`START: ${error}`);
  if (requestId === null) return malformed('START: no RequestId');
  return { type: 'start', requestId, version, ...origin };
}

/** Parses `END RequestId: <id>` (text after `END `). */
export function parseEnd(text: string, pos: number, origin: RecordOrigin): EndRecord | Malformed {
  let requestId: string | null = null;
  const error = scanFields(text, pos, (label, value) => {
    if (label === 'RequestId') requestId = value;
    return null;
  });
  if (error !== null) return malformed(`END: ${error}`);
  if (requestId === null) return malformed('END: no RequestId');
  return { type: 'end', requestId, ...origin };
}

/** Parses `INIT_START Runtime Version: python:3.13.v14\tRuntime Version ARN: arn:…` (text after `INIT_START `). */
export function parseInitStart(text: string, pos: number, origin: RecordOrigin): InitStartRecord | Malformed {
  let runtimeVersion: string | null = null;
  let runtimeVersionArn: string | null = null;
  const error = scanFields(text, pos, (label, value) => {
    if (label === 'Runtime Version') runtimeVersion = value;
    else if (label === 'Runtime Version ARN') runtimeVersionArn = value;
    return null;
  });
  if (error !== null) return malformed(`INIT_START: ${error}`);
  return {
    type: 'initStart',
    runtimeVersion,
    runtimeVersionArn,
    initializationType: null,
    functionName: null,
    functionVersion: null,
    ...origin,
  };
}

/** Parses `INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\tError Type: …` (text after `INIT_REPORT `). */
export function parseInitReport(text: string, pos: number, origin: RecordOrigin): InitReportRecord | Malformed {
  let initMs: number | null = null;
  let phase: 'init' | 'invoke' | null = null;
  let status: ReportStatus | null = null;
  let errorType: string | null = null;
  const error = scanFields(text, pos, (label, value, unit) => {
    switch (label) {
      case 'Init Duration': {
        const m = measure(label, value, unit, 'ms', false);
        if (typeof m === 'string') return m;
        initMs = m;
        return null;
      }
      case 'Phase':
        if (value !== 'init' && value !== 'invoke') return `Phase: unknown value "${clip(value)}"`;
        phase = value;
        return null;
      case 'Status':
        status = readStatus(value);
        return status === null ? `Status: unknown value "${clip(value)}"` : null;
      case 'Error Type':
        errorType = value;
        return null;
      default:
        return null;
    }
  });
  if (error !== null) return malformed(`INIT_REPORT: ${error}`);
  if (initMs === null) return malformed('INIT_REPORT: no Init Duration');
  if (status === null && errorType !== null) status = 'error';
  return { type: 'initReport', initMs, phase, status, errorType, ...origin };
}

/** Parses `XRAY TraceId: 1-…\tSegmentId: …\tSampled: true` (text after `XRAY `). */
export function parseXray(text: string, pos: number, origin: RecordOrigin): XrayRecord | Malformed {
  let traceId: string | null = null;
  let segmentId: string | null = null;
  let sampled: boolean | null = null;
  const error = scanFields(text, pos, (label, value) => {
    if (label === 'TraceId') traceId = value;
    else if (label === 'SegmentId') segmentId = value;
    else if (label === 'Sampled') sampled = value === 'true' ? true : value === 'false' ? false : null;
    return null;
  });
  if (error !== null) return malformed(`XRAY: ${error}`);
  if (traceId === null) return malformed('XRAY: no TraceId');
  return { type: 'xray', traceId, segmentId, sampled, ...origin };
}

const TIMED_OUT = 'Task timed out after ';
const RUNTIME_EXITED = 'Error: Runtime exited';
const REQUEST_ID_LABEL = 'RequestId: ';

/**
 * Parses the timeout line, `<request id> Task timed out after 31.01 seconds` (its own ISO time
 * already removed as a prefix), or its `RequestId: <id> Error: Task timed out after …` form.
 * @example parseTimeout('8f1e… Task timed out after 3.00 seconds', origin)
 */
export function parseTimeout(text: string, origin: RecordOrigin): TimeoutRecord | Malformed | null {
  const at = text.indexOf(TIMED_OUT);
  if (at < 0) return null;
  // The id is the token right before the phrase (console copies glue text before it), or the
  // `RequestId: <id> Error:` form; taken as printed.
  const head = text
    .slice(0, at)
    .trim()
    .split(/[ \t]+/);
  let requestId: string | null;
  const n = head.length;
  if (n >= 3 && head[n - 3].endsWith('RequestId:') && head[n - 1] === 'Error:') requestId = head[n - 2];
  else requestId = head[n - 1].replace(/^.*["'|]/, '');
  if (requestId === '' || requestId.endsWith(':')) return null; // "Task timed out" inside application output, not the platform line
  const tail = text.slice(at + TIMED_OUT.length).trim();
  const match = /^(\S+) seconds\b/.exec(tail);
  if (!match) return malformed(`timeout line: "${clip(tail)}" is not "<n> seconds" (torn line?)`);
  const afterSeconds = parseDecimal(match[1]);
  if (Number.isNaN(afterSeconds)) return malformed(`timeout line: "${clip(match[1])}" is not a plain number`);
  return { type: 'timeout', requestId, afterSeconds, ...origin };
}

/**
 * Parses `RequestId: <id> Error: Runtime exited with error: exit status 1` (a runtime crash,
 * Runtime.ExitError).
 */
export function parseRuntimeExit(text: string, origin: RecordOrigin): RuntimeExitRecord | null {
  if (!text.startsWith(REQUEST_ID_LABEL)) return null;
  const idEnd = text.indexOf(' ', REQUEST_ID_LABEL.length);
  if (idEnd < 0) return null;
  const rest = text.slice(idEnd + 1);
  if (!rest.startsWith(RUNTIME_EXITED)) return null;
  const requestId = text.slice(REQUEST_ID_LABEL.length, idEnd);
  return { type: 'runtimeExit', requestId, detail: rest.slice(RUNTIME_EXITED.length).trim(), ...origin };
}
