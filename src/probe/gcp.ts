/**
 * Google Cloud Functions / Cloud Run functions logs → samples.
 *
 * Reads the platform's text lines (bare, with an ISO timestamp, as `gcloud functions logs read`
 * prints them, or as `firebase functions:log` prints them) and the LogEntry JSON of
 * `gcloud logging read --format=json` (a newest-first array) or of JSON-lines exports,
 * including Cloud Run request logs (`httpRequest.latency`), which 2nd gen functions write
 * instead of `Function execution …` lines. Google logs no init time and no memory, so those fields stay null; an execution is cold when
 * it is the first on its instance after `Starting new instance` or the first with a new
 * `labels.instanceId` (docs/other-platforms.md).
 */
import type { Sample, SampleStatus } from './sample.ts';
import { JsonObjectStream } from './platforms/json-stream.ts';
import { BoundedSet, type Claim, InstanceTracker, type Ordered, MAX_OPEN_EXECUTIONS, ReorderBuffer, setBounded } from './platforms/order.ts';
import { readPrefix } from './platforms/prefix.ts';
import { parseTimestamp } from './platforms/time.ts';
import { type AssemblerOptions, platformSample, type SampleAssembler, StatsCounter, variantOf } from './platforms/types.ts';

/** What one Google log line says, before ordering. */
export type GcpMessage = { kind: 'start' } | { kind: 'end'; durationMs: number; status: SampleStatus; errorType: string | null } | { kind: 'instance'; reason: string };

/** A Cloud Run request log entry (`httpRequest`): one whole execution, placed at its start. */
export interface GcpRequest {
  kind: 'request';
  durationMs: number | null;
  status: SampleStatus;
  errorType: string | null;
}

interface EntryFields {
  /** Orders the records. */
  ts: number | null;
  /** The time reported on the sample: null when the log gives a wall-clock time without its zone. */
  shown: number | null;
  executionId: string | null;
  instance: string | null;
  functionName: string | null;
  /** The LogEntry's `trace`: shared by a Cloud Run request log and the execution's own lines. */
  trace: string | null;
}

interface GcpRecord extends Ordered, EntryFields {
  line: number;
  message: GcpMessage | GcpRequest;
}

const START = /^Function\s+execution\s+started\s*$/;
/**
 * `Function execution took N ms, finished with status: 'ok'` (1st gen's wording) and `Function execution
 * took N ms. Finished with status: ok` (the current one), each also as `… status code: 200`.
 */
const END = /^Function\s+execution\s+took\s+(\S+)\s+ms\s*[,.]\s*[Ff]inished\s+with\s+status(\s+code)?\s*:\s*(.*?)\s*$/;
const INSTANCE = /^Starting\s+new\s+instance\.\s+Reason:\s*(.*?)\s*$/;
/** Where a Google platform message starts inside a line (after whatever prefix a tool or a copy put there). */
const MESSAGE_AT = /Function\s+execution\s|Starting\s+new\s+instance\./;
/** The Google status words (kept verbatim as errorType when they are failures). */
const TIMEOUT_WORDS = new Set(['timeout', 'load timeout']);

/**
 * Reads one message of the Google platform, or null when it is not one (application output).
 * Throws nothing; a `Function execution` line that does not parse comes back as `{ malformed }`.
 * @example parseGcpMessage("Function execution took 1269 ms, finished with status: 'ok'")
 * // { kind: 'end', durationMs: 1269, status: 'success', errorType: null }
 */
export function parseGcpMessage(text: string): GcpMessage | { malformed: string } | null {
  const message = text.trim();
  // Most lines are application output: two prefix checks turn them away before any regex.
  if (!message.startsWith('Function') && !message.startsWith('Starting')) return null;
  if (START.test(message)) return { kind: 'start' };
  let m = END.exec(message);
  if (m) {
    const durationMs = Number(m[1]);
    if (!/^\d+(\.\d+)?$/.test(m[1]) || !Number.isFinite(durationMs)) return { malformed: `duration ${JSON.stringify(m[1])} is not a number of ms` };
    const outcome = m[2] ? statusFromCode(m[3]) : statusFromWord(m[3]);
    if (!outcome) return { malformed: `status ${JSON.stringify(m[3])} is not a status code or a quoted status` };
    return { kind: 'end', durationMs, status: outcome.status, errorType: outcome.errorType };
  }
  m = INSTANCE.exec(message);
  if (m) return { kind: 'instance', reason: m[1] };
  if (/^Function\s+execution\s/.test(message)) return { malformed: 'a `Function execution` line in no known form' };
  return null;
}

