/**
 * The steps of a run before anything is deployed: what to run (readRequest, before any target
 * is open; resolveSubject, once it is), consent (confirmPlan) and the run folder (openRunFolder).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { burstCap, recordOf } from './drive.ts';
import { BenchOptionError, NotConfirmedError, ResumeError, SuiteError } from './errors.ts';
import { describePlan, estimateCost } from './estimate.ts';
import { type OriginalConfig, existingFunctionPlan, snapshotFunction } from './existing.ts';
import { type ControlProbe, withControls } from './controls.ts';
import { type Plan, type PlanOverrides, plan as makePlan } from './plan.ts';
import { type BenchRunInfo, type RunStore, createRun, newRunId, openRunForResume } from './results.ts';
import type { BenchHooks, BenchOptions } from './run.ts';
import { suiteFromServerless } from './serverless.ts';
import { BUILTIN_DEFAULTS, EMPTY_EVENT, type Suite, type SuiteEvent, loadSuite, loadSuiteDocument } from './suite.ts';
import type { RuntimeRule } from './suite-schema.ts';
import { type Target, planInterpreters, verifyAccount } from './target.ts';
import { LOCAL_RUNTIMES } from '../emulator/contract.ts';

/** Saved in run.json so --resume re-creates the same plan against the same target. */
interface SavedOptions {
  target: string;
  overrides: PlanOverrides;
  functionName?: string;
  eventFile?: string;
  original?: OriginalConfig;
  serverless?: { stage?: string };
  controls?: ControlProbe[];
}

/** A suite's variants, which coldbench packages, deploys and deletes. */
interface SuiteSubject {
  kind: 'suite';
  suite: Suite;
  plan: Plan;
}

/** --function: the user's function as it was, which finishRun puts back when coldbench may have changed it. */
export interface Restore {
  original: OriginalConfig;
  /** Changed by this process, or possibly by the earlier process of a resumed run */
  changed: boolean;
}

/** What the run measures, with its plan: a suite, or an existing function at several memory sizes (--function). */
export type Subject = SuiteSubject | { kind: 'function'; functionName: string; plan: Plan; restore: Restore };

/** What the command line asked for, with a resumed run's saved choices applied: known before any target is opened. */
export interface RunRequest {
  options: BenchOptions;
  /** --resume: the interrupted run's folder, open */
  resumed: RunStore | null;
  saved: SavedOptions;
  targetSpec: string;
  suiteFile: string;
  /** With --function the plan comes from the function itself, once the target is open (resolveSubject) */
  subject: SuiteSubject | { kind: 'function'; functionName: string };
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
  if (!file) return [EMPTY_EVENT];
  try {
    const payload = readFileSync(file, 'utf8');
    JSON.parse(payload);
    return [{ file, weight: 1, payload }];
  } catch (error) {
    throw new BenchOptionError(
      `--event ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(error as Error).message})`}; pass a JSON event file`,
      { cause: error },
    );
  }
}

/** The options, or a resumed run's saved ones; the suite loaded and planned. Refuses what cannot run before anything starts. */
export function readRequest(options: BenchOptions, warn: (message: string) => void): RunRequest {
  const resumed = options.resume ? openRunForResume(options.resume).store : null;
  const saved = (resumed?.info.options as SavedOptions | undefined) ?? {
    target: options.target,
    overrides: options.overrides,
    functionName: options.functionName,
    eventFile: options.eventFile,
    serverless: options.serverless,
    controls: options.controls,
  };
  const targetSpec = resumed && options.target === 'local' && saved.target !== 'local' ? saved.target : options.target;
  const suiteFile = resumed?.info.suite?.file ?? options.suiteFile;
  if (options.node?.length && targetSpec !== 'local') {
    throw new BenchOptionError(
      `--node ${options.node.join(' ')}: only the embedded emulator (--target local) runs functions on it; a running \`coldbench emulator\` takes its own --node, and AWS runs its own`,
    );
  }
  let subject: RunRequest['subject'];
  if (!saved.functionName) {
    // The embedded emulator runs LOCAL_RUNTIMES and nothing else: refuse any other before anything is started or packaged.
    const runtimes = targetSpec === 'local' ? { allowed: LOCAL_RUNTIMES, where: 'the local emulator' } : undefined;
    const suite = loadAnySuite(suiteFile, saved.serverless, warn, runtimes);
    // Control probes run on the embedded emulator only: they measure this host.
    const controls = targetSpec === 'local' ? (saved.controls ?? []) : [];
    subject = { kind: 'suite', ...withControls(suite, makePlan(suite, saved.overrides), controls) };
  } else if (targetSpec === 'local') {
    throw new BenchOptionError(
      `--function ${saved.functionName}: the embedded emulator starts empty, so it has no such function; pass --target aws, or the URL of a running \`coldbench emulator\` that has it`,
    );
  } else {
    subject = { kind: 'function', functionName: saved.functionName };
  }
  return { options, resumed, saved, targetSpec, suiteFile, subject };
}

