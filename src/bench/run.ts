/**
 * The bench pipeline, readable in one screen:
 * loadSuite → plan → packageAll → deploy → drive → (summarize → render in the CLI) → cleanup.
 * Every step is a function of src/bench returning data; clients come from the target.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { cleanupCreated } from './cleanup.ts';
import { type Created, type DeployContext, type Deployment, deployLayer, deployVariant, emptyCreated, ensureRole, resourceName } from './deploy.ts';
import { type DriveContext, type Probe, VariantDriver, burstCap, proactiveInitClassifier } from './drive.ts';
import { BenchOptionError, NotConfirmedError, ResumeError, SuiteError } from './errors.ts';
import { suiteFromServerless } from './serverless.ts';
import { describePlan, estimateCost } from './estimate.ts';
import { type OriginalConfig, existingFunctionPlan, prepareExisting, restoreFunction, snapshotFunction } from './existing.ts';
import { checkSizes, packageAll } from './package.ts';
import { type Plan, type PlanOverrides, plan as makePlan, seededShuffle } from './plan.ts';
import type { Progress } from './progress.ts';
import { type BenchRunInfo, type BenchSample, type RunStore, type VariantResult, createRun, newRunId, openRunForResume } from './results.ts';
import * as probeModule from '../probe/index.ts';
import { makeRng } from '../report/random.ts';
import type { RetryOptions } from './retry.ts';
import { BUILTIN_DEFAULTS, type Suite, type SuiteEvent, loadSuite, loadSuiteDocument } from './suite.ts';
import { type Target, type TargetOptions, functionEndpoint, openTarget, planInterpreters, verifyAccount } from './target.ts';
import { LOCAL_RUNTIMES } from '../emulator/contract.ts';
import type { RuntimeRule } from './suite-schema.ts';

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

/** Saved in run.json so --resume re-creates the same plan against the same target. */
interface SavedOptions {
  target: string;
  overrides: PlanOverrides;
  functionName?: string;
  eventFile?: string;
  original?: OriginalConfig;
  serverless?: { stage?: string };
}

/** A suite file, or a serverless.yml converted to the suite format. */
function loadAnySuite(file: string, serverless: { stage?: string } | undefined, warn: (message: string) => void, runtimes?: RuntimeRule): Suite {
  if (!serverless) return loadSuite(file, runtimes);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SuiteError(`--serverless ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); pass the path of a serverless.yml`, { cause: error });
  }
  return loadSuiteDocument(suiteFromServerless(text, { file, stage: serverless.stage, env: process.env, warn, runtimes }), file, runtimes);
}

