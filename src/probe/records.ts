/**
 * Platform records: what one AWS Lambda platform log line says, before it is turned into a
 * Sample. A discriminated union on `type`; every number is exactly what the line reported and
 * every field a line did not carry is null.
 */

/** Where a line came from, when a prefix (`aws logs tail`, exported files) or the JSON says so. */
export interface RecordOrigin {
  /** ISO timestamp from the line's prefix or the JSON `time` key. */
  time: string | null;
  /** Log stream name from the line's prefix (`YYYY/MM/DD/[$LATEST]<hex>`). */
  stream: string | null;
  format: 'text' | 'json';
}

export type ReportStatus = 'success' | 'error' | 'timeout';

/** START RequestId: … Version: … / platform.start */
export interface StartRecord extends RecordOrigin {
  type: 'start';
  requestId: string;
  version: string | null;
}

/** END RequestId: … */
export interface EndRecord extends RecordOrigin {
  type: 'end';
  requestId: string;
}

/** REPORT RequestId: … / platform.report — the record every Sample comes from. */
export interface ReportRecord extends RecordOrigin {
  type: 'report';
  requestId: string;
  durationMs: number | null;
  billedMs: number | null;
  memoryMB: number | null;
  maxMemoryMB: number | null;
  initMs: number | null;
  restoreMs: number | null;
  billedRestoreMs: number | null;
  /** null when the line has no Status (older lines, which means success). */
  status: ReportStatus | null;
  errorType: string | null;
  /** True when the record names an init (Init Duration / initDurationMs key) even if its value was unreadable. */
  hasInit: boolean;
  /** True when the record names a SnapStart restore. */
  hasRestore: boolean;
}

/** INIT_START Runtime Version: … / platform.initStart */
export interface InitStartRecord extends RecordOrigin {
  type: 'initStart';
  runtimeVersion: string | null;
  runtimeVersionArn: string | null;
  initializationType: string | null;
  functionName: string | null;
  functionVersion: string | null;
}

/** INIT_REPORT Init Duration: … Phase: … / platform.initReport */
export interface InitReportRecord extends RecordOrigin {
  type: 'initReport';
  initMs: number | null;
  /** `invoke`: the init was re-run inside the first invoke (a suppressed init). */
  phase: 'init' | 'invoke' | null;
  status: ReportStatus | null;
  errorType: string | null;
}

/** XRAY TraceId: … SegmentId: … Sampled: … */
export interface XrayRecord extends RecordOrigin {
  type: 'xray';
  traceId: string;
  segmentId: string | null;
  sampled: boolean | null;
}

/** `<time> <request id> Task timed out after 31.01 seconds` */
export interface TimeoutRecord extends RecordOrigin {
  type: 'timeout';
  requestId: string | null;
  afterSeconds: number | null;
}

/** `RequestId: <id> Error: Runtime exited with error: exit status 1` */
export interface RuntimeExitRecord extends RecordOrigin {
  type: 'runtimeExit';
  requestId: string | null;
  /** The text after `Runtime exited`, e.g. `with error: exit status 137`. */
  detail: string;
}

/** platform.runtimeDone (JSON format, DEBUG level). */
export interface RuntimeDoneRecord extends RecordOrigin {
  type: 'runtimeDone';
  requestId: string | null;
  status: ReportStatus | null;
  errorType: string | null;
}

/** Any other `platform.*` JSON record (restoreStart, extension, logsDropped, …): recognised, not used. */
export interface OtherPlatformRecord extends RecordOrigin {
  type: 'otherPlatform';
  name: string;
}

export type PlatformRecord =
  | StartRecord
  | EndRecord
  | ReportRecord
  | InitStartRecord
  | InitReportRecord
  | XrayRecord
  | TimeoutRecord
  | RuntimeExitRecord
  | RuntimeDoneRecord
  | OtherPlatformRecord;

/** A line that claims to be a platform line (its marker is there) but cannot be read soundly. */
export interface Malformed {
  type: 'malformed';
  reason: string;
}
