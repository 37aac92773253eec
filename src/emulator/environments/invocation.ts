import { messageOf } from '../../errors.ts';
import { randomBytes } from 'node:crypto';
import type { FunctionSpec, InvokeOutcome, InvokeRequest, LogEvent, LogSink } from '../contract.ts';

/** One invoke's state inside an environment. */
export interface Invocation {
  request: InvokeRequest;
  resolve(outcome: InvokeOutcome): void;
  log: string[];
  logging: boolean;
  handed: boolean;
  /** The runtime posted its response or error (a second one gets 403) */
  answered: boolean;
  done: boolean;
  /** performance.now() when the event was handed over (or when a suppressed init began) */
  handedAt: number;
  initMs: number | null;
  timer?: NodeJS.Timeout;
  /** The X-Ray header handed to the runtime (and in the extensions' INVOKE event) */
  traceId?: string;
  /** The runtime has answered; the invoke waits for INVOKE-subscribed extensions to call /next */
  runtimeEnd?: Ending;
  /** Duration up to the runtime's answer */
  runtimeMs?: number;
}

export type InitResult = { ok: true; ms: number } | { ok: false; ms: number; status: 'error' | 'timeout'; errorType?: string; body: Buffer };

export interface Ending {
  status: InvokeOutcome['status'];
  payload: Buffer;
  errorType?: string;
  /** Shown in REPORT as Status/Error Type (platform failures, not errors a handler raised) */
  platformFailure?: boolean;
  /** A line written before END (timeout, runtime exit) */
  line?: string;
  oom?: boolean;
}

/** Log events of one environment, appended to its stream in batches (one per invoke). */
export class LogBuffer {
  private buffer: LogEvent[] = [];
  private flushScheduled = false;

  constructor(
    private readonly sink: LogSink,
    private readonly group: string,
    private readonly stream: string,
  ) {
    sink.createStream(group, stream);
  }

  append(message: string): void {
    this.buffer.push({ timestamp: Date.now(), message });
  }

  /** For output between invokes: it reaches the store without waiting for the next invoke. */
  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    this.sink.append(this.group, this.stream, events);
  }
}

/** A JSON payload as the bytes an outcome carries. */
export function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Environments are reused only for the exact code and configuration they started with. */
export function revisionOf(spec: FunctionSpec): string {
  return `${spec.revisionId}|${spec.codeSha256}`;
}

/** The errorType field of an error body, if it is JSON with one. */
export function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8'));
    return typeof parsed?.errorType === 'string' ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

/** Random bytes drawn in bulk: two crypto calls per invoke show on the warm path. */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomAt = 0;

function randomHex(bytes: number): string {
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomAt = 0;
  }
  randomAt += bytes;
  return randomPool.toString('hex', randomAt - bytes, randomAt);
}

/** A Lambda-style X-Ray trace header value (unsampled). */
export function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomHex(12)};Parent=${randomHex(8)};Sampled=0`;
}

/** The InvokeOutcome the API layer gets for one finished invoke. */
export function outcomeOf(inv: Invocation, end: Ending, m: { cold: boolean; durationMs: number; billedMs: number; maxMemoryMB: number }): InvokeOutcome {
  const outcome: InvokeOutcome = {
    payload: end.payload,
    status: end.status,
    // LogType=Tail text: this invoke's own events, START to REPORT, one per line.
    logText: inv.log.map((line) => (line.endsWith('\n') ? line : `${line}\n`)).join(''),
    cold: m.cold,
    initMs: inv.initMs,
    durationMs: m.durationMs,
    billedMs: m.billedMs,
    maxMemoryMB: m.maxMemoryMB,
  };
  if (end.status !== 'success') outcome.functionError = 'Unhandled';
  if (end.errorType) outcome.errorType = end.errorType;
  return outcome;
}

/** When the emulator itself fails to set an environment up (not the function's fault). */
export function internalFailureEnding(err: unknown): Ending {
  const message = `The local emulator could not start the environment: ${messageOf(err)}`;
  return {
    status: 'error',
    payload: jsonBuffer({ errorType: 'Runtime.Unknown', errorMessage: message }),
    errorType: 'Runtime.Unknown',
    platformFailure: true,
    line: `${message}\n`,
  };
}
