/**
 * Splits line-by-line input into JSON objects: one object per line (JSON lines), a
 * pretty-printed top-level array of objects (`gcloud logging read --format=json`), or one
 * pretty-printed object; lines outside any JSON come back as text. Pure and incremental.
 */

/** One object larger than this is not a log entry; it is dropped as malformed so memory stays bounded. */
export const MAX_JSON_OBJECT_CHARS = 64 * 1024 * 1024;

export type JsonPiece =
  | { type: 'object'; value: Record<string, unknown>; line: number }
  | { type: 'text'; text: string; line: number }
  | { type: 'malformed'; line: number; reason: string }
  | { type: 'none' };

/** A line that opens JSON: `[` alone or before `{`/`]`, or `{`. Azure's `[2026-…] Executing` lines stay text. */
export function opensJson(line: string): boolean {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\uFEFF')) i++;
  if (line[i] === '{') return true;
  if (line[i] !== '[') return false;
  return /^\[\s*(?:$|[{\]])/.test(line.slice(i));
}

export class JsonObjectStream {
  private depth = 0;
  private inArray = false;
  private inString = false;
  private escaped = false;
  private chunks: string[] = [];
  private size = 0;
  private startLine = 0;

  /** True while inside a JSON array or object that has not closed yet. */
  get open(): boolean {
    return this.inArray || this.depth > 0;
  }

  /** True when `push(line)` would return the line as text: callers can skip the piece objects. */
  isText(line: string): boolean {
    return !this.open && !opensJson(line);
  }

  /** Feeds one line; returns the objects it completed, or the line itself as text. */
  push(line: string, lineNumber: number): JsonPiece[] {
    if (!this.open && !opensJson(line)) return [{ type: 'text', text: line, line: lineNumber }];
    return this.scan(line, lineNumber);
  }

  /** What is still open at the end of the input is malformed (a truncated export). */
  end(): JsonPiece[] {
    if (!this.open) return [];
    const line = this.depth > 0 ? this.startLine : 0;
    this.reset();
    return [{ type: 'malformed', line, reason: 'JSON not closed at the end of the input (a truncated export?)' }];
  }

  private reset(): void {
    this.depth = 0;
    this.inArray = false;
    this.inString = false;
    this.escaped = false;
    this.chunks = [];
    this.size = 0;
  }

  private scan(line: string, lineNumber: number): JsonPiece[] {
    const out: JsonPiece[] = [];
    let objectStart = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (this.depth > 0) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === '\\') this.escaped = true;
          else if (c === '"') this.inString = false;
          continue;
        }
        if (c === '"') this.inString = true;
        else if (c === '{' || c === '[') this.depth += 1;
        else if (c === '}' || c === ']') {
          this.depth -= 1;
          if (this.depth === 0) {
            this.chunks.push(line.slice(objectStart, i + 1));
            out.push(this.finishObject());
            objectStart = -1;
          }
        }
        continue;
      }
      // Between objects: at the top level or directly inside the top-level array.
      if (c === '{') {
        this.depth = 1;
        this.startLine = lineNumber;
        objectStart = i;
      } else if (c === '[' && !this.inArray) this.inArray = true;
      else if (c === ']' && this.inArray) this.inArray = false;
      else if (c === ',' || c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') continue;
      else {
        out.push({ type: 'malformed', line: lineNumber, reason: `unexpected ${JSON.stringify(c)} between JSON objects` });
        if (!this.inArray) return out;
      }
    }
    if (this.depth > 0) {
      if (this.inString) {
        // JSON strings never span lines: the object is broken; drop it and resynchronise.
        const start = this.startLine;
        this.reset();
        out.push({ type: 'malformed', line: start, reason: 'JSON string not closed on its line' });
        return out;
      }
      const piece = `${line.slice(objectStart)}\n`;
      this.chunks.push(piece);
      this.size += piece.length;
      if (this.size > MAX_JSON_OBJECT_CHARS) {
        const start = this.startLine;
        this.reset();
        out.push({ type: 'malformed', line: start, reason: `JSON object longer than ${MAX_JSON_OBJECT_CHARS} characters` });
      }
    }
    return out;
  }

  private finishObject(): JsonPiece {
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) return { type: 'object', value: value as Record<string, unknown>, line: this.startLine };
      return { type: 'malformed', line: this.startLine, reason: 'JSON value is not an object' };
    } catch (error) {
      return { type: 'malformed', line: this.startLine, reason: `invalid JSON: ${(error as Error).message.slice(0, 120)}` };
    }
  }
}
