/**
 * Drive: force cold starts (burst / config-bump / version), then warm invokes on the same
 * environments; every invoke with LogType=Tail, the sample read from the platform's REPORT
 * (CloudWatch as the fallback, one deadline per batch), appended to samples.jsonl at once.
 * runRounds interleaves the variants of a run batch by batch; each variant's outcome is a
 * VariantResult.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  type LambdaClient,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import type { Sample } from '../probe/sample.ts';
import { decideStatus, describeError, type InvokeErrorPayload, parseErrorPayload, shortenErrorMessage } from '../probe/status.ts';
import { isFailedSample } from '../report/failures.ts';
import type { InitializationType } from '../vocabulary.ts';
import type { Deployment } from './deploy.ts';
import { waiterConfig } from './deploy.ts';
import { DeployError } from './errors.ts';
import { pickEvent } from './plan.ts';
import type { BenchSample, Phase, RunStore, VariantRecord } from './results.ts';
import { CONTROL_PLANE_RETRY, type RetryOptions, retryPolicy, sleep as delay, withRetry } from './retry.ts';
import type { Target, TargetKind } from './target.ts';

/** The probe functions the harness uses (src/probe/index.ts), injected so tests can pin them. */
export interface Probe {
  decodeLogResult(logResultBase64: string): string[];
  samplesFromLines(lines: Iterable<string>, options: { variant: string }): Sample[];
  fetchLogLines(
    client: CloudWatchLogsClient,
    query: { logGroupName: string; requestIds: string[]; startTime: number; endTime?: number; deadline: number; pollIntervalMs?: number; filterPattern?: string },
  ): Promise<Map<string, string[]>>;
}

export interface DriveContext {
  kind: TargetKind;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
  probe: Probe;
  store: RunStore;
  /** How long CloudWatch may take to deliver a batch's missing REPORTs */
  logsTimeoutMs: number;
  /** Cold starts the target can run at once (cores locally, Infinity on AWS) */
  coreCap: number;
  signal: AbortSignal;
  random: () => number;
  onSample?: (sample: BenchSample) => void;
  retry?: Partial<RetryOptions>;
  /** Labels a forced invoke that came back warm: proactive initialisation or an ordinary warm start */
  classifyForcedWarm?: (functionName: string, requestId: string) => Promise<'proactive-init' | 'none'>;
}

/** The DriveContext of a target: its kind, Lambda and Logs clients and cold-start capacity (unless `rest` caps it), and the rest as given. */
export function driveContextOn(
  target: Pick<Target, 'kind' | 'lambda' | 'logs' | 'coreCap'>,
  rest: Omit<DriveContext, 'kind' | 'lambda' | 'logs' | 'coreCap'> & Partial<Pick<DriveContext, 'coreCap'>>,
): DriveContext {
  return { kind: target.kind, lambda: target.lambda, logs: target.logs, coreCap: target.coreCap, ...rest };
}

/** Distinct error messages kept per variant (the rest are counted in the samples). */
const MAX_ERRORS_KEPT = 10;

/** What a variant's forced cold invokes turned out to be, counted as they are measured. */
export interface Tally {
  /** Forced cold invokes whose record said warm */
  forcedWarm: number;
  /** Cold starts whose init ran before the request (AWS proactive initialisation) */
  proactiveInit: number;
}

/**
 * A variant's outcome: pending until its first turn, running while it has samples left, then
 * measured, or failed with its distinct error messages in the order first seen (skipped: left
 * out, with the reasons). run.json keeps it as a VariantRecord (recordOf, resultOf).
 */
export type VariantResult =
  | { state: 'pending' }
  | ({ state: 'running' } & Tally)
  | ({ state: 'measured' } & Tally)
  | ({ state: 'failed'; errors: string[] } & Tally)
  | ({ state: 'skipped'; errors: string[] } & Tally);

const NO_TALLY: Tally = { forcedWarm: 0, proactiveInit: 0 };

export function tallyOf(result: VariantResult): Tally {
  return result.state === 'pending' ? { ...NO_TALLY } : { forcedWarm: result.forcedWarm, proactiveInit: result.proactiveInit };
}

export function errorsOf(result: VariantResult): string[] {
  return result.state === 'failed' || result.state === 'skipped' ? result.errors : [];
}

