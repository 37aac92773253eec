/**
 * The profile's connection to a target: it deploys and drives through the harness's own
 * functions (src/bench: packaging, deploy, drive, cleanup), so a profiled function is built and
 * invoked exactly as `coldbench bench` builds and invokes it. Only the AWS SDK clients touch the
 * emulator; nothing here imports emulator internals.
 */
import { paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupCreated } from '../bench/cleanup.ts';
import { type Created, type DeployContext, type Deployment, deployLayer, deployVariant, emptyCreated, ensureRole, resourceName } from '../bench/deploy.ts';
import { type DriveContext, driveContextOn, VariantDriver, bump, errorsOf } from '../bench/drive.ts';
import type { BuiltPackage } from '../bench/package.ts';
import type { Variant } from '../bench/plan.ts';
import { type BenchSample, type RunStore, createRun, newRunId } from '../bench/results.ts';
import { type Target, functionEndpoint, openTarget } from '../bench/target.ts';
import { ColdbenchError, EXIT_FINDING } from '../errors.ts';
import { decodeLogResult, fetchLogLines, samplesFromLines } from '../probe/index.ts';
import { failuresOf, isFailedSample } from '../report/failures.ts';

/** CloudWatch may deliver a batch's REPORTs late on a real account; the emulator has them at once. */
const LOGS_TIMEOUT_MS = 60_000;
/** Trace lines arrive with the init's other output; poll until two reads agree. */
const TRACE_POLL_MS = 300;
const TRACE_DEADLINE_MS = 30_000;

