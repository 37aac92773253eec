import { BenchOptionError, NotConfirmedError, ResumeError, SuiteError } from '../../bench/errors.ts';
import type { ColdStrategy } from '../../bench/suite.ts';
import { createProgress } from '../../bench/progress.ts';
import { runBench } from '../../bench/run.ts';
import { failureLines, failuresOf } from '../../report/failures.ts';
import { render, summarize } from '../../report/index.ts';
import type { CommandDef } from '../command.ts';
import { EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';
import { askYesNo, packageVersion } from '../io.ts';

/** How long CloudWatch may take to deliver a batch's REPORTs when the tail lacks them. */
const DEFAULT_LOGS_TIMEOUT_S = 90;
/** Conventional exit code of a process stopped by SIGINT (128 + 2). */
const EXIT_INTERRUPTED = 130;
const STRATEGIES: ColdStrategy[] = ['burst', 'config-bump', 'version'];

function parseMemory(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = String(value).split(',').map((s) => s.trim()).filter(Boolean);
  const out = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isInteger(out[i]) || out[i] < 128 || out[i] > 10240);
  if (bad !== undefined || out.length === 0) throw new UsageError(`--memory ${String(value)}: ${bad ?? '(empty)'} is not a memory size; allowed: comma-separated integers 128-10240, e.g. --memory 128,512`);
  return out;
}

function count(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} ${String(value)}: allowed: a whole number ≥ 0`);
  return n;
}

export const benchCommand: CommandDef = {
  command: 'bench [suite]',
  describe: 'Run a benchmark suite (default fixtures/suites/seed.yaml) and print the comparison',
  builder: (y) =>
    y
      .positional('suite', { type: 'string', describe: 'suite file (YAML or JSON)', default: 'fixtures/suites/seed.yaml' })
      .option('target', { type: 'string', describe: 'local (embedded emulator), aws (real account: costs money, asks first unless --yes) or an endpoint URL (default: local)' })
      .option('out', { type: 'string', describe: 'results folder, created with any missing parents (default results/<run-id>)' })
      .option('resume', { type: 'string', describe: 'continue an interrupted run in this folder without redoing finished samples (default: off)' })
      .option('only', { type: 'string', array: true, describe: "run only variants matching this glob, e.g. 'hello@*' (repeatable; default: all)" })
      .option('cold', { type: 'number', describe: 'cold samples per variant (default: the suite’s)' })
      .option('warm', { type: 'number', describe: 'warm samples per variant (default: the suite’s)' })
      .option('memory', { type: 'string', describe: 'memory sizes for every function, e.g. 128,512 (default: the suite’s)' })
      .option('cold-strategy', { type: 'string', choices: STRATEGIES, describe: 'how cold starts are forced (default: the suite’s, else burst)' })
      .option('seed', { type: 'number', describe: 'seed of the variant order (default: the suite’s, else 42)' })
      .option('logs-timeout', { type: 'number', default: DEFAULT_LOGS_TIMEOUT_S, describe: 'seconds to wait for REPORTs in CloudWatch when the invoke tail lacks them' })
      .option('keep', { type: 'boolean', default: false, describe: 'keep the deployed functions and layers (default: delete them)' })
      .option('yes', { type: 'boolean', default: false, describe: 'do not ask before a real-account run or --function' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' })
      .option('profile', { type: 'string', describe: 'AWS profile for --target aws (default: the standard credential chain)' })
      .option('region', { type: 'string', describe: 'AWS region for --target aws (default: AWS_REGION)' })
      .option('function', { type: 'string', describe: 'benchmark this existing function (asks first; restores its configuration afterwards)' })
      .option('event', { type: 'string', describe: 'event file for --function (default: {})' })
      .option('serverless', { type: 'string', describe: 'read functions from this serverless.yml instead of a suite' })
      .option('stage', { type: 'string', describe: 'stage for --serverless (${opt:stage}; default: the file’s provider.stage, else dev)' })
      .option('node', { type: 'string', array: true, describe: 'node binary the embedded emulator runs the nodejsNN.x of its major on (repeatable; default: COLDBENCH_NODE, else this node for every nodejsNN.x)' }),
  run: async (args, io) => {
    const strategy = args['cold-strategy'] as ColdStrategy | undefined;
    const logsTimeout = Number(args['logs-timeout']);
    if (!(logsTimeout > 0)) throw new UsageError(`--logs-timeout ${String(args['logs-timeout'])}: allowed: a number of seconds above 0`);
    const serverless = args.serverless !== undefined ? { stage: args.stage as string | undefined } : undefined;
    const suiteFile = serverless ? String(args.serverless) : String(args.suite);
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts += 1;
      if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
      io.stderr(`\n${signal}: finishing the invokes in flight, then cleaning up (press Ctrl-C again to exit at once)\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = createProgress({ write: io.stderr, isTTY: io.isTTY, quiet: Boolean(args.quiet) });
    try {
      const outcome = await runBench(
        {
          suiteFile,
          serverless,
          functionName: args.function as string | undefined,
          eventFile: args.event as string | undefined,
          target: (args.target as string | undefined) ?? 'local',
          profile: args.profile as string | undefined,
          region: args.region as string | undefined,
          out: args.out as string | undefined,
          resume: args.resume as string | undefined,
          overrides: {
            only: args.only as string[] | undefined,
            cold: count('cold', args.cold),
            warm: count('warm', args.warm),
            memory: parseMemory(args.memory),
            coldStrategy: strategy,
            seed: args.seed as number | undefined,
          },
          logsTimeoutMs: logsTimeout * 1000,
          keep: Boolean(args.keep),
          yes: Boolean(args.yes),
          extraPipArgs: io.env.COLDBENCH_PIP_ARGS?.split(/\s+/).filter(Boolean),
          cacheDir: io.env.COLDBENCH_CACHE_DIR || undefined,
          toolVersion: packageVersion(),
          node: args.node as string[] | undefined,
        },
        // Warnings print as they arise (even with --quiet), before the plan and the measuring.
        { progress, confirm: (q) => askYesNo(io, q), signal: controller.signal, warn: (w) => io.stderr(`Warning: ${w}\n`) },
      );
      for (const w of outcome.warnings) io.stderr(`Warning: ${w}\n`);
      if (outcome.samples.length > 0) io.stdout(render(summarize(outcome.samples, outcome.info), 'table', { color: io.color }));
      const failures = failuresOf(outcome.samples);
      const source = args.function !== undefined ? 'function' : serverless ? 'serverless' : 'suite';
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
    } catch (error) {
      if (error instanceof SuiteError || error instanceof BenchOptionError || error instanceof ResumeError || error instanceof NotConfirmedError) {
        throw new UsageError(error.message, undefined, { cause: error });
      }
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