/** Measured, failed or skipped: a run (or a resumed one) does not drive it again. */
export function isFinished(result: VariantResult): boolean {
  return result.state === 'measured' || result.state === 'failed' || result.state === 'skipped';
}

/** The outcome once `message` ended the variant: failed, the message after the errors it had. */
export function failedWith(result: VariantResult, message: string): VariantResult {
  return { state: 'failed', errors: [...errorsOf(result), message], ...tallyOf(result) };
}

/** run.json's shape of an outcome: every state with the same four fields, in this order. */
export function recordOf(result: VariantResult): VariantRecord {
  const tally = tallyOf(result);
  return { state: result.state, errors: [...errorsOf(result)], forcedWarm: tally.forcedWarm, proactiveInit: tally.proactiveInit };
}

/** An outcome read back from run.json (--resume). */
export function resultOf(record: VariantRecord): VariantResult {
  const tally = { forcedWarm: record.forcedWarm ?? 0, proactiveInit: record.proactiveInit ?? 0 };
  switch (record.state) {
    case 'pending':
      return { state: 'pending' };
    case 'running':
    case 'measured':
      return { state: record.state, ...tally };
    case 'failed':
    case 'skipped':
      return { state: record.state, errors: [...(record.errors ?? [])], ...tally };
    default:
      // Not a state coldbench writes (a hand-edited run.json): measure the variant again.
      record.state satisfies never;
      return { state: 'pending' };
  }
}

/** At most this many cold starts at once for a variant: its concurrency, capped by the target's cores. */
export function burstCap(concurrency: number, coreCap: number): number {
  return Math.max(1, Math.min(concurrency, coreCap));
}

interface InvokeOutcome {
  requestId: string | null;
  lines: string[];
  clientMs: number;
  /** X-Amz-Function-Error: Handled / Unhandled */
  functionError: string | null;
  /** The error payload that came with functionError */
  payload: InvokeErrorPayload | null;
  invokeError: Error | null;
}

async function invoke(ctx: DriveContext, dep: Deployment, qualifier: string | undefined, payload: string): Promise<InvokeOutcome> {
  let started = performance.now();
  try {
    const command = new InvokeCommand({ FunctionName: dep.functionName, Qualifier: qualifier, Payload: Buffer.from(payload), LogType: 'Tail' });
    // The SDK's retry strategy retries a throttled invoke (target.ts SDK_RETRY). Timed per
    // attempt, inside that retry loop: a throttled attempt and its backoff are not part of the invoke.
    command.middlewareStack.add(
      (next) => (args) => {
        started = performance.now();
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'coldbenchAttemptClock' },
    );
    const out = await ctx.lambda.send(command);
    const clientMs = Math.round((performance.now() - started) * 100) / 100;
    const functionError = out.FunctionError ?? null;
    const errorPayload = functionError !== null ? parseErrorPayload(out.Payload ? Buffer.from(out.Payload).toString('utf8') : '') : null;
    const lines = out.LogResult ? ctx.probe.decodeLogResult(out.LogResult) : [];
    return { requestId: out.$metadata.requestId ?? null, lines, clientMs, functionError, payload: errorPayload, invokeError: null };
  } catch (error) {
    return { requestId: null, lines: [], clientMs: Math.round((performance.now() - started) * 100) / 100, functionError: null, payload: null, invokeError: error as Error };
  }
}

/** One configuration update that retires every environment: the environment map merged, never replaced. */
export async function bump(ctx: Pick<DriveContext, 'kind' | 'lambda' | 'retry'>, dep: Deployment, extra: { MemorySize?: number } = {}): Promise<void> {
  dep.bumps += 1;
  dep.environment = { ...dep.environment, COLDBENCH_BUMP: `${Date.now().toString(36)}-${dep.bumps}` };
  // Retried while an update is in progress (the SDK retries throttling, not ResourceConflictException).
  const out = await withRetry(
    () => ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: dep.functionName, Environment: { Variables: dep.environment }, ...extra })),
    retryPolicy(CONTROL_PLANE_RETRY, ctx.retry),
  );
  // The update response already says when it is done (emulators); otherwise wait, never sleep.
  if (out.LastUpdateStatus !== 'Successful') await waitUntilFunctionUpdatedV2(waiterConfig(ctx), { FunctionName: dep.functionName });
}

