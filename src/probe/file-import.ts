/**
 * One log file's text, in chunks → samples. Decides per file whether it is lines (text or
 * JSON-lines platform logs, in any mix) or a CloudWatch FilterLogEvents / GetLogEvents JSON
 * document, and which platform wrote it; then streams it through that platform's assembler.
 * Pure: the CLI reads the file and writes the samples.
 */
import { ColdbenchError } from '../errors.ts';
import type { AssemblerStats, SampleAssembler } from './assembler.ts';
import { CLOUDWATCH_FIRST_KEYS, CloudWatchJsonError, createCloudWatchJsonReader } from './cloudwatch-json.ts';
import { detectPlatform, PLATFORM_ASSEMBLERS } from './platforms.ts';
import type { Sample } from './sample.ts';
import { sampleToJson } from './sample-json.ts';

/** Lines looked at to recognise the platform when it is `auto`. */
export const DETECT_LINES = 50;
/** How much of a file's start is looked at to tell a CloudWatch JSON document from lines. */
const SNIFF_CHARS = 4096;

export interface FileImportOptions {
  /** A key of PLATFORM_ASSEMBLERS, or `auto`. */
  platform: string;
  variant?: string;
  fallbackVariant: string;
  /** Timed-out requests found by a first pass (TimeoutScanner), so a timeout line after its REPORT counts. */
  timedOut?: ReadonlyMap<string, number | null>;
}

export interface FileImportStats extends AssemblerStats {
  platform: string | null;
  format: 'lines' | 'cloudwatch-json' | null;
  samples: number;
  cold: number;
}

/** A --platform with no assembler registered in PLATFORM_ASSEMBLERS. */
export class UnknownPlatformError extends ColdbenchError {
  constructor(readonly platform: string) {
    super(`platform "${platform}" has no log reader (known: ${Object.keys(PLATFORM_ASSEMBLERS).join(', ')})`);
  }
}

/**
 * Reads one file's text; push chunks in order (any size, already decoded), then end(). Both
 * return the samples completed so far as JSON lines (each ending in a newline; '' when none).
 */
export interface FileImporter {
  push(chunk: string): string;
  end(): string;
  stats(): FileImportStats;
  /**
   * Hands the rest of the lines to a caller that reads them from bytes (byte-import.ts): the
   * running assembler and the count of lines read so far, once the file is known to be lines
   * read by an assembler with a byte lane and no partial line is held; null otherwise. After a
   * hand-off the caller gives every further line to the assembler and calls only end() and stats().
   */
  handOff(): { assembler: SampleAssembler; lineNumber: number } | null;
}

/**
 * Creates the importer of one file.
 * @example const f = createFileImporter({ platform: 'auto', fallbackVariant: 'app' }); f.push('REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n'); f.end()
 */