export class ProfileSession {
  readonly runId = `profile-${newRunId().toLowerCase()}`;
  readonly created: Created = emptyCreated();
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'coldbench-profile-'));
  private readonly store: RunStore;
  private roleArn: string | undefined;
  private readonly layers = new Map<string, string>();
  private readonly drivers = new Map<string, VariantDriver>();
  /** Where the drive context's onSample puts the samples of the drive in progress */
  private collect: BenchSample[] = [];
  private readonly driveContext: DriveContext;

  private constructor(
    readonly target: Target,
    private readonly log: (line: string) => void,
  ) {
    this.store = createRun(this.storeDir, { runId: this.runId });
    this.driveContext = driveContextOn(target, {
      probe: { decodeLogResult, samplesFromLines, fetchLogLines },
      store: this.store,
      logsTimeoutMs: LOGS_TIMEOUT_MS,
      signal: new AbortController().signal,
      random: Math.random,
      onSample: (sample) => {
        this.collect.push(sample);
        if (sample.error) this.log(sample.error);
      },
    });
  }

  /** Opens `local` (the embedded emulator), `aws` (a real account) or an endpoint URL. */
  static async open(spec: string, log: (line: string) => void): Promise<ProfileSession> {
    return new ProfileSession(await openTarget(spec), log);
  }

  /** A session on a target that is already open (tests hand in mocked clients). */
  static on(target: Target, log: (line: string) => void): ProfileSession {
    return new ProfileSession(target, log);
  }

  private context(): DeployContext {
    const t = this.target;
    return { kind: t.kind, lambda: t.lambda, iam: t.iam, s3: t.s3, sts: t.sts, runId: this.runId, endpoint: functionEndpoint(t), region: t.region, log: this.log };
  }

  /** Deploys a variant's package (and its layer once per build) as its own function. */
  async deploy(variant: Variant, pkg: BuiltPackage): Promise<Deployment> {
    const ctx = this.context();
    this.roleArn ??= (await ensureRole(ctx)).arn;
    let layerArn: string | null = null;
    if (pkg.layer) {
      layerArn = this.layers.get(pkg.layer.key) ?? null;
      if (!layerArn) {
        layerArn = await deployLayer(ctx, resourceName(this.runId, `${variant.function}-deps`), pkg.layer, variant.runtime, variant.architecture, this.created);
        this.layers.set(pkg.layer.key, layerArn);
      }
    }
    return deployVariant(ctx, variant, pkg, layerArn, this.roleArn, this.created);
  }

  /** Publishes a layer the session deletes at the end; returns its version ARN. */
  async publishLayer(label: string, zip: BuiltPackage['function'], runtime: string, architecture: string): Promise<string> {
    return deployLayer(this.context(), resourceName(this.runId, label), zip, runtime, architecture, this.created);
  }

  /**
   * Deploys `variant` as a new function of the session (deleted at the end) that runs as `roleArn`
   * with exactly `layers`: a copy of a user's function, which keeps its own role and layers.
   */
  async deployCopy(variant: Variant, pkg: BuiltPackage, roleArn: string, layers: string[]): Promise<Deployment> {
    return deployVariant(this.context(), variant, pkg, null, roleArn, this.created, layers);
  }

  /** Drives `cold` more forced cold starts and `warm` more warm invokes; returns the new samples.
   * Calls can alternate between deployments (interleaving): each keeps its harness driver, and a
   * deployment that already has an environment is bumped first so its next cold start is cold. */
  async drive(dep: Deployment, cold: number, warm: number): Promise<BenchSample[]> {
    const samples: BenchSample[] = [];
    this.collect = samples;
    let driver = this.drivers.get(dep.functionName);
    if (!driver) {
      driver = new VariantDriver(this.driveContext, dep);
      this.drivers.set(dep.functionName, driver);
    } else if (cold > 0) await bump(this.driveContext, dep);
    const done = { cold: this.store.done(dep.variant.name, 'cold'), warm: this.store.done(dep.variant.name, 'warm') };
    dep.variant = { ...dep.variant, cold: done.cold + cold, warm: done.warm + warm };
    while (driver.coldRemaining > 0) await driver.coldBatch();
    await driver.warmAll();
    if (samples.length > 0 && samples.every(isFailedSample)) {
      const first = failuresOf(samples)[0]?.first ?? errorsOf(driver.result)[0] ?? 'no error message';
      throw new ProfileRunError(
        `${dep.variant.name.replace(/-trace$/, '')}: the handler failed on every invoke (${samples.length} of ${samples.length}) on ${this.target.endpoint ?? this.target.kind}: ${first}; fix the handler (or the event it gets) before profiling it`,
      );
    }
    return samples;
  }

  /**
   * The function's log lines that carry `markers` (the import trace), read through CloudWatch
   * Logs' FilterLogEvents as on a real account: stderr lines become log events.
   */
  async traceLines(dep: Deployment, markers: string[], since: number): Promise<string[]> {
    const filterPattern = markers.map((m) => `?"${m}"`).join(' ');
    const deadline = Date.now() + TRACE_DEADLINE_MS;
    let previous = -1;
    for (;;) {
      const lines: string[] = [];
      try {
        // Every page of one read (the paginator follows nextToken until it is absent).
        for await (const page of paginateFilterLogEvents({ client: this.target.logs }, { logGroupName: `/aws/lambda/${dep.functionName}`, startTime: since, filterPattern })) {
          for (const e of page.events ?? []) if (e.message) lines.push(...e.message.split('\n').filter((l) => l.length > 0));
        }
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
      // Stable and non-empty: everything the init wrote has arrived.
      if ((lines.length > 0 && lines.length === previous) || Date.now() > deadline) return lines;
      previous = lines.length;
      await new Promise((r) => setTimeout(r, TRACE_POLL_MS));
    }
  }

  /** Deletes every function and layer the session created, stops the embedded emulator. */
  async close(): Promise<string[]> {
    const failures = await cleanupCreated({ lambda: this.target.lambda, s3: this.target.s3 }, this.created);
    this.store.close();
    rmSync(this.storeDir, { recursive: true, force: true });
    await this.target.close();
    return failures;
  }
}

/** A profiled function that could not run on the target (init error, every invoke failed). */
export class ProfileRunError extends ColdbenchError {
  /** A finding about the function, not a usage error: exit 1. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, exitCode: EXIT_FINDING });
  }
}
