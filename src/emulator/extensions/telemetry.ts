/**
 * The Telemetry API (2022-07-01): an extension subscribes (PUT /2022-07-01/telemetry) with an HTTP
 * destination and event types; the environment's events are buffered per subscription and POSTed
 * to the destination as JSON arrays when the buffer is full or its timeout passes. Events from the
 * start of init are kept, so a subscription made during init still receives platform.initStart.
 * `sandbox.localdomain` (the sandbox's own address on Lambda) is delivered to 127.0.0.1.
 * Delivery to a frozen environment waits in the socket until it is thawed, as on Lambda where an
 * invoke's platform.report arrives during the next invoke or the shutdown phase.
 */
import { request } from 'node:http';

export type TelemetryType = 'platform' | 'function' | 'extension';
const TELEMETRY_TYPES: readonly TelemetryType[] = ['platform', 'function', 'extension'];

export interface TelemetryEvent {
  time: string;
  type: string;
  record: unknown;
}

/** AWS's buffering limits and defaults for the Telemetry API. */
const BUFFERING = {
  maxItems: { min: 1000, max: 10_000, default: 10_000 },
  maxBytes: { min: 262_144, max: 1_048_576, default: 262_144 },
  timeoutMs: { min: 25, max: 30_000, default: 1000 },
} as const;

/** Events kept from the start of init for subscriptions made later in init (a bound, not an AWS figure). */
const BACKLOG_LIMIT = 1000;

const SANDBOX_HOST = 'sandbox.localdomain';

interface Subscription {
  name: string;
  types: Set<TelemetryType>;
  url: URL;
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
  /** Buffered events, each already serialised */
  buffer: string[];
  bytes: number;
  timer: NodeJS.Timeout | null;
}

/** An event as published, serialised once (on first delivery) for every subscription and the backlog. */
interface Published {
  category: TelemetryType;
  event: TelemetryEvent;
  json?: string;
}

export type SubscribeResult = { ok: true } | { ok: false; status: number; errorType: string; message: string };

function categoryOf(type: string): TelemetryType {
  if (type === 'function') return 'function';
  if (type === 'extension') return 'extension';
  return 'platform';
}

export class TelemetryHub {
  private readonly subscriptions = new Map<string, Subscription>();
  private backlog: Published[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Subscriptions close with the environment; nothing is delivered after. */
  private closed = false;

  /** A new init: earlier subscriptions and events belong to processes that are gone. */
  reset(): void {
    for (const sub of this.subscriptions.values()) if (sub.timer) clearTimeout(sub.timer);
    this.subscriptions.clear();
    this.backlog = [];
  }

  get subscribed(): boolean {
    return this.subscriptions.size > 0;
  }

  /** Validates and records a subscription body (schemaVersion, destination, types, buffering). */
  subscribe(name: string, body: unknown): SubscribeResult {
    const invalid = (message: string): SubscribeResult => ({ ok: false, status: 400, errorType: 'ValidationError', message });
    if (!body || typeof body !== 'object') return invalid('The subscription body must be a JSON object with destination, types and buffering');
    const b = body as { destination?: { protocol?: unknown; URI?: unknown }; types?: unknown; buffering?: Record<string, unknown> };
    const protocol = b.destination?.protocol;
    if (protocol !== 'HTTP') {
      return invalid(
        protocol === 'TCP' ? 'destination.protocol TCP is not supported by the local emulator; use HTTP' : `destination.protocol must be HTTP; got ${JSON.stringify(protocol)}`,
      );
    }
    let url: URL;
    try {
      url = new URL(String(b.destination?.URI));
    } catch {
      return invalid(`destination.URI is not a URL: ${JSON.stringify(b.destination?.URI)}`);
    }
    if (url.protocol !== 'http:') return invalid(`destination.URI must be an http:// URI on ${SANDBOX_HOST}; got ${url.href}`);
    const types = b.types;
    if (!Array.isArray(types) || types.length === 0 || types.some((t) => !TELEMETRY_TYPES.includes(t))) {
      return invalid(`types must be a non-empty list of ${TELEMETRY_TYPES.join(', ')}; got ${JSON.stringify(types)}`);
    }
    const buffering: Record<string, number> = {};
    for (const [key, range] of Object.entries(BUFFERING)) {
      const value = b.buffering?.[key] ?? range.default;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
        return invalid(`buffering.${key} must be an integer ${range.min}-${range.max}; got ${JSON.stringify(value)}`);
      }
      buffering[key] = value;
    }
    if (url.hostname === SANDBOX_HOST) url.hostname = '127.0.0.1';
    const old = this.subscriptions.get(name);
    if (old?.timer) clearTimeout(old.timer);
    const sub: Subscription = {
      name,
      types: new Set(types as TelemetryType[]),
      url,
      maxItems: buffering.maxItems,
      maxBytes: buffering.maxBytes,
      timeoutMs: buffering.timeoutMs,
      buffer: [],
      bytes: 0,
      timer: null,
    };
    this.subscriptions.set(name, sub);
    for (const published of this.backlog) if (sub.types.has(published.category)) this.enqueue(sub, published);
    this.publish('platform.telemetrySubscription', { name, state: 'Subscribed', types });
    return { ok: true };
  }

  /** Records an event for every subscription of its category (and the init backlog). */
  publish(type: string, record: unknown, time = new Date()): void {
    if (this.closed) return;
    const published: Published = { category: categoryOf(type), event: { time: time.toISOString(), type, record } };
    if (this.backlog.length < BACKLOG_LIMIT) this.backlog.push(published);
    for (const sub of this.subscriptions.values()) if (sub.types.has(published.category)) this.enqueue(sub, published);
  }

  /** Init has ended: its events go from the backlog (a subscription made later gets only what was published since). */
  initDone(): void {
    this.backlog = [];
  }

  private enqueue(sub: Subscription, published: Published): void {
    published.json ??= JSON.stringify(published.event);
    sub.buffer.push(published.json);
    sub.bytes += Buffer.byteLength(published.json);
    if (sub.buffer.length >= sub.maxItems || sub.bytes >= sub.maxBytes) this.deliver(sub);
    else if (!sub.timer) {
      sub.timer = setTimeout(() => this.deliver(sub), sub.timeoutMs);
      sub.timer.unref();
    }
  }

  /** Sends whatever is buffered now (the shutdown phase does this before SHUTDOWN goes out). */
  flush(): Promise<void> {
    for (const sub of this.subscriptions.values()) this.deliver(sub);
    return Promise.all([...this.inFlight]).then(() => undefined);
  }

  /** Stops delivering; requests still in flight are abandoned with the environment. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  private deliver(sub: Subscription): void {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    if (sub.buffer.length === 0) return;
    // The same bytes as JSON.stringify of the event array: each element's JSON, comma-separated, in brackets.
    const data = Buffer.from(`[${sub.buffer.join(',')}]`);
    sub.buffer = [];
    sub.bytes = 0;
    const done = new Promise<void>((resolve) => {
      const req = request(sub.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      // A listener that is gone or refuses loses these events, as on Lambda (which would log platform.logsDropped).
      req.on('error', () => resolve());
      req.end(data);
    });
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }
}
