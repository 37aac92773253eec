/**
 * Fetches the platform lines of given invocations from CloudWatch Logs. The client, the clock
 * and the sleep come in as parameters, so tests hand in a client pointed at the emulator (or a
 * mocked one) and a fake clock.
 */
import { type CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { ColdbenchError } from '../errors.ts';
import { parseLine } from './parse-line.ts';

/**
 * Matches every line the probe reads, text or JSON format (terms match as substrings:
 * START covers INIT_START, REPORT covers INIT_REPORT), and leaves most application output out.
 */
export const DEFAULT_FILTER_PATTERN = '?START ?END ?REPORT ?"Task timed out" ?"Runtime exited" ?"platform."';
/** Events reach CloudWatch seconds after the invoke; polling faster than this only burns the 5 req/s quota of FilterLogEvents. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

export interface LogQuery {
  logGroupName: string;
  requestIds: string[];
  /** Epoch ms; FilterLogEvents' startTime. */
  startTime: number;
  endTime?: number;
  /** Epoch ms (on `now`'s clock) after which polling stops and whatever arrived is returned. */
  deadline: number;
  pollIntervalMs?: number;
  filterPattern?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A FilterLogEvents failure other than a missing log group or throttling (which are retried until the deadline). */
export class LogFetchError extends ColdbenchError {}

interface StoredEvent {
  timestamp: number;
  arrival: number;
  message: string;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors that mean "not there yet / slow down": retried at the next poll until the deadline. */
const RETRYABLE = new Set(['ResourceNotFoundException', 'ThrottlingException', 'ServiceUnavailableException']);

function messageLine(message: string): string {
  let end = message.length;
  while (end > 0 && (message.charCodeAt(end - 1) === 10 || message.charCodeAt(end - 1) === 13)) end--;
  return end === message.length ? message : message.slice(0, end);
}

/**
 * Polls FilterLogEvents (following nextToken until it is absent — an empty page with a token is
 * not the end) until every requested request id has its REPORT / platform.report, or the
 * deadline passes. Returns, for every requested id (an empty list when nothing arrived), the
 * lines that belong to it in stream order: the INIT_START / INIT_REPORT that precede its START on
 * the same stream, START … REPORT, and timeout / runtime-exit lines.
 * @example await fetchLogLines(logs, { logGroupName: '/aws/lambda/f', requestIds: [id], startTime: t0, deadline: Date.now() + 60_000 })
 */
export async function fetchLogLines(client: CloudWatchLogsClient, query: LogQuery): Promise<Map<string, string[]>> {
  const sleep = query.sleep ?? defaultSleep;
  const now = query.now ?? Date.now;
  const pollMs = query.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const wanted = new Set(query.requestIds);
  const seen = new Set<string>();
  const streams = new Map<string, StoredEvent[]>();
  let arrival = 0;
  for (;;) {
    try {
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new FilterLogEventsCommand({
            logGroupName: query.logGroupName,
            startTime: query.startTime,
            endTime: query.endTime,
            filterPattern: query.filterPattern ?? DEFAULT_FILTER_PATTERN,
            nextToken,
          }),
        );
        for (const event of page.events ?? []) store(event);
        nextToken = page.nextToken;
        // A service that never stops handing out tokens must not hold the caller past its deadline.
      } while (nextToken && now() < query.deadline);
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (!RETRYABLE.has(name)) {
        throw new LogFetchError(`FilterLogEvents on ${query.logGroupName} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    const { lines, reported } = attribute(streams, wanted);
    const left = query.deadline - now();
    if (reported.size === wanted.size || left <= 0) return lines;
    await sleep(Math.min(pollMs, left));
  }

  function store(event: FilteredLogEvent): void {
    const stream = event.logStreamName ?? '';
    const message = event.message ?? '';
    const key = event.eventId ?? `${stream}\u0000${event.timestamp}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    let list = streams.get(stream);
    if (list === undefined) {
      list = [];
      streams.set(stream, list);
    }
    list.push({ timestamp: event.timestamp ?? 0, arrival: arrival++, message: messageLine(message) });
  }
}

/** Walks each stream in time order, giving every line to the request it belongs to. */
function attribute(streams: Map<string, StoredEvent[]>, wanted: Set<string>): { lines: Map<string, string[]>; reported: Set<string> } {
  const lines = new Map<string, string[]>();
  for (const id of wanted) lines.set(id, []);
  const reported = new Set<string>();
  const add = (id: string | null, line: string): void => {
    if (id !== null) lines.get(id)?.push(line);
  };
  for (const events of streams.values()) {
    events.sort((a, b) => a.timestamp - b.timestamp || a.arrival - b.arrival);
    let pendingInit: string[] = [];
    let current: string | null = null;
    for (const { message } of events) {
      const record = parseLine(message);
      if (record === null) {
        add(current, message);
        continue;
      }
      switch (record.type) {
        case 'initStart':
          pendingInit = [message];
          current = null;
          break;
        case 'initReport':
          if (current !== null) add(current, message);
          else pendingInit.push(message);
          break;
        case 'start':
          current = record.requestId;
          for (const l of pendingInit) add(current, l);
          pendingInit = [];
          add(current, message);
          break;
        case 'report':
          add(record.requestId, message);
          if (wanted.has(record.requestId)) reported.add(record.requestId);
          if (current === record.requestId) current = null;
          break;
        case 'end':
          add(record.requestId, message);
          break;
        case 'timeout':
        case 'runtimeExit':
        case 'runtimeDone':
          add(record.requestId ?? current, message);
          break;
        default:
          add(current, message);
      }
    }
  }
  return { lines, reported };
}
