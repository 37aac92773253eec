/**
 * The extensions of one execution environment as the Extensions API (2020-01-01) sees them:
 * registration, each extension's blocking /next, the events it is owed, and which phase the
 * environment is in. The environment asks it whether init or an invoke may end (every registered
 * extension is waiting in /next) and hears from it when an extension fails.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { reply } from '../environments/api-http.ts';
import { MAX_EXTENSIONS } from './discover.ts';
import { EXTENSION_EVENT_TYPES, type ExtensionEvent, type ExtensionEventType, type ShutdownReason, shutdownEvent } from './events.ts';

export interface ExtensionFailure {
  name: string;
  errorType: string;
  message: string;
}

export interface HostListener {
  /** Every launched external extension has registered: Lambda starts the runtime now. */
  allRegistered(): void;
  /** An extension called /next: init or an invoke may have ended. */
  progressed(): void;
  /** An extension failed: it exited, or posted /init/error or /exit/error. */
  failed(failure: ExtensionFailure): void;
}

export interface RegisterAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

interface Agent {
  id: string;
  name: string;
  external: boolean;
  events: ExtensionEventType[];
  pending: ServerResponse | null;
  queued: ExtensionEvent[];
  /** Has called /next since the last event it was handed */
  waiting: boolean;
  /** Reported an error: no further call succeeds */
  closed: boolean;
  /** The Lambda-Extension-Function-Error-Type it posted to /init/error */
  initErrorType?: string;
}

/** One extension's line in the log at the end of init (`EXTENSION Name: … State: … Events: […]`). */
export interface ExtensionStatus {
  name: string;
  state: 'Launched' | 'Registered' | 'Ready' | 'InitError' | 'LaunchError';
  events: ExtensionEventType[];
  errorType?: string;
}

export type HostPhase = 'init' | 'ready' | 'shutdown';

/** An Extensions API error answer, `{errorMessage, errorType}` as Lambda's. */
export function extensionError(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  reply(res, status, { errorMessage, errorType });
}

export class ExtensionHost {
  private readonly agents = new Map<string, Agent>();
  /** External extensions launched for this init, by file name → registered yet */
  private readonly launched = new Map<string, boolean>();
  phase: HostPhase = 'init';

  constructor(
    private readonly info: { functionName: string; functionVersion: string; handler: string },
    private readonly listener: HostListener,
  ) {}

  /** A new init (the first, or a retried one) with these external extensions launched. */
  begin(names: string[]): void {
    for (const agent of this.agents.values()) agent.pending?.destroy();
    this.agents.clear();
    this.launched.clear();
    for (const name of names) this.launched.set(name, false);
    this.phase = 'init';
  }

  get allExternalRegistered(): boolean {
    for (const registered of this.launched.values()) if (!registered) return false;
    return true;
  }

  /** Each extension's state for the log lines at the end of init, launched-but-unregistered ones included. */
  statuses(launchErrors: Map<string, string> = new Map()): ExtensionStatus[] {
    const out: ExtensionStatus[] = [];
    for (const a of this.agents.values()) {
      if (a.initErrorType) out.push({ name: a.name, state: 'InitError', events: a.events, errorType: a.initErrorType });
      else out.push({ name: a.name, state: a.waiting || this.phase !== 'init' ? 'Ready' : 'Registered', events: a.events });
    }
    for (const [name, registered] of this.launched) {
      if (registered) continue;
      const launchError = launchErrors.get(name);
      out.push(launchError ? { name, state: 'LaunchError', events: [], errorType: launchError } : { name, state: 'Launched', events: [] });
    }
    return out;
  }

  nameOf(id: string | undefined): string | null {
    return (id && this.agents.get(id)?.name) || null;
  }

  register(name: string | undefined, body: unknown): RegisterAnswer {
    const fail = (status: number, errorType: string, errorMessage: string): RegisterAnswer => ({ status, headers: {}, body: { errorMessage, errorType } });
    if (!name) return fail(403, 'Extension.MissingHeader', 'Lambda-Extension-Name is required: the full file name of the extension');
    if (this.phase !== 'init') return fail(403, 'Extension.InvalidStateTransition', `Extension ${name} registered after the Init phase; extensions register during Init only`);
    const events = (body as { events?: unknown } | null)?.events ?? [];
    if (!Array.isArray(events) || events.some((e) => !EXTENSION_EVENT_TYPES.includes(e))) {
      return fail(400, 'InvalidRequest', `events must be a list of ${EXTENSION_EVENT_TYPES.join(', ')}; got ${JSON.stringify(events)}`);
    }
    const external = this.launched.get(name) === false;
    if (!external && this.launched.get(name) === true) return fail(403, 'Extension.AlreadyRegistered', `Extension ${name} is already registered`);
    if (!external && events.includes('SHUTDOWN')) {
      return fail(403, 'ShutdownEventNotSupportedForInternalExtension', `Internal extension ${name} cannot register for SHUTDOWN (only files in /opt/extensions are external)`);
    }
    if (this.agents.size >= MAX_EXTENSIONS) return fail(400, 'TooManyExtensions', `A function can register at most ${MAX_EXTENSIONS} extensions`);
    const id = randomUUID();
    this.agents.set(id, { id, name, external, events: [...new Set(events as ExtensionEventType[])], pending: null, queued: [], waiting: false, closed: false });
    if (external) this.launched.set(name, true);
    if (external && this.allExternalRegistered) setImmediate(() => this.listener.allRegistered());
    return {
      status: 200,
      headers: { 'lambda-extension-identifier': id },
      body: { functionName: this.info.functionName, functionVersion: this.info.functionVersion, handler: this.info.handler },
    };
  }

