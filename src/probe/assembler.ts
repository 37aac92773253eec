/**
 * Streaming log lines → samples. One assembler reads one log (a file, stdin, a CloudWatch
 * query); it keeps only the state of requests still open, so memory stays flat however long
 * the log is.
 */
import { AwsJsonReader, type AwsItem } from './aws-json.ts';
import { parseLineDetailed } from './parse-line.ts';
import { CsvRecordReader, splitCsv } from './platforms/csv.ts';
import type { InitReportRecord, Malformed, PlatformRecord, ReportRecord } from './records.ts';
import { scannedReportJson, scanned, scanReportFast } from './report-fast.ts';
import type { Sample } from './sample.ts';
import { jsonString, sampleToJson } from './sample-json.ts';
import { newFold, type RequestFold, sampleFromReport } from './to-sample.ts';

/** What an assembler saw so far. */
export interface AssemblerStats {
  /** Platform records read (every kind, not only REPORT). */
  records: number;
  /** Lines that gave no record: blank, application output, malformed. */
  skipped: number;
  /** Why lines were skipped, with counts: `blank`, `not a platform line`, `malformed`. */
  skippedBy: Record<string, number>;
  /** The first MAX_MALFORMED_KEPT malformed lines, with their line numbers; `malformedCount` has them all. */
  malformed: Array<{ line: number; reason: string }>;
  malformedCount: number;
  /** Samples produced, and how many of them cold (given by assemblers that have pushJson). */
  samples?: number;
  cold?: number;
  /** Samples whose status is error or timeout (given by assemblers that have pushJson). */
  failed?: number;
  /**
   * Timeout lines no later REPORT took, other than the ones given up front (AssemblerOptions.
   * timedOut): their REPORT came earlier (then that sample says success) or never came.
   */
  unmatchedTimeouts?: number;
}

/** Streaming log lines → samples for one platform. */
export interface SampleAssembler {
  /** Reads one line (1-based `lineNumber`, for messages); returns the samples it completed. */
  push(line: string, lineNumber: number, context?: { stream?: string | null }): Sample[];
  /**
   * Optional fast lane for writers of JSON lines: like push, but returns the samples already
   * serialised (each line ending in a newline, '' when none) — exactly what sampleToJson of
   * push's samples would give.
   */
  pushJson?(line: string, lineNumber: number, context?: { stream?: string | null }): string;
  /**
   * Optional byte lane (byte-import.ts): closes a canonical text REPORT read from bytes — request
   * id at bytes[idStart, idEnd), printable ASCII — when none of its request's other lines is
   * pending, counting it as pushJson would, and returns the variant's JSON string literal for the
   * caller to write the sample with; null (nothing counted) when the line must go to pushJson.
   */
  closeCanonicalReport?(bytes: Buffer, idStart: number, idEnd: number, isCold: boolean): string | null;
  /**
   * Optional: reads a record already parsed from JSON (aws-json.ts), as push reads a line's. A
   * REPORT whose requestId is '' (an Insights row without @requestId) gives a sample with
   * requestId null.
   */
  pushRecord?(record: PlatformRecord | Malformed | null, lineNumber: number): Sample[];
  /** Optional: request ids whose timeout line was found where the first pass could not look (inside compressed payloads). */
  noteTimeouts?(found: ReadonlyMap<string, number | null>): void;
  /** The log ended: returns the samples still pending (none for AWS: a sample needs its REPORT). */
  end(): Sample[];
  stats(): AssemblerStats;
}

export interface AssemblerOptions {
  /** Variant name put on every sample; when absent, the function name the log gives, else `fallbackVariant`. */
  variant?: string;
  /** Variant when neither `variant` nor the log names one (the CLI passes the file's base name). */
  fallbackVariant?: string;
  /**
   * Requests whose timeout line the caller already found (timeoutsIn over the whole input), with
   * the seconds it gave: a timeout printed after its REPORT (CloudWatch and console copies do
   * that) still makes the sample a timeout.
   */
  timedOut?: ReadonlyMap<string, number | null>;
}

/** Malformed lines kept with their reasons; the rest are only counted. */
export const MAX_MALFORMED_KEPT = 20;
/**
 * Open requests (START seen, REPORT not yet) and streams tracked at once. A log that starts or
 * ends mid-request leaves entries that never close; past this bound the oldest are dropped so
 * memory stays flat (Lambda runs one request per environment at a time, so real logs keep a
 * handful open).
 */
