import { statSync } from 'node:fs';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';

const PLATFORMS = ['aws', 'gcp', 'azure', 'auto'];

function checkInputs(files: string[]): void {
  for (const file of files) {
    if (file === '-') continue;
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch (error) {
      throw new UsageError(`${file}: no such file`, { hint: 'Check the path; - reads stdin.', cause: error });
    }
    if (!isFile) throw new UsageError(`${file}: not a file`, { hint: 'Name log files, not folders.' });
  }
}

/** What `coldbench import` runs with, every flag checked. */
export interface ImportCommandOptions {
  files: string[];
  variant: string | undefined;
  platform: string;
  out: string | undefined;
}

/** `coldbench import FILE…`: platform logs → samples JSONL, streamed. */
export const importCommand = defineCommand({
  name: 'import',
  describe:
    'Turn Lambda, Google Cloud Functions and Azure Functions logs (text, copies, JSON exports, forwarder and stream payloads; docs/import.md) into samples JSONL; - reads stdin',
  positionals: [
    {
      name: 'files',
      required: true,
      variadic: true,
      describe:
        'log files in any mix, each recognised by its structure: text or console copies, JSON lines or arrays, `aws logs filter-log-events`/`get-log-events`, Logs Insights JSON/CSV, subscription/Firehose/Kinesis payloads, forwarder records, Telemetry API; Google and Azure logs; - reads stdin',
    },
  ],
  flags: {
    out: { type: 'string', describe: 'write samples JSONL to this file, creating missing folders (default: stdout)' },
    variant: {
      type: 'string',
      describe:
        'variant name on every sample (default: the function name when the log gives it (JSON platform.initStart), else the file name without its extension; "stdin" for -)',
    },
    platform: { choices: PLATFORMS, default: 'auto', describe: 'which platform wrote the logs (default: auto, recognised per file from its first lines)' },
  },
  epilogue: 'Exit codes: 0 samples imported, 1 no sample in the whole input (stderr says why, per file), 2 missing file or bad flag.',
  resolve: (flags): ImportCommandOptions => {
    const { files, platform, variant } = flags;
    if (variant !== undefined && variant.trim() === '') throw new UsageError('--variant: empty name', { hint: 'Give a name such as reuse@512, or leave the flag out.' });
    if (files.filter((f) => f === '-').length > 1) throw new UsageError('- (stdin) given more than once', { hint: 'Name stdin once.' });
    checkInputs(files);
    return { files, variant, platform, out: flags.out };
  },
  run: async (options, io) => {
    // The log readers load when an import runs, not when any command parses its flags.
    const { importLogs } = await import('./import-logs.ts');
    return importLogs(options, io);
  },
});
