/**
 * A streaming reader for the JSON that `aws logs filter-log-events` / `get-log-events` print:
 * `{"events": [{"logStreamName", "timestamp", "message", …}, …], "nextToken": …}`, possibly
 * several documents one after the other (one per page). It takes text in chunks of any size
 * and hands out each event's message as soon as the event's object closes, so memory is
 * bounded by the largest single message (capped at MAX_STRING_CHARS), not by the file.
 *
 * Not a validating parser: it follows the structure (objects, arrays, strings, scalars) and
 * reports what it cannot follow; commas and colons are not checked.
 */
import { ColdbenchError } from '../errors.ts';

export interface CloudWatchEvent {
  message: string;
  stream: string | null;
  /** 1-based line of the file where the event's object began. */
  line: number;
}

/** CloudWatch Logs' largest event is 1 MB; anything far beyond is not a log event. */
export const MAX_STRING_CHARS = 4 * 1024 * 1024;

/** First keys that mark a FilterLogEvents / GetLogEvents document (the CLI's and jq's key orders). */
export const CLOUDWATCH_FIRST_KEYS: ReadonlySet<string> = new Set(['events', 'searchedLogStreams', 'nextToken', 'nextForwardToken', 'nextBackwardToken']);

/** The document could not be followed; `line` is where the reader was. */
export class CloudWatchJsonError extends ColdbenchError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

interface Frame {
  isObject: boolean;
  /** Key whose value comes next (objects only). */
  key: string | null;
  role: 'root' | 'events' | 'event' | 'other';
}

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

/** Creates a reader; push chunks in order, then call end(). Throws CloudWatchJsonError on text it cannot follow. */
export function createCloudWatchJsonReader(): { push(chunk: string): CloudWatchEvent[]; end(): void } {
  const stack: Frame[] = [];
  let line = 1;
  let inString = false;
  let escaping = false;
  let capture: string[] | null = null;
  let captureLength = 0;
  let stringIsKey = false;
  let inScalar = false;
  let event: { message: string | null; stream: string | null; line: number } | null = null;

  const top = (): Frame | undefined => stack[stack.length - 1];

  function finishString(raw: string | null): void {
    const frame = top();
    if (frame === undefined) return;
    if (stringIsKey) {
      frame.key = decode(raw ?? '');
      return;
    }
    if (raw !== null && frame.role === 'event' && event !== null) {
      if (frame.key === 'message') event.message = decode(raw);
      else if (frame.key === 'logStreamName') event.stream = decode(raw);
    }
    if (frame.isObject) frame.key = null;
  }

  function decode(raw: string): string {
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch (error) {
      throw new CloudWatchJsonError(`a string with a bad escape: ${(error as Error).message}`, line);
    }
  }

  function wantsCapture(isKey: boolean): boolean {
    if (isKey) return true;
    const frame = top();
    return frame?.role === 'event' && (frame.key === 'message' || frame.key === 'logStreamName');
  }

  return {
    push(chunk) {
      const out: CloudWatchEvent[] = [];
      const n = chunk.length;
      let i = 0;
      while (i < n) {
        if (inString) {
          let j = i;
          if (escaping) {
            j++;
            escaping = false;
          }
          while (j < n) {
            const c = chunk.charCodeAt(j);
            if (c === BACKSLASH) {
              if (j + 1 >= n) {
                escaping = true;
                j = n;
                break;
              }
              j += 2;
              continue;
            }
            if (c === QUOTE) break;
            j++;
          }
          const piece = chunk.slice(i, Math.min(j, n));
          if (capture !== null) {
            capture.push(piece);
            captureLength += piece.length;
            if (captureLength > MAX_STRING_CHARS) throw new CloudWatchJsonError(`a string longer than ${MAX_STRING_CHARS} characters`, line);
          }
          if (j >= n) break;
          inString = false;
          finishString(capture === null ? null : capture.join(''));
          capture = null;
          i = j + 1;
          continue;
        }
        const c = chunk.charCodeAt(i);
        if (inScalar) {
          if (c === 44 || c === 125 || c === 93 || c <= 32) {
            inScalar = false;
            const frame = top();
            if (frame?.isObject) frame.key = null;
          } else {
            i++;
            continue;
          }
        }
        switch (c) {
          case NEWLINE:
            line++;
            break;
          case 32:
          case 9:
          case 13:
          case 44: // ,
          case 58: // :
            break;
          case QUOTE: {
            const frame = top();
            if (frame === undefined) throw new CloudWatchJsonError('a string outside any object', line);
            stringIsKey = frame.isObject && frame.key === null;
            inString = true;
            escaping = false;
            capture = wantsCapture(stringIsKey) ? [] : null;
            captureLength = 0;
            break;
          }
          case 123: // {
          case 91: {
            // [
            const parent = top();
            let role: Frame['role'] = 'other';
            if (parent === undefined) {
              if (c !== 123) throw new CloudWatchJsonError('the document is not a JSON object', line);
              role = 'root';
            } else if (parent.role === 'root' && parent.key === 'events' && c === 91) role = 'events';
            else if (parent.role === 'events' && c === 123) {
              role = 'event';
              event = { message: null, stream: null, line };
            }
            stack.push({ isObject: c === 123, key: null, role });
            break;
          }
          case 125: // }
          case 93: {
            // ]
            const frame = stack.pop();
            if (frame === undefined || frame.isObject !== (c === 125)) throw new CloudWatchJsonError(`unexpected "${String.fromCharCode(c)}"`, line);
            if (frame.role === 'event' && event !== null) {
              if (event.message !== null) out.push({ message: event.message, stream: event.stream, line: event.line });
              event = null;
            }
            const parent = top();
            if (parent?.isObject) parent.key = null;
            break;
          }
          default: {
            const frame = top();
            if (frame === undefined) throw new CloudWatchJsonError(`unexpected "${chunk.slice(i, i + 10)}" between documents`, line);
            inScalar = true;
          }
        }
        i++;
      }
      return out;
    },
    end() {
      if (inString || stack.length > 0) throw new CloudWatchJsonError('the document ends before it closes (truncated file?)', line);
    },
  };
}
