/**
 * coldbench's one streaming JSON reader. It takes text in chunks of any size (or line by line)
 * and splits it into the values a log export is made of, without ever holding more than one of
 * them: JSON lines, a top-level array of records (pretty-printed or on one line), documents one
 * after the other (`}{` included, as Firehose writes them), a wrapper object whose array holds
 * the records (`{"events": […]}`, `{"payload": […]}`, `{"logEvents": […]}`, `{"results": [[…]]}`),
 * and lines outside any JSON, which come back as text. Each value is parsed by JSON.parse once
 * it is complete, so memory is bounded by the largest single record, not by the file.
 *
 * - At the start of a line, `{` opens JSON; so does `[` followed by `{`, `]`, `[` or the line's
 *   end (so Azure's `[2026-…] Executing` stays text); any other line is text.
 * - Elements of a top-level array come out one by one. With `split`, so do the object or array
 *   elements of an array directly inside a top-level object (the wrapper), each with `parent`:
 *   the wrapper's other keys read so far (the array itself empty) and `key`, the array's key. A
 *   wrapper none of whose arrays held objects comes out whole.
 * - JSON strings never span lines: a line break inside one is a torn record; it is reported and
 *   reading resumes at the next line. So is a record larger than MAX_JSON_VALUE_CHARS.
 * Pure: no I/O.
 */

/** One record larger than this is not a log entry; it is dropped as malformed so memory stays bounded. */
export const MAX_JSON_VALUE_CHARS = 64 * 1024 * 1024;

export type JsonPiece =
  | { type: 'value'; value: unknown; line: number; parent: Record<string, unknown> | null; key: string | null }
  | { type: 'text'; text: string; line: number }
  | { type: 'malformed'; line: number; reason: string };

export interface JsonReaderOptions {
  /** Split the record arrays of a top-level wrapper object into their elements (AWS import); else top-level objects come out whole. */
  split?: boolean;
  maxValueChars?: number;
}

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BOM = 0xfeff;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_OBJ = 123;
const CLOSE_OBJ = 125;
const OPEN_ARR = 91;
const CLOSE_ARR = 93;

