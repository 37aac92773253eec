/**
 * The REPORT line exactly as Lambda writes it — tab-separated, one space before each unit, the
 * fields in any order — read with indexOf jumps and no string but the request id. Anything it
 * does not recognise (spaces as separators, Status, unknown labels, bad values, duplicates)
 * makes it give up and return null; the general parser (parse-text.ts) then reads the line and
 * says what is wrong. It exists for speed only: a million-line import spends its time here.
 */
import { parseDecimalAt } from './fields.ts';
import type { RecordOrigin, ReportRecord } from './records.ts';
import {
  BILLED,
  BILLED_RESTORE,
  DURATION,
  FIELD_SLOTS,
  INIT,
  isCompleteReport,
  isUnitOf,
  MAX_MEMORY,
  MEMORY,
  REPORT_LABELS,
  REQUEST_ID,
  RESTORE,
  sampleLineTemplate,
  templateCache,
} from './report-fields.ts';

const TAB = 9;
const SPACE = 32;

const L_REQUEST_ID = 'RequestId: ';

/** text.startsWith(label, p) as an inlinable loop: the builtin call costs more than the compare for labels this short. */
function has(text: string, p: number, label: string): boolean {
  if (p + label.length > text.length) return false;
  for (let i = 0; i < label.length; i++) if (text.charCodeAt(p + i) !== label.charCodeAt(i)) return false;
  return true;
}

/**
 * Where each field's value text lay in the line parseReportFast read last, indexed by field id
 * (start at 2·id, end at 2·id+1). Shared and overwritten by every call: reportJsonFast reads it
 * right after, to copy the numbers' text instead of formatting the numbers again.
 */
const RAW = new Int32Array(2 * FIELD_SLOTS);
/** Each field's value in the line read last, by field id (as RAW, for the same use). */
const VALUE = new Float64Array(FIELD_SLOTS);

/** Field id by label. One short slice looked up natively beats a char loop. */
const FIELD_BY_LABEL: ReadonlyMap<string, number> = new Map(REPORT_LABELS.map(([id, label]) => [label, id]));

/**
 * What scanReportFast read last: one shared object, overwritten by every call, so the import's
 * fast lane allocates nothing per line but the request id and its output.
 */
export const scanned = {
  requestId: '',
  durationMs: 0,
  billedMs: 0,
  memoryMB: 0,
  maxMemoryMB: 0,
  initMs: null as number | null,
  restoreMs: null as number | null,
  billedRestoreMs: null as number | null,
};

/**
 * Reads a canonical REPORT line from `pos` (just after `REPORT `) into `scanned`; false when
 * the line is not in the canonical form (the general parser then takes it).
 */
export function scanReportFast(text: string, pos: number): boolean {
  const n = text.length;
  if (!has(text, pos, L_REQUEST_ID)) return false;
  const idStart = pos + L_REQUEST_ID.length;
  let tab = text.indexOf('\t', idStart);
  // No tab, an empty id, or a space inside the id: not the canonical form.
  if (tab <= idStart || text.lastIndexOf(' ', tab - 1) !== idStart - 1) return false;
  let initMs: number | null = null;
  let restoreMs: number | null = null;
  let billedRestoreMs: number | null = null;
  let seen = 0;
  while (tab >= 0 && tab + 1 < n) {
    const p = tab + 1;
    const colon = text.indexOf(': ', p);
    if (colon < 0) return false;
    const id = FIELD_BY_LABEL.get(text.slice(p, colon)) ?? 0;
    if (id === 0 || seen & id) return false;
    seen |= id;
    const valueStart = colon + 2;
    const space = text.indexOf(' ', valueStart);
    if (space < 0 || space + 2 >= n) return false;
    const value = parseDecimalAt(text, valueStart, space);
    if (Number.isNaN(value)) return false; // not a plain number (a tab inside the range lands here too)
    RAW[2 * id] = valueStart;
    RAW[2 * id + 1] = space;
    VALUE[id] = value;
    if (!isUnitOf(id, text.charCodeAt(space + 1), text.charCodeAt(space + 2))) return false;
    // After the unit: the end, a tab, or spaces then a tab ("27 ms \t" occurs in real lines).
    let q = space + 3;
    while (q < n && text.charCodeAt(q) === SPACE) q++;
    if (q < n && text.charCodeAt(q) !== TAB) return false;
    tab = q < n ? q : -1;
    switch (id) {
      case DURATION:
        scanned.durationMs = value;
        break;
      case INIT:
        initMs = value;
        break;
      case RESTORE:
        restoreMs = value;
        break;
      default:
        // Billed durations and memory sizes are whole numbers.
        if (!Number.isInteger(value)) return false;
        if (id === BILLED) scanned.billedMs = value;
        else if (id === MEMORY) scanned.memoryMB = value;
        else if (id === MAX_MEMORY) scanned.maxMemoryMB = value;
        else billedRestoreMs = value;
    }
  }
  if (!isCompleteReport(seen)) return false;
  scanned.requestId = text.slice(idStart, text.indexOf('\t', idStart));
  scanned.initMs = initMs;
  scanned.restoreMs = restoreMs;
  scanned.billedRestoreMs = billedRestoreMs;
  return true;
}

