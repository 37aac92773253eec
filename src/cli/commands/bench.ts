import { extraPipArgs } from '../../pip-args.ts';
import type { BenchOptions } from '../../bench/run.ts';
import { coldbenchCacheDir } from '../../cache-dir.ts';
import { suiteOrDefault } from '../../paths.ts';
import type { EventSource } from '../../report/failures.ts';
import { COLD_STRATEGIES, MAX_MEMORY_MB, MIN_MEMORY_MB } from '../../vocabulary.ts';
import { defineCommand } from '../command.ts';
import { EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';
import { askYesNo, packageVersion } from '../io.ts';
import { AWS_FLAGS } from './aws-flags.ts';

/** How long CloudWatch may take to deliver a batch's REPORTs when the tail lacks them. */
const DEFAULT_LOGS_TIMEOUT_S = 90;
/** Conventional exit code of a process stopped by SIGINT (128 + 2). */
const EXIT_INTERRUPTED = 130;

function parseMemory(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out = parts.map(Number);
  const bad = parts.find((_part, i) => !Number.isInteger(out[i]) || out[i] < MIN_MEMORY_MB || out[i] > MAX_MEMORY_MB);
  if (bad !== undefined || out.length === 0)
    throw new UsageError(`--memory ${value}: ${bad ?? '(empty)'} is not a memory size; allowed: comma-separated integers ${MIN_MEMORY_MB}-${MAX_MEMORY_MB}, e.g. --memory 128,512`);
  return out;
}

function count(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} ${value}: allowed: a whole number ≥ 0`);
  return value;
}

/** What `coldbench bench` runs with, every flag checked. */
interface BenchCommandOptions {
  /** runBench's options that come from flags (the environment and the tool's version are added when it runs) */
  bench: Omit<BenchOptions, 'cacheDir' | 'extraPipArgs' | 'toolVersion'>;
  quiet: boolean;
  /** Where the events came from, so a failure line says what to check */
  source: EventSource;
}

export const benchCommand = defineCommand({
  name: 'bench',
  describe: 'Run a benchmark suite (default: the seed suite shipped with coldbench) and print the comparison',
  positionals: [{ name: 'suite', describe: 'suite file (YAML or JSON; default: the seed suite shipped with coldbench, fixtures/suites/seed.yaml)' }],
  flags: {
    target: { type: 'string', describe: 'local (embedded emulator), aws (real account: costs money, asks first unless --yes) or an endpoint URL (default: local)' },
    out: { type: 'string', describe: 'results folder, created with any missing parents (default results/<run-id>)' },
    resume: { type: 'string', describe: 'continue an interrupted run in this folder without redoing finished samples (default: off)' },
    only: { type: 'string', array: true, describe: "run only variants matching this glob, e.g. 'hello@*' (repeatable; default: all)" },
    cold: { type: 'number', describe: 'cold samples per variant (default: the suite’s)' },
    warm: { type: 'number', describe: 'warm samples per variant (default: the suite’s)' },
    memory: { type: 'string', describe: 'memory sizes for every function, e.g. 128,512 (default: the suite’s)' },
    'cold-strategy': { choices: COLD_STRATEGIES, describe: 'how cold starts are forced (default: the suite’s, else burst)' },
    seed: { type: 'number', describe: 'seed of the variant order (default: the suite’s, else 42)' },
    'logs-timeout': { type: 'number', default: DEFAULT_LOGS_TIMEOUT_S, describe: 'seconds to wait for REPORTs in CloudWatch when the invoke tail lacks them' },
    keep: { type: 'boolean', describe: 'keep the deployed functions and layers (default: delete them)' },
    yes: { type: 'boolean', describe: 'do not ask before a real-account run or --function' },
    quiet: { type: 'boolean', describe: 'no progress or notes on stderr (warnings and failures still print)' },
    ...AWS_FLAGS,
    function: { type: 'string', describe: 'benchmark this existing function (asks first; restores its configuration afterwards)' },
    event: { type: 'string', describe: 'event file for --function (default: {})' },
    serverless: { type: 'string', describe: 'read functions from this serverless.yml instead of a suite' },
    stage: { type: 'string', describe: 'stage for --serverless (${opt:stage}; default: the file’s provider.stage, else dev)' },
    node: {
      type: 'string',
      array: true,
      describe: 'node binary the embedded emulator runs the nodejsNN.x of its major on (repeatable; default: COLDBENCH_NODE, else this node for every nodejsNN.x)',
    },
  },
  resolve: (flags): BenchCommandOptions => {
    const logsTimeout = flags.logsTimeout;
    if (!(logsTimeout > 0)) throw new UsageError(`--logs-timeout ${logsTimeout}: allowed: a number of seconds above 0`);
    const serverless = flags.serverless !== undefined ? { stage: flags.stage } : undefined;
    return {
      bench: {
        suiteFile: flags.serverless ?? suiteOrDefault(flags.suite),
        serverless,
        functionName: flags.function,
        eventFile: flags.event,
        target: flags.target ?? 'local',
        profile: flags.profile,
        region: flags.region,
        out: flags.out,
        resume: flags.resume,
        overrides: {
          only: flags.only,
          cold: count('cold', flags.cold),
          warm: count('warm', flags.warm),
          memory: parseMemory(flags.memory),
          coldStrategy: flags.coldStrategy,
          seed: flags.seed,
        },
        logsTimeoutMs: logsTimeout * 1000,
        keep: flags.keep,
        yes: flags.yes,
        node: flags.node,
      },
      quiet: flags.quiet,
      source: flags.function !== undefined ? 'function' : serverless ? 'serverless' : 'suite',
    };
  },
  run: async ({ bench, quiet, source }, io) => {
    // The progress line, the report and the calibration load when a bench runs, not when any command parses its flags.
    const [{ createProgress }, { failureLines, failuresOf }, { render, summarize }, { calibrationFor, controlProbes, estimatesOff }] = await Promise.all([
      import('../../bench/progress.ts'),
      import('../../report/failures.ts'),
      import('../../report/index.ts'),
      import('../calibration.ts'),
    ]);
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts += 1;
      // The user asked twice not to wait: the one place a command ends the process itself.
      if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
      io.stderr(`\n${signal}: finishing the invokes in flight, then cleaning up (press Ctrl-C again to exit at once)\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = createProgress({ write: io.stderr, isTTY: io.isTTY, quiet });
    try {
      // The harness pulls in the AWS SDK, esbuild and the emulator: loaded only when a bench runs.
      const { runBench } = await import('../../bench/run.ts');
      // With a calibration, a local run measures control probes for the estimates' load correction.
      const local = bench.target === 'local' && bench.functionName === undefined;
      const calibration = local ? await calibrationFor(io, undefined) : undefined;
      const outcome = await runBench(
        {
          ...bench,
          controls: calibration ? controlProbes(calibration) : undefined,
          extraPipArgs: extraPipArgs(io.env),
          cacheDir: coldbenchCacheDir(io.env),
          toolVersion: packageVersion(),
        },
        // Warnings print as they arise (even with --quiet), before the plan and the measuring.
        { progress, confirm: (q) => askYesNo(io, q), signal: controller.signal, warn: (w) => io.stderr(`Warning: ${w}\n`) },
      );
      for (const w of outcome.warnings) io.stderr(`Warning: ${w}\n`);
      if (outcome.samples.length > 0) io.stdout(render(summarize(outcome.samples, outcome.info, { calibration }), 'table', { color: io.color }));
      if (local && !calibration && !quiet && !estimatesOff(io))
        io.stderr('Note: these are this machine\'s times, not Lambda\'s; `coldbench calibrate` (under a minute) adds "On Lambda (est.)" estimates to bench and report.\n');
      const failures = failuresOf(outcome.samples);
      for (const line of failureLines(failures, source)) io.stderr(`${line}\n`);
      // Variants that failed before any invoke (packaging, deploy) have no samples to count.
      for (const name of outcome.failedVariants.filter((n) => !failures.some((f) => f.variant === n))) {
        const errors = outcome.info.variantResults?.[name]?.errors ?? [];
        io.stderr(`${name} failed: ${errors[0] ?? 'see samples.jsonl'}${errors.length > 1 ? ` (and ${errors.length - 1} more message(s) in run.json)` : ''}\n`);
      }
      io.stderr(`Results: ${outcome.runDir} (${outcome.info.status})\n`);
      if (outcome.info.status === 'interrupted') {
        io.stderr(`Interrupted; \`coldbench bench --resume ${outcome.runDir}\` finishes the run.\n`);
        return EXIT_INTERRUPTED;
      }
      return outcome.failedVariants.length > 0 || failures.length > 0 ? EXIT_FINDING : EXIT_OK;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});
