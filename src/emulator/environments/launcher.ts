import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';

const SPAWNER = fileURLToPath(new URL('./spawner.py', import.meta.url));

export interface ProcessRequest {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface ProcessHandlers {
  /** A chunk of the process's stdout and stderr (merged, in order) */
  output(chunk: string): void;
  /** The process ended; `outputDone` resolves once its output has all been delivered */
  exit(code: number | null, signal: NodeJS.Signals | null, outputDone: Promise<void>): void;
}

/** A Runtime API relay (spawner.py's `_relay`): its own process group, listening on 127.0.0.1:port. */
export interface Relay {
  pid: number;
  port: number;
}

/** Starts environment processes, each in its own process group. */
export interface Launcher {
  readonly kind: string;
  start(req: ProcessRequest, handlers: ProcessHandlers): Promise<number>;
  /** Starts a relay to the Runtime API on 127.0.0.1:upstreamPort (`exited` when it ends); absent when this launcher cannot. */
  startRelay?(upstreamPort: number, exited: () => void): Promise<Relay>;
  close(): void;
}

/** Signal number → name (the spawner reports numbers). */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** After a process exits, how long its output may take to drain (a grandchild can hold the pipe open). */
const OUTPUT_DRAIN_MS = 200;

function drained(streams: Array<NodeJS.ReadableStream | Socket | null | undefined>): Promise<void> {
  const open = streams.filter((s) => s && !(s as { closed?: boolean }).closed && !(s as { destroyed?: boolean }).destroyed) as NodeJS.ReadableStream[];
  const waits = open.map((s) => new Promise<void>((r) => s.once('close', () => r())));
  return Promise.race([Promise.all(waits).then(() => undefined), new Promise<void>((r) => setTimeout(r, OUTPUT_DRAIN_MS))]);
}

/** child_process.spawn from the emulator itself: no helper needed, but each spawn forks the emulator's heap. */
export class DirectLauncher implements Launcher {
  readonly kind = 'direct spawn from the emulator process';

