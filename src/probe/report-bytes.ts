/**
 * The byte lane of a large import: a canonical REPORT line read straight from the file's bytes
 * and its sample JSON line written straight into an output buffer. A million-line import spent
 * most of its time decoding UTF-8 into strings and encoding the JSON strings back; here no string
 * is made at all. It accepts a subset of what scanReportFast (report-fast.ts) accepts — the lines
 * whose every byte it can copy unchanged: a printable-ASCII request id that needs no escaping,
 * and numbers whose text is what String(number) prints. Any other line goes, decoded, through the
 * string path, which stays the reference: both give the same bytes (test/probe/report-bytes.test.ts).
 */

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

// Field ids, also the bit each sets in `seen` (as in report-fast.ts).
const DURATION = 1;
const BILLED = 2;
const BILLED_RESTORE = 4;
const MEMORY = 8;
const MAX_MEMORY = 16;
const INIT = 32;
const RESTORE = 64;
/** Lambda always writes these four. */
const REQUIRED = DURATION | BILLED | MEMORY | MAX_MEMORY;
/** Billed durations and memory sizes are whole numbers: a dot in them is for the string path to judge. */
const WHOLE = BILLED | BILLED_RESTORE | MEMORY | MAX_MEMORY;
const MEMORY_FIELDS = MEMORY | MAX_MEMORY;

/** Each label with its ": ", by field id; the first byte picks the candidates. */
const LABELS: Array<[number, Uint8Array]> = [
  [DURATION, ascii('Duration: ')],
  [BILLED, ascii('Billed Duration: ')],
  [BILLED_RESTORE, ascii('Billed Restore Duration: ')],
  [MEMORY, ascii('Memory Size: ')],
  [MAX_MEMORY, ascii('Max Memory Used: ')],
  [INIT, ascii('Init Duration: ')],
  [RESTORE, ascii('Restore Duration: ')],
];
const CH_B = 66;
const CH_D = 68;
const CH_I = 73;
const CH_M = 77;
const CH_R = 82;
const CH_s = 115;
const CH_m = 109;

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
const RAW = new Int32Array(2 * 65);
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

/** The field whose label (with its ": ") starts at p; 0 if none. */
function labelAt(b: Uint8Array, p: number, end: number): number {
  let k: number;
  switch (b[p]) {
    case CH_D:
      k = 0;
      break;
    case CH_B:
      k = hasAt(b, p, end, LABELS[1][1]) ? 1 : 2;
      break;
    case CH_M:
      k = b[p + 1] === 101 /* e */ ? 3 : 4;
      break;
    case CH_I:
      k = 5;
      break;
    case CH_R:
      k = 6;
      break;
    default:
      return 0;
  }
  return hasAt(b, p, end, LABELS[k][1]) ? LABELS[k][0] : 0;
}

/** Length of the label of a field id, with its ": ". */
const LABEL_LENGTH = new Int32Array(65);
for (const [id, label] of LABELS) LABEL_LENGTH[id] = label.length;

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
  while (p < end && (cls = ID_CLASS[b[p]]) === ID_OK) p++;
  if (cls !== ID_TAB || p === end || p === id0) return false;
  const id1 = p;
  let tab = p;
  let seen = 0;
  while (tab + 1 < end) {
    const at = tab + 1;
    const field = labelAt(b, at, end);
    if (field === 0 || seen & field) return false;
    seen |= field;
    const valueStart = at + LABEL_LENGTH[field];
    const valueEnd = copyableNumberEnd(b, valueStart, end, (field & WHOLE) !== 0);
    if (valueEnd < 0 || valueEnd + 2 >= end || b[valueEnd] !== SPACE) return false;
    RAW[2 * field] = valueStart;
    RAW[2 * field + 1] = copyEnd;
    const u0 = b[valueEnd + 1];
    const u1 = b[valueEnd + 2];
    if (field & MEMORY_FIELDS ? u0 !== CH_M || u1 !== CH_B : u0 !== CH_m || u1 !== CH_s) return false;
    // After the unit: the end, a tab, or spaces then a tab ("27 ms \t" occurs in real lines).
    let q = valueEnd + 3;
    while (q < end && b[q] === SPACE) q++;
    if (q < end && b[q] !== TAB) return false;
    tab = q;
  }
  if ((seen & REQUIRED) !== REQUIRED || (seen & (INIT | RESTORE)) === (INIT | RESTORE)) return false;
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

