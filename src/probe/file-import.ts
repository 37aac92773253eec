/**
 * One log file's text, in chunks → samples. Decides per file which platform wrote it and
 * whether it is lines (text or JSON-lines platform logs, in any mix) or, for AWS, JSON read by
 * structure (json-reader.ts + aws-json.ts: CloudWatch FilterLogEvents / GetLogEvents output,
 * Logs Insights exports, subscription and Firehose payloads, forwarders' records, Telemetry API
 * arrays, pretty-printed or not, text lines in between); then streams it through that
 * platform's assembler. Pure: the CLI reads the file and writes the samples.
 */
import { ColdbenchError } from '../errors.ts';
import type { AssemblerStats, SampleAssembler } from './assembler.ts';
import { type AwsItem, AwsJsonReader } from './aws-json.ts';
import { JsonReader } from './json-reader.ts';
import { detectPlatform, PLATFORM_ASSEMBLERS } from './platforms.ts';
import type { Sample } from './sample.ts';
import { sampleToJson } from './sample-json.ts';

/** Lines looked at to recognise the platform when it is `auto`. */
export const DETECT_LINES = 50;
/** How much of a JSON file's start is looked at to tell which platform wrote it. */
const SNIFF_CHARS = 64 * 1024;
/** A file whose first character opens JSON (`{`, or `[` before `{`, `[`, `]` or the line's end). */
const OPENS_JSON = /^\uFEFF?\s*(?:\{|\[\s*(?:[{[\]]|$))/;
/** A file whose first characters are not JSON. */
const NOT_JSON = /^\uFEFF?\s*(?:[^\s{[\uFEFF]|\[\s*[^\s{[\]])/;

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
  format: 'lines' | 'json' | null;
  samples: number;
  cold: number;
  failed: number;
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
  const json = new JsonReader({ split: true });
  const aws = new AwsJsonReader();
  const items: AwsItem[] = [];
  /** What the JSON reader could not read (torn or truncated JSON). */
  const jsonMalformed: Array<{ line: number; reason: string }> = [];
  let jsonMalformedCount = 0;
  // Counted here for assemblers without pushJson (which count themselves).
  let samples = 0;
  let cold = 0;
  let failed = 0;
  /** JSON lines completed since the last push / end returned. */
  let out = '';

  const take = (got: Sample[]): void => {
    for (let k = 0; k < got.length; k++) {
      samples++;
      if (got[k].kind === 'cold') cold++;
      if (got[k].status !== 'success') failed++;
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

  const feedPieces = (pieces: ReturnType<JsonReader['push']>): void => {
    const a = assembler as SampleAssembler;
    for (const piece of pieces) {
      if (piece.type === 'text') {
        give(a, piece.text, piece.line, null);
      } else if (piece.type === 'malformed') {
        jsonMalformedCount++;
        if (jsonMalformed.length < 20) jsonMalformed.push({ line: piece.line, reason: piece.reason });
      } else {
        aws.read(piece.value, piece.parent, items);
        if (aws.timeouts.size > 0) {
          a.noteTimeouts?.(aws.timeouts);
          aws.timeouts.clear();
        }
        for (const item of items) {
          if (item.kind === 'line') give(a, item.text, piece.line, item.stream);
          // The AWS assembler counts its own samples (it has pushJson): only write them.
          else if (a.pushRecord !== undefined) for (const got of a.pushRecord(item.record, piece.line)) out += `${sampleToJson(got)}\n`;
        }
        items.length = 0;
      }
    }
  };

  const decide = (final: boolean): boolean => {
    if (NOT_JSON.test(sniffed)) format = 'lines';
    else if (OPENS_JSON.test(sniffed)) {
      // JSON: read by structure when AWS wrote it; Google's and Azure's readers take their JSON line by line.
      if (!final && sniffed.length < SNIFF_CHARS && sniffed.split('\n').length <= DETECT_LINES) return false;
      if (platform === null) platform = detectPlatform(sniffed.split('\n').slice(0, DETECT_LINES));
      format = platform === 'aws' ? 'json' : 'lines';
      // Nothing was fed yet, so no line waits: the assembler starts empty.
      if (format === 'json') assembler = startAssembler();
    } else if (final) format = 'lines';
    return format !== null;
  };

  const route = (text: string): void => {
    if (format === 'json') feedPieces(json.push(text));
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
      if (format === 'json') feedPieces(json.end());
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
      if (jsonMalformedCount > 0) {
        base.malformed.push(...jsonMalformed);
        base.malformed.sort((x, y) => x.line - y.line);
        base.malformedCount += jsonMalformedCount;
        base.skipped += jsonMalformedCount;
        base.skippedBy['unreadable JSON'] = (base.skippedBy['unreadable JSON'] ?? 0) + jsonMalformedCount;
      }
      return { ...base, platform, format, samples: samples + (base.samples ?? 0), cold: cold + (base.cold ?? 0), failed: failed + (base.failed ?? 0) };
    },
  };
}
