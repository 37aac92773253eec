import { AwsError } from '../errors.ts';
import { compileFilterPattern, FilterPatternError } from './filter-pattern.ts';
import { type LogGroup, type LogStore, type LogStream, lowerBound, type StoredEvent, upperBound } from './store.ts';

/** CloudWatch Logs' page sizes: most events per GetLogEvents/FilterLogEvents page, most groups/streams per Describe page. */
const MAX_EVENTS_PER_PAGE = 10_000;
const MAX_DESCRIBE_PAGE = 50;
/** FilterLogEvents pages also stop at 1 MB of messages, as CloudWatch's do. */
const MAX_PAGE_BYTES = 1_048_576;
/** AWS tokens are 56-digit numbers; keeping the shape helps tools that sniff them. */
const TOKEN_DIGITS = 56;

type Input = Record<string, unknown>;

const invalid = (message: string) => new AwsError('InvalidParameterException', 400, message);
const validation = (message: string) => new AwsError('ValidationException', 400, message);
const groupMissing = () => new AwsError('ResourceNotFoundException', 400, 'The specified log group does not exist.');
const streamMissing = () => new AwsError('ResourceNotFoundException', 400, 'The specified log stream does not exist.');

/** Handles one `Logs_20140328.<Operation>` call and returns the JSON response object. */
export function handleLogsOperation(store: LogStore, operation: string, input: Input, ctx: { region: string; accountId: string }): unknown {
  const handler = OPERATIONS[operation];
  if (!handler) throw new AwsError('UnknownOperationException', 400, `The operation ${operation} is not supported by the coldbench emulator.`);
  return handler(store, input, ctx);
}

