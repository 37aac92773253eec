/**
 * The Invoke response's `X-Amz-Log-Result`: base64 of the last 4 KB of that invoke's log.
 */
import { parseLine } from './parse-line.ts';

/** Lambda keeps the last 4 KB of the log in LogResult; a tail this long may start mid-line. */
export const LOG_RESULT_MAX_BYTES = 4096;

/** Markers a platform line begins with when it is written from its first character. */
const LINE_STARTS = ['START RequestId: ', 'END RequestId: ', 'REPORT RequestId: ', 'INIT_START ', 'INIT_REPORT ', 'XRAY TraceId: ', 'RequestId: '];
/** The timeout line begins with its own full ISO timestamp. */
const TIMEOUT_LINE_START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * Is this first line of a cut tail whole? Only if it begins with a platform line's own marker
 * and parses as one: a cut inside a platform line leaves a fragment that starts with none of
 * them (`PORT RequestId…`, `ms\tMax Memory…`), and a JSON record cut anywhere but at its `{`
 * does not parse. A fragment of application output is dropped whatever it says — it is not a
 * platform line, so nothing is lost.
 */
function isWholeFirstLine(line: string): boolean {
  const starts = line.startsWith('{') || TIMEOUT_LINE_START.test(line) || LINE_STARTS.some((m) => line.startsWith(m));
  return starts && parseLine(line) !== null;
}

/**
 * Decodes an Invoke LogResult into its whole lines (no trailing newline, CR stripped).
 * Rule: a tail shorter than LOG_RESULT_MAX_BYTES is the whole log, so every line is whole; a
 * tail of that length or more was cut somewhere, so its first line is kept only when it
 * starts exactly at a platform line's beginning (see isWholeFirstLine), else dropped.
 * @example decodeLogResult(Buffer.from('START RequestId: r1 Version: $LATEST\nEND RequestId: r1\n').toString('base64')) // ['START RequestId: r1 Version: $LATEST', 'END RequestId: r1']
 */
export function decodeLogResult(logResultBase64: string): string[] {
  const bytes = Buffer.from(logResultBase64, 'base64');
  const lines = bytes.toString('utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  }
  if (bytes.length >= LOG_RESULT_MAX_BYTES && lines.length > 0 && !isWholeFirstLine(lines[0])) lines.shift();
  return lines;
}
