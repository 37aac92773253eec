/**
 * `coldbench bench` as a pipeline of named steps, each a function of src/bench that returns data
 * (clients come from the target; summarize → render happen in the CLI):
 *
 *   readRequest → openTarget → resolveSubject → confirmPlan → openRunFolder
 *     → prepareVariants (package, role) → measure (runRounds: deploy each variant at its first
 *       turn, drive it batch by batch, delete it when done) → finishRun (restore, clean up) → outcomeOf
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { cleanupCreated } from './cleanup.ts';
import type { ControlProbe } from './controls.ts';
import { measureCpuProbe } from './cpu-probe.ts';
import { SuiteError } from './errors.ts';
import { type Created, type DeployContext, deployLayer, deployVariant, emptyCreated, ensureRole, resourceName } from './deploy.ts';
import { driveContextOn, type Probe, type VariantResult, isFinished, proactiveInitClassifier, recordOf, resultOf } from './drive.ts';
import { type Rounds, runRounds } from './rounds.ts';
import { prepareExisting, restoreFunction } from './existing.ts';
import { checkSizes, packageAll } from './package.ts';
import type { PlanOverrides, Variant } from './plan.ts';
import type { Progress } from './progress.ts';
import type { BenchRunInfo, BenchSample, RunStore } from './results.ts';
import type { RetryOptions } from './retry.ts';
import { type Restore, type Subject, confirmPlan, openRunFolder, readRequest, resolveSubject, savedRestore } from './setup.ts';
import { type Target, type TargetOptions, functionEndpoint, openTarget, refuseSnapStartOffAws } from './target.ts';
import * as probeModule from '../probe/index.ts';
import { makeRng } from '../report/random.ts';

export interface BenchOptions {
  suiteFile: string;
  /** suiteFile is a serverless.yml (converted by suiteFromServerless) */
  serverless?: { stage?: string };
  /** Benchmark this existing function instead of a suite */
  functionName?: string;
  /** Event for --function (default {}) */
  eventFile?: string;
  target: string;
  profile?: string;
  region?: string;
  out?: string;
  resume?: string;
  overrides: PlanOverrides;
  logsTimeoutMs: number;
  keep: boolean;
  yes: boolean;
  cacheDir?: string;
  extraPipArgs?: string[];
  toolVersion: string;
  /** Node binaries the embedded emulator runs nodejsNN.x on (`--node`; local target only) */
  node?: string[];
  /** Control probes to interleave with a local suite's variants (a calibration's runtimes; src/bench/controls.ts) */
  controls?: ControlProbe[];
}

export interface BenchHooks {
  progress: Progress;
  /** Asks the user; resolves false when declined or no prompt is possible */
  confirm: (question: string) => Promise<boolean>;
  signal: AbortSignal;
  /** Told at once of what the run leaves out without failing (a serverless.yml function coldbench does not model); without it, such messages join BenchOutcome.warnings */
  warn?: (message: string) => void;
  retry?: Partial<RetryOptions>;
  openTarget?: (spec: string, options: TargetOptions) => Promise<Target>;
}

export interface BenchOutcome {
  runDir: string;
  info: BenchRunInfo;
  /** Every sample of the run, including those of an earlier process when resumed */
  samples: BenchSample[];
  failedVariants: string[];
  warnings: string[];
}

/** A run whose folder is open: what prepareVariants and measure work on. */
export interface RunContext {
  options: BenchOptions;
  hooks: BenchHooks;
  target: Target;
  subject: Subject;
  /** The run folder; store.info is run.json */
  store: RunStore;
  resumed: boolean;
  /** What this run created, deleted by finishRun */
  created: Created;
  warnings: string[];
  deploy: DeployContext;
}

/** What finishRun puts back, deletes and closes, however far the run got. */
export interface RunEnd {
  target: Target;
  created: Created;
  warnings: string[];
  restore: Restore | null;
  store: RunStore | null;
}

/** How a variant gets its function, and gives it back once done with it. */
export type Deployer = Pick<Rounds, 'start' | 'release'>;

