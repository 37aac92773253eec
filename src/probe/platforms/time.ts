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
