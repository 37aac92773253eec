/**
 * A JSON value from an AWS log export → what the AWS assembler reads: log lines (with their
 * stream) or platform records. Recognises each form by its structure, in this order:
 *
 * 1. `[{"field": …, "value": …}, …]`: a row of `aws logs get-query-results` (Logs Insights) → an object.
 * 2. `{"type": "platform.X", "record": {…}}`: a JSON-format / Telemetry API platform record.
 * 3. gzip+base64 data (`awslogs.data` of a subscription event, `data` of a Firehose or Kinesis
 *    record, `kinesis.data`): decoded, then read as the JSON it holds.
 * 4. A record carrying log text in `@message`, `message`, `log` or `msg` (CloudWatch events,
 *    Insights exports, Datadog, Elastic, Fluent Bit, …) → its lines; the stream from
 *    `@logStream`, `logStreamName`, `logStream`, `aws.awslogs.logStream` (Datadog),
 *    `aws.cloudwatch.log_stream` (Elastic: nested, or Filebeat's dotted `"aws.cloudwatch"` key),
 *    else the wrapper's.
 * 5. A wrapper holding records: `events`, `logEvents`, `payload`, `records`, `Records`, `results`.
 * 6. An Insights row whose REPORT fields were parsed into columns (`@duration`,
 *    `@billedDuration`, `@memorySize`, `@maxMemoryUsed`, `@initDuration`, `@requestId`) and
 *    that has no `@message`: a REPORT record. Insights gives the two memory fields in bytes
 *    with Lambda's MB = 1,000,000 bytes (`1.28E8` for 128 MB): they are divided by 1e6.
 * Anything else gives nothing. Pure (decompression is computation, not I/O).
 */
import { gunzipSync } from 'node:zlib';
import { JsonReader } from './json-reader.ts';
import { platformRecordFromObject } from './parse-json.ts';
import type { Malformed, PlatformRecord, ReportRecord } from './records.ts';
import { type TimedOutRequests, timeoutsInText } from './timeouts.ts';

export type AwsItem = { kind: 'line'; text: string; stream: string | null } | { kind: 'record'; record: PlatformRecord | Malformed | null };

type Obj = Record<string, unknown>;

/** Lambda's MB in Insights' byte fields (decimal: 128 MB is 128000000). */
export const INSIGHTS_BYTES_PER_MB = 1_000_000;
/** A decompressed payload larger than this is not one subscription batch (CloudWatch sends ≤ 1 MB). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 6;

const MESSAGE_KEYS = ['@message', 'message', 'log', 'msg'];
const WRAPPER_KEYS = ['events', 'logEvents', 'payload', 'records', 'Records', 'results'];
const INSIGHTS_REPORT_KEYS = ['@duration', '@billedDuration', '@memorySize', '@maxMemoryUsed', '@initDuration'];
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function path(o: Obj, a: string, b: string, c: string): string | null {
  const x = o[a];
  if (!isObject(x)) return null;
  const y = x[b];
  return isObject(y) ? str(y, c) : null;
}

/** Filebeat's aws-cloudwatch input writes `"aws.cloudwatch": {"log_stream": …}` (a dotted key); Kibana flattens it to `"aws.cloudwatch.log_stream"`. */
function dotted(o: Obj): string | null {
  const x = o['aws.cloudwatch'];
  return (isObject(x) ? str(x, 'log_stream') : null) ?? str(o, 'aws.cloudwatch.log_stream');
}

/** The log stream a record names, if any. */
function streamOf(o: Obj): string | null {
  return (
    str(o, '@logStream') ?? str(o, 'logStreamName') ?? str(o, 'logStream') ?? path(o, 'aws', 'awslogs', 'logStream') ?? path(o, 'aws', 'cloudwatch', 'log_stream') ?? dotted(o)
  );
}

/** A number as Insights and forwarders write it: a JSON number or a numeric string (`15.0`, `1.28E8`); null when absent or empty. */
function numeric(o: Obj, key: string): number | null | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && NUMBER.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** `[{"field": "@message", "value": "…"}, …]` → `{"@message": "…"}`; null when the array is not such a row. */
function fieldRow(a: unknown[]): Obj | null {
  if (a.length === 0) return null;
  const o: Obj = {};
  for (const cell of a) {
    if (!isObject(cell) || typeof cell.field !== 'string') return null;
    o[cell.field] = cell.value;
  }
  return o;
}

