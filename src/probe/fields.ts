/**
 * The `Label: value [unit]` fields of Lambda's text platform lines, read in one pass.
 * Real CloudWatch events separate fields with tabs; copies in docs and issues use spaces, so
 * both are accepted and fields are matched by label, never by position.
 */

const TAB = 9;
const SPACE = 32;
const COLON = 58;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Units a field value may carry; a word after a value is taken as its unit only if listed here. */
const UNITS: ReadonlySet<string> = new Set(['ms', 'MB', 's', 'sec', 'seconds', 'us', 'ns', 'B', 'KB', 'GB', 'KiB', 'MiB', 'GiB']);

/** Decimal digits a double holds exactly; longer mantissas go through Number() instead. */
const EXACT_DIGITS = 15;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The field nextField just read. One shared object, overwritten by every call: the REPORT
 * parser runs once per line of a million-line import, and allocating nothing per field is
 * what keeps it near the speed of merely reading the file.
 */
export const field = { label: '', value: '', unit: null as string | null, error: '' };

/** nextField's result when the line has no more fields. */
export const FIELDS_END = -1;
/** nextField's result when the rest of the line is not a field; `field.error` says why. */
export const FIELDS_BAD = -2;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/**
 * Reads the next `Label: value [unit]` field of `text` from `pos` into `field` and returns the
 * position after it; FIELDS_END when only blanks remain; FIELDS_BAD (reason in `field.error`)
 * for text without a `:` or a label without a value — a torn or foreign line.
 * @example nextField('RequestId: 8f1e\tDuration: 15.74 ms\t', 0) // field = { label: 'RequestId', value: '8f1e', unit: null }
 */
export function nextField(text: string, pos: number): number {
  const n = text.length;
  let p = pos;
  while (p < n && isBlank(text.charCodeAt(p))) p++;
  if (p >= n) return FIELDS_END;
  const labelStart = p;
  let c = text.charCodeAt(p);
  while (p < n && c !== COLON && c !== TAB) c = text.charCodeAt(++p);
  if (p >= n || c === TAB) {
    field.error = `text "${clip(text.slice(labelStart, p))}" is not a "Label: value" field (torn line?)`;
    return FIELDS_BAD;
  }
  const label = text.slice(labelStart, p);
  p++;
  while (p < n && text.charCodeAt(p) === SPACE) p++;
  const valueStart = p;
  while (p < n && !isBlank(text.charCodeAt(p))) p++;
  if (p === valueStart) {
    field.error = `${label}: no value (torn line?)`;
    return FIELDS_BAD;
  }
  field.label = label;
  field.value = text.slice(valueStart, p);
  field.unit = null;
  // A unit follows its value after one space (never a tab): "27 ms \t".
  let q = p;
  while (q < n && text.charCodeAt(q) === SPACE) q++;
  if (q > p && q < n) {
    let r = q;
    while (r < n && !isBlank(text.charCodeAt(r)) && text.charCodeAt(r) !== COLON) r++;
    if (r === n || isBlank(text.charCodeAt(r))) {
      const word = text.slice(q, r);
      if (UNITS.has(word)) {
        field.unit = word;
        p = r;
      }
    }
  }
  return p;
}

/** Called once per field by scanFields; returns an error message to stop, or null to go on. */
export type FieldVisitor = (label: string, value: string, unit: string | null) => string | null;

/**
 * Calls `visit` for each field of the rest of the line (for the rarer lines, where a callback
 * reads better than a loop). Returns null when the whole rest was fields, else why not.
 * @example scanFields('RequestId: 8f1e Version: $LATEST', 0, visit)
 */
export function scanFields(text: string, pos: number, visit: FieldVisitor): string | null {
  let p = pos;
  for (;;) {
    p = nextField(text, p);
    if (p === FIELDS_END) return null;
    if (p === FIELDS_BAD) return field.error;
    const error = visit(field.label, field.value, field.unit);
    if (error !== null) return error;
  }
}

/**
 * Parses a plain non-negative decimal (`15.74`, `128`), exactly as Number() would. NaN for
 * anything else: signs, exponents, `1,024`, `0x10`, empty, or an integer part beyond 2^53
 * (it could not be kept exactly as reported).
 * @example parseDecimal('130.49') // 130.49
 */
export function parseDecimal(s: string): number {
  return parseDecimalAt(s, 0, s.length);
}

/** parseDecimal on `s.slice(start, end)`, without making the slice. */
export function parseDecimalAt(s: string, start: number, end: number): number {
  if (end <= start) return NaN;
  let intPart = 0;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) break;
    if (c < ZERO || c > NINE) return NaN;
    intPart = intPart * 10 + (c - ZERO);
  }
  const digits = i - start;
  if (digits === 0) return NaN;
  if (intPart > Number.MAX_SAFE_INTEGER) return NaN;
  if (i === end) return intPart;
  let frac = 0;
  const fracStart = i + 1;
  for (i = fracStart; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return NaN;
    frac = frac * 10 + (c - ZERO);
  }
  const fracDigits = end - fracStart;
  if (fracDigits === 0) return NaN;
  if (digits + fracDigits > EXACT_DIGITS) return Number(s.slice(start, end));
  // Both operands are exact integers and the division is correctly rounded, so this equals Number(s).
  return (intPart * POW10[fracDigits] + frac) / POW10[fracDigits];
}

/** Shortens foreign text quoted in a reason so the summary stays one line. */
export function clip(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