function eventsFor(file: string | undefined): SuiteEvent[] {
  if (!file) return [{ file: '(none)', weight: 1, payload: '{}' }];
  try {
    const payload = readFileSync(file, 'utf8');
    JSON.parse(payload);
    return [{ file, weight: 1, payload }];
  } catch (error) {
    throw new BenchOptionError(`--event ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(error as Error).message})`}; pass a JSON event file`, { cause: error });
  }
}

/** Runs (or resumes) a benchmark and returns what it measured. */
export async function runBench(options: BenchOptions, hooks: BenchHooks): Promise<BenchOutcome> {
  const resumed = options.resume ? openRunForResume(options.resume) : null;
  const saved = (resumed?.store.info.options as SavedOptions | undefined) ?? { target: options.target, overrides: options.overrides, functionName: options.functionName, eventFile: options.eventFile, serverless: options.serverless };
  const targetSpec = resumed && options.target === 'local' && saved.target !== 'local' ? saved.target : options.target;
  const suiteFile = resumed?.store.info.suite?.file ?? options.suiteFile;
  let suite: Suite | null = null;
  let plan: Plan | null = null;
  const warnings: string[] = [];
  if (options.node?.length && targetSpec !== 'local') {
    throw new BenchOptionError(`--node ${options.node.join(' ')}: only the embedded emulator (--target local) runs functions on it; a running \`coldbench emulator\` takes its own --node, and AWS runs its own`);
  }
  if (!saved.functionName) {
    // The embedded emulator runs LOCAL_RUNTIMES and nothing else: refuse any other before anything is started or packaged.
    const runtimes = targetSpec === 'local' ? { allowed: LOCAL_RUNTIMES, where: 'the local emulator' } : undefined;
    suite = loadAnySuite(suiteFile, saved.serverless, hooks.warn ?? ((w) => warnings.push(w)), runtimes);
    plan = makePlan(suite, saved.overrides);
  }
  if (saved.functionName && targetSpec === 'local') {
    throw new BenchOptionError(`--function ${saved.functionName}: the embedded emulator starts empty, so it has no such function; pass --target aws, or the URL of a running \`coldbench emulator\` that has it`);
  }
  const target = await (hooks.openTarget ?? openTarget)(targetSpec, { profile: options.profile, region: options.region, node: options.node });
  const created: Created = emptyCreated();
  let store: RunStore | null = null;
  let original: OriginalConfig | undefined = saved.original;
  const failedVariants: string[] = [];
  /** Whether the user's function (--function) was changed, so it needs restoring */
  let touched = false;
  try {
    if (target.kind === 'aws') await verifyAccount(target);
    // A coldbench emulator at a URL names the runtimes it runs (its status): refuse any other before packaging.
    // (Other endpoints, such as LocalStack, and AWS decide for themselves.)
    if (suite && target.kind === 'url' && target.status?.runtimes && Object.keys(target.status.runtimes).length) {
      loadAnySuite(suiteFile, saved.serverless, () => {}, { allowed: Object.keys(target.status.runtimes), where: `the coldbench emulator at ${target.endpoint}` });
    }
    if (saved.functionName) {
      const snap = await snapshotFunction(target.lambda, saved.functionName);
      original ??= snap.original;
      plan = existingFunctionPlan(
        { ...snap.config, MemorySize: original.memoryMB, Environment: original.environment ? { Variables: original.environment } : undefined },
        {
          memory: saved.overrides.memory,
          cold: saved.overrides.cold ?? BUILTIN_DEFAULTS.cold,
          warm: saved.overrides.warm ?? BUILTIN_DEFAULTS.warm,
          concurrency: BUILTIN_DEFAULTS.concurrency,
          coldStrategy: saved.overrides.coldStrategy ?? BUILTIN_DEFAULTS.coldStrategy,
          seed: saved.overrides.seed ?? BUILTIN_DEFAULTS.seed,
          events: eventsFor(saved.eventFile),
        },
      );
    }
    const thePlan = plan!;
    if (resumed) {
      const before = (resumed.store.info.plan?.variants ?? []).map((v) => v.name).sort().join(',');
      if (before !== thePlan.variants.map((v) => v.name).sort().join(',')) {
        throw new ResumeError(`--resume ${options.resume}: ${suiteFile} no longer gives the variants this run planned; resume with the suite unchanged, or start a new run`);
      }
    }
    if (!resumed && (target.kind === 'aws' || saved.functionName)) {
      const lines = [describePlan(thePlan, estimateCost(thePlan, target.region))];
      if (saved.functionName) lines.push(`This changes ${saved.functionName}'s memory and environment (which retires its warm environments) and restores them afterwards.`);
      hooks.progress.line(lines.join('\n'));
      if (!options.yes && !(await hooks.confirm('Proceed?'))) throw new NotConfirmedError('not confirmed; nothing was changed. Pass --yes to run without asking.');
    }

    const runId = resumed?.store.info.runId ?? newRunId();
    const maxConcurrency = Math.max(...thePlan.variants.map((v) => v.concurrency));
    const info: BenchRunInfo = resumed?.store.info ?? {
      runId,
      tool: { name: 'coldbench', version: options.toolVersion, node: process.version },
      suite: { name: suite?.name ?? saved.functionName!, file: suiteFile },
      target: { kind: target.kind, endpoint: target.endpoint, region: target.region },
      startedAt: new Date().toISOString(),
      coldStrategy: thePlan.coldStrategy,
      seed: thePlan.seed,
      plan: { variants: thePlan.variants.map(({ events: _e, environment: _env, base: _b, ...v }) => v), order: thePlan.order },
      compare: suite?.compare ?? [],
      host: { cores: cpus().length, loadavgStart: loadavg() },
      status: 'running',
      variantResults: Object.fromEntries(thePlan.variants.map((v) => [v.name, { state: 'pending', errors: [], forcedWarm: 0, proactiveInit: 0 } satisfies VariantResult])),
      options: { ...saved, original } satisfies SavedOptions,
    };
    info.status = 'running';
    info.target = { kind: target.kind, endpoint: target.endpoint, region: target.region };
    if (target.kind !== 'aws') info.emulator = { cpu: target.status?.cpu, runtimes: target.status?.runtimes, interpreters: planInterpreters(target.status, thePlan.variants), burstCap: burstCap(maxConcurrency, target.coreCap), coldStartSlots: target.status?.coldStartSlots };
    store = resumed?.store ?? createRun(options.out ?? join('results', runId), info);
    store.info = info;
    store.writeInfo();

    const deployCtx: DeployContext = { kind: target.kind, lambda: target.lambda, iam: target.iam, s3: target.s3, sts: target.sts, runId, endpoint: functionEndpoint(target), region: target.region, retry: hooks.retry, log: (l) => hooks.progress.line(l) };
    const packages = suite ? await (async () => {
      hooks.progress.phase('packaging');
      // Locally, pip runs on the interpreter that will run the function, so compiled wheels match it.
      const pythonFor = target.kind === 'local' ? (runtime: string) => target.status?.interpreters?.[runtime]?.path ?? undefined : undefined;
      const built = await packageAll(suite!, thePlan, { cacheDir: options.cacheDir, targetKind: target.kind, extraPipArgs: options.extraPipArgs, pythonFor, log: (l) => hooks.progress.line(`  ${l}`) });
      checkSizes(built);
      return built;
    })() : null;
    const role = suite ? await ensureRole(deployCtx) : null;

    const probe: Probe = probeModule;
    const random = makeRng(thePlan.seed);
    const planned = thePlan.variants.reduce((n, v) => n + v.cold + v.warm, 0);
    let done = [...store.counts.values()].reduce((n, c) => n + c.cold + c.warm, 0);
    const driveCtx: DriveContext = {
      kind: target.kind, lambda: target.lambda, logs: target.logs, probe, store, logsTimeoutMs: options.logsTimeoutMs, coreCap: target.coreCap, signal: hooks.signal, random, retry: hooks.retry,
      classifyForcedWarm: proactiveInitClassifier(probe, target.logs, options.logsTimeoutMs, Date.parse(info.startedAt ?? new Date().toISOString()) - 60_000),
      onSample: (s) => hooks.progress.update(s.variant, ++done, planned),
    };
    const layerArns = new Map<string, string>();
    const drivers = new Map<string, VariantDriver>();
    const start = async (name: string): Promise<VariantDriver> => {
      const variant = thePlan.variants.find((v) => v.name === name)!;
      let dep: Deployment;
      if (packages) {
        const pkg = packages.get(name)!;
        let layerArn: string | null = null;
        if (pkg.layer) {
          if (!layerArns.has(pkg.layer.key)) layerArns.set(pkg.layer.key, await deployLayer(deployCtx, resourceName(runId, `${variant.function}-deps-${pkg.layer.key.slice(0, 8)}`), pkg.layer, variant.runtime, variant.architecture, created));
          layerArn = layerArns.get(pkg.layer.key)!;
        }
        dep = await deployVariant(deployCtx, variant, pkg, layerArn, role!.arn, created);
      } else {
        touched = true;
        dep = await prepareExisting(deployCtx, variant, original!);
      }
      return new VariantDriver(driveCtx, dep, info.variantResults![name]);
    };
    const finish = async (name: string, driver: VariantDriver | undefined) => {
      drivers.delete(name);
      const dep = driver?.dep;
      if (dep && !saved.functionName && !options.keep && created.functions.has(dep.functionName)) {
        // Done with this variant: delete it now so its idle environments stop holding memory.
        await target.lambda.send(new DeleteFunctionCommand({ FunctionName: dep.functionName })).then(() => created.functions.delete(dep.functionName), () => {});
      }
      if (dep && original && dep.versions.length) await restoreFunction(deployCtx, original, dep.versions.splice(0)).catch((e: Error) => warnings.push(e.message));
    };
    const pending = thePlan.order.filter((name) => {
      const state = info.variantResults![name].state;
      if (state !== 'measured' && state !== 'failed' && state !== 'skipped') return true;
      // A killed run may have left this finished variant's function behind: delete it with the rest.
      if (resumed && packages) created.functions.add(resourceName(runId, name));
      return false;
    });
    hooks.progress.phase('measuring');
    // Variants take turns batch by batch, in a freshly shuffled order each round, so drift during
    // the run (host load, thermal state) spreads over all of them. One function cannot have two
    // memory sizes at once, so --function runs its variants one after the other.
    for (let round = 0; pending.length > 0 && !hooks.signal.aborted; round++) {
      const turn = round === 0 ? [...pending] : seededShuffle(pending, thePlan.seed + round);
      for (const name of turn) {
        if (hooks.signal.aborted) break;
        const result = info.variantResults![name];
        let driver = drivers.get(name);
        try {
          if (!driver) {
            result.state = 'running';
            driver = await start(name);
            drivers.set(name, driver);
          }
          do await driver.coldBatch();
          while (saved.functionName && driver.coldRemaining > 0 && !hooks.signal.aborted);
          if (driver.coldRemaining === 0 && !hooks.signal.aborted) {
            await driver.warmAll();
            if (!hooks.signal.aborted) {
              driver.finish();
              pending.splice(pending.indexOf(name), 1);
              await finish(name, driver);
            }
          }
        } catch (error) {
          result.state = 'failed';
          result.errors.push(`${name}: ${(error as Error).message}`);
          pending.splice(pending.indexOf(name), 1);
          await finish(name, driver);
        }
        store.writeInfo();
      }
    }
    for (const [name, driver] of drivers) await finish(name, driver);
    info.status = hooks.signal.aborted ? 'interrupted' : 'completed';
  } catch (error) {
    if (store) store.info.status = hooks.signal.aborted ? 'interrupted' : 'failed';
    throw error;
  } finally {
    if (original && saved.functionName && (touched || resumed)) {
      await restoreFunction({ kind: target.kind, lambda: target.lambda, retry: hooks.retry }, original, []).catch((e: Error) => warnings.push(e.message));
    }
    if (!options.keep && (created.functions.size || created.layers.size || created.s3Objects.length)) {
      hooks.progress.phase('cleaning up');
      warnings.push(...(await cleanupCreated(target, created, hooks.retry)));
    }
    else if (created.functions.size) warnings.push(`kept ${created.functions.size} function(s) (--keep); \`coldbench clean --run ${store?.info.runId ?? ''}\` deletes them`);
    hooks.progress.end();
    if (store) {
      store.info.endedAt = new Date().toISOString();
      store.info.host = { ...(store.info.host ?? { cores: cpus().length }), loadavgEnd: loadavg() };
      store.writeInfo();
      store.close();
    }
    await target.close().catch(() => {});
  }
  for (const [name, r] of Object.entries(store.info.variantResults ?? {})) if (r.state === 'failed') failedVariants.push(name);
  const samplesPath = join(store.dir, 'samples.jsonl');
  const samples = existsSync(samplesPath)
    ? readFileSync(samplesPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as BenchSample)
    : [];
  return { runDir: store.dir, info: store.info, samples, failedVariants, warnings };
}
