import type { LogEvent, LogSink } from '../../contract.ts';

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Global arrival order: ties on timestamp keep arrival order, and it names the event */
  seq: number;
}

export interface LogStream {
  name: string;
  creationTime: number;
  /** Sorted by timestamp, then arrival */
  events: StoredEvent[];
  storedBytes: number;
  lastIngestionTime?: number;
  sequence: number;
}

export interface LogGroup {
  name: string;
  creationTime: number;
  streams: Map<string, LogStream>;
  retentionInDays?: number;
  storedBytes: number;
}

/** The emulator's in-memory CloudWatch Logs: what environments write and the Logs API reads. */
export class LogStore implements LogSink {
  readonly groups = new Map<string, LogGroup>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  createGroup(name: string): LogGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, creationTime: this.now(), streams: new Map(), storedBytes: 0 };
      this.groups.set(name, group);
    }
    return group;
  }

  /** Lambda creates its group on first write, so the sink does too. */
  createStream(logGroupName: string, logStreamName: string): LogStream {
    return this.streamIn(this.createGroup(logGroupName), logStreamName);
  }

  append(logGroupName: string, logStreamName: string, events: LogEvent[]): void {
    const group = this.createGroup(logGroupName);
    const stream = this.streamIn(group, logStreamName);
    const ingestionTime = this.now();
    for (const event of events) {
      const stored: StoredEvent = { timestamp: event.timestamp, message: event.message, ingestionTime, seq: ++this.seq };
      const list = stream.events;
      if (list.length === 0 || list[list.length - 1].timestamp <= event.timestamp) list.push(stored);
      else list.splice(upperBound(list, event.timestamp), 0, stored);
      const bytes = Buffer.byteLength(event.message) + 26;
      stream.storedBytes += bytes;
      group.storedBytes += bytes;
    }
    stream.lastIngestionTime = ingestionTime;
    stream.sequence++;
  }

  /** The group's stream of that name, created empty on first use. */
  private streamIn(group: LogGroup, logStreamName: string): LogStream {
    let stream = group.streams.get(logStreamName);
    if (!stream) {
      stream = { name: logStreamName, creationTime: this.now(), events: [], storedBytes: 0, sequence: 0 };
      group.streams.set(logStreamName, stream);
    }
    return stream;
  }
}

/** First index whose timestamp is greater than `ts`. */
export function upperBound(events: StoredEvent[], ts: number): number {
  return firstIndexAfter(events, (timestamp) => timestamp <= ts);
}

/** First index whose timestamp is at least `ts`. */
export function lowerBound(events: StoredEvent[], ts: number): number {
  return firstIndexAfter(events, (timestamp) => timestamp < ts);
}

/** Binary search over events sorted by timestamp: the first index past those whose timestamp is `before` (true for a prefix of them). */
function firstIndexAfter(events: StoredEvent[], before: (timestamp: number) => boolean): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(events[mid].timestamp)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
