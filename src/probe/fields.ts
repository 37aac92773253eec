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
 * Called once per field; returns an error message to stop the scan (the line is malformed),
 * or null to go on. `unit` is null when no unit word followed the value.
 */
export type FieldVisitor = (label: string, value: string, unit: string | null) => string | null;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/**
 * Reads `Label: value [unit]` fields from `text` starting at `pos`, calling `visit` for each.
 * Returns null when the whole rest of the line was fields, else why it was not (a torn or
 * foreign line): text without a `:`, a label without a value.
 * @example scanFields('RequestId: 8f1e\tDuration: 15.74 ms\t', 0, visit) // visits ('RequestId','8f1e',null), ('Duration','15.74','ms')
 */
export function scanFields(text: string, pos: number, visit: FieldVisitor): string | null {
  const n = text.length;
  let p = pos;
  for (;;) {
    while (p < n && isBlank(text.charCodeAt(p))) p++;
    if (p >= n) return null;
    const labelStart = p;
    let c = text.charCodeAt(p);
    while (p < n && c !== COLON && c !== TAB) c = text.charCodeAt(++p);
    if (p >= n || c === TAB) return `text "${clip(text.slice(labelStart, p))}" is not a "Label: value" field (torn line?)`;
    const label = text.slice(labelStart, p);
    p++;
    while (p < n && text.charCodeAt(p) === SPACE) p++;
    const valueStart = p;
    while (p < n && !isBlank(text.charCodeAt(p))) p++;
    if (p === valueStart) return `${label}: no value (torn line?)`;
    const value = text.slice(valueStart, p);
    // A unit follows its value after one space (never a tab): "27 ms \t".
    let unit: string | null = null;
    let q = p;
    while (q < n && text.charCodeAt(q) === SPACE) q++;
    if (q > p && q < n) {
      let r = q;
      while (r < n && !isBlank(text.charCodeAt(r)) && text.charCodeAt(r) !== COLON) r++;
      if (r === n || isBlank(text.charCodeAt(r))) {
        const word = text.slice(q, r);
        if (UNITS.has(word)) {
          unit = word;
          p = r;
        }
      }
    }
    const error = visit(label, value, unit);
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
  const n = s.length;
  if (n === 0) return NaN;
  let intPart = 0;
  let i = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) break;
    if (c < ZERO || c > NINE) return NaN;
    intPart = intPart * 10 + (c - ZERO);
    digits++;
  }
  if (digits === 0) return NaN;
  if (intPart > Number.MAX_SAFE_INTEGER) return NaN;
  if (i === n) return intPart;
  let frac = 0;
  let fracDigits = 0;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return NaN;
    frac = frac * 10 + (c - ZERO);
    fracDigits++;
  }
  if (fracDigits === 0) return NaN;
  if (digits + fracDigits > EXACT_DIGITS) return Number(s);
  // Both operands are exact integers and the division is correctly rounded, so this equals Number(s).
  return (intPart * POW10[fracDigits] + frac) / POW10[fracDigits];
}

/** Shortens foreign text quoted in a reason so the summary stays one line. */
export function clip(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