// The fixed text of the sample line, in the key order of sampleToJson; an absent field's
// key and null are one piece. Constants go in with TypedArray#set (native, ~5× a loop at this size).
const OPEN = ascii('{"variant":');
const KIND_INIT = ascii(',"kind":"cold","coldBy":"init-duration","requestId":"');
const KIND_RESTORE = ascii(',"kind":"cold","coldBy":"restore","requestId":"');
const KIND_WARM = ascii(',"kind":"warm","coldBy":"none","requestId":"');
const K_INIT = ascii('","initMs":');
const K_INIT_NULL = ascii('","initMs":null');
const K_RESTORE = ascii(',"restoreMs":');
const K_RESTORE_NULL = ascii(',"restoreMs":null');
const K_BILLED_RESTORE = ascii(',"billedRestoreMs":');
const K_BILLED_RESTORE_NULL = ascii(',"billedRestoreMs":null');
const K_DURATION = ascii(',"durationMs":');
const K_BILLED = ascii(',"billedMs":');
const K_MEMORY = ascii(',"memoryMB":');
const K_MAX_MEMORY = ascii(',"maxMemoryMB":');
const CLOSE = ascii(',"status":"success","errorType":null,"clientMs":null}\n');

/** Most bytes writeReportBytes adds beyond the line's own length and the variant's JSON. */
export const REPORT_BYTES_OVERHEAD = 512;

/** Copies src[s, e) to out at pos; a loop, as these runs are too short for a native call to pay. */
function put(out: Uint8Array, pos: number, src: Uint8Array, s: number, e: number): number {
  for (let i = s; i < e; i++) out[pos++] = src[i];
  return pos;
}

function putConst(out: Uint8Array, pos: number, text: Uint8Array): number {
  out.set(text, pos);
  return pos + text.length;
}

/** Key and value of a field every canonical REPORT has. */
function putField(out: Uint8Array, pos: number, key: Uint8Array, b: Uint8Array, field: number): number {
  pos = putConst(out, pos, key);
  return put(out, pos, b, RAW[2 * field], RAW[2 * field + 1]);
}

/** Key and value of an optional field, or the key and null. */
function putOptional(out: Uint8Array, pos: number, key: Uint8Array, keyNull: Uint8Array, b: Uint8Array, field: number): number {
  if ((seenLast & field) === 0) return putConst(out, pos, keyNull);
  return putField(out, pos, key, b, field);
}

/**
 * Writes the sample JSON line (with its newline) of the report scanReportBytes just accepted in
 * `b` into out at pos, and returns the position after it: byte for byte what scannedReportJson
 * gives for the same line. `variantJson` is the variant's JSON string literal, UTF-8 encoded. The
 * caller leaves room for the line's length + variantJson.length + REPORT_BYTES_OVERHEAD bytes.
 */
export function writeReportBytes(out: Uint8Array, pos: number, b: Uint8Array, variantJson: Uint8Array): number {
  pos = putConst(out, pos, OPEN);
  pos = putConst(out, pos, variantJson);
  pos = putConst(out, pos, seenLast & INIT ? KIND_INIT : seenLast & RESTORE ? KIND_RESTORE : KIND_WARM);
  pos = put(out, pos, b, idStart, idEnd);
  pos = putOptional(out, pos, K_INIT, K_INIT_NULL, b, INIT);
  pos = putOptional(out, pos, K_RESTORE, K_RESTORE_NULL, b, RESTORE);
  pos = putOptional(out, pos, K_BILLED_RESTORE, K_BILLED_RESTORE_NULL, b, BILLED_RESTORE);
  pos = putField(out, pos, K_DURATION, b, DURATION);
  pos = putField(out, pos, K_BILLED, b, BILLED);
  pos = putField(out, pos, K_MEMORY, b, MEMORY);
  pos = putField(out, pos, K_MAX_MEMORY, b, MAX_MEMORY);
  return putConst(out, pos, CLOSE);
}
