/**
 * Timeout lines found ahead of the assembler. Lambda prints `<time> <request id> Task timed out
 * after 3.00 seconds` before the request's END / REPORT, but CloudWatch exports and console
 * copies often print it after the REPORT, when the assembler has already closed the sample. One
 * cheap first pass over the input (a byte search; a regex only where the phrase occurs) gives the
 * assembler every timed-out request id up front, in any format that keeps the line's text
 * (plain lines, JSON lines, CloudWatch JSON documents).
 */

const PHRASE = 'Task timed out after ';
const PHRASE_BYTES = Buffer.from(PHRASE, 'latin1');
/** The id and its separator sit right before the phrase; this much context is enough for both forms. */
const CONTEXT_BEFORE = 200;
const CONTEXT_AFTER = 40;
/** Context of one occurrence, and so the bytes kept from one chunk to the next. */
const SPAN = CONTEXT_BEFORE + PHRASE.length + CONTEXT_AFTER;
/** `RequestId: <id> Error: Task timed out after N seconds` or `<id> Task timed out after N seconds`. */
// A JSON string keeps a tab as the two characters \t: that counts as a separator too.
const TIMEOUT_LINE = /(?:RequestId:[ \t]+([^\s"'|\\]+)[ \t]+Error:[ \t]+|(?:^|[\s"'|]|\\t)([^\s"'|\\]+)[ \t]+)Task timed out after (\d+(?:\.\d+)?) seconds/;

/** Request id → the seconds its timeout line gave. */
export type TimedOutRequests = Map<string, number | null>;

/**
 * Reads the request id and seconds of a timeout line from the text around one occurrence of the
 * phrase (`at` is where the phrase starts); null when the text is not a timeout line.
 * @example timeoutAround('2026-01-01T00:00:00Z 8f1e Task timed out after 3.00 seconds', 21) // { requestId: '8f1e', seconds: 3 }
 */
export function timeoutAround(text: string, at: number): { requestId: string; seconds: number } | null {
  const window = text.slice(Math.max(0, at - CONTEXT_BEFORE), at + PHRASE.length + CONTEXT_AFTER);
  const before = text.slice(Math.max(0, at - CONTEXT_BEFORE), at);
  // Anchor the match on this occurrence: the window starts CONTEXT_BEFORE (or fewer) characters earlier.
  const match = TIMEOUT_LINE.exec(window.slice(Math.max(0, before.lastIndexOf('\n') + 1)));
  if (match === null) return null;
  return { requestId: match[1] ?? match[2], seconds: Number(match[3]) };
}

/** Every timeout line's request id in a text (a whole input, or a list of lines joined). */
export function timeoutsInText(text: string, into: TimedOutRequests = new Map()): TimedOutRequests {
  for (let at = text.indexOf(PHRASE); at >= 0; at = text.indexOf(PHRASE, at + PHRASE.length)) {
    const found = timeoutAround(text, at);
    if (found !== null) into.set(found.requestId, found.seconds);
  }
  return into;
}

/**
 * The first pass over a file read in chunks: push every chunk in order, then read `found`.
 * Chunks are searched as bytes in place; only the few hundred bytes around the chunk boundary
 * are copied, and only the context of an occurrence is decoded.
 */
export class TimeoutScanner {
  readonly found: TimedOutRequests = new Map();
  /** The input's last SPAN bytes so far. */
  private tail: Buffer = Buffer.alloc(0);
  /** The tail is the whole input so far (nothing before it was cut off). */
  private tailIsStart = true;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    // An occurrence whose context crosses the boundary is read from the tail plus the chunk's
    // head; inside the chunk, one nearer its start than CONTEXT_BEFORE was read that way already
    // (its id may begin in the previous chunk).
    if (this.tail.length > 0) this.scan(Buffer.concat([this.tail, chunk.subarray(0, SPAN)]), this.tailIsStart ? 0 : CONTEXT_BEFORE);
    this.scan(chunk, this.tail.length === 0 ? 0 : CONTEXT_BEFORE);
    if (chunk.length >= SPAN) {
      this.tail = Buffer.from(chunk.subarray(chunk.length - SPAN));
      this.tailIsStart = false;
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      this.tailIsStart = this.tailIsStart && joined.length <= SPAN;
      this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - SPAN)));
    }
  }

  private scan(bytes: Buffer, from: number): void {
    for (let at = bytes.indexOf(PHRASE_BYTES, from); at >= 0; at = bytes.indexOf(PHRASE_BYTES, at + PHRASE.length)) {
      const start = Math.max(0, at - CONTEXT_BEFORE);
      const text = bytes.toString('utf8', start, Math.min(bytes.length, at + PHRASE.length + CONTEXT_AFTER));
      const found = timeoutAround(text, at - start);
      if (found !== null) this.found.set(found.requestId, found.seconds);
    }
  }
}