export const MAX_OPEN_REQUESTS = 10_000;
/** Variant when nothing names one. */
export const UNNAMED_VARIANT = 'unnamed';

const REPORT_PREFIX = 'REPORT RequestId: ';
/** `serverless logs` (v4) splits a REPORT in two lines: `REPORT - <id>`, then `Duration: …\tBilled Duration: …`. */
const SERVERLESS_REPORT_HEAD = /^REPORT - (\S+)\s*$/;
const SERVERLESS_REPORT_TAIL = 'Duration: ';
/** A CSV header of a Logs Insights export: field names only, at least one of them Insights' own (`@timestamp`, `@message`, …). */
const CSV_FIELD = /^\s*@?[A-Za-z_][\w.]*\s*$/;

/** The columns of an Insights CSV export when `line` is its header row; null otherwise. */
export function insightsCsvHeader(line: string): string[] | null {
  if (!line.includes('@') || !line.includes(',')) return null;
  const fields = splitCsv(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (fields === null || fields.length < 2) return null;
  if (!fields.every((f) => CSV_FIELD.test(f)) || !fields.some((f) => f.trim().startsWith('@'))) return null;
  return fields.map((f) => f.trim());
}

interface StreamState {
  /** INIT_REPORT phase invoke seen before this stream's next START. */
  pendingInvokeInit: InitReportRecord | null;
  current: string | null;
}

/** Marks a request timed out, keeping Lambda's wording of the line as its message. */
function markTimedOut(fold: RequestFold, afterSeconds: number | null): void {
  fold.timedOut = true;
  if (afterSeconds !== null) fold.timeoutMessage = `Task timed out after ${afterSeconds.toFixed(2)} seconds`;
}

function ensureFold(folds: Map<string, RequestFold>, requestId: string): RequestFold {
  let fold = folds.get(requestId);
  if (fold === undefined) {
    fold = newFold();
    folds.set(requestId, fold);
  }
  return fold;
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_OPEN_REQUESTS && !map.has(key)) {
    const oldest = map.keys().next().value as K;
    map.delete(oldest);
  }
  map.set(key, value);
}

/**
 * An assembler for AWS Lambda logs (text and JSON format, any mix, prefixed or not).
 * Lines without a request id (INIT_REPORT, platform.initReport) belong to the request open on
 * the same stream (or the next one to START there); timeout, runtime-exit and runtimeDone lines
 * are matched by request id.
 * @example const a = createAwsAssembler({ variant: 'reuse@512' }); a.push('REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t', 1)
 */