/** HTTP functions: 5xx is the function failing; anything below is the function's own answer. */
function statusFromCode(code: string): { status: SampleStatus; errorType: string | null } | null {
  if (!/^\d{3}$/.test(code)) return null;
  return Number(code) >= 500 ? { status: 'error', errorType: `HTTP ${code}` } : { status: 'success', errorType: null };
}

/**
 * Event functions: `ok` → success; `timeout`, `load timeout` → timeout; any other word (`crash`, `error`,
 * `connection error`, `load error`, `out of memory`) → error, the word kept as errorType. Quoted (1st gen) or not (current wording).
 */
function statusFromWord(given: string): { status: SampleStatus; errorType: string | null } | null {
  const m = /^'([^']*)'$/.exec(given) ?? /^([a-z][a-z ]*[a-z])$/i.exec(given);
  if (!m) return null;
  const word = m[1].replace(/\s+/g, ' ').toLowerCase();
  if (word === 'ok') return { status: 'success', errorType: null };
  if (TIMEOUT_WORDS.has(word)) return { status: 'timeout', errorType: null };
  return { status: 'error', errorType: word || 'unknown' };
}

/** A non-empty string as given; null for '' and for anything that is not a string. */
function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * A Cloud Run request log's outcome: `httpRequest.latency` ("0.512345678s") and `status`.
 * 504 is Cloud Run's answer when the request timeout ends the execution.
 */
export function readHttpRequest(request: Record<string, unknown>): GcpRequest | { malformed: string } {
  const latency = nonEmptyString(request.latency);
  const m = latency === null ? null : /^(\d+(?:\.\d+)?)s$/.exec(latency);
  if (latency !== null && !m) return { malformed: `httpRequest.latency ${JSON.stringify(latency)} is not a number of seconds` };
  const durationMs = m ? Math.round(Number(m[1]) * 1e6) / 1e3 : null;
  const code = request.status;
  if (typeof code !== 'number' || !Number.isInteger(code)) return { malformed: 'httpRequest has no numeric status' };
  if (code === 504) return { kind: 'request', durationMs, status: 'timeout', errorType: null };
  const outcome = statusFromCode(String(code));
  if (!outcome) return { malformed: `httpRequest.status ${code} is not an HTTP status code` };
  return { kind: 'request', durationMs, ...outcome };
}

const WHOLE = /^-?\d+$/;

/** A whole number as protobuf JSON writes an int64 (a string) or a client library gives it (a number); null otherwise. */
function whole(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  return typeof value === 'string' && WHOLE.test(value) ? Number(value) : null;
}

/**
 * A LogEntry's `timestamp`: the RFC 3339 string of the REST API and `gcloud`, or the
 * `{seconds, nanos}` object (google.protobuf.Timestamp) that client libraries return and that
 * structured logs may carry (seconds as a number or an int64 string; nanos may be absent).
 * Epoch ms (to the microsecond, as parseTimestamp), or null when it is neither.
 */
export function logEntryTime(value: unknown): number | null {
  const text = nonEmptyString(value);
  if (text !== null) return parseTimestamp(text);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { seconds, nanos } = value as Record<string, unknown>;
  const s = whole(seconds);
  const n = nanos === undefined || nanos === null ? 0 : whole(nanos);
  if (s === null || n === null || n < 0 || n > 999_999_999) return null;
  const ms = s * 1000 + Math.round(n / 1e3) / 1e3;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
}

/** Fields of a LogEntry (missing ones null); text null when it has none (a request log). */
export function readLogEntry(entry: Record<string, unknown>): EntryFields & { text: string | null } {
  const labels = obj(entry.labels);
  const resourceLabels = obj(obj(entry.resource).labels);
  const ts = logEntryTime(entry.timestamp);
  return {
    text: nonEmptyString(entry.textPayload) ?? nonEmptyString(obj(entry.jsonPayload).message),
    ts,
    shown: ts,
    executionId: nonEmptyString(labels.execution_id) ?? nonEmptyString(obj(entry.jsonPayload).execution_id),
    instance: nonEmptyString(labels.instanceId) ?? nonEmptyString(labels.instance_id) ?? nonEmptyString(resourceLabels.instance_id),
    functionName: nonEmptyString(resourceLabels.function_name) ?? nonEmptyString(resourceLabels.service_name),
    trace: nonEmptyString(entry.trace),
  };
}