async function publish(ctx: DriveContext, dep: Deployment): Promise<string> {
  await bump(ctx, dep);
  const out = await withRetry(
    () => ctx.lambda.send(new PublishVersionCommand({ FunctionName: dep.functionName, Description: `coldbench cold sample ${dep.bumps}` })),
    retryPolicy(CONTROL_PLANE_RETRY, ctx.retry),
  );
  const version = out.Version;
  if (version === undefined) throw new DeployError(`PublishVersion ${dep.functionName} answered without Version; the target does not implement the Lambda API as documented`);
  dep.versions.push(version);
  if (out.State && out.State !== 'Active') await waitUntilPublishedVersionActive(waiterConfig(ctx), { FunctionName: dep.functionName, Qualifier: version });
  return version;
}

/**
 * Waiting for provisioned concurrency to be READY. AWS allocates it in one to a few minutes: a poll every 10 s stays far
 * below the control plane's 15 requests/s; an emulator initialises the environments in well under a second.
 */
export const PC_POLL_MS = { aws: 10_000, emulator: 50 } as const;
/** Past this, the variant fails rather than wait on (and, on AWS, pay for) an allocation that is not coming. */
export const PC_READY_TIMEOUT_MS = { aws: 15 * 60_000, emulator: 2 * 60_000 } as const;

/**
 * Publishes a version and puts `environments` of provisioned concurrency on it, then waits until Lambda says READY.
 * Throws DeployError when it ends FAILED or does not become READY in time.
 */
export async function provision(ctx: DriveContext, dep: Deployment, environments: number): Promise<string> {
  // The retry policy's sleep: tests pass one that does not wait.
  const sleep = ctx.retry?.sleep ?? delay;
  const version = await publish(ctx, dep);
  const target = { FunctionName: dep.functionName, Qualifier: version };
  await withRetry(
    () => ctx.lambda.send(new PutProvisionedConcurrencyConfigCommand({ ...target, ProvisionedConcurrentExecutions: environments })),
    retryPolicy(CONTROL_PLANE_RETRY, ctx.retry),
  );
  dep.provisionedOn = version;
  const where = ctx.kind === 'aws' ? 'aws' : 'emulator';
  const deadline = Date.now() + PC_READY_TIMEOUT_MS[where];
  for (;;) {
    const out = await ctx.lambda.send(new GetProvisionedConcurrencyConfigCommand(target));
    if (out.Status === 'READY') return version;
    if (out.Status === 'FAILED') {
      throw new DeployError(
        `provisioned concurrency of ${environments} on ${dep.variant.name} (version ${version}) ended FAILED: ${out.StatusReason ?? 'no reason given'}; a function whose init fails cannot be provisioned, fix its init first`,
      );
    }
    if (Date.now() > deadline) {
      throw new DeployError(
        `provisioned concurrency of ${environments} on ${dep.variant.name} (version ${version}) was not READY after ${PC_READY_TIMEOUT_MS[where] / 60_000} minutes (still ${out.Status}); check the account's concurrency quota`,
      );
    }
    await sleep(PC_POLL_MS[where]);
  }
}

/** Deletes the provisioned concurrency this run put, then the version it put it on (only a version this run published). */
export async function unprovision(ctx: Pick<DriveContext, 'lambda' | 'retry'>, dep: Deployment): Promise<void> {
  const version = dep.provisionedOn;
  if (version === undefined) return;
  const policy = retryPolicy(CONTROL_PLANE_RETRY, ctx.retry);
  await withRetry(() => ctx.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: dep.functionName, Qualifier: version })), policy);
  dep.provisionedOn = undefined;
  if (!dep.versions.includes(version)) return;
  await withRetry(() => ctx.lambda.send(new DeleteFunctionCommand({ FunctionName: dep.functionName, Qualifier: version })), policy);
  dep.versions = dep.versions.filter((v) => v !== version);
}

/**
 * How the environment of a sample was initialised: the REPORT says on-demand (Init Duration) or SnapStart (Restore
 * Duration); otherwise the variant's mode (Lambda serves a provisioned qualifier from its provisioned environments first).
 */
export function initTypeOf(variant: { provisioned?: number; snapStart?: boolean }, sample: Pick<Sample, 'initMs' | 'restoreMs'>): InitializationType {
  if (sample.restoreMs !== null) return 'snap-start';
  if (sample.initMs !== null) return 'on-demand';
  if (variant.provisioned) return 'provisioned-concurrency';
  if (variant.snapStart) return 'snap-start';
  return 'on-demand';
}