export function createAwsAssembler(options: AssemblerOptions = {}): SampleAssembler {
  const fixedVariant = options.variant;
  let logVariant: string | null = null;
  const fallback = options.fallbackVariant ?? UNNAMED_VARIANT;
  const folds = new Map<string, RequestFold>();
  const streams = new Map<string, StreamState>();
  const skippedBy: Record<string, number> = {};
  const malformed: Array<{ line: number; reason: string }> = [];
  let malformedCount = 0;
  let records = 0;
  let skipped = 0;
  // Shared and frozen: most lines complete no sample, and a caller that pushes into it fails loudly.
  const none = Object.freeze([]) as unknown as Sample[];

  const skip = (why: string): void => {
    skipped++;
    skippedBy[why] = (skippedBy[why] ?? 0) + 1;
  };
  const streamOf = (name: string | null): StreamState => {
    const key = name ?? '';
    let state = streams.get(key);
    if (state === undefined) {
      state = { pendingInvokeInit: null, current: null };
      boundedSet(streams, key, state);
    }
    return state;
  };
  // Known timeouts are folds from the start (not bounded: the caller already holds them all); the
  // fast lanes leave any request with a fold to the general path, which reads it.
  if (options.timedOut !== undefined) for (const [id, seconds] of options.timedOut) markTimedOut(ensureFold(folds, id), seconds);
  const foldOf = (requestId: string): RequestFold => {
    let fold = folds.get(requestId);
    if (fold === undefined) {
      fold = newFold();
      boundedSet(folds, requestId, fold);
    }
    return fold;
  };

  let samples = 0;
  let cold = 0;
  // The fast lanes take only canonical REPORTs without a Status, which never fail: failures are
  // counted here, on the general path, and no output needs scanning.
  let failed = 0;
  const counted = (sample: Sample): Sample => {
    samples++;
    if (sample.kind === 'cold') cold++;
    if (sample.status !== 'success') failed++;
    return sample;
  };
  /** Insights CSV export: its header, once seen, and the reader of its rows. */
  let csvHeader: string[] | null = null;
  const csv = new CsvRecordReader();
  const json = new AwsJsonReader();
  /** `REPORT - <id>` seen (serverless logs): the id waiting for its `Duration: …` line. */
  let pendingHead: string | null = null;
  /** Requests whose timeout was given by noteTimeouts (found inside a payload): their timeout line, read again later, is no surprise. */
  const noted = new Set<string>();
  let variantJson = '';
  let variantJsonOf = '';

  /** Closes a report's request and returns what its other lines said. */
  const takeFold = (report: ReportRecord): RequestFold | null => {
    // The size checks skip two hash lookups per line in the common REPORT-only log.
    const fold = folds.size === 0 ? null : (folds.get(report.requestId) ?? null);
    if (fold !== null) folds.delete(report.requestId);
    const state = streams.size === 0 ? undefined : streams.get(report.stream ?? '');
    if (state !== undefined && state.current === report.requestId) state.current = null;
    return fold;
  };
  const variantOf = (): string => fixedVariant ?? logVariant ?? fallback;

  const variantJsonNow = (): string => {
    const variant = variantOf();
    if (variant !== variantJsonOf) {
      variantJsonOf = variant;
      variantJson = jsonString(variant);
    }
    return variantJson;
  };

  const assembler: SampleAssembler = {
    closeCanonicalReport(bytes, idStart, idEnd, isCold) {
      if (csvHeader !== null || pendingHead !== null) return null;
      // The same checks as pushJson's fast lane; the id becomes a string only when a map may hold it.
      if (folds.size > 0 || streams.size > 0) {
        const id = bytes.toString('latin1', idStart, idEnd);
        if (folds.size > 0 && folds.has(id)) return null;
        const state = streams.get('');
        if (state !== undefined && state.current === id) state.current = null;
      }
      records++;
      samples++;
      if (isCold) cold++;
      return variantJsonNow();
    },
    pushJson(line, lineNumber, context) {
      // Fast lane: an unprefixed canonical REPORT whose request has nothing to fold in.
      if ((context === undefined || context.stream == null) && csvHeader === null && pendingHead === null && line.startsWith(REPORT_PREFIX)) {
        if (scanReportFast(line, 7) && (folds.size === 0 || !folds.has(scanned.requestId))) {
          records++;
          if (streams.size > 0) {
            const state = streams.get('');
            if (state !== undefined && state.current === scanned.requestId) state.current = null;
          }
          samples++;
          if (scanned.initMs !== null || scanned.restoreMs !== null) cold++;
          return scannedReportJson(line, variantJsonNow(), jsonString(scanned.requestId));
        }
      }
      const got = assembler.push(line, lineNumber, context);
      if (got.length === 0) return '';
      let text = '';
      for (const s of got) text += `${sampleToJson(s)}\n`;
      return text;
    },
    noteTimeouts(found) {
      for (const [id, seconds] of found) {
        markTimedOut(foldOf(id), seconds);
        if (noted.size < MAX_OPEN_REQUESTS) noted.add(id);
      }
    },
    pushRecord(record, lineNumber) {
      return accept(record, lineNumber, false);
    },
    push(line, lineNumber, context) {
      if (csvHeader !== null) return pushCsv(line, lineNumber);
      let text = line;
      if (pendingHead !== null) {
        const id = pendingHead;
        pendingHead = null;
        const tail = line.trimStart();
        if (tail.startsWith(SERVERLESS_REPORT_TAIL)) text = `${REPORT_PREFIX}${id}\t${tail}`;
      }
      const result = parseLineDetailed(text, context?.stream ?? null);
      if (result === null) {
        const head = SERVERLESS_REPORT_HEAD.exec(line);
        if (head !== null) {
          pendingHead = head[1];
          records++;
          return none;
        }
        const header = lineNumber <= 1 || records === 0 ? insightsCsvHeader(line) : null;
        if (header !== null) {
          csvHeader = header;
          return none;
        }
      }
      return accept(result, lineNumber, line.trim() === '');
    },
    end() {
      if (csvHeader !== null) {
        const tail = csv.end();
        if (tail !== null && tail.type === 'malformed') bad(tail.line, tail.reason);
      }
      return none;
    },
    stats() {
      let unmatchedTimeouts = 0;
      for (const [id, fold] of folds) if (fold.timedOut && options.timedOut?.has(id) !== true && !noted.has(id)) unmatchedTimeouts++;
      return { records, skipped, skippedBy: { ...skippedBy }, malformed: [...malformed], malformedCount, samples, cold, failed, unmatchedTimeouts };
    },
  };

  function bad(lineNumber: number, reason: string): void {
    skip('malformed');
    malformedCount++;
    if (malformed.length < MAX_MALFORMED_KEPT) malformed.push({ line: lineNumber, reason });
  }

  /** Feeds what a JSON value or CSV row gave; returns the samples completed. */
  function feedItems(items: AwsItem[], lineNumber: number): Sample[] {
    if (json.timeouts.size > 0) {
      // Timeout lines inside a decompressed payload: known before its REPORT is read.
      assembler.noteTimeouts?.(json.timeouts);
      json.timeouts.clear();
    }
    let got: Sample[] = none;
    for (const item of items) {
      const s = item.kind === 'line' ? accept(parseLineDetailed(item.text, item.stream), lineNumber, false) : accept(item.record, lineNumber, false);
      if (s.length > 0) got = got === none ? [...s] : [...got, ...s];
    }
    return got;
  }

  function pushCsv(line: string, lineNumber: number): Sample[] {
    const piece = csv.push(line, lineNumber);
    if (piece.type === 'pending') return none;
    if (piece.type === 'malformed') {
      bad(piece.line, piece.reason);
      return none;
    }
    const items: AwsItem[] = [];
    json.readRow(csvHeader as string[], piece.fields, items);
    if (items.length === 0) {
      skip(piece.fields.every((f) => f.trim() === '') ? 'blank' : 'not a platform line');
      return none;
    }
    return feedItems(items, piece.line);
  }

  function accept(result: PlatformRecord | Malformed | null, lineNumber: number, blank: boolean): Sample[] {
    if (result === null) {
      skip(blank ? 'blank' : 'not a platform line');
      return none;
    }
    if (result.type === 'malformed') {
      bad(lineNumber, result.reason);
      return none;
    }
    records++;
    switch (result.type) {
      case 'report': {
        if (result.requestId === '') {
          // An Insights row without @requestId: nothing to fold in, and no id to give.
          const sample = sampleFromReport(result, null, variantOf());
          sample.requestId = null;
          return [counted(sample)];
        }
        return [counted(sampleFromReport(result, takeFold(result), variantOf()))];
      }
      case 'start': {
        const state = streamOf(result.stream);
        state.current = result.requestId;
        if (state.pendingInvokeInit !== null) foldOf(result.requestId).invokeInit = state.pendingInvokeInit;
        state.pendingInvokeInit = null;
        return none;
      }
      case 'initStart': {
        if (result.functionName !== null) logVariant = result.functionName;
        const state = streamOf(result.stream);
        state.pendingInvokeInit = null;
        state.current = null;
        return none;
      }
      case 'initReport': {
        if (result.phase !== 'invoke') return none;
        const state = streamOf(result.stream);
        if (state.current !== null) foldOf(state.current).invokeInit = result;
        else state.pendingInvokeInit = result;
        return none;
      }
      case 'timeout': {
        const id = result.requestId ?? streamOf(result.stream).current;
        if (id !== null) markTimedOut(foldOf(id), result.afterSeconds);
        return none;
      }
      case 'runtimeExit': {
        const id = result.requestId ?? streamOf(result.stream).current;
        if (id !== null) foldOf(id).runtimeExited = true;
        return none;
      }
      case 'runtimeDone': {
        const id = result.requestId ?? streamOf(result.stream).current;
        if (id !== null) {
          const fold = foldOf(id);
          fold.doneStatus = result.status;
          fold.doneErrorType = result.errorType;
        }
        return none;
      }
      default:
        return none;
    }
  }
  return assembler;
}