const OPERATIONS: Record<string, (store: LogStore, input: Input, ctx: { region: string; accountId: string }) => unknown> = {
  CreateLogGroup(store, input) {
    const name = requireString(input, 'logGroupName');
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name))
      throw validation(
        `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
      );
    if (store.groups.has(name)) throw new AwsError('ResourceAlreadyExistsException', 400, 'The specified log group already exists');
    store.createGroup(name);
    return {};
  },
  CreateLogStream(store, input) {
    const group = findGroup(store, input);
    const name = requireString(input, 'logStreamName');
    if (group.streams.has(name)) throw new AwsError('ResourceAlreadyExistsException', 400, 'The specified log stream already exists');
    store.createStream(group.name, name);
    return {};
  },
  DeleteLogGroup(store, input) {
    const group = findGroup(store, input);
    store.groups.delete(group.name);
    return {};
  },
  DeleteLogStream(store, input) {
    const group = findGroup(store, input);
    const name = requireString(input, 'logStreamName');
    if (!group.streams.delete(name)) throw streamMissing();
    return {};
  },
  PutLogEvents(store, input) {
    const group = findGroup(store, input);
    const stream = group.streams.get(requireString(input, 'logStreamName'));
    if (!stream) throw streamMissing();
    const events = input.logEvents;
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_PAGE) {
      throw invalid('logEvents must hold between 1 and 10000 events, each { timestamp, message }.');
    }
    let last = -Infinity;
    for (const e of events as Input[]) {
      if (typeof e?.timestamp !== 'number' || typeof e?.message !== 'string') throw invalid('Each log event needs a numeric timestamp and a string message.');
      if (e.timestamp < last) throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
      last = e.timestamp;
    }
    store.append(group.name, stream.name, events as { timestamp: number; message: string }[]);
    return { nextSequenceToken: pad(stream.sequence) };
  },
  DescribeLogGroups(store, input, ctx) {
    const prefix = optionalString(input, 'logGroupNamePrefix');
    const pattern = optionalString(input, 'logGroupNamePattern');
    if (prefix !== undefined && pattern !== undefined) throw invalid('LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive.');
    const limit = readLimit(input, MAX_DESCRIBE_PAGE);
    const groups = [...store.groups.values()]
      .filter(({ name: n }) => (prefix === undefined || n.startsWith(prefix)) && (pattern === undefined || n.includes(pattern)))
      .sort((a, b) => cmp(a.name, b.name));
    const { page, nextToken } = pageByName(groups, input.nextToken, limit);
    return {
      logGroups: page.map((g) => describeGroup(g, ctx)),
      ...(nextToken ? { nextToken } : {}),
    };
  },
  DescribeLogStreams(store, input, ctx) {
    const group = findGroup(store, input);
    const prefix = optionalString(input, 'logStreamNamePrefix');
    const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
      throw validation(
        `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
      );
    if (prefix !== undefined && orderBy === 'LastEventTime') throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
    const descending = input.descending === true;
    const limit = readLimit(input, MAX_DESCRIBE_PAGE);
    let streams = [...group.streams.values()].filter((s) => prefix === undefined || s.name.startsWith(prefix));
    const lastEvent = (s: LogStream) => (s.events.length ? s.events[s.events.length - 1].timestamp : 0);
    streams.sort((a, b) => (orderBy === 'LastEventTime' ? lastEvent(a) - lastEvent(b) || cmp(a.name, b.name) : cmp(a.name, b.name)));
    if (descending) streams = streams.reverse();
    const offset = decodeOffset(input.nextToken);
    const page = streams.slice(offset, offset + limit);
    const more = offset + limit < streams.length;
    return {
      logStreams: page.map((s) => describeStream(group, s, ctx)),
      ...(more ? { nextToken: encodeOffset(offset + limit) } : {}),
    };
  },
  GetLogEvents(store, input) {
    const group = findGroup(store, input);
    const stream = group.streams.get(requireString(input, 'logStreamName'));
    if (!stream) throw streamMissing();
    const limit = readLimit(input, MAX_EVENTS_PER_PAGE);
    const events = stream.events;
    const lo = typeof input.startTime === 'number' ? lowerBound(events, input.startTime) : 0;
    // GetLogEvents' endTime is exclusive.
    const hi = typeof input.endTime === 'number' ? lowerBound(events, input.endTime) : events.length;
    let start: number;
    let end: number;
    const token = optionalString(input, 'nextToken');
    if (token !== undefined) {
      const m = /^([fb])\/(\d+)\/s$/.exec(token);
      if (!m) throw invalid('The specified nextToken is invalid.');
      const at = Math.min(Math.max(Number(m[2]), lo), hi);
      if (m[1] === 'f') [start, end] = [at, Math.min(hi, at + limit)];
      else [start, end] = [Math.max(lo, at - limit), at];
    } else if (input.startFromHead === true) {
      [start, end] = [lo, Math.min(hi, lo + limit)];
    } else {
      [start, end] = [Math.max(lo, hi - limit), hi];
    }
    return {
      events: events.slice(start, end).map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: `f/${pad(end)}/s`,
      nextBackwardToken: `b/${pad(start)}/s`,
    };
  },
  FilterLogEvents(store, input) {
    const group = findGroup(store, input);
    const names = input.logStreamNames;
    const prefix = optionalString(input, 'logStreamNamePrefix');
    if (names !== undefined && prefix !== undefined) throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive.');
    if (names !== undefined && (!Array.isArray(names) || names.length === 0 || names.length > 100 || names.some((n) => typeof n !== 'string'))) {
      throw invalid('logStreamNames must list between 1 and 100 stream names.');
    }
    let matcher: (m: string) => boolean;
    try {
      matcher = compileFilterPattern(optionalString(input, 'filterPattern'));
    } catch (error) {
      if (error instanceof FilterPatternError) throw new AwsError('InvalidParameterException', 400, error.message, {}, { cause: error });
      throw error;
    }
    const limit = readLimit(input, MAX_EVENTS_PER_PAGE);
    const startTime = typeof input.startTime === 'number' ? input.startTime : -Infinity;
    // FilterLogEvents' endTime is inclusive.
    const endTime = typeof input.endTime === 'number' ? input.endTime : Infinity;
    const cursor = decodeCursor(input.nextToken);
    const streams = names
      ? (names as string[]).map((n) => group.streams.get(n)).filter((s): s is LogStream => s !== undefined)
      : [...group.streams.values()].filter((s) => prefix === undefined || s.name.startsWith(prefix));
    const found: { stream: string; event: StoredEvent }[] = [];
    for (const stream of streams) {
      const from = Number.isFinite(startTime) ? lowerBound(stream.events, startTime) : 0;
      const to = Number.isFinite(endTime) ? upperBound(stream.events, endTime) : stream.events.length;
      for (let i = from; i < to; i++) {
        const event = stream.events[i];
        if (cursor && (event.timestamp < cursor.ts || (event.timestamp === cursor.ts && event.seq <= cursor.seq))) continue;
        if (matcher(event.message)) found.push({ stream: stream.name, event });
      }
    }
    found.sort((a, b) => a.event.timestamp - b.event.timestamp || a.event.seq - b.event.seq);
    let size = 0;
    let count = 0;
    while (count < found.length && count < limit) {
      size += Buffer.byteLength(found[count].event.message);
      if (size > MAX_PAGE_BYTES && count > 0) break;
      count++;
    }
    const page = found.slice(0, count);
    const last = page[page.length - 1];
    return {
      events: page.map(({ stream, event }) => ({
        logStreamName: stream,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: pad(event.seq),
      })),
      searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
      ...(found.length > count ? { nextToken: encodeCursor(last.event.timestamp, last.event.seq) } : {}),
    };
  },
};

