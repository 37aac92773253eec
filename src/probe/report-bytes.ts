/**
 * The byte lane of a large import: a canonical REPORT line read straight from the file's bytes
 * and its sample JSON line written straight into an output buffer. A million-line import spent
 * most of its time decoding UTF-8 into strings and encoding the JSON strings back; here no string
 * is made at all. It accepts a subset of what scanReportFast (report-fast.ts) accepts — the lines
 * whose every byte it can copy unchanged: a printable-ASCII request id that needs no escaping,
 * and numbers whose text, trailing fraction zeros cut, is what String(number) prints. Any other
 * line goes, decoded, through the string path, which stays the reference: both give the same
 * bytes (test/probe/report-bytes.test.ts, and the byte-lane properties in test/probe/fuzz.test.ts).
 */
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
  OPTIONAL,
  REPORT_LABELS,
  REQUEST_ID,
  RESTORE,
  sampleLineTemplate,
  templateCache,
  WHOLE,
} from './report-fields.ts';

const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const BACKSLASH = 92;
/** First byte that is not printable ASCII (DEL, then UTF-8 lead and continuation bytes). */
const DEL = 127;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

const PREFIX = ascii('REPORT RequestId: ');

/** Each field's label with its ": ", as bytes, by field id. */
const LABEL_BYTES: Uint8Array[] = [];
for (const [id, label] of REPORT_LABELS) LABEL_BYTES[id] = ascii(`${label}: `);

const CH_B = 66;
const CH_D = 68;
const CH_I = 73;
const CH_M = 77;
const CH_R = 82;

/** Significant digits up to which a decimal's text is exactly what String(number) prints (as numberJson). */
const MAX_COPY_DIGITS = 15;
/**
 * Zeros after "0." from which String(number) may switch to exponents (it does below 1e-6); the
 * lane leaves such numbers to the string path rather than judge the boundary.
 */
const SMALL_ZEROS = 5;

/**
 * What scanReportBytes read last, as byte offsets into its buffer: one shared array, overwritten
 * by every call, so the lane allocates nothing per line. The text to copy for field id is at
 * [2·id, 2·id+1).
 */
const RAW = new Int32Array(2 * FIELD_SLOTS);
let idStart = 0;
let idEnd = 0;
let seenLast = 0;
/** Where copyableNumberEnd's number stops being what String(number) prints: its trailing fraction zeros cut. */
let copyEnd = 0;

/** Byte classes of a request id: ID_OK may be copied as is into a JSON string. */
const ID_OK = 0;
const ID_TAB = 1;
const ID_BAD = 2;
const ID_CLASS = new Uint8Array(256).map((_, c) => {
  if (c === TAB) return ID_TAB;
  // Spaces are not canonical; controls, quotes, backslashes and non-ASCII need escaping or decoding.
  return c <= SPACE || c >= DEL || c === QUOTE || c === BACKSLASH ? ID_BAD : ID_OK;
});

function hasAt(b: Uint8Array, p: number, end: number, label: Uint8Array): boolean {
  if (p + label.length > end) return false;
  for (let i = 0; i < label.length; i++) if (b[p + i] !== label[i]) return false;
  return true;
}

/** The field whose label (with its ": ") starts at p; 0 if none. The first bytes pick the candidate. */
function labelAt(b: Uint8Array, p: number, end: number): number {
  let field: number;
  switch (b[p]) {
    case CH_D:
      field = DURATION;
      break;
    case CH_B:
      field = hasAt(b, p, end, LABEL_BYTES[BILLED]) ? BILLED : BILLED_RESTORE;
      break;
    case CH_M:
      field = b[p + 1] === 101 /* e */ ? MEMORY : MAX_MEMORY;
      break;
    case CH_I:
      field = INIT;
      break;
    case CH_R:
      field = RESTORE;
      break;
    default:
      return 0;
  }
  return hasAt(b, p, end, LABEL_BYTES[field]) ? field : 0;
}

/**
 * End of the plain decimal at b[p…) (digits, then for fractional fields optionally a dot and
 * digits), or -1 when String(number) would print it other than as its text with trailing
 * fraction zeros cut ("1.50" → 1.5, "2.0" → 2), which copyEnd marks: leading zeros, more than
 * 15 digits, tiny values. Those lines go to the string path.
 */
function copyableNumberEnd(b: Uint8Array, p: number, end: number, whole: boolean): number {
  let i = p;
  while (i < end && b[i] >= ZERO && b[i] <= NINE) i++;
  const intDigits = i - p;
  if (intDigits === 0 || (intDigits > 1 && b[p] === ZERO)) return -1; // "007" prints as 7
  copyEnd = i;
  if (i < end && b[i] === DOT) {
    if (whole) return -1;
    const dot = i;
    const fracStart = ++i;
    while (i < end && b[i] >= ZERO && b[i] <= NINE) i++;
    if (i === fracStart) return -1; // "1." is not a number
    let last = i;
    while (b[last - 1] === ZERO) last--;
    copyEnd = last === fracStart ? dot : last;
    if (b[p] === ZERO && last - fracStart >= SMALL_ZEROS) {
      let zeros = 0;
      while (zeros < SMALL_ZEROS && b[fracStart + zeros] === ZERO) zeros++;
      if (zeros === SMALL_ZEROS) return -1;
    }
  }
  return i - p > MAX_COPY_DIGITS ? -1 : i;
}

