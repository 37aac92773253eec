/**
 * What a console copy or an export puts before a Google or Azure platform message, read by its
 * structure rather than by one tool's layout: any sequence of times (bare or in brackets, ISO or a
 * culture form, with a zone word), log levels (`D`, `INFO`, `[Information]`, `-`) and words that
 * name the function and the execution (`hello_http`, `hello_http:`, `[igx30b2gw5gg]`), in any
 * order and with any spacing. Tools differ only in which of these they print and in what order:
 * `gcloud functions logs read` (LEVEL NAME EXECUTION_ID TIME_UTC), `firebase functions:log`
 * (TIME LEVEL NAME:), a console copy (TIME ZONE NAME EXECUTION_ID), Core Tools (`[TIME]`), the
 * log stream (TIME `[Level]`), a CI log that adds its own time before Core Tools' one.
 */
import { readStamp, type Stamp } from './time.ts';

const LEVEL_WORDS = new Set([
  'D',
  'I',
  'N',
  'W',
  'E',
  'C',
  'A',
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'WARN',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
  'TRACE',
  'INFORMATION',
  'FATAL',
]);

/** `2026-11-20T09:14:02.101Z`, `2026-11-20 09:14:02.101`, `1/14/20 3:56:34 PM`, `05/03/2020 12:46:37`, optionally followed by a zone word. */
const TIME_AT =
  /(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\d{1,4}[/.]\d{1,2}[/.]\d{2,4},?\s+\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s*[AaPp][Mm])?)(?:\s+([A-Z]{2,5})(?=\s|\]|$))?/g;

/** A line's prefix, read. */
export interface Prefix {
  /** The time closest to the message (the platform's own when a copy adds another), preferring one that names its zone. */
  stamp: Stamp | null;
  /** The words left once times and levels are taken out: the function and the execution, in that order. */
  words: string[];
}

/**
 * Reads the text before a platform message.
 * @example readPrefix('D        udmi_reflect  igx30b2gw5gg  2022-10-05 21:30:57.004  ') // { stamp: {…}, words: ['udmi_reflect', 'igx30b2gw5gg'] }
 */
export function readPrefix(head: string): Prefix {
  let stamp: Stamp | null = null;
  const rest = head.replace(TIME_AT, (whole, time: string, zone: string | undefined) => {
    // A zone word that is a level (`… 09:14:02 INFO`) is not a zone.
    const zoneWord = zone !== undefined && !LEVEL_WORDS.has(zone.toUpperCase()) ? zone : undefined;
    const read = (zoneWord ? readStamp(`${time} ${zoneWord}`) : null) ?? readStamp(time);
    if (read !== null && (stamp === null || read.exact || !stamp.exact)) stamp = read;
    return zoneWord ? ' ' : whole.slice(time.length);
  });
  const words: string[] = [];
  for (const raw of rest.split(/\s+/)) {
    const word = raw.replace(/^[[(]+|[\])]+$/g, '').replace(/:$/, '');
    if (word === '' || word === '-' || LEVEL_WORDS.has(word.toUpperCase())) continue;
    words.push(word);
  }
  return { stamp, words };
}

/** Strips a leading run of times and levels (`[2019-12-10T20:11:31.123Z]`, `2026-…  [Information]`) off a line. */
export function splitLeadingPrefix(line: string): { text: string; stamp: Stamp | null } {
  let i = 0;
  let stamp: Stamp | null = null;
  for (;;) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    const bracket = line[i] === '[' ? line.indexOf(']', i) : -1;
    if (bracket > i) {
      const inner = line.slice(i + 1, bracket);
      const read = readStamp(inner);
      if (read !== null) {
        if (stamp === null || read.exact || !stamp.exact) stamp = read;
        i = bracket + 1;
        continue;
      }
      if (LEVEL_WORDS.has(inner.trim().toUpperCase())) {
        i = bracket + 1;
        continue;
      }
      break;
    }
    TIME_AT.lastIndex = 0;
    const m = TIME_AT.exec(line.slice(i));
    if (m && m.index === 0) {
      const read = readStamp(m[0]) ?? readStamp(m[1]);
      if (read === null) break;
      if (stamp === null || read.exact || !stamp.exact) stamp = read;
      i += readStamp(m[0]) === null ? m[1].length : m[0].length;
      continue;
    }
    break;
  }
  return { text: line.slice(i), stamp };
}