/**
 * Splits a text line into its prefix (read by its structure: platforms/prefix.ts) and the message.
 * The prefix's words are the function and the execution id, in that order; more than two words
 * means the prefix is something else, so neither is taken from it.
 */
function readTextLine(line: string): { text: string; ts: number | null; shown: number | null; executionId: string | null; functionName: string | null } {
  const at = MESSAGE_AT.exec(line);
  if (at === null) return { text: line, ts: null, shown: null, executionId: null, functionName: null };
  const prefix = readPrefix(line.slice(0, at.index));
  const named = prefix.words.length <= 2;
  return {
    text: line.slice(at.index),
    ts: prefix.stamp?.ms ?? null,
    shown: prefix.stamp?.exact ? prefix.stamp.ms : null,
    functionName: named ? (prefix.words[0] ?? null) : null,
    executionId: named ? (prefix.words[1] ?? null) : null,
  };
}

const RANK = { instance: 0, start: 1, request: 1, end: 3 } as const;

interface OpenExecution {
  claim: Claim;
  ts: number | null;
  executionId: string | null;
}

class GcpAssembler implements SampleAssembler {
  private readonly json = new JsonObjectStream();
  private readonly order = new ReorderBuffer<GcpRecord>();
  private readonly instances = new InstanceTracker();
  private readonly stat = new StatsCounter();
  private readonly byId = new Map<string, OpenExecution>();
  /** Executions without an id, matched first-in first-out per instance and function. */
  private readonly anonymous = new Map<string, OpenExecution[]>();
  private readonly finished = new BoundedSet();
  /** Open executions by trace, so a request log and the execution's own lines make one sample. */
  private readonly byTrace = new Map<string, OpenExecution>();
  private readonly tracesDone = new BoundedSet();

  constructor(private readonly options: AssemblerOptions) {}

  push(line: string, lineNumber: number): Sample[] {
    const out: Sample[] = [];
    if (this.json.isText(line)) {
      this.acceptText(line, lineNumber, out);
      return out;
    }
    for (const piece of this.json.push(line, lineNumber)) {
      if (piece.type === 'malformed') this.stat.bad(piece.line, piece.reason);
      else if (piece.type === 'object') {
        const entry = readLogEntry(piece.value);
        const request = obj(piece.value.httpRequest);
        if (entry.text !== null) this.accept(entry.text, entry, piece.line, out);
        else if (piece.value.httpRequest !== undefined) this.acceptRequest(readHttpRequest(request), entry, piece.line, out);
        else this.stat.skip('not a platform line');
      } else if (piece.type === 'text') this.acceptText(piece.text, piece.line, out);
    }
    return out;
  }

  private acceptText(line: string, lineNumber: number, out: Sample[]): void {
    const text = line.charCodeAt(0) === 0xfeff ? line.slice(1).trimEnd() : line.trimEnd();
    if (text.trim() === '') {
      this.stat.skip('blank');
      return;
    }
    const read = readTextLine(text);
    this.accept(read.text, { ts: read.ts, shown: read.shown, executionId: read.executionId, functionName: read.functionName, instance: null, trace: null }, lineNumber, out);
  }

  end(): Sample[] {
    for (const piece of this.json.end()) if (piece.type === 'malformed') this.stat.bad(piece.line, piece.reason);
    const out: Sample[] = [];
    for (const record of this.order.drain()) this.process(record, out);
    return out;
  }

  stats() {
    return this.stat.snapshot();
  }

  private acceptRequest(message: GcpRequest | { malformed: string }, fields: EntryFields, line: number, out: Sample[]): void {
    if ('malformed' in message) {
      this.stat.bad(line, message.malformed);
      return;
    }
    this.enqueue(message, RANK.request, fields, line, out);
  }

