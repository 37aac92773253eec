/**
 * One log line → one platform record. Strips the prefixes that copies of CloudWatch logs carry
 * (timestamps in ISO, `date time`, `(+02:00)` or epoch form, a stream name, a log group,
 * `|` column separators, terminal colour codes: what `aws logs tail`, `sam logs`, exported
 * files and console copies write), then dispatches on the marker.
 */
import { parseJsonLine } from './parse-json.ts';
import { parseEnd, parseInitReport, parseInitStart, parseReport, parseRuntimeExit, parseStart, parseTimeout, parseXray } from './parse-text.ts';
import type { Malformed, PlatformRecord, RecordOrigin } from './records.ts';
import { parseReportFast } from './report-fast.ts';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
/** Lambda stream names: `YYYY/MM/DD/[$LATEST]<32 hex>` (or `[7]` for a published version). */
const STREAM_NAME = /^\d{4}\/\d{2}\/\d{2}\/\[[^\]]*\]\S*$/;
/** A date alone, when the time follows as its own token (`2024-01-15 10:23:45.123`, `2024/01/15 10:23:45`). */
const DATE_ONLY = /^\d{4}[-/]\d{2}[-/]\d{2}$/;
const TIME_ONLY = /^\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
/** A zone in parentheses (`serverless logs`: `2024-01-15 10:23:45.123 (+01:00)`), or `UTC`. */
const ZONE = /^(?:\([+-]\d{2}:?\d{2}\)|UTC|GMT)$/;
/** Epoch seconds or milliseconds (console tables, CSV-like copies). */
const EPOCH = /^\d{10}(?:\d{3})?$/;
/** A log group (`/aws/lambda/name`), as multi-group tails print it. */
const LOG_GROUP = /^\/aws\/\S+$/;
/** Column separators of console and table copies. */
const SEPARATOR = /^[|│┃]$/;
/** Terminal colour codes (`sam logs` and `serverless logs` in a terminal). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
/** Prefix tokens read at most: timestamps, zone, stream, group, separators, and the timeout line's own timestamp. */
const MAX_PREFIX_TOKENS = 8;
/** `serverless logs` (v4) writes `START - <id> - Version: $LATEST` and `END - <id>`. */
const SERVERLESS_START_END = /^(START|END) - (\S+)(?: - Version: (\S+))?\s*$/;

const NO_ORIGIN: RecordOrigin = { time: null, stream: null, format: 'text' };

const CH_R = 82; // R
const CH_BRACE = 123; // {

/**
 * Parses one log line, with or without a timestamp / stream-name prefix.
 * Returns null for lines that are not platform lines (application output, blank lines).
 * @example parseLine('REPORT RequestId: 8f1e…\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t') // { type: 'report', durationMs: 15.74, … }
 */
export function parseLine(line: string): PlatformRecord | null {
  const result = parseLineDetailed(line);
  return result === null || result.type === 'malformed' ? null : result;
}

/**
 * Like parseLine, but says why a line that looks like a platform line could not be read
 * (a Malformed with a reason) instead of returning null for it.
 */
export function parseLineDetailed(line: string, streamHint: string | null = null): PlatformRecord | Malformed | null {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 13 || line.charCodeAt(end - 1) === 10)) end--;
  let text = end === line.length ? line : line.slice(0, end);
  if (text.includes('\u001b')) text = text.replace(ANSI, '');
  // Fast path: an unprefixed REPORT line, by far the most common line in an import.
  if (text.charCodeAt(0) === CH_R && text.startsWith('REPORT RequestId: ')) {
    const origin: RecordOrigin = streamHint === null ? NO_ORIGIN : { time: null, stream: streamHint, format: 'text' };
    return parseReportFast(text, 7, origin) ?? parseReport(text, 7, origin);
  }
  let pos = 0;
  let time: string | null = null;
  let stream: string | null = streamHint;
  let columns = false;
  for (let i = 0; i < MAX_PREFIX_TOKENS; i++) {
    while (pos < text.length && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
    let tokenEnd = pos;
    while (tokenEnd < text.length && text.charCodeAt(tokenEnd) !== 32 && text.charCodeAt(tokenEnd) !== 9) tokenEnd++;
    const token = text.slice(pos, tokenEnd);
    if (token === '') break;
    if (ISO_TIME.test(token)) {
      if (time === null) time = token;
    } else if (STREAM_NAME.test(token)) {
      stream = token;
    } else if (DATE_ONLY.test(token)) {
      // A date then its time, as two tokens.
      let next = tokenEnd;
      while (next < text.length && (text.charCodeAt(next) === 32 || text.charCodeAt(next) === 9)) next++;
      let nextEnd = next;
      while (nextEnd < text.length && text.charCodeAt(nextEnd) !== 32 && text.charCodeAt(nextEnd) !== 9) nextEnd++;
      const clock = text.slice(next, nextEnd);
      if (!TIME_ONLY.test(clock)) break;
      if (time === null) time = `${token.replaceAll('/', '-')}T${clock}`;
      tokenEnd = nextEnd;
    } else if (SEPARATOR.test(token)) {
      columns = true;
    } else if (!(ZONE.test(token) || EPOCH.test(token) || LOG_GROUP.test(token))) {
      break;
    }
    pos = tokenEnd;
  }
  let rest = pos === 0 ? text : text.slice(pos).replace(/^[ \t]+/, '');
  // A table row (`| time | message |`) ends with its column separator.
  if (columns) rest = rest.replace(/[ \t]*[|│┃][ \t]*$/, '');
  return parseMessage(rest, time === null && stream === null ? NO_ORIGIN : { time, stream, format: 'text' });
}

function parseMessage(text: string, origin: RecordOrigin): PlatformRecord | Malformed | null {
  if (text.length === 0) return null;
  if (text.charCodeAt(0) === CH_BRACE) return parseJsonLine(text, origin.stream);
  let space = 0;
  while (space < text.length && text.charCodeAt(space) !== 32 && text.charCodeAt(space) !== 9) space++;
  const marker = text.slice(0, space);
  if ((marker === 'REPORT' || marker === 'START' || marker === 'END') && !isRequestIdNext(text, space)) {
    const sls = marker === 'REPORT' ? null : SERVERLESS_START_END.exec(text);
    if (sls === null) return null; // "START processing batch": application output that happens to begin with a marker word
    if (sls[1] === 'START') return { type: 'start', requestId: sls[2], version: sls[3] ?? null, ...origin };
    return { type: 'end', requestId: sls[2], ...origin };
  }
  switch (marker) {
    case 'REPORT':
      return parseReport(text, space + 1, origin);
    case 'START':
      return parseStart(text, space + 1, origin);
    case 'END':
      return parseEnd(text, space + 1, origin);
    case 'INIT_START':
      return parseInitStart(text, space + 1, origin);
    case 'INIT_REPORT':
      return parseInitReport(text, space + 1, origin);
    case 'XRAY':
      return parseXray(text, space + 1, origin);
    case 'RESTORE_START':
    case 'RESTORE_REPORT':
      // SnapStart: the REPORT carries Restore Duration and Billed Restore Duration; these lines are counted, not folded.
      return { type: 'otherPlatform', name: marker, ...origin };
    default:
      if (space === text.length) return null;
  }
  return parseRuntimeExit(text, origin) ?? parseTimeout(text, origin);
}

function isRequestIdNext(text: string, pos: number): boolean {
  while (pos < text.length && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
  return text.startsWith('RequestId', pos);
}