function emptySample(variant: string, phase: Phase): Sample {
  return {
    variant,
    kind: phase,
    coldBy: phase === 'cold' ? 'forced' : 'none',
    requestId: null,
    initMs: null,
    restoreMs: null,
    billedRestoreMs: null,
    durationMs: null,
    billedMs: null,
    memoryMB: null,
    maxMemoryMB: null,
    status: 'error',
    errorType: null,
    clientMs: null,
  };
}

/** Runs `count` invokes at once and records one sample per invoke, in order. */
async function measureBatch(ctx: DriveContext, dep: Deployment, phase: Phase, qualifier: string | undefined, count: number): Promise<BenchSample[]> {
  const v = dep.variant;
  const batchStart = Date.now();
  const startIndex = ctx.store.done(v.name, phase);
  const payloads = Array.from({ length: count }, () => pickEvent(v.events, ctx.random).payload);
  const outcomes = await Promise.all(payloads.map((p) => invoke(ctx, dep, qualifier, p)));
  const found = outcomes.map((o) => (o.invokeError ? null : pickReport(ctx, v.name, o)));
  // A forced cold start that failed and looks warm in the tail may have re-run a failed init inside
  // the invoke: the INIT_REPORT (phase invoke) that says so precedes START, outside the tail.
  const initUnseen = (o: InvokeOutcome, i: number) => {
    const record = found[i];
    return phase === 'cold' && record !== null && record.kind === 'warm' && (o.functionError !== null || record.status !== 'success');
  };
  const missing = outcomes.flatMap((o, i) => (!o.invokeError && o.requestId && (!found[i] || initUnseen(o, i)) ? [o.requestId] : []));
  let fetched = new Map<string, string[]>();
  if (missing.length > 0) {
    try {
      fetched = await ctx.probe.fetchLogLines(ctx.logs, {
        logGroupName: `/aws/lambda/${dep.functionName}`,
        requestIds: missing,
        startTime: batchStart - 1_000,
        deadline: Date.now() + ctx.logsTimeoutMs,
      });
    } catch {
      fetched = new Map();
    }
  }
  const samples: BenchSample[] = [];
  for (let i = 0; i < count; i++) {
    const o = outcomes[i];
    let record = found[i];
    const fetchedLines = o.requestId ? fetched.get(o.requestId) : undefined;
    if (fetchedLines) record = pickReport(ctx, v.name, { ...o, lines: fetchedLines }) ?? record;
    const base: Sample = record ?? { ...emptySample(v.name, phase), requestId: o.requestId };
    let error: string | null = null;
    const what = `${phase} sample ${startIndex + i + 1} of ${v.name}`;
    if (o.invokeError) {
      error = `${what}: Invoke failed: ${o.invokeError.name}: ${o.invokeError.message}`;
      base.status = 'error';
      base.errorType = o.invokeError.name;
      base.errorMessage = shortenErrorMessage(o.invokeError.message) ?? undefined;
    } else {
      // The log's verdict (REPORT Status, timeout line) and the invoke's answer together: a text
      // REPORT has no Status for an exception the handler raised, X-Amz-Function-Error does.
      const logSaid = record === null || base.status === 'success' ? null : base.status;
      const decided = decideStatus({ reportStatus: logSaid, reportErrorType: base.errorType, timeoutLine: false, functionError: o.functionError, payload: o.payload });
      base.status = decided.status;
      base.errorType = decided.errorType;
      const errorMessage = decided.errorMessage ?? base.errorMessage ?? null;
      if (errorMessage !== null) base.errorMessage = errorMessage;
      else delete base.errorMessage;
      if (!record) {
        error = `${what}: no REPORT record for request ${o.requestId} in the LogResult tail nor in CloudWatch within ${Math.round(ctx.logsTimeoutMs / 1000)} s (--logs-timeout); measurements left empty, not estimated`;
      } else if (base.status === 'timeout') {
        error = `${what} timed out after ${v.timeoutS} s (the function's Timeout); raise timeout for this function in the suite`;
      } else if (base.status === 'error') {
        error = `${what} failed: ${describeError(base.errorType, errorMessage) ?? 'the function returned an error'}`;
      }
    }
    // Only a successful invoke can tell proactive init apart: a failed init re-runs inside the invoke.
    if (phase === 'cold' && !v.provisioned && base.kind === 'warm' && base.coldBy === 'none' && base.status === 'success' && base.requestId && ctx.classifyForcedWarm) {
      base.coldBy = await ctx.classifyForcedWarm(dep.functionName, base.requestId).catch(() => 'none' as const);
    }
    const sample: BenchSample = {
      ...base,
      variant: v.name,
      memoryMB: base.memoryMB ?? (record ? null : v.memoryMB),
      clientMs: o.clientMs,
      function: v.function,
      phase,
      sampleIndex: startIndex + i,
      // A provisioned variant's cold phase is the first request on each environment initialised ahead, not a forced cold start.
      forced: phase === 'cold' && !v.provisioned,
      initType: initTypeOf(v, base),
      error,
      timestamp: new Date(batchStart).toISOString(),
    };
    ctx.store.append(sample);
    ctx.onSample?.(sample);
    samples.push(sample);
  }
  return samples;
}