/**
 * Reads b[start, end) (one line, without its newline) as a canonical REPORT whose every byte
 * the lane can copy; false leaves the line to the string path. What it read is kept for
 * reportBytesId, reportBytesCold and writeReportBytes, until the next call.
 */
export function scanReportBytes(b: Uint8Array, start: number, end: number): boolean {
  if (!hasAt(b, start, end, PREFIX)) return false;
  let p = start + PREFIX.length;
  const id0 = p;
  let cls = ID_OK;
  while (p < end) {
    cls = ID_CLASS[b[p]];
    if (cls !== ID_OK) break;
    p++;
  }
  if (cls !== ID_TAB || p === end || p === id0) return false;
  const id1 = p;
  let tab = p;
  let seen = 0;
  while (tab + 1 < end) {
    const at = tab + 1;
    const field = labelAt(b, at, end);
    if (field === 0 || seen & field) return false;
    seen |= field;
    const valueStart = at + LABEL_BYTES[field].length;
    const valueEnd = copyableNumberEnd(b, valueStart, end, (field & WHOLE) !== 0);
    if (valueEnd < 0 || valueEnd + 2 >= end || b[valueEnd] !== SPACE) return false;
    RAW[2 * field] = valueStart;
    RAW[2 * field + 1] = copyEnd;
    if (!isUnitOf(field, b[valueEnd + 1], b[valueEnd + 2])) return false;
    // After the unit: the end, a tab, or spaces then a tab ("27 ms \t" occurs in real lines).
    let q = valueEnd + 3;
    while (q < end && b[q] === SPACE) q++;
    if (q < end && b[q] !== TAB) return false;
    tab = q;
  }
  if (!isCompleteReport(seen)) return false;
  idStart = id0;
  idEnd = id1;
  seenLast = seen;
  return true;
}

/** Start of the last accepted line's request id (accessors, so the lane allocates nothing). */
export const reportBytesIdStart = (): number => idStart;
/** End (exclusive) of the last accepted line's request id. */
export const reportBytesIdEnd = (): number => idEnd;
/** Whether the last accepted line was a cold start (it has an Init or Restore Duration). */
export const reportBytesCold = (): boolean => (seenLast & (INIT | RESTORE)) !== 0;

/**
 * A sample line as constant bytes with the line's bytes between them: consts[0], field
 * fields[0], consts[1], …, consts[last]. Merging the constants (variant, kind, keys, nulls)
 * leaves 5 to 7 native copies per line instead of 14.
 */
interface Template {
  consts: Uint8Array[];
  fields: Int32Array;
}

/** The byte template of the shared sample-line template, for a variant and the optional fields present. */
const templateFor = templateCache((variantJson: string, mask: number): Template => {
  const t = sampleLineTemplate(variantJson, mask);
  // The lane copies the request id's bytes bare (it needs no escaping): its quotes join the constants around it.
  const consts = t.consts.map((c, k) => `${k > 0 && t.fields[k - 1] === REQUEST_ID ? '"' : ''}${c}${t.fields[k] === REQUEST_ID ? '"' : ''}`);
  return { consts: consts.map((c) => Buffer.from(c)), fields: Int32Array.from(t.fields) };
});

/** Most bytes writeReportBytes adds beyond the line's own length and the variant's JSON (UTF-16 units × 3). */
export const REPORT_BYTES_OVERHEAD = 512;

/**
 * Writes the sample JSON line (with its newline) of the report scanReportBytes just accepted in
 * `b` into out at pos, and returns the position after it: byte for byte what scannedReportJson
 * gives for the same line. `variantJson` is the variant's JSON string literal. The caller leaves
 * room for the line's length + 3 × variantJson.length + REPORT_BYTES_OVERHEAD bytes.
 */
export function writeReportBytes(out: Uint8Array, pos: number, b: Uint8Array, variantJson: string): number {
  const { consts, fields } = templateFor(variantJson, seenLast & OPTIONAL);
  RAW[2 * REQUEST_ID] = idStart;
  RAW[2 * REQUEST_ID + 1] = idEnd;
  for (let k = 0; k < fields.length; k++) {
    // Constants natively (~5× a loop at their size), the line's short runs by a loop (too short for a native call to pay).
    const c = consts[k];
    out.set(c, pos);
    pos += c.length;
    const field = fields[k];
    for (let i = RAW[2 * field], e = RAW[2 * field + 1]; i < e; i++) out[pos++] = b[i];
  }
  const last = consts[fields.length];
  out.set(last, pos);
  return pos + last.length;
}