/** A resumed --function run puts the function back even when this process fails before touching it. */
export function savedRestore(request: RunRequest): Restore | null {
  const { original } = request.saved;
  return request.resumed && request.subject.kind === 'function' && original ? { original, changed: true } : null;
}

/** Checks the target can run the request, and plans --function from the function's configuration. */
export async function resolveSubject(request: RunRequest, target: Target): Promise<Subject> {
  const { saved, resumed, suiteFile } = request;
  if (target.kind === 'aws') await verifyAccount(target);
  let subject: Subject;
  if (request.subject.kind === 'suite') {
    subject = request.subject;
    // A coldbench emulator at a URL names the runtimes it runs (its status): refuse any other before packaging.
    // (Other endpoints, such as LocalStack, and AWS decide for themselves.)
    const runtimes = target.kind === 'url' ? target.status?.runtimes : undefined;
    if (runtimes && Object.keys(runtimes).length)
      loadAnySuite(suiteFile, saved.serverless, () => {}, { allowed: Object.keys(runtimes), where: `the coldbench emulator at ${target.endpoint}` });
  } else {
    const { functionName } = request.subject;
    const snap = await snapshotFunction(target.lambda, functionName);
    const original = saved.original ?? snap.original;
    const plan = existingFunctionPlan(
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
    subject = { kind: 'function', functionName, plan, restore: { original, changed: resumed !== null } };
  }
  if (resumed) {
    const before = (resumed.info.plan?.variants ?? [])
      .map((v) => v.name)
      .sort()
      .join(',');
    if (
      before !==
      subject.plan.variants
        .map((v) => v.name)
        .sort()
        .join(',')
    ) {
      throw new ResumeError(`--resume ${request.options.resume}: ${suiteFile} no longer gives the variants this run planned; resume with the suite unchanged, or start a new run`);
    }
  }
  return subject;
}

/** A new run on a real account, or on a user's function, prints the plan and its cost and asks first (unless --yes). */
export async function confirmPlan(request: RunRequest, target: Target, subject: Subject, hooks: BenchHooks): Promise<void> {
  if (request.resumed || (target.kind !== 'aws' && subject.kind !== 'function')) return;
  const lines = [describePlan(subject.plan, estimateCost(subject.plan, target.region))];
  if (subject.kind === 'function') lines.push(`This changes ${subject.functionName}'s memory and environment (which retires its warm environments) and restores them afterwards.`);
  hooks.progress.line(lines.join('\n'));
  if (!request.options.yes && !(await hooks.confirm('Proceed?'))) throw new NotConfirmedError('not confirmed; nothing was changed. Pass --yes to run without asking.');
}

/** Creates the run folder (or reopens the resumed one) and writes run.json: plan, target, host, every variant pending. */
export function openRunFolder(request: RunRequest, target: Target, subject: Subject): RunStore {
  const { options, resumed, saved, suiteFile } = request;
  const { plan } = subject;
  const runId = resumed?.info.runId ?? newRunId();
  const maxConcurrency = Math.max(...plan.variants.map((v) => v.concurrency));
  const info: BenchRunInfo = resumed?.info ?? {
    runId,
    tool: { name: 'coldbench', version: options.toolVersion, node: process.version },
    suite: { name: subject.kind === 'suite' ? subject.suite.name : subject.functionName, file: suiteFile },
    target: { kind: target.kind, endpoint: target.endpoint, region: target.region },
    startedAt: new Date().toISOString(),
    coldStrategy: plan.coldStrategy,
    seed: plan.seed,
    plan: { variants: plan.variants.map(({ events: _e, environment: _env, base: _b, ...v }) => v), order: plan.order },
    compare: subject.kind === 'suite' ? subject.suite.compare : [],
    host: { cores: cpus().length, loadavgStart: loadavg() },
    status: 'running',
    variantResults: Object.fromEntries(plan.variants.map((v) => [v.name, recordOf({ state: 'pending' })])),
    options: { ...saved, original: subject.kind === 'function' ? subject.restore.original : saved.original } satisfies SavedOptions,
  };
  info.status = 'running';
  info.target = { kind: target.kind, endpoint: target.endpoint, region: target.region };
  if (target.kind !== 'aws')
    info.emulator = {
      cpu: target.status?.cpu,
      runtimes: target.status?.runtimes,
      interpreters: planInterpreters(target.status, plan.variants),
      burstCap: burstCap(maxConcurrency, target.coreCap),
      coldStartSlots: target.status?.coldStartSlots,
    };
  const store = resumed ?? createRun(options.out ?? join('results', runId), info);
  store.info = info;
  store.writeInfo();
  return store;
}
