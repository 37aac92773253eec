/**
 * The contract between the parts: one sample per invocation (DESIGN.md, "one sample per
 * invocation"). Written as one JSON object per line to samples.jsonl by `bench` and `import`,
 * read by `report` and `compare`. Extra fields are allowed; these names are fixed.
 */
export type SampleKind = 'cold' | 'warm';

/**
 * How the kind was known. `init-duration`: the REPORT had Init Duration; `restore`: a SnapStart
 * restore; `forced`: the harness forced a new environment; `none`: no init field, so warm;
 * `proactive-init`: a new environment whose init ran before the request (AWS pre-warming);
 * `instance-start`: another platform's host / instance start preceded the execution.
 */
export type ColdBy = 'init-duration' | 'restore' | 'forced' | 'none' | 'proactive-init' | 'instance-start';

export type SampleStatus = 'success' | 'error' | 'timeout';

export interface Sample {
  variant: string;
  kind: SampleKind;
  coldBy: ColdBy;
  requestId: string | null;
  initMs: number | null;
  restoreMs: number | null;
  billedRestoreMs: number | null;
  durationMs: number | null;
  billedMs: number | null;
  memoryMB: number | null;
  maxMemoryMB: number | null;
  status: SampleStatus;
  errorType: string | null;
  clientMs: number | null;
  /**
   * `invoke` when the init re-ran inside this invoke (INIT_REPORT / platform.initReport with
   * phase invoke: a suppressed init); then initMs comes from that line. Absent otherwise.
   */
  initPhase?: 'invoke';
  /**
   * What the failure said, on failed samples only: the invoke's error payload `errorMessage`
   * (bench, profile), or the timeout line's `Task timed out after N seconds` (import); at most
   * MAX_ERROR_MESSAGE_CHARS (500) characters.
   */
  errorMessage?: string;
  /** Optional extras used by the harness and the report. */
  [extra: string]: unknown;
}
