import { existsSync, statSync, writeFileSync } from 'node:fs';
import { BenchOptionError, PackagingError, SuiteError, TargetError } from '../../bench/errors.ts';
import { PROFILE_FORMATS, type ProfileFormat, renderProfile } from '../../profile/render.ts';
import { ProfileInputError, runProfile } from '../../profile/run.ts';
import { ProfileRunError } from '../../profile/session.ts';
import type { CommandDef } from '../command.ts';
import { EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';

/** The suite a bare variant name is looked up in, as `coldbench bench` defaults to it. */
const DEFAULT_SUITE = 'fixtures/suites/seed.yaml';

function whole(name: string, value: unknown, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${String(value)}: allowed: a whole number ≥ ${min}`);
  return n;
}

/** DIR → folder mode; a .yaml/.yml/.json file → suite mode (with --only); anything else → a variant of the seed suite. */
function modeOf(target: string, only: string | undefined): { dir?: string; suiteFile?: string; only?: string } {
  if (existsSync(target) && statSync(target).isDirectory()) return { dir: target };
  if (existsSync(target) && /\.(ya?ml|json)$/i.test(target)) return { suiteFile: target, only };
  if (/\.(ya?ml|json)$/i.test(target)) throw new UsageError(`${target}: no such suite file`, 'pass a function folder with --handler, a suite file with --only VARIANT, or a variant name of the seed suite');
  return { suiteFile: DEFAULT_SUITE, only: only ?? target };
}

export const profileCommand: CommandDef = {
  command: 'profile <target>',
  describe: "What dominates a function's init, and what to change",
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'function folder (with --handler), suite file (with --only VARIANT), or a variant of the seed suite' })
      .option('handler', { type: 'string', describe: 'module.function, required with a folder (e.g. app.handler)' })
      .option('runtime', { type: 'string', default: 'python3.11', describe: 'Lambda runtime of a folder' })
      .option('memory', { type: 'number', default: 1024, describe: 'memory size (MB) of a folder' })
      .option('requirements', { type: 'string', describe: "requirements file of a folder (default: the folder's requirements.txt when it exists)" })
      .option('only', { type: 'string', describe: 'the suite variant to profile, e.g. percall@512' })
      .option('format', { choices: PROFILE_FORMATS, default: 'table', describe: 'output format' })
      .option('out', { type: 'string', describe: 'write to this file instead of stdout (default: stdout)' })
      .option('endpoint', { type: 'string', default: 'local', describe: 'where the function runs: local (the embedded emulator) or an emulator URL' })
      .option('warm', { type: 'number', default: 5, describe: 'warm invokes after the traced cold start' })
      .option('verify', { type: 'boolean', default: false, describe: 'apply each mechanical recommendation, benchmark it against the unchanged function and print the measured saving' })
      .option('samples', { type: 'number', default: 10, describe: 'samples per side when verifying (cold starts, or warm invokes for per-call rules)' })
      .option('verify-limit', { type: 'number', default: 3, describe: 'most recommendations --verify measures, largest first' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' }),
  run: async (args, io) => {
    // Checked first: yargs reports a bad choice only after the command has run.
    if (!PROFILE_FORMATS.includes(args.format as ProfileFormat)) {
      throw new UsageError(`--format ${String(args.format)}: allowed: ${PROFILE_FORMATS.join(', ')}`);
    }
    const target = String(args.target);
    const mode = modeOf(target, args.only as string | undefined);
    const format = args.format as ProfileFormat;
    const log = args.quiet ? () => {} : (line: string) => io.stderr(`${line}\n`);
    let report;
    try {
      report = await runProfile({
        target: String(args.endpoint),
        ...mode,
        handler: args.handler as string | undefined,
        runtime: args.runtime as string,
        memoryMB: whole('memory', args.memory, 128),
        requirements: args.requirements as string | undefined,
        warm: whole('warm', args.warm, 0),
        verify: Boolean(args.verify),
        samples: whole('samples', args.samples, 1),
        verifyLimit: whole('verify-limit', args['verify-limit'], 0),
        log,
      });
    } catch (error) {
      if (error instanceof ProfileInputError || error instanceof SuiteError || error instanceof BenchOptionError || error instanceof TargetError || error instanceof PackagingError) {
        throw new UsageError(error.message, undefined, { cause: error });
      }
      if (error instanceof ProfileRunError) {
        io.stderr(`Error: ${error.message}\n`);
        return EXIT_FINDING;
      }
      throw error;
    }
    const text = renderProfile(report, format);
    if (args.out) {
      writeFileSync(String(args.out), text);
      log(`wrote ${args.out}`);
    } else io.stdout(text);
    return EXIT_OK;
  },
};