/** Runs (or resumes) a benchmark and returns what it measured. */
export async function runBench(options: BenchOptions, hooks: BenchHooks): Promise<BenchOutcome> {
  const warnings: string[] = [];
  const request = readRequest(options, hooks.warn ?? ((w) => warnings.push(w)));
  if (request.subject.kind === 'suite') refuseSnapStartOffAws(request.subject.plan, request.targetSpec, request.suiteFile);
  if (request.subject.kind === 'suite') refuseRemoteLayers(request.subject.plan, request.targetSpec, request.suiteFile);
  const target = await (hooks.openTarget ?? openTarget)(request.targetSpec, { profile: options.profile, region: options.region, node: options.node });
  const end: RunEnd = { target, created: emptyCreated(), warnings, restore: savedRestore(request), store: null };
  let store: RunStore;
  try {
    const subject = await resolveSubject(request, target);
    if (subject.kind === 'function') end.restore = subject.restore;
    await confirmPlan(request, target, subject, hooks);
    store = end.store = openRunFolder(request, target, subject);
    const run: RunContext = {
      options,
      hooks,
      target,
      subject,
      store,
      resumed: request.resumed !== null,
      created: end.created,
      warnings,
      deploy: deployContext(target, store.info.runId, hooks),
    };
    const deployer = await prepareVariants(run);
    // Only the local target shares this host's CPU with the functions it measures.
    const probeStart = target.kind === 'local' ? measureCpuProbe() : null;
    try {
      await measure(run, deployer);
    } finally {
      if (probeStart !== null) store.info.host = { ...(store.info.host ?? { cores: cpus().length }), cpuProbe: { startMs: probeStart, endMs: measureCpuProbe() } };
    }
    store.info.status = hooks.signal.aborted ? 'interrupted' : 'completed';
  } catch (error) {
    if (end.store) end.store.info.status = hooks.signal.aborted ? 'interrupted' : 'failed';
    throw error;
  } finally {
    await finishRun(end, options.keep, hooks);
  }
  return outcomeOf(store, warnings);
}

function deployContext(target: Target, runId: string, hooks: BenchHooks): DeployContext {
  return {
    kind: target.kind,
    lambda: target.lambda,
    iam: target.iam,
    s3: target.s3,
    sts: target.sts,
    runId,
    endpoint: functionEndpoint(target),
    region: target.region,
    retry: hooks.retry,
    log: (l) => hooks.progress.line(l),
  };
}

/**
 * A suite: packages every variant and readies the role; each variant is deployed at its first
 * turn and deleted once done. --function: each variant points the user's function at its memory
 * size; the versions it published are deleted once done.
 */
async function prepareVariants(run: RunContext): Promise<Deployer> {
  const { options, hooks, target, subject, created, deploy } = run;
  if (subject.kind === 'function') {
    const { restore } = subject;
    return {
      start: (variant) => {
        restore.changed = true;
        return prepareExisting(deploy, variant, restore.original);
      },
      release: async (dep) => {
        if (dep.versions.length) await restoreFunction(deploy, restore.original, dep.versions.splice(0)).catch((e: Error) => void run.warnings.push(e.message));
      },
    };
  }
  hooks.progress.phase('packaging');
  // Locally, pip runs on the interpreter that will run the function, so compiled wheels match it.
  const pythonFor = target.kind === 'local' ? (runtime: string) => target.status?.interpreters?.[runtime]?.path ?? undefined : undefined;
  const packages = await packageAll(subject.suite, subject.plan, {
    cacheDir: options.cacheDir,
    targetKind: target.kind,
    extraPipArgs: options.extraPipArgs,
    pythonFor,
    log: (l) => hooks.progress.line(`  ${l}`),
  });
  checkSizes(packages);
  const role = await ensureRole(deploy);
  if (run.resumed) {
    // A killed run may have left a finished variant's function behind: delete it with the rest.
    const records = run.store.info.variantResults ?? {};
    for (const name of subject.plan.order) if (records[name] && isFinished(resultOf(records[name]))) created.functions.add(resourceName(deploy.runId, name));
  }
  const layerArns = new Map<string, string>();
  return {
    start: async (variant) => {
      const pkg = packages.get(variant.name);
      if (!pkg) throw new Error(`no package was built for ${variant.name}`);
      let layerArn: string | null = null;
      if (pkg.layer) {
        layerArn =
          layerArns.get(pkg.layer.key) ??
          (await deployLayer(
            deploy,
            resourceName(deploy.runId, `${variant.function}-deps-${pkg.layer.key.slice(0, 8)}`),
            pkg.layer,
            variant.runtime,
            variant.architecture,
            created,
          ));
        layerArns.set(pkg.layer.key, layerArn);
      }
      const extraLayers: string[] = [];
      for (const layer of variant.layers ?? []) {
        if (layer.kind === 'arn') {
          extraLayers.push(layer.arn);
          continue;
        }
        // packageAll zipped every folder layer (and checkSizes counted it).
        const zip = pkg.folderLayers.find((l) => l.path === layer.path)?.zip;
        if (!zip) throw new Error(`no layer zip was built for ${layer.path} of ${variant.name}`);
        const arn =
          layerArns.get(zip.key) ??
          (await deployLayer(deploy, resourceName(deploy.runId, `${variant.function}-${layer.name}-${zip.key.slice(0, 8)}`), zip, variant.runtime, variant.architecture, created));
        layerArns.set(zip.key, arn);
        extraLayers.push(arn);
      }
      return deployVariant(deploy, variant, pkg, layerArn, role.arn, created, extraLayers);
    },
    release: async (dep) => {
      if (options.keep || !created.functions.has(dep.functionName)) return;
      // Done with this variant: delete it now so its idle environments stop holding memory.
      await target.lambda.send(new DeleteFunctionCommand({ FunctionName: dep.functionName })).then(
        () => created.functions.delete(dep.functionName),
        () => {},
      );
    },
  };
}

