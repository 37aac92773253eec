import { extraPipArgs } from '../../pip-args.ts';
import { join } from 'node:path';
import { coldbenchCacheDir } from '../../cache-dir.ts';
import { defaultCalibrationFile } from '../../calibration/location.ts';
import { defineCommand } from '../command.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { askYesNo, packageVersion, writeOutFile } from '../io.ts';

/** What `coldbench calibrate` runs with, every flag checked. */
interface CalibrateCommandOptions {
  runtimes: string[];
  samples: number;
  from: string[];
  out: string | undefined;
  printSuite: string | undefined;
  quiet: boolean;
  node: string[] | undefined;
}

export const calibrateCommand = defineCommand({
  name: 'calibrate',
  describe: 'Fit this machine\'s emulator times to real Lambda\'s (a shipped reference or --from your own runs), for the "On Lambda (est.)" figures',
  flags: {
    runtime: { type: 'string', array: true, describe: 'runtime to calibrate (repeatable; default: python3.11 and nodejs20.x)' },
    samples: { type: 'number', describe: 'cold samples per probe configuration (default: 10)' },
    from: {
      type: 'string',
      array: true,
      describe: 'your own real-Lambda samples of the probes: a `bench --target aws` run folder or `import`ed JSONL (repeatable; default: the shipped lambda-perf reference)',
    },
    out: { type: 'string', describe: 'calibration file to write (default: <cache>/calibration/calibration.json, which report and bench read)' },
    'print-suite': {
      type: 'string',
      bareValue: '-',
      describe: 'write the probe suite to this file (no file, or --print-suite=-: stdout) for a real-account run, and stop',
    },
    quiet: { type: 'boolean', describe: 'no progress on stderr' },
    node: { type: 'string', array: true, describe: 'node binary for nodejsNN.x probes (as bench --node)' },
  },
  resolve: (flags): CalibrateCommandOptions => {
    const samples = flags.samples;
    if (samples !== undefined && !(Number.isInteger(samples) && samples >= 1 && samples <= 1000))
      throw new UsageError(`--samples ${samples}: allowed: a whole number from 1 to 1000`);
    return {
      runtimes: (flags.runtime ?? [])
        .flatMap((r) => r.split(','))
        .map((r) => r.trim())
        .filter(Boolean),
      samples: samples ?? 0,
      from: flags.from ?? [],
      out: flags.out,
      printSuite: flags.printSuite,
      quiet: flags.quiet,
      node: flags.node,
    };
  },
  run: async (options, io) => {
    const calibrate = await import('../../bench/calibrate.ts');
    const runtimes = options.runtimes.length ? options.runtimes : calibrate.DEFAULT_CALIBRATION_RUNTIMES;
    const samples = options.samples || calibrate.DEFAULT_CALIBRATION_SAMPLES;
    if (options.printSuite !== undefined) {
      const { runs } = calibrate.calibrationPlan({ runtimes, from: [] }, new Date());
      const yaml = calibrate.probeSuiteYaml(runs, samples, 2);
      if (options.printSuite === '-') io.stdout(yaml);
      else {
        writeOutFile(options.printSuite, yaml, '--print-suite');
        io.stderr(
          `Wrote ${options.printSuite}: deploy it with \`coldbench bench ${options.printSuite} --target aws --out my-lambda-run\`, then \`coldbench calibrate --from my-lambda-run\`.\n`,
        );
      }
      return EXIT_OK;
    }
    const { createProgress } = await import('../../bench/progress.ts');
    const cacheDir = coldbenchCacheDir(io.env);
    const now = new Date();
    const workDir = join(
      cacheDir,
      'calibration',
      'runs',
      now
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z'),
    );
    const out = options.out ?? defaultCalibrationFile(io.env);
    const { calibration } = await calibrate.runCalibration(
      {
        runtimes,
        samples,
        from: options.from,
        workDir,
        bench: { cacheDir, extraPipArgs: extraPipArgs(io.env), toolVersion: packageVersion(), node: options.node },
        now: () => new Date(),
      },
      { progress: createProgress({ write: io.stderr, isTTY: io.isTTY, quiet: options.quiet }), confirm: (q) => askYesNo(io, q), signal: new AbortController().signal },
    );
    calibrate.saveCalibration(calibration, out);
    const { renderCalibration } = await import('../../calibration/render.ts');
    io.stdout(renderCalibration(calibration, out));
    return EXIT_OK;
  },
});
