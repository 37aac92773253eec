/** Timestamp formats found in Google Cloud and Azure log exports, read into epoch milliseconds. */

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
/** The Azure portal's CSV export: `11/20/2026, 9:14:02.741 AM` (always UTC, per the `[UTC]` column name). */
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(AM|PM)?$/i;

/**
 * Epoch ms (fractional below 1 ms, to about a microsecond, so gcloud's nanosecond stamps keep their order) or null.
 * A time without a zone is UTC, as gcloud's TIME_UTC column and Azure's log stream write it.
 * @example parseTimestamp('2026-11-20T09:14:02.741203114Z') // 1795165242741.203
 */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) {
    const base = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    const offset = zoneOffsetMs(m[8]);
    return valid(base + fraction(m[7]) - offset, +m[2], +m[3], +m[4], +m[5], +m[6]);
  }
  m = US.exec(s);
  if (m) {
    let hour = +m[4];
    const ampm = m[8]?.toUpperCase();
    if (ampm && (hour < 1 || hour > 12)) return null;
    if (ampm === 'PM' && hour !== 12) hour += 12;
    if (ampm === 'AM' && hour === 12) hour = 0;
    const base = Date.UTC(+m[3], +m[1] - 1, +m[2], hour, +m[5], +m[6]);
    return valid(base + fraction(m[7]), +m[1], +m[2], hour, +m[5], +m[6]);
  }
  return null;
}

/**
 * A time as a log line prints it, with whether it names its zone.
 * `exact` is false for a wall-clock time in an unknown zone: Core Tools' culture forms
 * (`12/10/2019 8:11:31 PM`, `1/14/20 3:56:34 PM`, `05/03/2020 12:46:37`, printed in the machine's
 * local time) and times followed by a zone abbreviation other than UTC/GMT (`… 20:34:51.183 CLST`).
 * Such times still order lines, but are not reported as UTC instants (nothing is invented).
 */
export interface Stamp {
  ms: number;
  exact: boolean;
}

/** `M/D/YY[YY] h:mm:ss[.f] AM|PM` (en-US), `DD/MM/YYYY HH:mm:ss` (24-hour cultures: day first), `YYYY/MM/DD HH:mm:ss`. */
const CULTURE = /^(\d{1,4})[/.](\d{1,2})[/.](\d{2,4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:\s*(AM|PM))?$/i;
const ZONE_WORD = /^(.*\d)\s+([A-Z]{2,5})$/;

/**
 * Reads any time form a Google or Azure line prefix carries (see Stamp); null when `text` is none.
 * @example readStamp('[1/14/20 3:56:34 PM]'.slice(1, -1)) // { ms: Date.UTC(2020, 0, 14, 15, 56, 34), exact: false }
 */
export function readStamp(text: string): Stamp | null {
  const s = text.trim();
  const zoned = ZONE_WORD.exec(s);
  if (zoned && !/^[AP]M$/i.test(zoned[2])) {
    const ms = parseTimestamp(zoned[1]);
    if (ms === null || /[zZ]$|[+-]\d{2}:?\d{2}$/.test(zoned[1])) return null;
    return { ms, exact: zoned[2] === 'UTC' || zoned[2] === 'GMT' };
  }
  if (/^\d{4}-/.test(s)) {
    const ms = parseTimestamp(s);
    return ms === null ? null : { ms, exact: true };
  }
  const m = CULTURE.exec(s);
  if (!m) return null;
  let year: number;
  let month: number;
  let day: number;
  if (m[1].length === 4) [year, month, day] = [+m[1], +m[2], +m[3]];
  else if (m[8] !== undefined || +m[2] > 12) [month, day, year] = [+m[1], +m[2], +m[3]];
  else [day, month, year] = [+m[1], +m[2], +m[3]];
  if (m[1].length !== 4 && m[3].length === 3) return null;
  if (year < 100) year += 2000;
  let hour = +m[4];
  const ampm = m[8]?.toUpperCase();
  if (ampm && (hour < 1 || hour > 12)) return null;
  if (ampm === 'PM' && hour !== 12) hour += 12;
  if (ampm === 'AM' && hour === 12) hour = 0;
  const ms = valid(Date.UTC(year, month - 1, day, hour, +m[5], +m[6]) + fraction(m[7]), month, day, hour, +m[5], +m[6]);
  return ms === null ? null : { ms, exact: false };
}

function fraction(digits: string | undefined): number {
  return digits ? Number(`0.${digits}`) * 1000 : 0;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

function valid(ms: number, month: number, day: number, hour: number, minute: number, second: number): number | null {
  if (!Number.isFinite(ms)) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  return ms;
}
