/**
 * `coldbench import`'s work, loaded only when it runs: platform logs → samples JSONL, streamed,
 * and the per-file summary on stderr. The flags are defined and checked in import.ts.
 */
import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { cannotWrite, EXIT_FINDING, EXIT_OK } from '../errors.ts';
import type { CliIO, CommandResult } from '../io.ts';
import { ByteBatch, createByteFileImporter } from '../../probe/byte-import.ts';
import { createFileImporter, type FileImportStats } from '../../probe/file-import.ts';
import { excerpt, explainLookalike, FirstLookalike } from '../../probe/platforms/diagnose.ts';
import { TimeoutScanner } from '../../probe/timeouts.ts';
import type { ImportCommandOptions } from './import.ts';

/** Read size; larger chunks mean fewer stream callbacks for the same bytes. */
const READ_CHUNK_BYTES = 256 * 1024;
/** Malformed lines shown on stderr; the rest are counted. */
const MALFORMED_SHOWN = 5;
/** Extensions dropped from a file name to make its default variant name. */
const LOG_EXTENSIONS = /\.(log|txt|json|jsonl|ndjson)$/i;

/** Variant name from a file name: `logs/reuse@512.log` → `reuse@512`; stdin → `stdin`. */
function variantFromFileName(file: string): string {
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

/** `coldbench import`'s work: every file (or stdin) read in turn, its samples written as they come, one summary on stderr. */
export async function importLogs({ files, variant, platform, out }: ImportCommandOptions, io: CliIO): Promise<CommandResult> {
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
}
