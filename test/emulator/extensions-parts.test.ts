import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverExtensions, extensionEnvironment } from '../../src/emulator/extensions/discover.ts';
import { TelemetryHub } from '../../src/emulator/extensions/telemetry.ts';
import { writeTree } from './environments/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'coldbench-ext-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('discoverExtensions', () => {
  const a = writeTree(join(dir, 'a'), { 'extensions/zeta': '#!/bin/sh\n', 'extensions/alpha': 'a\n', 'extensions/notes.txt': 'not executable\n' });
  const b = writeTree(join(dir, 'b'), { 'extensions/alpha': 'b\n' });
  for (const f of ['extensions/zeta', 'extensions/alpha']) chmodSync(join(a, f), 0o755);
  chmodSync(join(b, 'extensions/alpha'), 0o755);
  symlinkSync(join(dir, 'missing'), join(a, 'extensions', 'dangling'));

  it('finds the executables of every layer in file-name order, a later layer winning, non-executables and dangling links skipped', () => {
    expect(discoverExtensions([a, b])).toEqual([
      { name: 'alpha', path: join(b, 'extensions', 'alpha') },
      { name: 'zeta', path: join(a, 'extensions', 'zeta') },
    ]);
  });

  it("drops an earlier layer's extension that a later layer's dangling link or plain file of the same name replaces, as in /opt", () => {
    const c = writeTree(join(dir, 'c'), { 'extensions/notes.txt': 'now executable-free\n' });
    symlinkSync(join(dir, 'missing'), join(c, 'extensions', 'zeta'));
    expect(discoverExtensions([a, b, c])).toEqual([{ name: 'alpha', path: join(b, 'extensions', 'alpha') }]);
    const d = writeTree(join(dir, 'd'), { 'extensions/alpha': 'not executable\n' });
    expect(discoverExtensions([a, b, d])).toEqual([{ name: 'zeta', path: join(a, 'extensions', 'zeta') }]);
  });

  it('finds none in layers without an extensions folder', () => {
    expect(discoverExtensions([join(dir, 'nowhere')])).toEqual([]);
  });
});

describe('extensionEnvironment', () => {
  it("drops the variables Lambda keeps for the runtime and the local runtime's module paths, keeping the function's own", () => {
    const env = extensionEnvironment({
      _HANDLER: 'app.handler',
      LAMBDA_TASK_ROOT: '/t',
      AWS_LAMBDA_LOG_STREAM_NAME: 's',
      PYTHONPATH: '/p',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:1',
      STAGE: 'bench',
    });
    expect(env).toEqual({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:1', STAGE: 'bench' });
  });
});

describe('TelemetryHub', () => {
  const valid = (uri: string, buffering: Record<string, number> = { timeoutMs: 25 }) => ({
    schemaVersion: '2022-12-13',
    destination: { protocol: 'HTTP', URI: uri },
    types: ['platform'],
    buffering,
  });

  it('refuses a TCP destination, unknown types and buffering out of AWS’s ranges, naming the field', () => {
    const hub = new TelemetryHub();
    expect(hub.subscribe('x', { ...valid('http://sandbox.localdomain:1/'), destination: { protocol: 'TCP', URI: 'sandbox.localdomain:1' } })).toEqual({
      ok: false,
      status: 400,
      errorType: 'ValidationError',
      message: 'destination.protocol TCP is not supported by the local emulator; use HTTP',
    });
    expect(hub.subscribe('x', { ...valid('http://sandbox.localdomain:1/'), types: ['platform', 'traces'] })).toMatchObject({
      message: 'types must be a non-empty list of platform, function, extension; got ["platform","traces"]',
    });
    expect(hub.subscribe('x', valid('http://sandbox.localdomain:1/', { maxItems: 10 }))).toMatchObject({ message: 'buffering.maxItems must be an integer 1000-10000; got 10' });
    expect(hub.subscribe('x', valid('http://sandbox.localdomain:1/', { timeoutMs: 10 }))).toMatchObject({ message: 'buffering.timeoutMs must be an integer 25-30000; got 10' });
    hub.initDone();
    expect(hub.listening).toBe(false);
  });

  it('refuses a subscription once init has ended with 403 Telemetry.SubscriptionClosed, after validating the body as Lambda does', () => {
    const hub = new TelemetryHub();
    hub.publish('platform.initStart', { phase: 'init' });
    hub.initDone();
    expect(hub.subscribe('late', valid('http://sandbox.localdomain:1/'))).toEqual({
      ok: false,
      status: 403,
      errorType: 'Telemetry.SubscriptionClosed',
      message: 'Telemetry API subscription is closed already',
    });
    expect(hub.subscribe('late', { ...valid('http://sandbox.localdomain:1/'), types: [] })).toMatchObject({ status: 400, errorType: 'ValidationError' });
    expect(hub.listening).toBe(false);
    hub.reset();
    expect(hub.subscribe('next-init', valid('http://sandbox.localdomain:1/'))).toEqual({ ok: true });
    hub.close();
  });

  it('POSTs buffered events as a JSON array to sandbox.localdomain on 127.0.0.1, earlier init events included', async () => {
    const batches: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        batches.push({ path: req.url, type: req.headers['content-type'], events: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const hub = new TelemetryHub();
      hub.publish('platform.initStart', { phase: 'init' }, new Date('2026-01-01T00:00:00Z'));
      expect(hub.subscribe('agent', valid(`http://sandbox.localdomain:${port}/events`))).toEqual({ ok: true });
      hub.publish('function', 'a log line');
      hub.publish('platform.start', { requestId: 'r1' }, new Date('2026-01-01T00:00:01Z'));
      await hub.flush();
      expect(batches).toHaveLength(1);
      const [batch] = batches as Array<{ path: string; type: string; events: Array<{ time: string; type: string; record: unknown }> }>;
      expect(batch.path).toBe('/events');
      expect(batch.type).toBe('application/json');
      expect(batch.events.map((e) => e.type)).toEqual(['platform.initStart', 'platform.telemetrySubscription', 'platform.start']);
      expect(batch.events[0]).toEqual({ time: '2026-01-01T00:00:00.000Z', type: 'platform.initStart', record: { phase: 'init' } });
      expect(batch.events[1].record).toEqual({ name: 'agent', state: 'Subscribed', types: ['platform'] });
      hub.close();
    } finally {
      server.close();
    }
  });

  it('gives a repeat subscription from the same extension only the init events it has not had, and nothing twice', async () => {
    const batches: Array<Array<{ type: string; record: unknown }>> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        batches.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const uri = `http://sandbox.localdomain:${(server.address() as AddressInfo).port}/`;
    try {
      const hub = new TelemetryHub();
      hub.publish('platform.initStart', { phase: 'init' });
      hub.publish('function', 'init line');
      expect(hub.subscribe('agent', valid(uri))).toEqual({ ok: true });
      await hub.flush();
      expect(hub.subscribe('agent', { ...valid(uri), types: ['platform', 'function'] })).toEqual({ ok: true });
      hub.initDone();
      hub.publish('platform.start', { requestId: 'r1' });
      await hub.flush();
      expect(batches.flat().map((e) => e.type)).toEqual(['platform.initStart', 'platform.telemetrySubscription', 'function', 'platform.telemetrySubscription', 'platform.start']);
      hub.close();
    } finally {
      server.close();
    }
  });
});