/**
 * Reads a canonical REPORT line from `pos` (just after `REPORT `), or returns null so the
 * general parser takes it.
 * @example parseReportFast('REPORT RequestId: r1\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t', 7, origin)
 */
export function parseReportFast(text: string, pos: number, origin: RecordOrigin): ReportRecord | null {
  if (!scanReportFast(text, pos)) return null;
  return {
    type: 'report',
    requestId: scanned.requestId,
    durationMs: scanned.durationMs,
    billedMs: scanned.billedMs,
    memoryMB: scanned.memoryMB,
    maxMemoryMB: scanned.maxMemoryMB,
    initMs: scanned.initMs,
    restoreMs: scanned.restoreMs,
    billedRestoreMs: scanned.billedRestoreMs,
    status: null,
    errorType: null,
    hasInit: scanned.initMs !== null,
    hasRestore: scanned.restoreMs !== null,
    time: origin.time,
    stream: origin.stream,
    format: 'text',
  };
}

/** Significant digits up to which a canonical decimal's text is exactly what String(number) prints. */
const MAX_CANONICAL_DIGITS = 15;

/**
 * The JSON of the number at text[start, end): the text itself when it is what String(value)
 * would print (no leading or trailing zeros, at most 15 digits, not below 1e-6 where String
 * switches to exponents), else String(value). Copying beats formatting a double by ~5×.
 */
function numberJson(text: string, start: number, end: number, value: number): string {
  const length = end - start;
  if (length > MAX_CANONICAL_DIGITS) return `${value}`;
  const first = text.charCodeAt(start);
  if (length > 1 && first === 48 && text.charCodeAt(start + 1) !== 46) return `${value}`; // "007"
  const dot = text.indexOf('.', start);
  if (dot >= 0 && dot < end) {
    if (text.charCodeAt(end - 1) === 48) return `${value}`; // "1.50"
    if (value < 1e-6) return `${value}`;
  }
  return text.slice(start, end);
}

/** The string template of each variant and optional-field set, built once. */
const templateFor = templateCache(sampleLineTemplate);

/**
 * The sample JSON line (with its newline) for the report scanReportFast just read from `text`,
 * with no other line of its request to fold in — byte for byte what
 * `sampleToJson(sampleFromReport(report, null, variant))` gives, without building either.
 * `variantJson` and `requestIdJson` are already JSON string literals.
 */
export function scannedReportJson(text: string, variantJson: string, requestIdJson: string): string {
  const mask = (scanned.initMs !== null ? INIT : 0) | (scanned.restoreMs !== null ? RESTORE : 0) | (scanned.billedRestoreMs !== null ? BILLED_RESTORE : 0);
  const { consts, fields } = templateFor(variantJson, mask);
  let json = consts[0];
  for (let k = 0; k < fields.length; k++) {
    const field = fields[k];
    json += field === REQUEST_ID ? requestIdJson : numberJson(text, RAW[2 * field], RAW[2 * field + 1], VALUE[field]);
    json += consts[k + 1];
  }
  return json;
}