/**
 * Drives every variant not yet finished through runRounds, run.json rewritten after each turn.
 * --function runs its variants one after the other: one function cannot have two memory sizes at once.
 */
export async function measure(run: RunContext, deployer: Deployer): Promise<void> {
  const { options, hooks, target, subject, store } = run;
  const { plan } = subject;
  store.info.variantResults ??= {};
  const records = store.info.variantResults;
  const results: Record<string, VariantResult> = Object.fromEntries(plan.variants.map((v) => [v.name, records[v.name] ? resultOf(records[v.name]) : { state: 'pending' }]));
  const probe: Probe = probeModule;
  const planned = plan.variants.reduce((n, v) => n + v.cold + v.warm, 0);
  let done = [...store.counts.values()].reduce((n, c) => n + c.cold + c.warm, 0);
  const drive = driveContextOn(target, {
    probe,
    store,
    logsTimeoutMs: options.logsTimeoutMs,
    signal: hooks.signal,
    random: makeRng(plan.seed),
    retry: hooks.retry,
    classifyForcedWarm: proactiveInitClassifier(probe, target.logs, options.logsTimeoutMs, Date.parse(store.info.startedAt ?? new Date().toISOString()) - 60_000),
    onSample: (s) => hooks.progress.update(s.variant, ++done, planned),
  });
  hooks.progress.phase('measuring');
  await runRounds(drive, {
    plan,
    results,
    oneAtATime: subject.kind === 'function',
    ...deployer,
    onTurn: (name, result) => {
      records[name] = recordOf(result);
      store.writeInfo();
    },
  });
}

/** Puts a --function back, deletes what the run created (unless --keep), and closes run.json and the target. Never throws. */
export async function finishRun(end: RunEnd, keep: boolean, hooks: BenchHooks): Promise<void> {
  const { target, created, warnings, store } = end;
  if (end.restore?.changed) {
    await restoreFunction({ kind: target.kind, lambda: target.lambda, retry: hooks.retry }, end.restore.original, []).catch((e: Error) => void warnings.push(e.message));
  }
  if (!keep && (created.functions.size || created.layers.size || created.s3Objects.length)) {
    hooks.progress.phase('cleaning up');
    warnings.push(...(await cleanupCreated(target, created, hooks.retry)));
  } else if (created.functions.size) warnings.push(`kept ${created.functions.size} function(s) (--keep); \`coldbench clean --run ${store?.info.runId ?? ''}\` deletes them`);
  hooks.progress.end();
  if (store) {
    store.info.endedAt = new Date().toISOString();
    store.info.host = { ...(store.info.host ?? { cores: cpus().length }), loadavgEnd: loadavg() };
    store.writeInfo();
    store.close();
  }
  await target.close().catch(() => {});
}

/** What the run measured: every sample on disk (an earlier process's too, when resumed) and the failed variants. */
export function outcomeOf(store: RunStore, warnings: string[]): BenchOutcome {
  const failedVariants = Object.entries(store.info.variantResults ?? {}).flatMap(([name, r]) => (r.state === 'failed' ? [name] : []));
  const samplesPath = join(store.dir, 'samples.jsonl');
  const samples = existsSync(samplesPath)
    ? readFileSync(samplesPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as BenchSample)
    : [];
  return { runDir: store.dir, info: store.info, samples, failedVariants, warnings };
}

/**
 * A layer version ARN names a layer in a real account: only --target aws can attach it. Refused before any emulator
 * starts or anything is packaged.
 */
function refuseRemoteLayers(plan: { variants: Variant[] }, targetSpec: string, suiteFile: string): void {
  if (targetSpec === 'aws') return;
  for (const v of plan.variants) {
    const arn = v.layers?.find((l) => l.kind === 'arn');
    if (arn?.kind !== 'arn') continue;
    const where = targetSpec === 'local' ? 'the local emulator' : `the endpoint ${targetSpec}`;
    throw new SuiteError(
      `${suiteFile}: functions.${v.function}: the layer ${arn.arn} is in an AWS account, which ${where} cannot fetch (variant ${v.name}). Use a local folder laid out as /opt instead (layers: [../layers/my-agent]), or run with --target aws.`,
    );
  }
}