  private accept(text: string, fields: EntryFields, line: number, out: Sample[]): void {
    const message = parseGcpMessage(text);
    if (message === null) {
      this.stat.skip('not a platform line');
      return;
    }
    if ('malformed' in message) {
      this.stat.bad(line, message.malformed);
      return;
    }
    this.enqueue(message, RANK[message.kind], fields, line, out);
  }

  /** Counts a platform record and puts it in time order; the records it releases are processed. */
  private enqueue(message: GcpMessage | GcpRequest, rank: number, fields: EntryFields, line: number, out: Sample[]): void {
    this.stat.records += 1;
    // Built field by field: one object shape for every record keeps this hot path monomorphic.
    const record: GcpRecord = {
      ts: fields.ts,
      shown: fields.shown,
      rank,
      line,
      message,
      executionId: fields.executionId,
      instance: fields.instance,
      functionName: fields.functionName,
      trace: fields.trace,
    };
    for (const ready of this.order.push(record)) this.process(ready, out);
  }

  private process(record: GcpRecord, out: Sample[]): void {
    const { message, executionId, instance, trace } = record;
    if (message.kind === 'instance') {
      this.instances.started(instance);
      return;
    }
    const done = (executionId !== null && this.finished.has(executionId)) || (trace !== null && this.tracesDone.has(trace));
    const anonKey = executionId === null && trace === null ? `${instance ?? ''}\u0000${record.functionName ?? ''}` : '';
    if (message.kind === 'start') {
      if (done) return;
      const open: OpenExecution = { claim: this.instances.claim(instance), ts: record.shown, executionId };
      if (executionId !== null) setBounded(this.byId, executionId, open);
      else if (trace === null) {
        const queue = this.anonymous.get(anonKey);
        if (queue === undefined) setBounded(this.anonymous, anonKey, [open]);
        else if (queue.push(open) > MAX_OPEN_EXECUTIONS) queue.shift();
      }
      if (trace !== null) setBounded(this.byTrace, trace, open);
      return;
    }
    if (done) {
      // The same execution twice (overlapping exports, or a request log beside its own lines): counted once.
      this.stat.records -= 1;
      this.stat.skip('duplicate execution');
      return;
    }
    let open: OpenExecution | undefined = trace === null ? undefined : this.byTrace.get(trace);
    if (open === undefined && executionId !== null) open = this.byId.get(executionId);
    else if (open === undefined && trace === null) open = this.anonymous.get(anonKey)?.shift();
    const id = executionId ?? open?.executionId ?? null;
    if (id !== null) {
      this.byId.delete(id);
      this.finished.add(id);
    }
    if (trace !== null) {
      this.byTrace.delete(trace);
      this.tracesDone.add(trace);
    }
    // No start line (cut off or filtered out): the execution claims its instance at its end.
    const claim = open?.claim ?? this.instances.claim(instance);
    out.push(
      platformSample({
        platform: 'gcp',
        variant: variantOf(this.options, record.functionName),
        functionName: record.functionName,
        instance,
        cold: claim.cold,
        // A request log without an execution id is known by its trace id, the one id it has.
        requestId: id ?? (message.kind === 'request' && trace !== null ? trace.slice(trace.lastIndexOf('/') + 1) : null),
        initMs: null,
        durationMs: message.durationMs,
        status: message.status,
        errorType: message.errorType,
        timestamp: open?.ts ?? record.shown,
      }),
    );
  }
}

/** A SampleAssembler for Google Cloud Functions / Cloud Run functions logs (text or gcloud JSON). */
export function createGcpAssembler(options: AssemblerOptions = {}): SampleAssembler {
  return new GcpAssembler(options);
}

/** True when a line is recognisably Google's (for `import --platform auto`). */
export function detectGcp(line: string): boolean {
  return /Function\s+execution\s+(started|took\s+\d)|Starting new instance\. Reason:|cloudfunctions\.googleapis\.com|"cloud_run_revision"|"cloud_function"|"execution_id"/.test(
    line,
  );
}

/** The `gcp` entry of PLATFORM_ASSEMBLERS: the factory, with `detect` for `--platform auto`. */
export const gcpAssemblerFactory = Object.assign((options: AssemblerOptions) => createGcpAssembler(options), { detect: detectGcp });
