import { closeSync, createReadStream, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { defineCommand } from '../command.ts';
import { cannotWrite, EXIT_FINDING, EXIT_OK, UsageError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { ByteBatch, createByteFileImporter } from '../../probe/byte-import.ts';
import { createFileImporter, type FileImportStats } from '../../probe/file-import.ts';
import { PLATFORM_ASSEMBLERS } from '../../probe/platforms.ts';
import { excerpt, explainLookalike, FirstLookalike } from '../../probe/platforms/diagnose.ts';
import { TimeoutScanner } from '../../probe/timeouts.ts';

/** Read size; larger chunks mean fewer stream callbacks for the same bytes. */
const READ_CHUNK_BYTES = 256 * 1024;
/** Malformed lines shown on stderr; the rest are counted. */
const MALFORMED_SHOWN = 5;
const PLATFORMS = ['aws', 'gcp', 'azure', 'auto'];
/** Extensions dropped from a file name to make its default variant name. */
const LOG_EXTENSIONS = /\.(log|txt|json|jsonl|ndjson)$/i;

/** Variant name from a file name: `logs/reuse@512.log` → `reuse@512`; stdin → `stdin`. */
export function variantFromFileName(file: string): string {
  if (file === '-') return 'stdin';
  return basename(file).replace(LOG_EXTENSIONS, '') || basename(file);
}

/**
 * Where samples go: stdout through the CLI's io, or a file written synchronously (flat memory).
 * Batches end between sample lines, so each is whole UTF-8.
 */
function openSink(out: string | undefined, io: CliIO): { write(bytes: Buffer): void; close(): void } {
  if (out === undefined) return { write: (bytes) => io.stdout(bytes.toString('utf8')), close: () => undefined };
  let fd: number;
  try {
    mkdirSync(dirname(out), { recursive: true });
    fd = openSync(out, 'w');
  } catch (error) {
    throw cannotWrite(out, error);
  }
  return {
    write: (bytes) => {
      // writeSync may write less than asked (a pipe, a signal): go on until all is out.
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    },
    close: () => closeSync(fd),
  };
}

function checkInputs(files: string[]): void {
  for (const file of files) {
    if (file === '-') continue;
    if (file.startsWith('--')) throw new UsageError(`unknown flag ${file}`, { hint: 'coldbench import --help lists the flags.' });
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch (error) {
      throw new UsageError(`${file}: no such file`, { hint: 'Check the path; - reads stdin.', cause: error });
    }
    if (!isFile) throw new UsageError(`${file}: not a file`, { hint: 'Name log files, not folders.' });
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A file's name in messages: `stdin` for -. */
function shown(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/** What one file gave, for its summary line. */
interface FileResult {
  file: string;
  stats: FileImportStats;
  /** The first line that looks like a platform's execution record, found only when the file gave no samples. */
  lookalike: FirstLookalike['found'];
}

function skippedText(count: number, why: Record<string, number>): string {
  const reasons = Object.entries(why)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return `${plural(count, 'line')} skipped${reasons ? ` (${reasons})` : ''}`;
}

/** Why a file gave no samples: its first platform-looking line, or that it has records but no execution end, or nothing recognisable. */
function noSamplesText(result: FileResult, forced: boolean): string {
  const { file, stats, lookalike } = result;
  if (lookalike !== null) {
    const said = stats.malformed.find((m) => m.line === lookalike.line)?.reason ?? null;
    const { why, nearest } = explainLookalike(lookalike, stats.platform, said, forced);
    return `  ${shown(file)}:${lookalike.line}: no samples: \`${excerpt(lookalike.text)}\` was not read: ${why}; nearest supported form: ${nearest}\n`;
  }
  if (stats.records > 0) {
    return `  ${shown(file)}: no samples: ${plural(stats.records, 'platform record')} but no execution end (a Lambda REPORT, a Google \`Function execution took …\`, an Azure \`Executed '…'\` or a request row)\n`;
  }
  return `  ${shown(file)}: no samples: nothing recognisable as a Lambda, Google Cloud or Azure Functions log (forms read: docs/other-platforms.md)\n`;
}

/**
 * stderr: one line per file (`<file>: N samples (C cold, F failed) from M platform records; …`), its
 * malformed lines and, when it gave no samples, why; then the whole input's line.
 */
function summarize(perFile: FileResult[], forced: boolean): string {
  let text = '';
  let records = 0;
  let total = 0;
  let cold = 0;
  let failed = 0;
  /** Malformed lines so far, shown or not: the first MALFORMED_SHOWN are shown. */
  let malformed = 0;
  for (const result of perFile) {
    const { file, stats } = result;
    records += stats.records;
    total += stats.samples;
    cold += stats.cold;
    failed += stats.failed;
    text +=
      `${shown(file)}: ${plural(stats.samples, 'sample')} (${stats.cold} cold, ${stats.failed} failed) from ${plural(stats.records, 'platform record')}; ` +
      `${skippedText(stats.skipped, stats.skippedBy)}\n`;
    for (const m of stats.malformed.slice(0, Math.max(0, MALFORMED_SHOWN - malformed))) text += `  ${shown(file)}:${m.line}: ${m.reason}\n`;
    malformed += stats.malformedCount;
    if (stats.samples === 0) text += noSamplesText(result, forced);
  }
  if (malformed > MALFORMED_SHOWN) text += `  … and ${malformed - MALFORMED_SHOWN} more malformed lines\n`;
  const unmatched = perFile.find((f) => f.file === '-')?.stats.unmatchedTimeouts ?? 0;
  if (unmatched > 0) {
    text +=
      `  stdin: ${plural(unmatched, 'timeout line')} had no REPORT after ${unmatched === 1 ? 'it' : 'them'}; stdin is read once, so a REPORT ` +
      'printed before its timeout line stays "success": import the log as a file to count those as timeouts\n';
  }
  const files = perFile.length === 1 ? '1 file' : `${perFile.length} files`;
  text += `coldbench import: ${plural(total, 'sample')} (${cold} cold, ${total - cold} warm, ${failed} failed) from ${plural(records, 'platform record')} in ${files}\n`;
  return text;
}

/** The first platform-looking line of a file that gave no samples (read again, up to that line). */
async function firstLookalikeInFile(file: string): Promise<FirstLookalike['found']> {
  const finder = new FirstLookalike();
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, encoding: 'utf8' });
  for await (const chunk of stream) {
    finder.push(chunk as string);
    if (finder.found !== null) break;
  }
  stream.destroy();
  finder.end();
  return finder.found;
}

async function importOne(file: string, how: { variant?: string; platform: string }, io: CliIO, out: ByteBatch): Promise<FileResult> {
  const options = { platform: how.platform, variant: how.variant, fallbackVariant: variantFromFileName(file) };
  if (file !== '-') {
    // A first pass finds the timeout lines: copies often print one after its request's REPORT.
    const scanner = new TimeoutScanner();
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) scanner.push(chunk as Buffer);
    // Files are read as bytes: the byte lane skips decoding and encoding for canonical REPORT lines.
    const importer = createByteFileImporter({ ...options, timedOut: scanner.found }, out);
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) importer.push(chunk as Buffer);
    importer.end();
    const stats = importer.stats();
    return { file, stats, lookalike: stats.samples > 0 ? null : await firstLookalikeInFile(file) };
  }
  const lookalike = new FirstLookalike();
  const importer = createFileImporter(options);
  const input = io.stdin;
  if ('setEncoding' in input) input.setEncoding('utf8');
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : String(chunk);
    // stdin is read once: the first platform-looking line is kept as it passes, in case no sample comes.
    lookalike.push(text);
    out.writeString(importer.push(text));
  }
  lookalike.end();
  out.writeString(importer.end());
  const stats = importer.stats();
  return { file, stats, lookalike: stats.samples > 0 ? null : lookalike.found };
}

