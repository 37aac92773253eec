/**
 * The canonical REPORT line's fields, as both fast scanners read them: report-fast.ts (from a
 * string) and report-bytes.ts (from a file's bytes), and the sample line both write for it. One
 * table of labels, one set of rules and one template, so the two lanes cannot drift apart on
 * what a canonical line is or what it becomes.
 */

// Field ids, also the bit each sets in a scanner's `seen` mask.
export const DURATION = 1;
export const BILLED = 2;
export const BILLED_RESTORE = 4;
export const MEMORY = 8;
export const MAX_MEMORY = 16;
export const INIT = 32;
export const RESTORE = 64;
/** Size of a table indexed by field id. */
export const FIELD_SLOTS = 65;

/** Duration, Billed Duration, Memory Size and Max Memory Used: Lambda always writes these. */
export const REQUIRED = DURATION | BILLED | MEMORY | MAX_MEMORY;
/** Billed durations and memory sizes are whole numbers. */
export const WHOLE = BILLED | BILLED_RESTORE | MEMORY | MAX_MEMORY;
/** Fields in MB; the others are in ms. */
export const MEMORY_FIELDS = MEMORY | MAX_MEMORY;
/** The fields a line may lack; which of them it has picks the sample line's shape. */
export const OPTIONAL = INIT | RESTORE | BILLED_RESTORE;

/** Each field's label as Lambda writes it (before its ": "). */
export const REPORT_LABELS: ReadonlyArray<readonly [id: number, label: string]> = [
  [DURATION, 'Duration'],
  [BILLED, 'Billed Duration'],
  [BILLED_RESTORE, 'Billed Restore Duration'],
  [MEMORY, 'Memory Size'],
  [MAX_MEMORY, 'Max Memory Used'],
  [INIT, 'Init Duration'],
  [RESTORE, 'Restore Duration'],
];

/** Whether the fields seen make a whole line: the four required ones, and not both Init and Restore. */
export function isCompleteReport(seen: number): boolean {
  return (seen & REQUIRED) === REQUIRED && (seen & (INIT | RESTORE)) !== (INIT | RESTORE);
}

const CH_M = 77;
const CH_B = 66;
const CH_m = 109;
const CH_s = 115;

/** Whether u0 u1, the two characters after a value's space, are its field's unit ("MB" or "ms"). */
export function isUnitOf(field: number, u0: number, u1: number): boolean {
  return field & MEMORY_FIELDS ? u0 === CH_M && u1 === CH_B : u0 === CH_m && u1 === CH_s;
}

/** Field id that stands for the request id in a sample-line template. */
export const REQUEST_ID = 0;

/** A line as constant text with a field's value between each two constants: consts[0], fields[0], consts[1], …, consts[last]. */
export interface SampleLineTemplate {
  consts: string[];
  fields: number[];
}

/**
 * The sample JSON line (with its newline) of a canonical REPORT with no other line of its
 * request to fold in, for a variant (`variantJson`, a JSON string literal) and the optional
 * fields present (`mask` of OPTIONAL): sampleToJson's key order, each field id standing for its
 * value's JSON (REQUEST_ID for the request id's JSON string literal). Both lanes write from it.
 */
export function sampleLineTemplate(variantJson: string, mask: number): SampleLineTemplate {
  const kind = mask & INIT ? '"cold","coldBy":"init-duration"' : mask & RESTORE ? '"cold","coldBy":"restore"' : '"warm","coldBy":"none"';
  const parts: Array<string | number> = [`{"variant":${variantJson},"kind":${kind},"requestId":`, REQUEST_ID, ',"initMs":'];
  parts.push(mask & INIT ? INIT : 'null', ',"restoreMs":', mask & RESTORE ? RESTORE : 'null', ',"billedRestoreMs":');
  parts.push(mask & BILLED_RESTORE ? BILLED_RESTORE : 'null', ',"durationMs":', DURATION, ',"billedMs":', BILLED);
  parts.push(',"memoryMB":', MEMORY, ',"maxMemoryMB":', MAX_MEMORY, ',"status":"success","errorType":null,"clientMs":null}\n');
  const consts: string[] = [];
  const fields: number[] = [];
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    consts.push(text);
    fields.push(part);
    text = '';
  }
  consts.push(text);
  return { consts, fields };
}

/**
 * `build` cached for the variant written last, by mask: a file has one variant, so each of its
 * templates is built once.
 */
export function templateCache<T>(build: (variantJson: string, mask: number) => T): (variantJson: string, mask: number) => T {
  let of: string | null = null;
  let byMask: Array<T | undefined> = [];
  return (variantJson, mask) => {
    if (variantJson !== of) {
      of = variantJson;
      byMask = [];
    }
    const cached = byMask[mask];
    if (cached !== undefined && cached !== null) return cached;
    const built = build(variantJson, mask);
    byMask[mask] = built;
    return built;
  };
}
