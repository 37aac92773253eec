import { request as httpRequest, createServer, Agent, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLauncher, DirectLauncher, type Launcher } from '../../../src/emulator/environments/launcher.ts';
import { relayMode } from '../../../src/emulator/environments/runtime-api-relay.ts';
import { detectInterpreters } from '../../../src/emulator/environments/launch.ts';

const { python, pythonProblem } = await detectInterpreters();
const noPython = python ? null : `no python3 for the spawner helper: ${pythonProblem}`;

describe('relayMode', () => {
  const withRelay = {
    kind: 'forked by the spawner helper (spawner.py)',
    startRelay: () => Promise.reject(new Error('unused')),
    start: () => Promise.resolve(0),
    close() {},
  } as Launcher;

  it('relays when the CPU share is enforced and the launcher can start a relay', () => {
    expect(relayMode(true, withRelay, {})).toEqual({
      enabled: true,
      reason: "the Runtime API's in-environment work is relayed inside each environment's CPU share, as Rapid's is on Lambda",
    });
  });

  it('serves directly when unthrottled, since a relay would only add a hop', () => {
    expect(relayMode(false, withRelay, {})).toEqual({ enabled: false, reason: 'the Runtime API is served directly (unthrottled)' });
  });

  it('is turned off by COLDBENCH_RUNTIME_API_RELAY=off, and says so', () => {
    expect(relayMode(true, withRelay, { COLDBENCH_RUNTIME_API_RELAY: 'off' })).toEqual({
      enabled: false,
      reason: 'the Runtime API runs outside the CPU share (COLDBENCH_RUNTIME_API_RELAY=off)',
    });
  });

  it('names the direct launcher as the reason there is no relay', () => {
    expect(relayMode(true, new DirectLauncher(), {})).toEqual({
      enabled: false,
      reason: 'the Runtime API runs outside the CPU share: its relay needs the spawner helper (python3), and environments are direct spawn from the emulator process',
    });
  });
});

describe('the spawner helper’s Runtime API relay', () => {
  let launcher: Launcher;
  let upstream: Server;
  let upstreamPort: number;
  const seenBodies: number[] = [];

  beforeAll(async () => {
    launcher = await createLauncher(python?.path ?? null);
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seenBodies.push(body.length);
        if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(Buffer.alloc(8 * 1024 * 1024, 1));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-path': req.url ?? '' });
        res.end(body.length ? body : Buffer.from('next-event'));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as AddressInfo).port;
  });

  afterAll(async () => {
    launcher.close();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  function call(port: number, agent: Agent, method: string, path: string, body?: Buffer): Promise<{ status: number; path: string; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, path: String(res.headers['x-path']), body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it.skipIf(noPython !== null)(
    `passes requests and answers through byte for byte on one kept-alive connection, a 6 MB answer included${noPython ? ` (skipped: ${noPython})` : ''}`,
    async () => {
      if (!launcher.startRelay) throw new Error(`the launcher cannot start relays: ${launcher.kind}`);
      const relay = await launcher.startRelay(upstreamPort, () => {});
      expect(relay.port).not.toBe(upstreamPort);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const next = await call(relay.port, agent, 'GET', '/2018-06-01/runtime/invocation/next');
      expect([next.status, next.path, next.body.toString()]).toEqual([200, '/2018-06-01/runtime/invocation/next', 'next-event']);
      const big = Buffer.alloc(6 * 1024 * 1024, 7);
      big.write('first bytes');
      const answer = await call(relay.port, agent, 'POST', '/2018-06-01/runtime/invocation/r1/response', big);
      expect(answer.status).toBe(200);
      expect(answer.body.equals(big)).toBe(true);
      expect(seenBodies.at(-1)).toBe(big.length);
      agent.destroy();
      process.kill(-relay.pid, 'SIGKILL');
    },
  );

  it.skipIf(noPython !== null)(
    `keeps serving other connections while one peer does not read its answer${noPython ? ` (skipped: ${noPython})` : ''}`,
    async () => {
      if (!launcher.startRelay) throw new Error(`the launcher cannot start relays: ${launcher.kind}`);
      const relay = await launcher.startRelay(upstreamPort, () => {});
      const stalled = connect(relay.port, '127.0.0.1');
      stalled.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      stalled.pause();
      await new Promise((r) => setTimeout(r, 200));
      const other = await call(relay.port, new Agent(), 'GET', '/2018-06-01/runtime/invocation/next');
      expect([other.status, other.body.toString()]).toEqual([200, 'next-event']);
      stalled.destroy();
      process.kill(-relay.pid, 'SIGKILL');
    },
    15_000,
  );

  it.skipIf(noPython !== null)(`passes a half-close on and still delivers the answer${noPython ? ` (skipped: ${noPython})` : ''}`, async () => {
    if (!launcher.startRelay) throw new Error(`the launcher cannot start relays: ${launcher.kind}`);
    const relay = await launcher.startRelay(upstreamPort, () => {});
    const socket = connect(relay.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise((r) => socket.on('close', r));
    socket.end('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await closed;
    const text = Buffer.concat(chunks).toString();
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text.slice(text.indexOf('\r\n\r\n'))).toContain('next-event');
    process.kill(-relay.pid, 'SIGKILL');
  });

  it.skipIf(noPython !== null)(`is in its own process group as soon as it is reported, so a kill right away ends it${noPython ? ` (skipped: ${noPython})` : ''}`, async () => {
    if (!launcher.startRelay) throw new Error(`the launcher cannot start relays: ${launcher.kind}`);
    for (let i = 0; i < 5; i++) {
      const relay = await launcher.startRelay(upstreamPort, () => {});
      expect(() => process.kill(-relay.pid, 'SIGKILL')).not.toThrow();
    }
  });

  it.skipIf(noPython !== null)(`ends by itself once the environment’s Runtime API is gone${noPython ? ` (skipped: ${noPython})` : ''}`, async () => {
    if (!launcher.startRelay) throw new Error(`the launcher cannot start relays: ${launcher.kind}`);
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', () => r()));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    let reported!: () => void;
    const exitReported = new Promise<void>((r) => (reported = r));
    const relay = await launcher.startRelay(port, reported);
    await expect(call(relay.port, new Agent(), 'GET', '/')).rejects.toThrow(/socket hang up|ECONNRESET/);
    // The launcher reports the exit once the spawner has reaped it: the pid is gone by then.
    await exitReported;
    expect(() => process.kill(relay.pid, 0)).toThrow(/ESRCH/);
  });
});
