/**
 * The Telemetry API (2022-07-01): an extension subscribes (PUT /2022-07-01/telemetry) with an HTTP
 * destination and event types; the environment's events are buffered per subscription and POSTed
 * to the destination as JSON arrays when the buffer is full or its timeout passes. Subscriptions are
 * taken during init only: events from the start of init are kept for them, so a subscription made
 * during init still receives platform.initStart, and once init has ended (the runtime and every
 * extension called next) a subscription is refused as on Lambda, so none starts mid-stream.
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

/**
 * Lambda's answer to a subscription after init: rapid turns the Telemetry and Logs subscription APIs off once
 * init ends and renders ErrTelemetryServiceOff as 403 with this type and message (aws-lambda-runtime-interface-emulator:
 * internal/lambda/rapid/handlers.go, rapi/handler/runtimelogs.go, TestRenderTelemetrySubscriptionClosed).
 */
const SUBSCRIPTION_CLOSED = { ok: false, status: 403, errorType: 'Telemetry.SubscriptionClosed', message: 'Telemetry API subscription is closed already' } as const;

const SANDBOX_HOST = 'sandbox.localdomain';

/** How long a flush waits for listeners: AWS's own shutdown flushes for at most 1 s (RIE lambda-managed-instances telemetry/events_api.go Flush). */
const FLUSH_LIMIT_MS = 1000;

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
  /** Init events already buffered for it, so a repeat subscription's backlog replay skips them */
  given: WeakSet<Published>;
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
  /**
   * Every event since init started, for subscriptions made later in init. Unbounded, as in AWS's own relay
   * (the RIE's lambda-managed-instances telemetry/relay.go initEventsBuffer): init's time limit bounds it.
   */
  private backlog: Published[] = [];
  /** Subscriptions are taken from the start of init until its end (rapid's TurnOff). */
  private open = true;
  private readonly inFlight = new Set<Promise<void>>();
  /** Subscriptions close with the environment; nothing is delivered after. */
  private closed = false;

  /** A new init: earlier subscriptions and events belong to processes that are gone; subscriptions open again. */
  reset(): void {
    for (const sub of this.subscriptions.values()) if (sub.timer) clearTimeout(sub.timer);
    this.subscriptions.clear();
    this.backlog = [];
    this.open = !this.closed;
  }

  /** Whether a published event can reach a subscription: one exists, or init is on and one may still come (and get the backlog). */
  get listening(): boolean {
    return this.subscriptions.size > 0 || this.open;
  }

  /**
   * Validates and records a subscription body (destination, types, buffering), during init only; the body is
   * validated first, as AWS's own Subscribe does (RIE lambda-managed-instances telemetry/subscription_api.go).
   * A repeat from the same extension updates its one subscription (Lambda documents subscriptions as
   * idempotent for the Logs API): its buffered events stay and it gets only the init events it has not had.
   */
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
    if (!this.open) return SUBSCRIPTION_CLOSED;
    if (url.hostname === SANDBOX_HOST) url.hostname = '127.0.0.1';
    const settings = { types: new Set(types as TelemetryType[]), url, maxItems: buffering.maxItems, maxBytes: buffering.maxBytes, timeoutMs: buffering.timeoutMs };
    const old = this.subscriptions.get(name);
    const sub: Subscription = old ? Object.assign(old, settings) : { name, ...settings, buffer: [], bytes: 0, timer: null, given: new WeakSet() };
    this.subscriptions.set(name, sub);
    for (const published of this.backlog) if (sub.types.has(published.category) && !sub.given.has(published)) this.enqueue(sub, published);
    this.publish('platform.telemetrySubscription', { name, state: 'Subscribed', types });
    return { ok: true };
  }

  /** Records an event for every subscription of its category (and, during init, the backlog). */
  publish(type: string, record: unknown, time = new Date()): void {
    if (this.closed) return;
    const published: Published = { category: categoryOf(type), event: { time: time.toISOString(), type, record } };
    if (this.open) this.backlog.push(published);
    for (const sub of this.subscriptions.values()) if (sub.types.has(published.category)) this.enqueue(sub, published);
  }

  /** Init has ended: no subscription is taken from now on, so the backlog has no one left to serve. */
  initDone(): void {
    this.open = false;
    this.backlog = [];
  }

  private enqueue(sub: Subscription, published: Published): void {
    if (this.open) sub.given.add(published);
    published.json ??= JSON.stringify(published.event);
    sub.buffer.push(published.json);
    sub.bytes += Buffer.byteLength(published.json);
    if (sub.buffer.length >= sub.maxItems || sub.bytes >= sub.maxBytes) this.deliver(sub);
    else if (!sub.timer) {
      sub.timer = setTimeout(() => this.deliver(sub), sub.timeoutMs);
      sub.timer.unref();
    }
  }

  /**
   * Sends whatever is buffered now and resolves when every listener has answered, or after FLUSH_LIMIT_MS (the
   * shutdown phase awaits this before SHUTDOWN goes out, so an extension that exits on SHUTDOWN has had it all).
   */
  flush(): Promise<void> {
    for (const sub of this.subscriptions.values()) this.deliver(sub);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_LIMIT_MS)));
    return Promise.race([Promise.all([...this.inFlight]), limit]).then(() => clearTimeout(timer));
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