const Mode = {
  /** At a line's start, outside JSON: deciding text or JSON from the line's first characters. */
  LineStart: 0,
  /** Inside a text line. */
  Text: 1,
  /** Inside JSON. */
  Json: 2,
  /** After a top-level value closed, on the same line. */
  After: 3,
  /** Skipping the rest of a line after an error. */
  Skip: 4,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** A value being captured: its text so far, kept as chunk slices. */
interface Capture {
  parts: string[];
  /** Start of the current slice in the chunk being read; -1 while suspended. */
  from: number;
  size: number;
  line: number;
  /** The depth the value's opening bracket brought the reader to. */
  depth: number;
  dropped: boolean;
}

/** A streaming reader: push text in order, then end(); each returns the pieces completed. */
export class JsonReader {
  private readonly split: boolean;
  private readonly max: number;
  private mode: Mode = Mode.LineStart;
  private line = 1;
  private head = '';
  private text = '';
  /** Open containers: true for an array. */
  private stack: boolean[] = [];
  private inString = false;
  private escaped = false;
  /** A scalar element of an array is being skipped (not captured). */
  private inScalar = false;
  /** The root (depth 1) capture, and the element capture under it. */
  private root: Capture | null = null;
  private unit: Capture | null = null;
  /** An array directly inside a root object just opened; its first element decides whether it is split. */
  private pendingSplit = false;
  /** Splitting the array at depth 2 of a root object: its elements are units. */
  private splitting = false;
  private splitParent: Record<string, unknown> | null = null;
  private splitKey: string | null = null;
  /** Elements emitted from the current root object's arrays. */
  private splitCount = 0;
  private out: JsonPiece[] = [];

  constructor(options: JsonReaderOptions = {}) {
    this.split = options.split === true;
    this.max = options.maxValueChars ?? MAX_JSON_VALUE_CHARS;
  }

  /** True while inside JSON that has not closed yet. */
  get open(): boolean {
    return this.stack.length > 0;
  }

  /**
   * Feeds one line (without its line break) numbered by the caller, for readers that go line by
   * line (the Google and Azure readers, which pass only the lines that are not plain text).
   */
  pushLine(line: string, lineNumber: number): JsonPiece[] {
    if (this.mode === Mode.LineStart && this.head === '') this.line = lineNumber;
    return this.push(`${line}\n`);
  }

  /** Feeds text (any size, any cut). */
  push(chunk: string): JsonPiece[] {
    this.scan(chunk);
    const out = this.out;
    this.out = [];
    return out;
  }

  /** The input ended: what is still open is malformed (a truncated export). */
  end(): JsonPiece[] {
    if (this.mode === Mode.LineStart && this.head !== '') this.decideHead(true);
    if (this.mode === Mode.Text) {
      this.out.push({ type: 'text', text: this.text, line: this.line });
      this.text = '';
    }
    if (this.stack.length > 0) {
      const line = this.unit?.line ?? (this.stack.length > 0 && !this.stack[0] ? (this.root?.line ?? 0) : 0);
      this.out.push({ type: 'malformed', line, reason: 'JSON not closed at the end of the input (a truncated export?)' });
      this.resetJson();
    }
    this.mode = Mode.LineStart;
    const out = this.out;
    this.out = [];
    return out;
  }

  private resetJson(): void {
    this.stack = [];
    this.inString = false;
    this.escaped = false;
    this.inScalar = false;
    this.root = null;
    this.unit = null;
    this.pendingSplit = false;
    this.splitting = false;
    this.splitParent = null;
    this.splitKey = null;
    this.splitCount = 0;
  }

  /** Decides a line's kind from its head; `final` when the line (or input) ended. Returns true when it is JSON. */
  private decideHead(final: boolean): boolean | null {
    const h = this.head;
    let i = 0;
    while (i < h.length && (h.charCodeAt(i) === SPACE || h.charCodeAt(i) === TAB || h.charCodeAt(i) === BOM)) i++;
    if (i === h.length) {
      if (!final) return null;
      this.text = h;
      this.mode = Mode.Text;
      return false;
    }
    const c = h.charCodeAt(i);
    let json = false;
    if (c === OPEN_OBJ) json = true;
    else if (c === OPEN_ARR) {
      let j = i + 1;
      while (j < h.length && (h.charCodeAt(j) === SPACE || h.charCodeAt(j) === TAB || h.charCodeAt(j) === CR)) j++;
      if (j === h.length) {
        if (!final) return null;
        json = true;
      } else {
        const d = h.charCodeAt(j);
        json = d === OPEN_OBJ || d === CLOSE_ARR || d === OPEN_ARR;
      }
    }
    if (!json) {
      this.text = h;
      this.mode = Mode.Text;
      return false;
    }
    // Re-read the head as JSON (it holds only whitespace and brackets), then the chunk from `at`.
    this.head = '';
    this.mode = Mode.Json;
    this.scanJson(h, i);
    return true;
  }

  /** A text line: takes the rest of it at once; returns where the next line starts, or -1 when the chunk ends first. */
  private takeText(chunk: string, from: number): number {
    const nl = chunk.indexOf('\n', from);
    this.text += nl < 0 ? chunk.slice(from) : chunk.slice(from, nl);
    if (nl < 0) return -1;
    this.endTextLine();
    return nl + 1;
  }

  private scan(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.mode) {
        case Mode.LineStart: {
          const c = chunk.charCodeAt(i);
          if (c === NL) {
            const decided = this.decideHead(true);
            if (decided === false) this.endTextLine();
            else if ((this.mode as Mode) === Mode.Json) this.scanJson('\n', 0);
            else this.newLine();
            i++;
            continue;
          }
          this.head += chunk[i];
          i++;
          const decided = this.decideHead(false);
          if (decided === false) {
            i = this.takeText(chunk, i);
            if (i < 0) return;
          }
          continue;
        }
        case Mode.Text: {
          i = this.takeText(chunk, i);
          if (i < 0) return;
          continue;
        }
        case Mode.Skip: {
          const nl = chunk.indexOf('\n', i);
          if (nl < 0) return;
          this.newLine();
          i = nl + 1;
          continue;
        }
        case Mode.After: {
          const c = chunk.charCodeAt(i);
          if (c === NL) {
            this.newLine();
            i++;
          } else if (c === SPACE || c === TAB || c === CR || c === COMMA) i++;
          else if (c === OPEN_OBJ || c === OPEN_ARR) this.mode = Mode.Json;
          else {
            this.out.push({ type: 'malformed', line: this.line, reason: `unexpected ${JSON.stringify(chunk[i])} between JSON objects` });
            this.mode = Mode.Skip;
          }
          continue;
        }
        default:
          i = this.scanJson(chunk, i);
      }
    }
  }

  private newLine(): void {
    this.line++;
    this.mode = Mode.LineStart;
    this.head = '';
  }

  private endTextLine(): void {
    this.out.push({ type: 'text', text: this.text, line: this.line });
    this.text = '';
    this.newLine();
  }

  /** Reads JSON from chunk[i]; returns where it stopped (the chunk's end, or where the mode changed). */
  private scanJson(chunk: string, start: number): number {
    const n = chunk.length;
    const root = this.root;
    if (root !== null && root.from === -2) root.from = start;
    if (this.unit !== null && this.unit.from === -2) this.unit.from = start;
    let i = start;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        else if (c === NL) {
          this.tornString();
          return i + 1;
        }
        continue;
      }
      if (this.inScalar) {
        if (c === COMMA || c === CLOSE_ARR || c === CLOSE_OBJ || c === SPACE || c === NL || c === TAB || c === CR) this.inScalar = false;
        else continue;
      }
      switch (c) {
        case NL:
          this.line++;
          break;
        case QUOTE:
          if (this.atElementLevel()) {
            // A string element of a top-level array (or of a split array): skipped.
            this.elementScalar(chunk, i);
          }
          this.inString = true;
          break;
        case OPEN_OBJ:
        case OPEN_ARR:
          this.openContainer(chunk, i, c === OPEN_ARR);
          break;
        case CLOSE_OBJ:
        case CLOSE_ARR: {
          const isArray = c === CLOSE_ARR;
          const top = this.stack.length === 0 ? null : this.stack[this.stack.length - 1];
          if (top === null || top !== isArray) {
            this.out.push({ type: 'malformed', line: this.unit?.line ?? this.root?.line ?? this.line, reason: `unexpected ${JSON.stringify(chunk[i])}` });
            this.resetJson();
            this.mode = Mode.Skip;
            return i + 1;
          }
          this.stack.pop();
          this.pendingSplit = false;
          const depth = this.stack.length;
          if (this.unit !== null && depth + 1 === this.unit.depth) this.closeUnit(chunk, i);
          if (this.splitting && depth === 1) this.endSplit(i);
          if (depth === 0) {
            this.closeRoot(chunk, i);
            this.mode = Mode.After;
            return i + 1;
          }
          break;
        }
        case SPACE:
        case TAB:
        case CR:
        case COMMA:
        case 58: // :
          break;
        default:
          if (this.atElementLevel()) this.elementScalar(chunk, i);
          this.inScalar = true;
      }
    }
    this.suspendSlices(chunk, n);
    return n;
  }

  /** True when the next value would be an element of a top-level array or of the array being split. */
  private atElementLevel(): boolean {
    const d = this.stack.length;
    if (this.pendingSplit && d === 2) return true;
    return (d === 1 && this.stack[0]) || (this.splitting && d === 2);
  }

  private elementScalar(chunk: string, i: number): void {
    if (this.pendingSplit) {
      // An array of scalars inside a root object: part of the object, not split.
      this.pendingSplit = false;
      return;
    }
    if (!this.split && this.stack.length === 1) this.out.push({ type: 'malformed', line: this.line, reason: `unexpected ${JSON.stringify(chunk[i])} between JSON objects` });
  }

  private openContainer(chunk: string, i: number, isArray: boolean): void {
    const d = this.stack.length;
    if (d === 0) {
      this.resetJson();
      if (!isArray) this.root = this.newCapture(i, 1);
    } else if (d === 1 && this.stack[0]) {
      this.unit = this.newCapture(i, 2);
    } else if (this.pendingSplit && d === 2) {
      this.startSplit(chunk, i);
      this.unit = this.newCapture(i, 3);
    } else if (this.splitting && d === 2) {
      this.unit = this.newCapture(i, 3);
    } else if (this.split && d === 1 && isArray && this.root !== null) {
      this.pendingSplit = true;
    }
    this.stack.push(isArray);
  }

  private newCapture(i: number, depth: number): Capture {
    return { parts: [], from: i, size: 0, line: this.line, depth, dropped: false };
  }

  /** The chunk ends inside captured values: keep their slices. */
  private suspendSlices(chunk: string, n: number): void {
    for (const cap of [this.root, this.unit]) {
      if (cap === null || cap.from < 0 || cap.dropped) {
        if (cap !== null && cap.from >= 0) cap.from = -2;
        continue;
      }
      this.append(cap, chunk.slice(cap.from, n));
      cap.from = -2; // resumes at the next chunk's start
    }
  }

  private append(cap: Capture, piece: string): void {
    if (cap.dropped) return;
    cap.size += piece.length;
    if (cap.size > this.max) {
      cap.dropped = true;
      cap.parts = [];
      this.out.push({ type: 'malformed', line: cap.line, reason: `JSON value longer than ${this.max} characters` });
      return;
    }
    cap.parts.push(piece);
  }

  private finish(cap: Capture, chunk: string, i: number): string | null {
    if (cap.from >= 0) this.append(cap, chunk.slice(cap.from, i + 1));
    if (cap.dropped) return null;
    const text = cap.parts.length === 1 ? cap.parts[0] : cap.parts.join('');
    cap.parts = [];
    return text;
  }

  private parse(text: string, line: number): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      this.out.push({ type: 'malformed', line, reason: `invalid JSON: ${(error as Error).message.slice(0, 120)}` });
      return { ok: false };
    }
  }

  private closeUnit(chunk: string, i: number): void {
    const unit = this.unit as Capture;
    this.unit = null;
    const text = this.finish(unit, chunk, i);
    if (text === null) return;
    const parsed = this.parse(text, unit.line);
    if (!parsed.ok) return;
    if (this.splitting) this.splitCount++;
    this.out.push({ type: 'value', value: parsed.value, line: unit.line, parent: this.splitting ? this.splitParent : null, key: this.splitting ? this.splitKey : null });
  }

  /** The first element of an array directly in the root object opened: split it. */
  private startSplit(chunk: string, i: number): void {
    this.pendingSplit = false;
    this.splitting = true;
    const root = this.root as Capture;
    // The root's text so far ends with `"key": [`: closing it gives the keys read so far.
    const prefix = this.finishPrefix(root, chunk, i);
    this.splitParent = null;
    this.splitKey = null;
    if (prefix !== null) {
      try {
        const parent = JSON.parse(`${prefix}]}`) as Record<string, unknown>;
        const keys = Object.keys(parent);
        this.splitKey = keys.length > 0 ? keys[keys.length - 1] : null;
        this.splitParent = parent;
      } catch {
        this.splitParent = null;
      }
    }
  }

  /** Takes the root capture's text up to chunk[i] (exclusive) and suspends it until the split array closes. */
  private finishPrefix(root: Capture, chunk: string, i: number): string | null {
    if (root.from >= 0) this.append(root, chunk.slice(root.from, i));
    root.from = -1;
    if (root.dropped) return null;
    const text = root.parts.join('');
    root.parts = [text];
    return text;
  }

  private endSplit(i: number): void {
    this.splitting = false;
    const root = this.root;
    if (root !== null) root.from = i; // resume with the array's `]`
  }

  private closeRoot(chunk: string, i: number): void {
    const root = this.root;
    const split = this.splitCount;
    this.root = null;
    this.pendingSplit = false;
    this.splitCount = 0;
    if (root === null) return; // a top-level array: its elements came out already
    const text = this.finish(root, chunk, i);
    if (text === null || split > 0) return;
    const parsed = this.parse(text, root.line);
    if (!parsed.ok) return;
    this.out.push({ type: 'value', value: parsed.value, line: root.line, parent: null, key: null });
  }

  private tornString(): void {
    const line = this.unit?.line ?? this.root?.line ?? this.line;
    this.out.push({ type: 'malformed', line, reason: 'JSON string not closed on its line' });
    this.resetJson();
    this.newLine();
  }
}