  start(req: ProcessRequest, handlers: ProcessHandlers): Promise<number> {
    const proc = spawn(req.command, req.args, { cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (proc.pid === undefined) {
      return new Promise((_, reject) => proc.once('error', reject));
    }
    for (const s of [proc.stdout, proc.stderr]) {
      s.setEncoding('utf8');
      s.on('data', handlers.output);
    }
    proc.once('exit', (code, signal) => handlers.exit(code, signal, drained([proc.stdout, proc.stderr])));
    return Promise.resolve(proc.pid);
  }

  close(): void {}
}

interface Pending {
  handlers: ProcessHandlers;
  socket?: Socket;
  resolve(pid: number): void;
  reject(err: Error): void;
}

/**
 * Forks environments from a small Python helper (spawner.py), so a spawn costs the same however
 * big the emulator's heap is, and never blocks its event loop. Output comes back over a loopback
 * TCP connection per process; exits come back on the helper's stdout.
 */
class SpawnerLauncher implements Launcher {
  readonly kind = 'forked by the spawner helper (spawner.py)';
  private readonly byId = new Map<string, Pending>();
  private readonly byPid = new Map<number, Pending>();
  private readonly earlyExits = new Map<number, { code: number | null; signal: NodeJS.Signals | null }>();
  private readonly byToken = new Map<string, Pending>();
  private readonly relaysById = new Map<string, { exited: () => void; resolve(relay: Relay): void; reject(err: Error): void }>();
  /** Relays alive, and whom to tell when one ends (the spawner reports a relay's start before its exit) */
  private readonly relayExits = new Map<number, () => void>();
  private seq = 0;
  private buffered = '';
  private dead: Error | null = null;

  private constructor(
    private readonly helper: ChildProcessByStdio<Writable, Readable, null>,
    private readonly logServer: Server,
    private readonly logPort: number,
  ) {
    helper.stdout.setEncoding('utf8');
    helper.stdout.on('data', (chunk: string) => this.onMessages(chunk));
    helper.once('exit', (code, signal) => this.onHelperExit(code, signal));
  }

  /** Starts the helper with `python`; resolves once it is ready. */
  static async create(python: string): Promise<SpawnerLauncher> {
    const logServer = createServer();
    await new Promise<void>((resolve, reject) => {
      logServer.once('error', reject);
      logServer.listen(0, '127.0.0.1', () => resolve());
    });
    logServer.unref();
    const helper = spawn(python, ['-I', '-S', '-u', SPAWNER], { stdio: ['pipe', 'pipe', 'inherit'] });
    helper.unref();
    (helper.stdin as unknown as { unref?: () => void }).unref?.();
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes('"ready"')) {
          helper.stdout.off('data', onData);
          resolve();
        }
      };
      helper.stdout.on('data', onData);
      helper.once('error', reject);
      helper.once('exit', (code) => reject(new Error(`the spawner helper exited at start (status ${code})`)));
    });
    helper.removeAllListeners('exit');
    helper.removeAllListeners('error');
    const launcher = new SpawnerLauncher(helper, logServer, (logServer.address() as AddressInfo).port);
    logServer.on('connection', (s) => launcher.onLogConnection(s));
    return launcher;
  }

  start(req: ProcessRequest, handlers: ProcessHandlers): Promise<number> {
    if (this.dead) return Promise.reject(this.dead);
    const id = String(++this.seq);
    const token = randomBytes(12).toString('hex');
    return new Promise((resolve, reject) => {
      const pending: Pending = { handlers, resolve, reject };
      this.byId.set(id, pending);
      this.byToken.set(token, pending);
      this.helper.stdin.write(`${JSON.stringify({ id, ...req, logPort: this.logPort, token })}\n`);
    });
  }

  startRelay(upstreamPort: number, exited: () => void): Promise<Relay> {
    if (this.dead) return Promise.reject(this.dead);
    const id = String(++this.seq);
    return new Promise((resolve, reject) => {
      this.relaysById.set(id, { exited, resolve, reject });
      this.helper.stdin.write(`${JSON.stringify({ id, relay: upstreamPort })}\n`);
    });
  }

  private onLogConnection(socket: Socket): void {
    socket.setEncoding('utf8');
    let head = '';
    const onData = (chunk: string) => {
      head += chunk;
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      const pending = this.byToken.get(head.slice(0, nl));
      socket.off('data', onData);
      if (!pending) {
        socket.destroy();
        return;
      }
      this.byToken.delete(head.slice(0, nl));
      pending.socket = socket;
      socket.on('data', pending.handlers.output);
      socket.on('error', () => socket.destroy());
      const rest = head.slice(nl + 1);
      if (rest) pending.handlers.output(rest);
    };
    socket.on('data', onData);
  }

  private onMessages(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let msg: { id?: string; pid?: number; port?: number; error?: string; exit?: number; code?: number | null; signal?: number | null };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      const relayExited = msg.exit === undefined ? undefined : this.relayExits.get(msg.exit);
      if (msg.exit !== undefined && relayExited) {
        this.relayExits.delete(msg.exit);
        relayExited();
        continue;
      }
      if (msg.id !== undefined && this.relaysById.has(msg.id)) {
        this.onRelayReply(msg.id, msg);
      } else if (msg.exit !== undefined) {
        const signal = msg.signal ? (SIGNAL_NAMES.get(msg.signal) ?? null) : null;
        this.onExit(msg.exit, msg.code ?? null, signal);
      } else if (msg.id !== undefined) {
        const pending = this.byId.get(msg.id);
        this.byId.delete(msg.id);
        if (!pending) continue;
        if (msg.error !== undefined) {
          pending.socket?.destroy();
          pending.reject(new Error(msg.error));
          continue;
        }
        const pid = msg.pid;
        if (pid === undefined) {
          pending.socket?.destroy();
          pending.reject(new Error(`the spawner helper answered spawn ${msg.id} with neither a pid nor an error`));
          continue;
        }
        this.byPid.set(pid, pending);
        pending.resolve(pid);
        const early = this.earlyExits.get(pid);
        if (early) {
          this.earlyExits.delete(pid);
          this.onExit(pid, early.code, early.signal);
        }
      }
    }
  }

  private onRelayReply(id: string, msg: { pid?: number; port?: number; error?: string }): void {
    const waiter = this.relaysById.get(id);
    this.relaysById.delete(id);
    if (!waiter) return;
    if (msg.pid === undefined || msg.port === undefined) {
      waiter.reject(new Error(msg.error ?? `the spawner helper answered relay ${id} with neither a pid and port nor an error`));
      return;
    }
    this.relayExits.set(msg.pid, waiter.exited);
    waiter.resolve({ pid: msg.pid, port: msg.port });
  }

  private onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const pending = this.byPid.get(pid);
    if (!pending) {
      // The exit overtook the spawn reply.
      this.earlyExits.set(pid, { code, signal });
      return;
    }
    this.byPid.delete(pid);
    pending.handlers.exit(code, signal, drained([pending.socket]));
  }

  private onHelperExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.dead = new Error(`the spawner helper exited (${signal ?? `status ${code}`}); environments cannot be started`);
    for (const p of this.byId.values()) p.reject(this.dead);
    this.byId.clear();
    for (const r of this.relaysById.values()) r.reject(this.dead);
    this.relaysById.clear();
    // Its children were killed with it; report them as killed so their invokes end.
    for (const [, p] of this.byPid) p.handlers.exit(null, 'SIGKILL', Promise.resolve());
    this.byPid.clear();
    for (const exited of this.relayExits.values()) exited();
    this.relayExits.clear();
  }

  close(): void {
    this.helper.stdin.end();
    this.logServer.close();
  }
}

/** The spawner helper when Python can run it, else direct spawning (and why). */
export async function createLauncher(python: string | null): Promise<Launcher> {
  if (python) {
    try {
      return await SpawnerLauncher.create(python);
    } catch {
      // fall through: direct spawning still works, only slower on a big heap
    }
  }
  return new DirectLauncher();
}