/** What `coldbench import` runs with, every flag checked. */
interface ImportCommandOptions {
  files: string[];
  variant: string | undefined;
  platform: string;
  out: string | undefined;
}

/** `coldbench import FILE…`: platform logs → samples JSONL, streamed. */
export const importCommand = defineCommand({
  command: 'import <files..>',
  describe:
    'Turn Lambda, Google Cloud Functions and Azure Functions logs (text, copies, JSON exports, forwarder and stream payloads; docs/import.md) into samples JSONL; - reads stdin',
  builder: (y) =>
    y
      // yargs drops a bare "-" from positionals unless unknown options pass as arguments; the price
      // is that a mistyped flag arrives as a file name, which checkInputs reports as a flag.
      .parserConfiguration({ 'unknown-options-as-args': true })
      .positional('files', {
        type: 'string',
        array: true,
        describe:
          'log files in any mix, each recognised by its structure: text or console copies, JSON lines or arrays, `aws logs filter-log-events`/`get-log-events`, Logs Insights JSON/CSV, subscription/Firehose/Kinesis payloads, forwarder records, Telemetry API; Google and Azure logs; - reads stdin',
      })
      .option('out', { type: 'string', describe: 'write samples JSONL to this file, creating missing folders (default: stdout)' })
      .option('variant', {
        type: 'string',
        describe:
          'variant name on every sample (default: the function name when the log gives it (JSON platform.initStart), else the file name without its extension; "stdin" for -)',
      })
      .option('platform', { choices: PLATFORMS, default: 'auto', describe: 'which platform wrote the logs (default: auto, recognised per file from its first lines)' })
      .epilogue('Exit codes: 0 samples imported, 1 no sample in the whole input (stderr says why, per file), 2 missing file or bad flag.'),
  resolve: (flags): ImportCommandOptions => {
    const files = flags.files ?? [];
    if (files.length === 0) throw new UsageError('name at least one log file', { hint: 'coldbench import app.log [more.log …]; - reads stdin.' });
    const platform = flags.platform;
    // String(): a repeated --variant arrives as an array, whatever its declared type.
    const variant = flags.variant === undefined ? undefined : String(flags.variant);
    if (variant !== undefined && variant.trim() === '') throw new UsageError('--variant: empty name', { hint: 'Give a name such as reuse@512, or leave the flag out.' });
    if (platform !== 'auto' && !(platform in PLATFORM_ASSEMBLERS)) {
      throw new UsageError(`--platform ${platform}: no log reader for it yet`, { hint: `Known: ${Object.keys(PLATFORM_ASSEMBLERS).join(', ')}, auto.` });
    }
    if (files.filter((f) => f === '-').length > 1) throw new UsageError('- (stdin) given more than once', { hint: 'Name stdin once.' });
    checkInputs(files);
    return { files, variant, platform, out: flags.out };
  },
  run: async ({ files, variant, platform, out }, io) => {
    const sink = openSink(out, io);
    const batch = new ByteBatch((bytes) => sink.write(bytes));
    const perFile: FileResult[] = [];
    try {
      for (const file of files) {
        perFile.push(await importOne(file, { variant, platform }, io, batch));
        batch.flush();
      }
    } finally {
      sink.close();
    }
    io.stderr(summarize(perFile, platform !== 'auto'));
    return perFile.some((f) => f.stats.samples > 0) ? EXIT_OK : EXIT_FINDING;
  },
});