export function createFileImporter(options: FileImportOptions): FileImporter {
  if (options.platform !== 'auto' && !(options.platform in PLATFORM_ASSEMBLERS)) throw new UnknownPlatformError(options.platform);
  let format: FileImportStats['format'] = null;
  let sniffed = '';
  let carry = '';
  let lineNumber = 0;
  let assembler: SampleAssembler | null = null;
  let platform: string | null = options.platform === 'auto' ? null : options.platform;
  const waiting: Array<{ line: string; n: number; stream: string | null }> = [];
  const json = createCloudWatchJsonReader();
  let jsonFailure: { line: number; reason: string } | null = null;
  // Counted here for assemblers without pushJson (which count themselves).
  let samples = 0;
  let cold = 0;
  /** JSON lines completed since the last push / end returned. */
  let out = '';

  const take = (got: Sample[]): void => {
    for (let k = 0; k < got.length; k++) {
      samples++;
      if (got[k].kind === 'cold') cold++;
      out += `${sampleToJson(got[k])}\n`;
    }
  };
  const give = (a: SampleAssembler, line: string, n: number, stream: string | null): void => {
    const context = stream === null ? undefined : { stream };
    if (a.pushJson !== undefined) out += a.pushJson(line, n, context);
    else take(a.push(line, n, context));
  };
  const startAssembler = (): SampleAssembler => {
    if (platform === null) platform = detectPlatform(waiting.map((w) => w.line));
    const a = PLATFORM_ASSEMBLERS[platform]({ variant: options.variant, fallbackVariant: options.fallbackVariant, timedOut: options.timedOut });
    for (const w of waiting.splice(0)) give(a, w.line, w.n, w.stream);
    return a;
  };

  const feed = (line: string, n: number, stream: string | null): void => {
    if (assembler !== null) {
      give(assembler, line, n, stream);
      return;
    }
    waiting.push({ line, n, stream });
    if (waiting.length >= DETECT_LINES) assembler = startAssembler();
  };

  const feedText = (text: string): void => {
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      carry += text;
      return;
    }
    if (carry !== '') {
      feed(carry + text.slice(0, nl), ++lineNumber, null);
      carry = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      feed(text.slice(start, nl), ++lineNumber, null);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    carry = text.slice(start);
  };

  const feedJson = (text: string): void => {
    if (jsonFailure !== null) return;
    try {
      for (const event of json.push(text)) {
        for (const line of event.message.split('\n')) {
          if (line !== '') feed(line, event.line, event.stream);
        }
      }
    } catch (error) {
      if (!(error instanceof CloudWatchJsonError)) throw error;
      jsonFailure = { line: error.line, reason: `CloudWatch JSON: ${error.message}; the rest of this file was not read` };
    }
  };

  const decide = (final: boolean): boolean => {
    const m = /^\s*\{\s*"([^"\\]*)"/.exec(sniffed);
    if (m) format = CLOUDWATCH_FIRST_KEYS.has(m[1]) ? 'cloudwatch-json' : 'lines';
    else if (final || sniffed.length >= SNIFF_CHARS || /^\s*[^\s{]/.test(sniffed)) format = 'lines';
    return format !== null;
  };

  const route = (text: string): void => {
    if (format === 'cloudwatch-json') feedJson(text);
    else feedText(text);
  };

  const flush = (): string => {
    const text = out;
    out = '';
    return text;
  };

  return {
    push(chunk) {
      if (format === null) {
        sniffed += chunk;
        if (!decide(false)) return '';
        const all = sniffed;
        sniffed = '';
        route(all);
        return flush();
      }
      route(chunk);
      return flush();
    },
    end() {
      if (format === null) {
        decide(true);
        route(sniffed);
        sniffed = '';
      }
      if (format === 'lines' && carry !== '') {
        feed(carry, ++lineNumber, null);
        carry = '';
      }
      if (format === 'cloudwatch-json' && jsonFailure === null) {
        try {
          json.end();
        } catch (error) {
          if (!(error instanceof CloudWatchJsonError)) throw error;
          jsonFailure = { line: error.line, reason: `CloudWatch JSON: ${error.message}` };
        }
      }
      if (assembler === null) assembler = startAssembler();
      take(assembler.end());
      return flush();
    },
    handOff() {
      if (format !== 'lines' || assembler === null || carry !== '') return null;
      if (assembler.closeCanonicalReport === undefined || assembler.pushJson === undefined) return null;
      return { assembler, lineNumber };
    },
    stats() {
      const base: AssemblerStats = assembler?.stats() ?? { records: 0, skipped: 0, skippedBy: {}, malformed: [], malformedCount: 0 };
      if (jsonFailure !== null) {
        base.malformed.push(jsonFailure);
        base.malformedCount++;
        base.skipped++;
        base.skippedBy['unreadable CloudWatch JSON'] = (base.skippedBy['unreadable CloudWatch JSON'] ?? 0) + 1;
      }
      return { ...base, platform, format, samples: samples + (base.samples ?? 0), cold: cold + (base.cold ?? 0) };
    },
  };
}