/** The REPORT sample for this invoke's request id among the lines (null when absent). */
function pickReport(ctx: DriveContext, variant: string, o: InvokeOutcome): Sample | null {
  if (o.lines.length === 0) return null;
  const samples = ctx.probe.samplesFromLines(o.lines, { variant });
  return samples.find((s) => s.requestId === o.requestId) ?? (o.requestId ? null : (samples[0] ?? null));
}

/**
 * One variant's measurement, step by step, so the run can interleave variants batch by batch.
 * A fresh deployment has no environment, so the first cold batch needs no bump; after each
 * cold batch that is not the last, one bump retires its environments at once (freeing their
 * memory) and readies the next batch.
 */
export class VariantDriver {
  private qualifier: string | undefined;
  private haveEnvironment = false;
  private coldBatches = 0;
  /** The first batch failed entirely: the variant's other samples are skipped */
  stopped = false;
  private state: 'running' | 'measured' | 'failed';
  private readonly errors: string[];
  private readonly tally: Tally;

  /** `previous`: the variant's outcome so far (a resumed run's counts go on from it) */
  constructor(
    private readonly ctx: DriveContext,
    readonly dep: Deployment,
    previous: VariantResult = { state: 'pending' },
  ) {
    this.state = previous.state === 'failed' ? 'failed' : 'running';
    this.errors = [...errorsOf(previous)];
    this.tally = tallyOf(previous);
  }

  /** The outcome so far: running until finish() says measured; failed once a sample failed. */
  get result(): VariantResult {
    const tally = { ...this.tally };
    return this.state === 'failed' ? { state: 'failed', errors: [...this.errors], ...tally } : { state: this.state, ...tally };
  }

  get coldRemaining(): number {
    return this.stopped ? 0 : Math.max(0, this.dep.variant.cold - this.ctx.store.done(this.dep.variant.name, 'cold'));
  }

  private note(samples: BenchSample[]): void {
    for (const s of samples) {
      if (s.error && !this.errors.includes(s.error) && this.errors.length < MAX_ERRORS_KEPT) this.errors.push(s.error);
      if (s.forced && s.kind === 'warm') this.tally.forcedWarm += 1;
      if (s.coldBy === 'proactive-init') this.tally.proactiveInit += 1;
      if (isFailedSample(s)) this.state = 'failed';
    }
  }

  private stop(): void {
    this.stopped = true;
    this.state = 'failed';
    this.errors.push(`${this.dep.variant.name}: every invoke of the first batch failed, so its remaining samples were skipped; the run goes on with the other variants`);
  }

  /** One batch of forced cold starts: `burst` up to the cap at once, otherwise one. */
  async coldBatch(): Promise<void> {
    const v = this.dep.variant;
    if (this.coldRemaining === 0 || this.ctx.signal.aborted) return;
    if (v.provisioned) return this.provisionedBatch(v.provisioned);
    const n = v.coldStrategy === 'burst' ? Math.min(burstCap(v.concurrency, this.ctx.coreCap), this.coldRemaining) : 1;
    if (v.coldStrategy === 'version') this.qualifier = await publish(this.ctx, this.dep);
    const samples = await measureBatch(this.ctx, this.dep, 'cold', this.qualifier, n);
    this.coldBatches += 1;
    this.haveEnvironment = true;
    this.note(samples);
    // A variant whose whole first batch failed (init error, OOM…) will not start succeeding: stop it.
    if (this.coldBatches === 1 && samples.every(isFailedSample)) return this.stop();
    if (this.coldRemaining > 0 && v.coldStrategy !== 'version') {
      await bump(this.ctx, this.dep);
      this.haveEnvironment = false;
    }
  }

