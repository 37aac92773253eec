/**
 * Azure Functions logs → samples.
 *
 * Reads the host's lines (Core Tools' `[time] message`, the log stream's `time [Level] message`,
 * or bare), and Application Insights exports of traces / requests as CSV or JSON. An execution
 * is cold when it is the first on its instance after a host start (its `Host started (Nms)`
 * becomes initMs) or the first on a newly seen `cloud_RoleInstance`; per instance, not per
 * function (docs/other-platforms.md). Azure logs no memory or billing, so those stay null.
 */
import type { Sample, SampleStatus } from './sample.ts';
import { type AppInsightsRow, csvRecord, isAppInsightsHeader, readAppInsightsRow, rowsFromTables } from './platforms/appinsights.ts';
import { CsvRecordReader, splitCsv } from './platforms/csv.ts';
import { JsonObjectStream } from './platforms/json-stream.ts';
import { BoundedSet, type Claim, InstanceTracker, type Ordered, ReorderBuffer, setBounded } from './platforms/order.ts';
import { splitLeadingPrefix } from './platforms/prefix.ts';
import { type AssemblerOptions, platformSample, type SampleAssembler, StatsCounter, variantOf } from './platforms/types.ts';

/** What one Azure host line (or exported row) says. */
export type AzureMessage =
  | { kind: 'host-init' }
  | { kind: 'host-started'; ms: number }
  | { kind: 'executing'; functionName: string; id: string | null }
  | { kind: 'executed'; functionName: string; id: string | null; succeeded: boolean; durationMs: number | null }
  | { kind: 'timeout'; functionName: string; id: string | null }
  | { kind: 'exception'; functionName: string | null; errorType: string | null }
  | { kind: 'request'; functionName: string | null; id: string | null; durationMs: number | null; status: SampleStatus };

interface AzureRecord extends Ordered {
  /** The time reported on the sample: null for Core Tools' local culture times, whose zone the log does not give. */
  shown: number | null;
  line: number;
  message: AzureMessage;
  instance: string | null;
}