function gzipBase64(v: unknown): Buffer | null {
  if (typeof v !== 'string' || !v.startsWith('H4sI')) return null; // base64 of gzip's 1f 8b 08
  try {
    return gunzipSync(Buffer.from(v, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    return null;
  }
}

/** Reads JSON values from AWS exports into assembler input. */
export class AwsJsonReader {
  /** Timeout lines found inside decompressed payloads (the file's first pass cannot see them). */
  readonly timeouts: TimedOutRequests = new Map();

  /** Appends what one value gives to `out`. */
  read(value: unknown, parent: Obj | null, out: AwsItem[]): void {
    this.visit(value, parent === null ? null : streamOf(parent), out, 0);
  }

  /** A CSV row (Insights "Download table (CSV)") by its header. */
  readRow(header: string[], fields: string[], out: AwsItem[]): void {
    const o: Obj = {};
    for (let i = 0; i < header.length && i < fields.length; i++) o[header[i]] = fields[i];
    this.visit(o, null, out, 0);
  }

  private visit(value: unknown, stream: string | null, out: AwsItem[], depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      const row = fieldRow(value);
      if (row !== null) this.visit(row, stream, out, depth + 1);
      else for (const v of value) this.visit(v, stream, out, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    const own = streamOf(value) ?? stream;
    if (typeof value.type === 'string' && value.type.startsWith('platform.')) {
      out.push({ kind: 'record', record: platformRecordFromObject(value, own) });
      return;
    }
    const awslogs = value.awslogs;
    const kinesis = value.kinesis;
    const packed = gzipBase64(isObject(awslogs) ? awslogs.data : undefined) ?? gzipBase64(value.data) ?? gzipBase64(isObject(kinesis) ? kinesis.data : undefined);
    if (packed !== null) {
      const text = packed.toString('utf8');
      timeoutsInText(text, this.timeouts);
      const reader = new JsonReader({ split: true });
      for (const piece of [...reader.push(text), ...reader.end()]) {
        if (piece.type === 'value') this.visit(piece.value, piece.parent === null ? own : (streamOf(piece.parent) ?? own), out, depth + 1);
      }
      return;
    }
    for (const key of MESSAGE_KEYS) {
      const m = value[key];
      if (typeof m === 'string') {
        for (const line of m.split('\n')) {
          const text = line.endsWith('\r') ? line.slice(0, -1) : line;
          if (text !== '') out.push({ kind: 'line', text, stream: own });
        }
        return;
      }
      if (isObject(m)) {
        this.visit(m, own, out, depth + 1);
        return;
      }
    }
    let wrapper = false;
    for (const key of WRAPPER_KEYS) {
      const a = value[key];
      if (!Array.isArray(a)) continue;
      wrapper = true;
      for (const v of a) this.visit(v, own, out, depth + 1);
    }
    if (wrapper) return;
    const report = insightsReport(value, own);
    if (report !== null) out.push({ kind: 'record', record: report });
  }
}

/** An Insights row with parsed REPORT columns → a REPORT record (requestId '' when the row has none); null when it has none of them. */
export function insightsReport(o: Obj, stream: string | null): ReportRecord | Malformed | null {
  if (!INSIGHTS_REPORT_KEYS.some((k) => k in o)) return null;
  const type = str(o, '@type');
  if (type !== null && type !== 'REPORT') return null;
  const durationMs = numeric(o, '@duration');
  const billedMs = numeric(o, '@billedDuration');
  const memoryBytes = numeric(o, '@memorySize');
  const maxBytes = numeric(o, '@maxMemoryUsed');
  const initMs = numeric(o, '@initDuration');
  for (const [k, v] of [
    ['@duration', durationMs],
    ['@billedDuration', billedMs],
    ['@memorySize', memoryBytes],
    ['@maxMemoryUsed', maxBytes],
    ['@initDuration', initMs],
  ] as const) {
    if (v === undefined) return { type: 'malformed', reason: `Insights row: ${k} ${JSON.stringify(o[k]).slice(0, 40)} is not a number` };
  }
  if (durationMs === null && billedMs === null && memoryBytes === null && maxBytes === null && initMs === null) return null;
  const rid = o['@requestId'];
  return {
    type: 'report',
    requestId: typeof rid === 'string' ? rid : '',
    durationMs: durationMs ?? null,
    billedMs: billedMs ?? null,
    memoryMB: memoryBytes == null ? null : memoryBytes / INSIGHTS_BYTES_PER_MB,
    maxMemoryMB: maxBytes == null ? null : maxBytes / INSIGHTS_BYTES_PER_MB,
    initMs: initMs ?? null,
    restoreMs: null,
    billedRestoreMs: null,
    status: null,
    errorType: null,
    hasInit: initMs != null,
    hasRestore: false,
    time: str(o, '@timestamp'),
    stream,
    format: 'json',
  };
}
