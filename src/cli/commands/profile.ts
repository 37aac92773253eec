import { existsSync, statSync } from 'node:fs';
import { PROFILE_FORMATS, type ProfileFormat } from '../../profile/types.ts';
import type { ProfileOptions } from '../../profile/run.ts';
import { suiteOrDefault } from '../../paths.ts';
import { defineCommand } from '../command.ts';
import { askYesNo, writeOutFile } from '../io.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { MAX_MEMORY_MB, MIN_MEMORY_MB } from '../../vocabulary.ts';

/** Without --format. */
const DEFAULT_FORMAT: ProfileFormat = 'table';

/** The suite a bare variant name is looked up in, as `coldbench bench` defaults to it (the shipped seed suite). */
const DEFAULT_SUITE = suiteOrDefault(undefined);

function whole(name: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} ${value}: allowed: a whole number ${max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `${min}-${max}`}`);
  return value;
}

/** DIR → folder mode; a .yaml/.yml/.json file → suite mode (with --only); anything else → a variant of the seed suite; none → --function. */
function modeOf(target: string | undefined, only: string | undefined, functionName: string | undefined): { dir?: string; suiteFile?: string; only?: string } {
  if (functionName !== undefined) {
    if (target !== undefined)
      throw new UsageError(`${target} and --function ${functionName}: give one`, {
        hint: 'a folder, suite or variant is built here; --function profiles a copy of a deployed function',
      });
    return {};
  }
  if (target === undefined)
    throw new UsageError('nothing to profile', {
      hint: 'pass a function folder with --handler, a suite file with --only VARIANT, a variant name of the seed suite, or --function NAME',
    });
  if (existsSync(target) && statSync(target).isDirectory()) return { dir: target };
  if (existsSync(target) && /\.(ya?ml|json)$/i.test(target)) return { suiteFile: target, only };
  if (/\.(ya?ml|json)$/i.test(target))
    throw new UsageError(`${target}: no such suite file`, { hint: 'pass a function folder with --handler, a suite file with --only VARIANT, or a variant name of the seed suite' });
  return { suiteFile: DEFAULT_SUITE, only: only ?? target };
}

/** What `coldbench profile` runs with, every flag checked. */
interface ProfileCommandOptions {
  /** runProfile's options but the progress log, which depends on --quiet and the io */
  profile: Omit<ProfileOptions, 'log'>;
  format: ProfileFormat;
  out: string | undefined;
  quiet: boolean;
}

export const profileCommand = defineCommand({
  name: 'profile',
  describe: "What dominates a function's init, and what to change",
  positionals: [{ name: 'target', describe: 'function folder (with --handler), suite file (with --only VARIANT), or a variant of the seed suite' }],
  flags: {
    handler: { type: 'string', describe: 'module.function, required with a folder (e.g. app.handler)' },
    runtime: { type: 'string', default: 'python3.11', describe: 'Lambda runtime of a folder' },
    memory: { type: 'number', default: 1024, describe: 'memory size (MB) of a folder' },
    requirements: { type: 'string', describe: "requirements file of a folder (default: the folder's requirements.txt when it exists)" },
    only: { type: 'string', describe: 'the suite variant to profile, e.g. percall@512' },
    format: { choices: PROFILE_FORMATS, default: DEFAULT_FORMAT, describe: 'output format' },
    out: { type: 'string', describe: 'write to this file instead of stdout (default: stdout)' },
    endpoint: {
      type: 'string',
      default: 'local',
      describe: 'where the function runs: local (the embedded emulator), an emulator URL, or aws (a real account, with --function)',
    },
    function: { type: 'string', describe: 'profile a deployed function of --endpoint through a traced copy (created and deleted; the function is not changed)' },
    yes: { type: 'boolean', describe: 'with --function: create the copy without asking' },
    warm: { type: 'number', default: 5, describe: 'warm invokes after the traced cold start' },
    verify: {
      type: 'boolean',
      describe: 'apply each mechanical recommendation, benchmark it against the unchanged function and print the measured saving',
    },
    samples: { type: 'number', default: 10, describe: 'samples per side when verifying (cold starts, or warm invokes for per-call rules)' },
    'verify-limit': { type: 'number', default: 3, describe: 'most recommendations --verify measures, largest first' },
    quiet: { type: 'boolean', describe: 'no progress on stderr' },
  },
  resolve: (flags): ProfileCommandOptions => ({
    profile: {
      target: flags.endpoint,
      ...modeOf(flags.target, flags.only, flags.function),
      functionName: flags.function,
      yes: flags.yes,
      handler: flags.handler,
      runtime: flags.runtime,
      memoryMB: whole('memory', flags.memory, MIN_MEMORY_MB, MAX_MEMORY_MB),
      requirements: flags.requirements,
      warm: whole('warm', flags.warm, 0),
      verify: flags.verify,
      samples: whole('samples', flags.samples, 1),
      verifyLimit: whole('verify-limit', flags.verifyLimit, 0),
    },
    format: flags.format,
    out: flags.out,
    quiet: flags.quiet,
  }),
  run: async ({ profile, format, out, quiet }, io) => {
    const log = quiet ? () => {} : (line: string) => io.stderr(`${line}\n`);
    // The profiler pulls in the harness, the AWS SDK and the emulator: loaded only when it runs.
    const { runProfile } = await import('../../profile/run.ts');
    const measured = await runProfile({ ...profile, log, confirm: (q) => askYesNo(io, q) });
    const [{ calibrationFor }, { withLambdaSavings }] = await Promise.all([import('../calibration.ts'), import('../../profile/lambda-savings.ts')]);
    const calibration = profile.target === 'local' ? await calibrationFor(io, undefined) : undefined;
    const report = calibration
      ? withLambdaSavings(measured, {
          speed: calibration.model.speed,
          initLogSd: calibration.model.logSd.init,
          file: calibration.file,
          calibratedAt: calibration.createdAt,
          reference: calibration.reference.name,
        })
      : measured;
    const { renderProfile } = await import('../../profile/render.ts');
    const text = renderProfile(report, format);
    if (out) {
      writeOutFile(out, text);
      log(`wrote ${out}`);
    } else io.stdout(text);
    return EXIT_OK;
  },
});