/** `Executing 'Functions.X' (…)` / `Executed 'Functions.X' (…)`: the fields inside the parentheses are read one by one, in any order. */
const EXECUTION = /^Execut(ing|ed)\s+'([^']+)'\s*\((.*)\)\s*$/;
/** The host's failure detail: `Exception while executing function: Functions.X …`, and the worker's `Exception: ValueError: …` (often on the next line). */
const EXCEPTION_WHILE = /Exception while executing function: (?:Functions\.)?([\w.-]+?)\.?(?:\s|$)/;
const EXCEPTION_TYPE = /(?:^|\s)Exception: ([A-Za-z_][\w.]*):/;
const TIMEOUT = /^Timeout value of \S+ (?:was )?exceeded by function:? '?([^'\s(]+)'?\s*(?:\(Id: '([^']+)'\))?/;
const HOST_INIT = /^(Initializing\s+Host\b|Starting\s+Host\s*\(|Host\s+initialized\s*\()/;
const HOST_STARTED = /^Host\s+started\s*\((\d+(?:\.\d+)?)\s*ms\)/;

/**
 * The fields of an Executing / Executed line: `Reason='…'` (quoted, may hold commas and parentheses),
 * `Id=…`, `Duration=Nms`, and the bare outcome word `Succeeded` / `Failed`; null when they do not split.
 */
function executionFields(inner: string): { outcome: string | null; id: string | null; duration: string | null } | null {
  let outcome: string | null = null;
  let id: string | null = null;
  let duration: string | null = null;
  const field = /\s*(?:(\w+)\s*=\s*(?:'(.*?)'(?=\s*(?:,|$))|([^,]*?))|([A-Za-z]+))\s*(?:,|$)/y;
  let at = 0;
  while (at < inner.length) {
    field.lastIndex = at;
    const m = field.exec(inner);
    if (m === null || field.lastIndex === at) return null;
    at = field.lastIndex;
    if (m[4] !== undefined) outcome = m[4];
    else if (m[1].toLowerCase() === 'id') id = (m[3] ?? m[2]).trim() || null;
    else if (m[1].toLowerCase() === 'duration') duration = (m[3] ?? m[2]).trim();
  }
  return { outcome, id, duration };
}

/** Every Application Insights export header names its time column one of these ways. */
const CSV_HEADER_HINT = /timestamp|timegenerated/i;

/** `Functions.HttpHello` → `HttpHello` (the v4 host prefixes every function with `Functions.`). */
function shortName(name: string): string {
  return name.startsWith('Functions.') ? name.slice('Functions.'.length) : name;
}

/**
 * Reads one Azure host message, or null when it is not one (application output and other host chatter).
 * @example parseAzureMessage("Executed 'Functions.HttpHello' (Succeeded, Id=0f5c…, Duration=12ms)")
 */
export function parseAzureMessage(text: string): AzureMessage | { malformed: string } | null {
  const message = text.trim();
  let m = EXECUTION.exec(message);
  if (m) {
    const fields = executionFields(m[3]);
    const functionName = shortName(m[2]);
    if (fields === null) return { malformed: `the fields of this ${m[1] === 'ing' ? 'Executing' : 'Executed'} line do not split into Name=value pairs` };
    if (m[1] === 'ing') return { kind: 'executing', functionName, id: fields.id };
    if (fields.outcome !== 'Succeeded' && fields.outcome !== 'Failed') return { malformed: 'an Executed line without Succeeded or Failed' };
    let durationMs: number | null = null;
    if (fields.duration !== null) {
      const d = /^(\d+(?:\.\d+)?)\s*ms$/.exec(fields.duration);
      if (!d) return { malformed: `Duration=${fields.duration} is not a number of ms` };
      durationMs = Number(d[1]);
    }
    return { kind: 'executed', functionName, id: fields.id, succeeded: fields.outcome === 'Succeeded', durationMs };
  }
  if (/^Execut(ing|ed)\s/.test(message)) return { malformed: 'an Executing/Executed line in no known form' };
  m = EXCEPTION_WHILE.exec(message);
  if (m) return { kind: 'exception', functionName: shortName(m[1]), errorType: EXCEPTION_TYPE.exec(message)?.[1] ?? null };
  m = /^Exception: ([A-Za-z_][\w.]*):/.exec(message);
  if (m) return { kind: 'exception', functionName: null, errorType: m[1] };
  m = TIMEOUT.exec(message);
  if (m) return { kind: 'timeout', functionName: shortName(m[1]), id: m[2] ?? null };
  m = HOST_STARTED.exec(message);
  if (m) return { kind: 'host-started', ms: Number(m[1]) };
  if (HOST_INIT.test(message)) return { kind: 'host-init' };
  return null;
}

/** A request row as a record; null when it has no way to tell success from failure. */
function requestMessage(row: AppInsightsRow): AzureMessage | null {
  let status: SampleStatus | null = row.success === null ? null : row.success ? 'success' : 'error';
  if (status === null && row.resultCode !== null && /^\d+$/.test(row.resultCode)) status = Number(row.resultCode) < 400 ? 'success' : 'error';
  if (status === null) return null;
  return { kind: 'request', functionName: row.name === null ? null : shortName(row.name), id: row.id, durationMs: row.durationMs, status };
}

const RANK: Record<AzureMessage['kind'], number> = { 'host-init': 0, 'host-started': 0, executing: 1, request: 1, timeout: 2, executed: 3, exception: 3 };

interface OpenExecution {
  claim: Claim;
  ts: number | null;
  timedOut: boolean;
}

class AzureAssembler implements SampleAssembler {
  private readonly json = new JsonObjectStream();
  private readonly csv = new CsvRecordReader();
  private csvHeader: string[] | null = null;
  private readonly order = new ReorderBuffer<AzureRecord>();
  private readonly instances = new InstanceTracker();
  private readonly stat = new StatsCounter();
  private readonly byId = new Map<string, OpenExecution>();
  private readonly anonymous = new Map<string, OpenExecution[]>();
  private readonly timedOut = new BoundedSet();
  private readonly finished = new BoundedSet();
  /** Instances whose host start has begun (`Initializing Host`) but not logged `Host started` yet. */
  private readonly starting = new Set<string>();

  constructor(private readonly options: AssemblerOptions) {}

  push(line: string, lineNumber: number): Sample[] {
    const out: Sample[] = [];
    if (this.csvHeader && !this.json.open) {
      if (line.trim() === '') {
        this.stat.skip('blank');
        return out;
      }
      const piece = this.csv.push(line, lineNumber);
      if (piece.type === 'malformed') this.stat.bad(piece.line, piece.reason);
      else if (piece.type === 'record') {
        if (piece.fields.length !== this.csvHeader.length) this.stat.bad(piece.line, `CSV row has ${piece.fields.length} fields; the header has ${this.csvHeader.length}`);
        else this.acceptRow(csvRecord(this.csvHeader, piece.fields), piece.line, out);
      }
      return out;
    }
    for (const piece of this.json.push(line, lineNumber)) {
      if (piece.type === 'malformed') this.stat.bad(piece.line, piece.reason);
      else if (piece.type === 'object') this.acceptObject(piece.value, piece.line, out);
      else if (piece.type === 'text') this.acceptText(piece.text.replace(/^\uFEFF/, ''), piece.line, out);
    }
    return out;
  }

  end(): Sample[] {
    for (const piece of this.json.end()) if (piece.type === 'malformed') this.stat.bad(piece.line, piece.reason);
    const tail = this.csv.end();
    if (tail?.type === 'malformed') this.stat.bad(tail.line, tail.reason);
    const out: Sample[] = [];
    for (const record of this.order.drain()) this.process(record, out);
    this.flushFailure(out);
    return out;
  }

  stats() {
    return this.stat.snapshot();
  }

  private acceptText(line: string, lineNumber: number, out: Sample[]): void {
    if (line.trim() === '') {
      this.stat.skip('blank');
      return;
    }
    // Header detection splits the line as CSV, so only lines that can be a header pay for it.
    if (line.includes(',') && CSV_HEADER_HINT.test(line)) {
      const fields = splitCsv(line);
      if (fields && isAppInsightsHeader(fields)) {
        this.csvHeader = fields;
        return;
      }
    }
    const { text, stamp } = splitLeadingPrefix(line);
    this.acceptMessage(text, stamp?.ms ?? null, stamp?.exact ? stamp.ms : null, null, lineNumber, out);
  }

  private acceptObject(value: Record<string, unknown>, lineNumber: number, out: Sample[]): void {
    const rows = rowsFromTables(value);
    if (rows === null) this.acceptRow(value, lineNumber, out);
    else for (const row of rows) this.acceptRow(row, lineNumber, out);
  }

  private acceptRow(record: Record<string, unknown>, lineNumber: number, out: Sample[]): void {
    const row = readAppInsightsRow(record);
    if (row.message !== null) {
      this.acceptMessage(row.message, row.ts, row.ts, row.instance, lineNumber, out);
      return;
    }
    if (row.durationMs === null && row.success === null) {
      this.stat.skip('not a platform line');
      return;
    }
    const message = requestMessage(row);
    if (message === null) this.stat.bad(lineNumber, 'request row has neither success nor a numeric resultCode');
    else this.enqueue({ ts: row.ts, shown: row.ts, rank: RANK.request, line: lineNumber, message, instance: row.instance }, out);
  }

  private acceptMessage(text: string, ts: number | null, shown: number | null, instance: string | null, lineNumber: number, out: Sample[]): void {
    const message = parseAzureMessage(text);
    if (message === null) this.stat.skip('not a platform line');
    else if ('malformed' in message) this.stat.bad(lineNumber, message.malformed);
    else this.enqueue({ ts, shown, rank: RANK[message.kind], line: lineNumber, message, instance }, out);
  }

  private enqueue(record: AzureRecord, out: Sample[]): void {
    this.stat.records += 1;
    for (const ready of this.order.push(record)) this.process(ready, out);
  }

  /** A failed execution waits for the next record: the host logs its exception type just after `Executed … (Failed …)`. */
  private failure: { sample: Sample; functionName: string | null } | null = null;

  private flushFailure(out: Sample[]): void {
    if (this.failure !== null) out.push(this.failure.sample);
    this.failure = null;
  }

  private process(record: AzureRecord, out: Sample[]): void {
    const { message, instance } = record;
    if (message.kind === 'exception') {
      const failure = this.failure;
      if (failure !== null && failure.sample.errorType === null && (message.functionName === null || message.functionName === failure.functionName))
        failure.sample.errorType = message.errorType;
      return;
    }
    this.flushFailure(out);
    const key = instance ?? '';
    switch (message.kind) {
      case 'host-init':
        if (!this.starting.has(key)) this.instances.started(instance);
        this.starting.add(key);
        return;
      case 'host-started':
        // Ends the start begun by `Initializing Host`; if an execution already claimed it, the start is not counted twice.
        if (this.starting.has(key)) this.instances.setInit(instance, message.ms);
        else this.instances.started(instance, message.ms);
        this.starting.delete(key);
        return;
      case 'executing': {
        if (message.id !== null && this.finished.has(message.id)) return;
        const open: OpenExecution = { claim: this.instances.claim(instance), ts: record.shown, timedOut: false };
        if (message.id !== null) setBounded(this.byId, message.id, open);
        else this.anonymousQueue(key, message.functionName).push(open);
        return;
      }
      case 'timeout':
        if (message.id !== null) this.timedOut.add(message.id);
        return;
      case 'executed':
      case 'request': {
        const id = message.id;
        if (id !== null && this.finished.has(id)) {
          // The same invocation from a second export (traces and requests): counted once.
          this.stat.records -= 1;
          this.stat.skip('duplicate execution');
          return;
        }
        let open: OpenExecution | undefined;
        if (id !== null) {
          open = this.byId.get(id);
          this.byId.delete(id);
          this.finished.add(id);
        } else if (message.functionName !== null) open = this.anonymousQueue(key, message.functionName).shift();
        const claim = open?.claim ?? this.instances.claim(instance);
        let status: SampleStatus;
        if (message.kind === 'request') status = message.status;
        else status = message.succeeded ? 'success' : 'error';
        if (status !== 'success' && id !== null && this.timedOut.delete(id)) status = 'timeout';
        const sample = platformSample({
          platform: 'azure',
          variant: variantOf(this.options, message.functionName),
          functionName: message.functionName,
          instance,
          cold: claim.cold,
          requestId: id,
          initMs: claim.initMs,
          durationMs: message.durationMs,
          status,
          errorType: null,
          timestamp: open?.ts ?? record.shown,
        });
        if (status === 'error') this.failure = { sample, functionName: message.functionName };
        else out.push(sample);
      }
    }
  }

  private anonymousQueue(key: string, functionName: string): OpenExecution[] {
    const queueKey = `${key}\u0000${functionName}`;
    let queue = this.anonymous.get(queueKey);
    if (!queue) {
      queue = [];
      setBounded(this.anonymous, queueKey, queue);
    }
    return queue;
  }
}

/** A SampleAssembler for Azure Functions host logs and Application Insights exports (CSV or JSON). */
export function createAzureAssembler(options: AssemblerOptions = {}): SampleAssembler {
  return new AzureAssembler(options);
}

/** True when a line is recognisably Azure's (for `import --platform auto`). */
export function detectAzure(line: string): boolean {
  return /Executing\s+'[^']+'\s*\(|Executed\s+'[^']+'\s*\(.*\b(Succeeded|Failed)\b|Starting Host \(HostId=|Host started \(\d|cloud_RoleInstance|AppRoleInstance/.test(line);
}

/** The `azure` entry of PLATFORM_ASSEMBLERS: the factory, with `detect` for `--platform auto`. */
export const azureAssemblerFactory = Object.assign((options: AssemblerOptions) => createAzureAssembler(options), { detect: detectAzure });
