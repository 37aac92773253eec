/**
 * One log line → one platform record. Strips the prefixes that copies of CloudWatch logs carry
 * (an ISO timestamp, a stream name, as `aws logs tail` and exported files write them), then
 * dispatches on the marker.
 */
import { parseJsonLine } from './parse-json.ts';
import { parseEnd, parseInitReport, parseInitStart, parseReport, parseRuntimeExit, parseStart, parseTimeout, parseXray } from './parse-text.ts';
import type { Malformed, PlatformRecord, RecordOrigin } from './records.ts';
import { parseReportFast } from './report-fast.ts';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
/** Lambda stream names: `YYYY/MM/DD/[$LATEST]<32 hex>` (or `[7]` for a published version). */
const STREAM_NAME = /^\d{4}\/\d{2}\/\d{2}\/\[[^\]]*\]\S*$/;
/** A line carries at most a timestamp, a stream name and (the timeout line) its own timestamp. */
const MAX_PREFIX_TOKENS = 3;

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
  const text = end === line.length ? line : line.slice(0, end);
  // Fast path: an unprefixed REPORT line, by far the most common line in an import.
  if (text.charCodeAt(0) === CH_R && text.startsWith('REPORT RequestId: ')) {
    const origin: RecordOrigin = streamHint === null ? NO_ORIGIN : { time: null, stream: streamHint, format: 'text' };
    return parseReportFast(text, 7, origin) ?? parseReport(text, 7, origin);
  }
  let pos = 0;
  let time: string | null = null;
  let stream: string | null = streamHint;
  for (let i = 0; i < MAX_PREFIX_TOKENS; i++) {
    while (pos < text.length && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
    let tokenEnd = pos;
    while (tokenEnd < text.length && text.charCodeAt(tokenEnd) !== 32 && text.charCodeAt(tokenEnd) !== 9) tokenEnd++;
    const token = text.slice(pos, tokenEnd);
    if (ISO_TIME.test(token)) {
      if (time === null) time = token;
    } else if (STREAM_NAME.test(token)) {
      stream = token;
    } else {
      break;
    }
    pos = tokenEnd;
  }
  const rest = pos === 0 ? text : text.slice(pos).replace(/^[ \t]+/, '');
  return parseMessage(rest, time === null && stream === null ? NO_ORIGIN : { time, stream, format: 'text' });
}

function parseMessage(text: string, origin: RecordOrigin): PlatformRecord | Malformed | null {
  if (text.length === 0) return null;
  if (text.charCodeAt(0) === CH_BRACE) return parseJsonLine(text, origin.stream);
  let space = 0;
  while (space < text.length && text.charCodeAt(space) !== 32 && text.charCodeAt(space) !== 9) space++;
  const marker = text.slice(0, space);
  if ((marker === 'REPORT' || marker === 'START' || marker === 'END') && !isRequestIdNext(text, space)) {
    return null; // "START processing batch": application output that happens to begin with a marker word
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
    default:
      if (space === text.length) return null;
  }
  return parseRuntimeExit(text, origin) ?? parseTimeout(text, origin);
}

function isRequestIdNext(text: string, pos: number): boolean {
  while (pos < text.length && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) pos++;
  return text.startsWith('RequestId', pos);
}
