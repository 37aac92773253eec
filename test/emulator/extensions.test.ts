import { chmodSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../src/emulator/contract.ts';
import { json, makeSpec, request, stageFixture, usePool, writeTree } from './environments/helpers.ts';

const LAYERS = fileURLToPath(new URL('../../fixtures/layers/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: lines the fixture agent wrote; the tests index into them freely.
type Entry = any;

/** What the fixture agent recorded, one JSON object per line. */
function recorded(path: string): Entry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function waitFor<T>(read: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('External extensions in the emulator', () => {
  let pyDir: string;
  let n = 0;
  const { sink, root, pool } = usePool({}, () => {
    pyDir = stageFixture('python', root.dir);
  });

  /** A function with the named fixture layer; its agent records to a file of its own. */
  function withLayer(layer: string, env: Record<string, string> = {}, extra: Partial<FunctionSpec> = {}): { spec: FunctionSpec; record: string } {
    const layerDir = join(root.dir, `${layer}-${++n}`);
    cpSync(join(LAYERS, layer), layerDir, { recursive: true });
    const record = join(root.dir, `record-${n}.jsonl`);
    const spec = makeSpec({ runtime: 'python3.11', handler: 'noop.handler', codeDir: pyDir, layerDirs: [layerDir], environment: { AGENT_RECORD: record, ...env }, ...extra });
    return { spec, record };
  }

  it("counts the extension's init work in Init Duration, ending init at the last /next of the runtime and the extension", async () => {
    const bare = await pool().invoke(makeSpec({ runtime: 'python3.11', handler: 'noop.handler', codeDir: pyDir }), request());
    const { spec, record } = withLayer('test-agent', { AGENT_INIT_MS: '300' });
    const out = await pool().invoke(spec, request());
    expect(out.status).toBe('success');
    const spent = recorded(record).find((e) => e.event === 'init').ms as number;
    expect(spent).toBeGreaterThanOrEqual(300);
    expect(out.initMs).toBeGreaterThanOrEqual(spent);
    // Spawn, interpreter start-up and the runtime's own init around it, with room for a shared 2-core machine.
    expect(out.initMs).toBeLessThan(spent + (bare.initMs ?? 0) + 300);
    const lines = sink.messages(spec.logGroupName);
    expect(lines).toContain('EXTENSION\tName: test-agent\tState: Ready\tEvents: [INVOKE,SHUTDOWN]\n');
    expect(lines.findIndex((l) => l.startsWith('EXTENSION'))).toBeLessThan(lines.findIndex((l) => l.startsWith('START')));
  });

  it("writes the extension's state as a platform.extension record in the JSON log format", async () => {
    const { spec } = withLayer('test-agent', { AGENT_INIT_MS: '0' }, { logFormat: 'JSON' });
    await pool().invoke(spec, request());
    const records = sink.messages(spec.logGroupName).flatMap((l) => (l.startsWith('{"time"') ? [JSON.parse(l)] : []));
    expect(records.find((r) => r.type === 'platform.extension')).toEqual({
      time: expect.any(String),
      type: 'platform.extension',
      record: { name: 'test-agent', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] },
    });
  });

  it('answers /extension/register with the function name, version and handler', async () => {
    const { spec, record } = withLayer('test-agent', { AGENT_INIT_MS: '0' });
    await pool().invoke(spec, request());
    expect(recorded(record)[0]).toEqual({ event: 'registered', status: 200, body: { functionName: spec.functionName, functionVersion: '$LATEST', handler: 'noop.handler' } });
  });

  it("sends INVOKE with the invoke's request id, ARN, deadline and trace header, and puts the extension's output in the tail before END", async () => {
    const { spec, record } = withLayer('test-agent', { AGENT_INIT_MS: '0' });
    const req = request();
    const before = Date.now();
    const out = await pool().invoke(spec, req);
    const invoke = recorded(record).find((e) => e.event === 'INVOKE').payload;
    expect(invoke.eventType).toBe('INVOKE');
    expect(invoke.requestId).toBe(req.requestId);
    expect(invoke.invokedFunctionArn).toBe(spec.functionArn);
    expect(invoke.deadlineMs).toBeGreaterThan(before + 2000);
    expect(invoke.deadlineMs).toBeLessThanOrEqual(Date.now() + 3000);
    expect(invoke.tracing.type).toBe('X-Amzn-Trace-Id');
    expect(invoke.tracing.value).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    const tail = out.logText.split('\n');
    const said = tail.indexOf(`test-agent saw invoke ${req.requestId}`);
    expect(said).toBeGreaterThan(tail.findIndex((l) => l.startsWith('START')));
    expect(said).toBeLessThan(tail.findIndex((l) => l.startsWith('END')));
  });

  it("keeps the invoke open until the extension's next /next, so its post-invoke work is in Duration", async () => {
    const { spec } = withLayer('test-agent', { AGENT_INIT_MS: '0', AGENT_POST_INVOKE_MS: '250' });
    await pool().invoke(spec, request());
    const warm = await pool().invoke(spec, request());
    expect(warm.cold).toBe(false);
    expect(warm.durationMs).toBeGreaterThanOrEqual(250);
    expect(warm.billedMs).toBeGreaterThanOrEqual(250);
  });

  it("counts the extension's memory in Max Memory Used", async () => {
    const bare = await pool().invoke(makeSpec({ runtime: 'python3.11', handler: 'noop.handler', codeDir: pyDir }), request());
    const { spec } = withLayer('test-agent', { AGENT_INIT_MS: '0' });
    const out = await pool().invoke(spec, request());
    // A second Python process (urllib, http.server loaded) holds well over 5 MB of its own.
    expect(out.maxMemoryMB).toBeGreaterThanOrEqual(bare.maxMemoryMB + 5);
  });

  it('sends SHUTDOWN (spindown, a deadline 2 s ahead) when the environment is retired, and waits for the extension to exit', async () => {
    const { spec, record } = withLayer('test-agent', { AGENT_INIT_MS: '0' });
    await pool().invoke(spec, request());
    const before = Date.now();
    await pool().retire(spec.functionName);
    const entries = recorded(record);
    const shutdown = entries.find((e) => e.event === 'SHUTDOWN').payload;
    expect(shutdown).toEqual({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: expect.any(Number) });
    expect(shutdown.deadlineMs).toBeGreaterThanOrEqual(before + 1900);
    expect(shutdown.deadlineMs).toBeLessThanOrEqual(Date.now() + 2000);
    expect(entries.at(-1)).toEqual({ event: 'exit' });
  });

  it('sends SHUTDOWN with shutdownReason timeout after an invoke times out', async () => {
    const { spec, record } = withLayer('test-agent', { AGENT_INIT_MS: '0' }, { handler: 'timeout.handler', timeoutS: 1 });
    const out = await pool().invoke(spec, request());
    expect(out.status).toBe('timeout');
    const shutdown = await waitFor(() => recorded(record).find((e) => e.event === 'SHUTDOWN'), 'SHUTDOWN');
    expect(shutdown.payload.shutdownReason).toBe('timeout');
  });

  it('fails init with Extension.Crash when an extension exits during init, and again in the invoke phase', async () => {
    const { spec } = withLayer('crash-agent');
    const out = await pool().invoke(spec, request());
    expect(out.status).toBe('error');
    expect(out.errorType).toBe('Extension.Crash');
    expect(json(out.payload)).toEqual({ errorType: 'Extension.Crash', errorMessage: 'Extension crash-agent exited: exit status 3' });
    const lines = sink.messages(spec.logGroupName);
    expect(lines.filter((l) => /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Extension.Crash\n$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: error\tError Type: Extension.Crash\n$/.test(l))).toHaveLength(1);
    expect(lines).toContain('crash-agent: giving up\n');
    expect(out.logText).toMatch(/\tStatus: error\tError Type: Extension.Crash\t\n$/);
  });

  it('fails init with Extension.InitError when an extension posts /extension/init/error, its own type in its EXTENSION line', async () => {
    const { spec } = withLayer('init-error-agent');
    const out = await pool().invoke(spec, request());
    expect(out.errorType).toBe('Extension.InitError');
    expect(json(out.payload)).toEqual({ errorType: 'Extension.InitError', errorMessage: 'Extension init-error-agent failed to initialize: Extension.ConfigInvalid' });
    const lines = sink.messages(spec.logGroupName);
    expect(lines).toContain('EXTENSION\tName: init-error-agent\tState: InitError\tEvents: [INVOKE,SHUTDOWN]\tError Type: Extension.ConfigInvalid\n');
    expect(lines.some((l) => /^INIT_REPORT .*\tPhase: init\tStatus: error\tError Type: Extension.InitError\n$/.test(l))).toBe(true);
  });

  it('fails the invoke with Extension.Crash when an extension exits while handling it, and resets the environment', async () => {
    const { spec } = withLayer('test-agent', { AGENT_INIT_MS: '0', AGENT_EXIT_ON_INVOKE: '1' });
    const req = request();
    const out = await pool().invoke(spec, req);
    expect(out.status).toBe('error');
    expect(out.errorType).toBe('Extension.Crash');
    expect(json(out.payload)).toEqual({ errorType: 'Extension.Crash', errorMessage: `RequestId: ${req.requestId} Error: Extension test-agent exited: exit status 2` });
    expect(out.logText).toMatch(/\tStatus: error\tError Type: Extension.Crash\t\n$/);
    const next = await pool().invoke(spec, request());
    expect(next.cold).toBe(true);
  });

  it('fails init with Extension.LaunchError when an extension cannot be started', async () => {
    const layer = writeTree(join(root.dir, `bad-layer-${++n}`), { 'extensions/bad-agent': '#!/nonexistent/interpreter\n' });
    chmodSync(join(layer, 'extensions', 'bad-agent'), 0o755);
    const spec = makeSpec({ runtime: 'python3.11', handler: 'noop.handler', codeDir: pyDir, layerDirs: [layer] });
    const out = await pool().invoke(spec, request());
    expect(out.errorType).toBe('Extension.LaunchError');
    expect(json(out.payload).errorMessage).toMatch(/^Couldn't start extension bad-agent: /);
    expect(sink.messages(spec.logGroupName)).toContain('EXTENSION\tName: bad-agent\tState: LaunchError\tEvents: []\tError Type: Extension.LaunchError\n');
  });

  it("delivers Telemetry API events to the extension's listener at sandbox.localdomain, platform.report with the invoke's request id", async () => {
    const { spec, record } = withLayer('test-agent', { AGENT_INIT_MS: '0', AGENT_TELEMETRY: '1' });
    const req = request();
    const out = await pool().invoke(spec, req);
    await pool().retire(spec.functionName);
    const entries = recorded(record);
    expect(entries.find((e) => e.event === 'subscribed')).toEqual({ event: 'subscribed', status: 200 });
    const events: Entry[] = entries.filter((e) => e.event === 'telemetry').flatMap((e) => e.batch);
    const types = events.map((e) => e.type);
    for (const t of [
      'platform.initStart',
      'platform.telemetrySubscription',
      'platform.initRuntimeDone',
      'platform.initReport',
      'platform.start',
      'platform.runtimeDone',
      'platform.report',
    ]) {
      expect(types).toContain(t);
    }
    const report = events.find((e) => e.type === 'platform.report');
    expect(report.record).toEqual({
      requestId: req.requestId,
      status: 'success',
      metrics: {
        durationMs: expect.any(Number),
        billedDurationMs: out.billedMs,
        memorySizeMB: 512,
        maxMemoryUsedMB: out.maxMemoryMB,
        initDurationMs: expect.any(Number),
      },
      tracing: { type: 'X-Amzn-Trace-Id', value: expect.stringMatching(/^Root=1-/) },
    });
    expect(report.record.metrics.initDurationMs).toBeCloseTo(out.initMs ?? -1, 2);
    expect(events.find((e) => e.type === 'platform.start').record.requestId).toBe(req.requestId);
    expect(events.find((e) => e.type === 'platform.runtimeDone').record).toMatchObject({
      requestId: req.requestId,
      status: 'success',
      metrics: { producedBytes: out.payload.length },
    });
    expect(events.find((e) => e.type === 'platform.initStart').record).toMatchObject({ initializationType: 'on-demand', phase: 'init', functionName: spec.functionName });
    expect(events.some((e) => e.type === 'extension' && e.record === `test-agent saw invoke ${req.requestId}`)).toBe(true);
    expect(new Date(report.time).toISOString()).toBe(report.time);
  });

  describe('Telemetry API subscriptions, taken during init only', () => {
    /** An external extension that subscribes to platform and function events in init (after the function's init line) or after init (at its first INVOKE). */
    const SUBSCRIBER = `#!/usr/bin/env python3
import http.server, json, os, threading, time, urllib.error, urllib.request
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
record = os.environ["AGENT_RECORD"]
lock = threading.Lock()
def write(entry):
    with lock, open(record, "a") as f:
        f.write(json.dumps(entry) + "\\n")
def call(method, path, body=None, headers={}):
    req = urllib.request.Request(f"http://{api}{path}", data=None if body is None else json.dumps(body).encode(), method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, res.headers, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()
_, headers, _ = call("POST", "/2020-01-01/extension/register", {"events": ["INVOKE", "SHUTDOWN"]}, {"Lambda-Extension-Name": "subscriber"})
ext_id = headers.get("Lambda-Extension-Identifier")
class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        write({"event": "telemetry", "batch": json.loads(self.rfile.read(int(self.headers["Content-Length"])))})
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
threading.Thread(target=server.serve_forever, daemon=True).start()
def subscribe():
    body = {"schemaVersion": "2022-12-13", "destination": {"protocol": "HTTP", "URI": f"http://sandbox.localdomain:{server.server_address[1]}/"}, "types": ["platform", "function"], "buffering": {"timeoutMs": 25}}
    status, headers, text = call("PUT", "/2022-07-01/telemetry", body, {"Lambda-Extension-Identifier": ext_id})
    write({"event": "subscribed", "status": status, "contentType": headers.get("Content-Type"), "body": text})
if os.environ["SUBSCRIBE"] == "init":
    # The runtime starts once every extension has registered: wait for the function's init line, so it is in the backlog.
    until = time.time() + 10
    while not os.path.exists(record + ".printed") and time.time() < until:
        time.sleep(0.01)
    subscribe()
while True:
    _, _, text = call("GET", "/2020-01-01/extension/event/next", headers={"Lambda-Extension-Identifier": ext_id})
    event = json.loads(text)
    write({"event": event["eventType"]})
    if event["eventType"] == "SHUTDOWN":
        break
    if os.environ["SUBSCRIBE"] == "late":
        subscribe()
`;
    const PRINTER = `import os
print("printed during init", flush=True)
open(os.environ["AGENT_RECORD"] + ".printed", "w").close()
def handler(event, context):
    return {}
`;

    function subscriberSpec(when: 'init' | 'late'): { spec: FunctionSpec; record: string } {
      const layer = writeTree(join(root.dir, `subscriber-layer-${++n}`), { 'extensions/subscriber': SUBSCRIBER });
      chmodSync(join(layer, 'extensions', 'subscriber'), 0o755);
      const codeDir = writeTree(join(root.dir, `printer-${n}`), { 'printer.py': PRINTER });
      const record = join(root.dir, `record-${n}.jsonl`);
      const spec = makeSpec({ runtime: 'python3.11', handler: 'printer.handler', codeDir, layerDirs: [layer], environment: { AGENT_RECORD: record, SUBSCRIBE: when } });
      return { spec, record };
    }

    it('answers a subscription after init with 403 {"errorMessage":"Telemetry API subscription is closed already","errorType":"Telemetry.SubscriptionClosed"} and delivers nothing', async () => {
      const { spec, record } = subscriberSpec('late');
      expect((await pool().invoke(spec, request())).status).toBe('success');
      const warm = await pool().invoke(spec, request());
      expect(warm.status).toBe('success');
      expect(warm.cold).toBe(false);
      await pool().retire(spec.functionName);
      const entries = recorded(record);
      const answers = entries.filter((e) => e.event === 'subscribed');
      expect(answers).toHaveLength(2);
      for (const answer of answers) {
        expect(answer).toEqual({
          event: 'subscribed',
          status: 403,
          contentType: 'application/json',
          body: '{"errorMessage":"Telemetry API subscription is closed already","errorType":"Telemetry.SubscriptionClosed"}',
        });
      }
      expect(entries.filter((e) => e.event === 'telemetry')).toEqual([]);
      expect(entries.at(-1)).toEqual({ event: 'SHUTDOWN' });
    });

    it('delivers every event of an environment once to a subscription made during init: platform.initStart, the init log line, platform.initReport, …', async () => {
      const { spec, record } = subscriberSpec('init');
      const first = request();
      const second = request();
      await pool().invoke(spec, first);
      await pool().invoke(spec, second);
      await pool().retire(spec.functionName);
      const entries = recorded(record);
      expect(entries.find((e) => e.event === 'subscribed')).toEqual({ event: 'subscribed', status: 200, contentType: 'application/json', body: '"OK"' });
      const events: Entry[] = entries.filter((e) => e.event === 'telemetry').flatMap((e) => e.batch);
      const once = { 'platform.initStart': 1, 'platform.telemetrySubscription': 1, 'platform.initRuntimeDone': 1, 'platform.initReport': 1 };
      const perInvoke = { 'platform.start': 2, 'platform.runtimeDone': 2, 'platform.report': 2 };
      const counts = Object.fromEntries(Object.keys({ ...once, ...perInvoke }).map((type) => [type, events.filter((e) => e.type === type).length]));
      expect(counts).toEqual({ ...once, ...perInvoke });
      expect(events.filter((e) => e.type === 'function').map((e) => e.record)).toEqual(['printed during init']);
      expect(events.filter((e) => e.type === 'platform.report').map((e) => e.record.requestId)).toEqual([first.requestId, second.requestId]);
      expect(events.map((e) => e.type).indexOf('platform.initStart')).toBe(0);
    });
  });

  describe('internal extensions', () => {
    const INTERNAL_AGENT = `import json, os, urllib.request, urllib.error
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
record = os.environ["AGENT_RECORD"]
def write(entry):
    with open(record, "a") as f:
        f.write(json.dumps(entry) + "\\n")
def call(method, path, body=None, headers={}):
    req = urllib.request.Request(f"http://{api}/2020-01-01/extension/{path}", data=None if body is None else json.dumps(body).encode(), method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, res.headers, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())
status, _, body = call("POST", "register", {"events": ["INVOKE", "SHUTDOWN"]}, {"Lambda-Extension-Name": "in-process"})
write({"event": "register-shutdown", "status": status, "body": body})
status, headers, _ = call("POST", "register", {"events": ["INVOKE"]}, {"Lambda-Extension-Name": "in-process"})
ext_id = headers.get("Lambda-Extension-Identifier")
write({"event": "registered", "status": status})
status, _, body = call("GET", "event/next", headers={"Lambda-Extension-Identifier": "not-an-id"})
write({"event": "bad-id", "status": status, "body": body})
open(record + ".registered", "w").close()
while True:
    _, _, event = call("GET", "event/next", headers={"Lambda-Extension-Identifier": ext_id})
    write({"event": event["eventType"], "payload": event})
`;

    it('registers an internal extension started by an AWS_LAMBDA_EXEC_WRAPPER from a layer: INVOKE only, SHUTDOWN refused', async () => {
      const layer = writeTree(join(root.dir, `wrapper-layer-${++n}`), {
        'internal.py': INTERNAL_AGENT,
        wrapper: '#!/bin/sh\npython3 "$(dirname "$0")/internal.py" &\nwhile [ ! -e "$AGENT_RECORD.registered" ]; do sleep 0.01; done\nexec "$@"\n',
      });
      chmodSync(join(layer, 'wrapper'), 0o755);
      const record = join(root.dir, `record-${n}.jsonl`);
      const spec = makeSpec({
        runtime: 'python3.11',
        handler: 'noop.handler',
        codeDir: pyDir,
        layerDirs: [layer],
        environment: { AGENT_RECORD: record, AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper' },
      });
      const req = request();
      const out = await pool().invoke(spec, req);
      expect(out.status).toBe('success');
      const entries = recorded(record);
      expect(entries[0]).toEqual({
        event: 'register-shutdown',
        status: 403,
        body: {
          errorType: 'ShutdownEventNotSupportedForInternalExtension',
          errorMessage: 'Internal extension in-process cannot register for SHUTDOWN (only files in /opt/extensions are external)',
        },
      });
      expect(entries[1]).toEqual({ event: 'registered', status: 200 });
      expect(entries[2]).toEqual({
        event: 'bad-id',
        status: 403,
        body: { errorType: 'Extension.UnknownExtensionIdentifier', errorMessage: 'Unknown Lambda-Extension-Identifier not-an-id' },
      });
      expect(entries.find((e) => e.event === 'INVOKE').payload.requestId).toBe(req.requestId);
      expect(sink.messages(spec.logGroupName)).toContain('EXTENSION\tName: in-process\tState: Ready\tEvents: [INVOKE]\n');
    });

    it('keeps NODE_OPTIONS working: a --require preload from a layer runs before the handler', async () => {
      const nodeDir = stageFixture('node', root.dir);
      const layer = writeTree(join(root.dir, `node-layer-${++n}`), { 'preload.js': "console.log('preloaded by NODE_OPTIONS');\n" });
      const spec = makeSpec({
        runtime: 'nodejs20.x',
        handler: 'noop.handler',
        codeDir: nodeDir,
        layerDirs: [layer],
        environment: { NODE_OPTIONS: `--require ${join(layer, 'preload.js')}` },
      });
      const out = await pool().invoke(spec, request());
      expect(out.status).toBe('success');
      expect(sink.messages(spec.logGroupName)).toContain('preloaded by NODE_OPTIONS\n');
    });
  });
});
