/**
 * RFC 4180 CSV records from line-by-line input: a quoted field may hold commas, doubled
 * quotes and line breaks (Application Insights messages often do), so a record can span lines.
 */

/** A record still open after this many lines is a stray quote, not a message; it is dropped. */
export const MAX_CSV_RECORD_LINES = 1000;

export type CsvPiece = { type: 'record'; fields: string[]; line: number } | { type: 'malformed'; line: number; reason: string } | { type: 'pending' };

export class CsvRecordReader {
  private pending: string[] = [];
  private startLine = 0;

  /** Feeds one line; returns a record when it is complete. */
  push(line: string, lineNumber: number): CsvPiece {
    if (this.pending.length === 0) this.startLine = lineNumber;
    this.pending.push(line);
    const text = this.pending.join('\n');
    const fields = splitCsv(text);
    if (fields !== null) {
      this.pending = [];
      return { type: 'record', fields, line: this.startLine };
    }
    if (this.pending.length >= MAX_CSV_RECORD_LINES) {
      this.pending = [];
      return { type: 'malformed', line: this.startLine, reason: `CSV quote not closed within ${MAX_CSV_RECORD_LINES} lines` };
    }
    return { type: 'pending' };
  }

  /** A record still open at the end of the input is malformed. */
  end(): CsvPiece | null {
    if (this.pending.length === 0) return null;
    this.pending = [];
    return { type: 'malformed', line: this.startLine, reason: 'CSV quote not closed at the end of the input' };
  }
}

/**
 * The fields of one CSV record, or null while a quoted field is still open.
 * @example splitCsv('a,"b ""c"", d",3') // ['a', 'b "c", d', '3']
 */
export function splitCsv(text: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c !== '\r' || i !== text.length - 1) field += c;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}