  /** GET /extension/event/next: blocks until the extension's next event. */
  next(id: string | undefined, res: ServerResponse): void {
    const agent = this.agentFor(id, res);
    if (!agent) return;
    agent.pending?.destroy();
    agent.pending = res;
    agent.waiting = true;
    if (agent.queued.length > 0) this.deliver(agent);
    this.listener.progressed();
  }

  /** POST /extension/init/error (during init) or /extension/exit/error. */
  error(kind: 'init' | 'exit', id: string | undefined, errorType: string | undefined, res: ServerResponse): void {
    const agent = this.agentFor(id, res);
    if (!agent) return;
    if (!errorType) {
      extensionError(res, 400, 'InvalidRequest', 'Lambda-Extension-Function-Error-Type is required, e.g. Extension.ConfigInvalid');
      return;
    }
    if (kind === 'init' && this.phase !== 'init') {
      extensionError(res, 403, 'Extension.InvalidStateTransition', `Extension ${agent.name} reported an init error after the Init phase`);
      return;
    }
    reply(res, 202, { status: 'OK' }, { 'lambda-extension-identifier': agent.id });
    // AWS: after an error is posted no further API call succeeds.
    agent.closed = true;
    if (kind === 'init') agent.initErrorType = errorType;
    // Lambda's own failure types (its runtime manager's AgentInitError / AgentExitError); the extension's type is in its EXTENSION line and the message.
    const failure = kind === 'init' ? 'Extension.InitError' : 'Extension.ExitError';
    const message = kind === 'init' ? `Extension ${agent.name} failed to initialize: ${errorType}` : `Extension ${agent.name} exited with error: ${errorType}`;
    setImmediate(() => this.listener.failed({ name: agent.name, errorType: failure, message }));
  }

  /** An external extension's process ended (any time before the shutdown phase is a failure). */
  exited(name: string, how: string): void {
    if (this.phase === 'shutdown') return;
    for (const agent of this.agents.values()) {
      if (agent.name !== name || !agent.external) continue;
      // It posted an error first: that error is the failure, not the exit.
      if (agent.closed) return;
      agent.closed = true;
    }
    this.listener.failed({ name, errorType: 'Extension.Crash', message: `Extension ${name} exited: ${how}` });
  }

  /** Every registered extension is waiting in /next (the condition for init to end). */
  get allWaiting(): boolean {
    for (const agent of this.agents.values()) if (!agent.waiting) return false;
    return true;
  }

  /** Every INVOKE subscriber is waiting in /next again (the condition for an invoke to end). */
  get invokeDone(): boolean {
    for (const agent of this.agents.values()) if (agent.events.includes('INVOKE') && !agent.waiting) return false;
    return true;
  }

  get hasInvokeSubscribers(): boolean {
    for (const agent of this.agents.values()) if (agent.events.includes('INVOKE')) return true;
    return false;
  }

  /** External extensions that will be sent SHUTDOWN. */
  get shutdownSubscribers(): number {
    let n = 0;
    for (const agent of this.agents.values()) if (agent.external && agent.events.includes('SHUTDOWN') && !agent.closed) n++;
    return n;
  }

  /** Init has ended: registrations close. */
  ready(): void {
    this.phase = 'ready';
  }

  /** Hands the event to every extension subscribed to its type (now if it waits in /next, else at its next /next). */
  dispatch(event: ExtensionEvent): void {
    for (const agent of this.agents.values()) {
      if (agent.closed || !agent.events.includes(event.eventType)) continue;
      if (event.eventType === 'SHUTDOWN' && !agent.external) continue;
      agent.queued.push(event);
      agent.waiting = false;
      if (agent.pending) this.deliver(agent);
    }
  }

  /** Starts the shutdown phase: SHUTDOWN to every external extension subscribed to it. */
  shutdown(reason: ShutdownReason, deadlineMs: number): void {
    this.dispatch(shutdownEvent(reason, deadlineMs));
    this.phase = 'shutdown';
  }

  /** Drops every blocked /next (the environment is gone). */
  close(): void {
    this.phase = 'shutdown';
    for (const agent of this.agents.values()) {
      agent.pending?.destroy();
      agent.pending = null;
    }
  }

  private deliver(agent: Agent): void {
    const res = agent.pending;
    const event = agent.queued.shift();
    if (!res || !event) return;
    agent.pending = null;
    agent.waiting = false;
    reply(res, 200, event, { 'lambda-extension-event-identifier': randomUUID(), 'lambda-extension-identifier': agent.id });
  }

  private agentFor(id: string | undefined, res: ServerResponse): Agent | null {
    if (!id) {
      extensionError(res, 403, 'Extension.MissingExtensionIdentifier', 'Lambda-Extension-Identifier is required: the identifier /extension/register answered');
      return null;
    }
    const agent = this.agents.get(id);
    if (!agent) {
      extensionError(res, 403, 'Extension.UnknownExtensionIdentifier', `Unknown Lambda-Extension-Identifier ${id}`);
      return null;
    }
    if (agent.closed) {
      extensionError(res, 403, 'Extension.InvalidExtensionState', `Extension ${agent.name} has reported an error; no further calls succeed`);
      return null;
    }
    return agent;
  }
}
