import type { Cleanable } from '../../bench/cleanup.ts';
import { defineCommand } from '../command.ts';
import { EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';
import { askYesNo } from '../io.ts';
import { AWS_FLAGS } from './aws-flags.ts';

function describe(found: Cleanable): string[] {
  return [
    ...found.functions.map((f) => `  function   ${f}`),
    ...found.layers.map((l) => `  layer      ${l.name}:${l.version}`),
    ...found.logGroups.map((g) => `  log group  ${g}`),
    ...(found.role ? [`  role       ${found.role}`] : []),
  ];
}

/** What `coldbench clean` runs with, every flag checked. */
interface CleanCommandOptions {
  target: string;
  runId: string | undefined;
  roles: boolean;
  logs: boolean;
  yes: boolean;
  profile: string | undefined;
  region: string | undefined;
}

export const cleanCommand = defineCommand({
  name: 'clean',
  describe: 'Delete what coldbench created (recognised by tag and name prefix) and nothing else',
  flags: {
    target: { type: 'string', default: 'local', describe: 'local, aws or an endpoint URL' },
    run: { type: 'string', describe: 'only what this run id created (default: every run)' },
    roles: { type: 'boolean', describe: 'also delete the execution role coldbench keeps for reuse' },
    logs: { type: 'boolean', describe: 'also delete the log groups of the functions it deletes' },
    yes: { type: 'boolean', describe: 'do not ask for confirmation' },
    ...AWS_FLAGS,
  },
  resolve: (flags): CleanCommandOptions => {
    const runId = flags.run;
    // The embedded emulator has nothing to clean, whatever --run says.
    if (flags.target !== 'local' && runId !== undefined && !/^[A-Za-z0-9-]+$/.test(runId)) {
      throw new UsageError(`--run ${runId}: not a run id; allowed: the id of results/<run-id>, e.g. 20261128T162501Z-k3f9`);
    }
    return { target: flags.target, runId, roles: flags.roles, logs: flags.logs, yes: flags.yes, profile: flags.profile, region: flags.region };
  },
  run: async ({ target: spec, runId, roles, logs, yes, profile, region }, io) => {
    // The AWS SDK clients load only when clean runs.
    const [{ deleteCleanable, findCleanable }, { openTarget, verifyAccount }] = await Promise.all([import('../../bench/cleanup.ts'), import('../../bench/target.ts')]);
    if (spec === 'local') {
      io.stdout('Nothing to clean: the embedded emulator starts empty and stops with each run. Pass --target URL or --target aws.\n');
      return EXIT_OK;
    }
    const target = await openTarget(spec, { profile, region });
    try {
      if (target.kind === 'aws') await verifyAccount(target);
      const found = await findCleanable(target, { runId, roles, logs });
      const lines = describe(found);
      if (lines.length === 0) {
        io.stdout(`Nothing to clean on ${target.endpoint ?? `AWS ${target.region}`}${runId ? ` for run ${runId}` : ''}.\n`);
        return EXIT_OK;
      }
      io.stdout(`coldbench created these on ${target.endpoint ?? `AWS ${target.region}`}:\n${lines.join('\n')}\n`);
      if (target.kind === 'aws' && !yes && !(await askYesNo(io, `Delete these ${lines.length}?`))) {
        io.stderr('Not confirmed; nothing was deleted. Pass --yes to delete without asking.\n');
        return EXIT_OK;
      }
      const failures = await deleteCleanable(target, found);
      for (const f of failures) io.stderr(`Error: ${f}\n`);
      io.stdout(`Deleted ${lines.length - failures.length} of ${lines.length}.\n`);
      return failures.length ? EXIT_FINDING : EXIT_OK;
    } finally {
      await target.close();
    }
  },
});
