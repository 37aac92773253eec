import { randomBytes } from 'node:crypto';
import type { FunctionSpec } from '../contract.ts';

/** What one invoke measured, for the REPORT line / platform.report record. */
export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedMs: number;
  memoryMB: number;
  maxMemoryMB: number;
  initMs: number | null;
  status: 'success' | 'error' | 'timeout';
  errorType?: string;
}

export interface InitReportFields {
  phase: 'init' | 'invoke';
  durationMs: number;
  status: 'error' | 'timeout';
  errorType?: string;
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>` (the version number instead of $LATEST for versions), as Lambda names streams. */
export function logStreamName(version: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}`;
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/** Billed Duration since 2025-08-01: init is billed for on-demand environments, rounded up to 1 ms. */
export function billedDuration(durationMs: number, initMs: number | null): number {
  return Math.max(1, Math.ceil(round3(durationMs + (initMs ?? 0))));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

const ms2 = (n: number) => n.toFixed(2);

/**
 * Formats Lambda's platform lines in the function's log format. Text messages end with "\n"
 * as Lambda's CloudWatch events do; JSON records are one object per event.
 */
export class PlatformLog {
  constructor(
    private readonly spec: FunctionSpec,
    private readonly runtimeVersion: string,
    private readonly runtimeVersionArn: string,
    private readonly instanceId: string,
  ) {}

  private get json(): boolean {
    return this.spec.logFormat === 'JSON';
  }

  private record(type: string, record: Record<string, unknown>): string {
    return JSON.stringify({ time: new Date().toISOString(), type, record });
  }

  initStart(initializationType = 'on-demand'): string {
    if (this.json) return this.record('platform.initStart', this.initStartRecord(initializationType));
    return `INIT_START Runtime Version: ${this.runtimeVersion}\tRuntime Version ARN: ${this.runtimeVersionArn}\n`;
  }

  /** The platform.initStart record (the JSON log line's and the Telemetry API's). */
  initStartRecord(initializationType = 'on-demand'): Record<string, unknown> {
    return {
      initializationType,
      phase: 'init',
      runtimeVersion: this.runtimeVersion,
      runtimeVersionArn: this.runtimeVersionArn,
      functionName: this.spec.functionName,
      functionVersion: this.spec.version,
      instanceId: this.instanceId,
      instanceMaxMemory: this.spec.memoryMB * 1024 * 1024,
    };
  }

  start(requestId: string): string {
    if (this.json) {
      return this.record('platform.start', { requestId, functionArn: this.spec.functionArn, version: this.spec.version });
    }
    return `START RequestId: ${requestId} Version: ${this.spec.version}\n`;
  }

  /** END has no JSON counterpart at the default system log level. */
  end(requestId: string): string | null {
    return this.json ? null : `END RequestId: ${requestId}\n`;
  }

  report(f: ReportFields): string {
    if (this.json) {
      const metrics: Record<string, number> = {
        durationMs: round3(f.durationMs),
        billedDurationMs: f.billedMs,
        memorySizeMB: f.memoryMB,
        maxMemoryUsedMB: f.maxMemoryMB,
      };
      if (f.initMs !== null) metrics.initDurationMs = round3(f.initMs);
      const record: Record<string, unknown> = { requestId: f.requestId, metrics, status: f.status };
      if (f.errorType) record.errorType = f.errorType;
      return this.record('platform.report', record);
    }
    let line =
      `REPORT RequestId: ${f.requestId}\tDuration: ${ms2(f.durationMs)} ms\tBilled Duration: ${f.billedMs} ms\t` +
      `Memory Size: ${f.memoryMB} MB\tMax Memory Used: ${f.maxMemoryMB} MB\t`;
    if (f.initMs !== null) line += `Init Duration: ${ms2(f.initMs)} ms\t`;
    if (f.status === 'timeout') line += 'Status: timeout\t';
    else if (f.status === 'error' && f.errorType) line += `Status: error\tError Type: ${f.errorType}\t`;
    return `${line}\n`;
  }

  initReport(f: InitReportFields, initializationType = 'on-demand'): string {
    if (this.json) {
      const record: Record<string, unknown> = {
        initializationType,
        phase: f.phase,
        status: f.status,
        metrics: { durationMs: round3(f.durationMs) },
      };
      if (f.errorType) record.errorType = f.errorType;
      return this.record('platform.initReport', record);
    }
    let line = `INIT_REPORT Init Duration: ${ms2(f.durationMs)} ms\tPhase: ${f.phase}\tStatus: ${f.status}`;
    if (f.errorType) line += `\tError Type: ${f.errorType}`;
    return `${line}\n`;
  }

  /** One extension's state at the end of init, as Lambda logs it (`EXTENSION\tName: agent\tState: Ready\tEvents: [INVOKE,SHUTDOWN]`). */
  extension(f: { name: string; state: string; events: string[]; errorType?: string }): string {
    if (this.json) {
      const record: Record<string, unknown> = { name: f.name, state: f.state, events: f.events };
      if (f.errorType) record.errorType = f.errorType;
      return this.record('platform.extension', record);
    }
    let line = `EXTENSION\tName: ${f.name}\tState: ${f.state}\tEvents: [${f.events.join(',')}]`;
    if (f.errorType) line += `\tError Type: ${f.errorType}`;
    return `${line}\n`;
  }

  /** Written before END when the deadline passes (text format only, as a function line). */
  timedOut(requestId: string, elapsedMs: number): string {
    return `${new Date().toISOString()} ${requestId} ${timeoutMessage(elapsedMs)}\n`;
  }

  exited(requestId: string, how: string): string {
    return `${exitMessage(requestId, how)}\n`;
  }
}

/** `Task timed out after 3.00 seconds`, with the time actually elapsed. */
export function timeoutMessage(elapsedMs: number): string {
  return `Task timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`;
}

/** `RequestId: <id> Error: Runtime exited with error: exit status 1`, as Lambda logs a runtime exit. */
export function exitMessage(requestId: string, how: string): string {
  return `RequestId: ${requestId} Error: Runtime exited with error: ${how}`;
}

const SIGNAL_WORDS: Record<string, string> = {
  SIGKILL: 'killed',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGTERM: 'terminated',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
};

/** How a process ended, in Go's os/exec words as Lambda's runtime manager prints them. */
export function exitHow(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_WORDS[signal] ?? signal.slice(3).toLowerCase()}`;
  return `exit status ${code ?? 0}`;
}