function findGroup(store: LogStore, input: Input): LogGroup {
  const identifier = optionalString(input, 'logGroupIdentifier');
  let name = optionalString(input, 'logGroupName');
  if (identifier !== undefined) {
    if (name !== undefined) throw invalid('LogGroupName and LogGroupIdentifier are mutually exclusive.');
    // An ARN names the group after "log-group:" (and may end in ":*").
    const arn = /^arn:[^:]*:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(identifier);
    name = arn ? arn[1] : identifier;
  }
  if (name === undefined) throw invalid('Either logGroupName or logGroupIdentifier is required.');
  const group = store.groups.get(name);
  if (!group) throw groupMissing();
  return group;
}

function describeGroup(group: LogGroup, ctx: { region: string; accountId: string }) {
  const arn = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${group.name}`;
  return {
    logGroupName: group.name,
    creationTime: group.creationTime,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: group.storedBytes,
    logGroupClass: 'STANDARD',
    logGroupArn: arn,
    ...(group.retentionInDays ? { retentionInDays: group.retentionInDays } : {}),
  };
}

function describeStream(group: LogGroup, s: LogStream, ctx: { region: string; accountId: string }) {
  const first = s.events[0];
  const last = s.events[s.events.length - 1];
  return {
    logStreamName: s.name,
    creationTime: s.creationTime,
    ...(first ? { firstEventTimestamp: first.timestamp, lastEventTimestamp: last.timestamp } : {}),
    ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
    uploadSequenceToken: pad(s.sequence),
    arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${group.name}:log-stream:${s.name}`,
    storedBytes: 0,
  };
}

function requireString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw invalid(`${field} is required and must be a non-empty string.`);
  return value;
}

function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string.`);
  return value;
}

function readLimit(input: Input, max: number): number {
  const limit = input.limit;
  if (limit === undefined || limit === null) return max;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw validation(`1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return limit;
}

function pad(n: number): string {
  return String(n).padStart(TOKEN_DIGITS, '0');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Describe tokens name the last item returned, so a page stays correct while groups are added. */
function pageByName<T extends { name: string }>(sorted: T[], token: unknown, limit: number): { page: T[]; nextToken?: string } {
  let from = 0;
  if (token !== undefined && token !== null) {
    if (typeof token !== 'string') throw invalid('The specified nextToken is invalid.');
    const after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after.startsWith('n:')) throw invalid('The specified nextToken is invalid.');
    const name = after.slice(2);
    from = sorted.findIndex((t) => t.name > name);
    if (from < 0) from = sorted.length;
  }
  const page = sorted.slice(from, from + limit);
  const more = from + limit < sorted.length;
  return { page, nextToken: more ? Buffer.from(`n:${page[page.length - 1].name}`).toString('base64url') : undefined };
}

function encodeOffset(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeOffset(token: unknown): number {
  if (token === undefined || token === null) return 0;
  const m = typeof token === 'string' ? /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8')) : null;
  if (!m) throw invalid('The specified nextToken is invalid.');
  return Number(m[1]);
}

/** FilterLogEvents tokens hold the (timestamp, arrival) of the last event returned. */
function encodeCursor(ts: number, seq: number): string {
  return Buffer.from(`c:${ts}:${seq}`).toString('base64url');
}

function decodeCursor(token: unknown): { ts: number; seq: number } | undefined {
  if (token === undefined || token === null) return undefined;
  const m = typeof token === 'string' ? /^c:(-?\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8')) : null;
  if (!m) throw invalid('The specified nextToken is invalid.');
  return { ts: Number(m[1]), seq: Number(m[2]) };
}