  /**
   * Provisioned concurrency: a fresh version with `environments` initialised ahead (READY), then the first request on
   * each of them at once; the previous batch's configuration and version are deleted first.
   */
  private async provisionedBatch(environments: number): Promise<void> {
    await unprovision(this.ctx, this.dep);
    try {
      this.qualifier = await provision(this.ctx, this.dep, environments);
    } catch (error) {
      // A configuration that never became READY is still billed until it is deleted.
      await unprovision(this.ctx, this.dep).catch(() => undefined);
      throw error;
    }
    const samples = await measureBatch(this.ctx, this.dep, 'cold', this.qualifier, Math.min(environments, this.coldRemaining));
    this.coldBatches += 1;
    this.haveEnvironment = true;
    this.note(samples);
    if (this.coldBatches === 1 && samples.every(isFailedSample)) return this.stop();
    if (this.coldRemaining > 0) {
      // Other variants take their turns before the next batch, which provisions anew: stop paying for these meanwhile.
      await unprovision(this.ctx, this.dep);
      this.haveEnvironment = false;
    }
  }

  /** Every remaining warm sample, one at a time, on the environments the cold phase left; then any provisioned concurrency goes. */
  async warmAll(): Promise<void> {
    try {
      await this.warmSamples();
    } finally {
      // Provisioned concurrency bills every second it exists: delete it as soon as the variant is done with it.
      if (this.dep.provisionedOn !== undefined && (this.coldRemaining === 0 || this.ctx.signal.aborted)) {
        await unprovision(this.ctx, this.dep).catch((e: Error) => void this.errors.push(`${this.dep.variant.name}: could not delete its provisioned concurrency: ${e.message}`));
      }
    }
  }

  private async warmSamples(): Promise<void> {
    const v = this.dep.variant;
    if (this.stopped || this.ctx.signal.aborted || this.ctx.store.done(v.name, 'warm') >= v.warm) return;
    if (!this.haveEnvironment) {
      // Resumed after the cold samples: start one environment first, unrecorded, so warm samples are warm.
      if (v.provisioned) this.qualifier = await provision(this.ctx, this.dep, v.provisioned);
      else if (v.coldStrategy === 'version') this.qualifier = await publish(this.ctx, this.dep);
      await invoke(this.ctx, this.dep, this.qualifier, pickEvent(v.events, this.ctx.random).payload);
      this.haveEnvironment = true;
    }
    while (this.ctx.store.done(v.name, 'warm') < v.warm && !this.ctx.signal.aborted) this.note(await measureBatch(this.ctx, this.dep, 'warm', this.qualifier, 1));
  }

  /** The variant's outcome once nothing remains (or the run was interrupted). */
  finish(): VariantResult {
    if (!this.ctx.signal.aborted && this.state !== 'failed') this.state = 'measured';
    return this.result;
  }
}

/**
 * A forced invoke whose REPORT had no Init Duration ran on a new environment whose init
 * happened before the request (AWS proactive initialisation) when its stream's INIT_START
 * precedes this request's START; otherwise it reused a warm environment.
 */
export function proactiveInitClassifier(probe: Probe, logs: CloudWatchLogsClient, logsTimeoutMs: number, since: number): DriveContext['classifyForcedWarm'] {
  return async (functionName, requestId) => {
    const lines =
      (await probe.fetchLogLines(logs, { logGroupName: `/aws/lambda/${functionName}`, requestIds: [requestId], startTime: since, deadline: Date.now() + logsTimeoutMs })).get(
        requestId,
      ) ?? [];
    const initAt = lines.findIndex((l) => /(^|\s)INIT_START\s|"platform\.initStart"/.test(l));
    const startAt = lines.findIndex((l) => l.includes(`START RequestId: ${requestId}`) || (l.includes('"platform.start"') && l.includes(requestId)));
    const initFailed = lines.some((l) => /(^|\s)INIT_REPORT\s|"platform\.initReport"/.test(l));
    return initAt !== -1 && startAt !== -1 && initAt < startAt && !initFailed ? 'proactive-init' : 'none';
  };
}
