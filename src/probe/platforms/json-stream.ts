/**
 * Line-by-line JSON objects for the Google and Azure readers: one object per line (JSON lines),
 * a pretty-printed top-level array of objects (`gcloud logging read --format=json`), or one
 * pretty-printed object; lines outside any JSON come back as text. A thin view of the one
 * streaming reader (../json-reader.ts), with top-level objects whole.
 */
import { JsonReader } from '../json-reader.ts';

export type JsonPiece =
  | { type: 'object'; value: Record<string, unknown>; line: number }
  | { type: 'text'; text: string; line: number }
  | { type: 'malformed'; line: number; reason: string }
  | { type: 'none' };

/** A line that opens JSON: `[` alone or before `{`/`]`/`[`, or `{`. Azure's `[2026-…] Executing` lines stay text. */
export function opensJson(line: string): boolean {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\uFEFF')) i++;
  if (line[i] === '{') return true;
  if (line[i] !== '[') return false;
  return /^\[\s*(?:$|[{\][])/.test(line.slice(i));
}

export class JsonObjectStream {
  private readonly reader = new JsonReader();

  /** True while inside a JSON array or object that has not closed yet. */
  get open(): boolean {
    return this.reader.open;
  }

  /** True when `push(line)` would return the line as text: callers can skip the piece objects. */
  isText(line: string): boolean {
    return !this.open && !opensJson(line);
  }

  /** Feeds one line; returns the objects it completed, or the line itself as text. */
  push(line: string, lineNumber: number): JsonPiece[] {
    return this.reader.pushLine(line, lineNumber).map(toPiece);
  }

  /** What is still open at the end of the input is malformed (a truncated export). */
  end(): JsonPiece[] {
    return this.reader.end().map(toPiece);
  }
}

function toPiece(p: ReturnType<JsonReader['end']>[number]): JsonPiece {
  if (p.type !== 'value') return p;
  if (p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value)) return { type: 'object', value: p.value as Record<string, unknown>, line: p.line };
  return { type: 'malformed', line: p.line, reason: 'JSON value is not an object' };
}
