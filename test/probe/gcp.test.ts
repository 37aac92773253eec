import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGcpAssembler, detectGcp, parseGcpMessage, readHttpRequest } from '../../src/probe/gcp.ts';
import type { AssemblerOptions } from '../../src/probe/assembler.ts';
import type { Sample } from '../../src/probe/sample.ts';
import { assembleWith } from './platform-test-helpers.ts';

const assemble = (text: string, options: AssemblerOptions = {}) => assembleWith(createGcpAssembler, text, options);

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/logs/gcp/${name}`, import.meta.url), 'utf8');
/** requestId, variant, kind, durationMs, status, errorType, start time */
const brief = (s: Sample) => [s.requestId, s.variant, s.kind, s.durationMs, s.status, s.errorType, s.timestamp];

const A = '0069c7a988e5a1f5c3b3d9d4b7a2e4f1c08a6e2d9b3f7a1c5e9d2b6f0a4c8e1d3b5f7a9c2e4d6f8a0b1c3d5e7f9a2b4c6d8e0f1a3';
const B = '0069c7a988f72b0d4e6a8c1f3b5d7e9a2c4e6f8b0d2a4c6e8f1b3d5a7c9e2f4b6d8a0c3e5f7b9d1a4c6e8f0b2d5a7c9e1f3b6d8';
const C = '0069c7a9882d4f6b8e0a2c4e6b8d1f3a5c7e9b2d4f6a8c0e3b5d7f9a1c4e6b8d0f2a5c7e9b1d3f6a8c0e2b4d7f9a1c3e5b8d0';

describe('createGcpAssembler', () => {
  it('reads `gcloud functions logs read` output in time order, with statuses, a missing id and a malformed duration', () => {
    const { samples, stats } = assemble(fixture('functions-logs-read.txt'));
    expect(samples.map(brief)).toEqual([
      ['9c1f3b7d2a4e', 'hello_http', 'warm', 311, 'success', null, '2026-11-20T09:14:02.101Z'],
      ['p0v6n3b8c5x1', 'hello_http', 'warm', 29, 'success', null, '2026-11-20T09:14:05.702Z'],
      ['k2m8x4q1w7z5', 'on_upload', 'warm', 382, 'success', null, '2026-11-20T09:14:05.640Z'],
      ['r5t9y2u6i3o8', 'on_message', 'warm', 331, 'error', 'crash', '2026-11-20T09:14:09.900Z'],
      ['a8s7d6f5g4h3', 'hello_http', 'warm', 60006, 'timeout', null, '2026-11-20T09:14:12.003Z'],
      ['z1x2c3v4b5n6', 'hello_http', 'warm', 17, 'error', 'HTTP 500', '2026-11-20T09:15:20.450Z'],
      ['q9w8e7r6t5y4', 'hello_http', 'warm', 37, 'success', null, '2026-11-20T09:15:20.433Z'],
      [null, 'on_upload', 'warm', 310, 'error', 'out of memory', '2026-11-20T09:15:25.000Z'],
    ]);
    expect(stats).toEqual({
      records: 15,
      skipped: 8,
      skippedBy: { 'not a platform line': 7, malformed: 1 },
      malformed: [{ line: 21, reason: 'duration "4O" is not a number of ms' }],
      malformedCount: 1,
    });
  });

  it('returns the full sample record with nulls for what Google does not log', () => {
    const { samples } = assemble(fixture('functions-logs-read.txt'));
    expect(samples[4]).toEqual({
      variant: 'hello_http',
      kind: 'warm',
      coldBy: 'none',
      requestId: 'a8s7d6f5g4h3',
      initMs: null,
      restoreMs: null,
      billedRestoreMs: null,
      durationMs: 60006,
      billedMs: null,
      memoryMB: null,
      maxMemoryMB: null,
      status: 'timeout',
      errorType: null,
      clientMs: null,
      platform: 'gcp',
      function: 'hello_http',
      instance: null,
      timestamp: '2026-11-20T09:14:12.003Z',
    });
  });

  it('reads `gcloud logging read --format=json` (newest first) and marks the first execution per instance cold', () => {
    const { samples, stats } = assemble(fixture('logging-read.json'));
    expect(samples.map((s) => [...brief(s), s.coldBy, s.instance])).toEqual([
      ['d6bb8s3lwzm2', 'hello-http', 'cold', 512, 'success', null, '2026-11-20T10:00:01.210Z', 'instance-start', A],
      ['k9v2p7qx1r0c', 'hello-http', 'warm', 38, 'success', null, '2026-11-20T10:00:02.002Z', 'none', A],
      ['b7c4m1z9e2u5', 'hello-http', 'warm', 44, 'success', null, '2026-11-20T10:00:03.000Z', 'none', A],
      ['w3n8f5t2y6h1', 'hello-http', 'cold', 488, 'success', null, '2026-11-20T10:00:02.900Z', 'instance-start', B],
      // Instance C has no start entry in the window: its first execution counts as cold.
      ['x5j0g8s3a6q4', 'hello-http', 'cold', 35, 'error', 'HTTP 500', '2026-11-20T10:00:05.000Z', 'instance-start', C],
      // The end is in jsonPayload.message rather than textPayload.
      ['h8u3y5i0k2l9', 'hello-http', 'warm', 41, 'success', null, '2026-11-20T10:00:07.001Z', 'none', B],
      // No labels.execution_id: paired by instance and function, requestId null.
      [null, 'hello-http', 'warm', 52, 'success', null, '2026-11-20T10:00:08.500Z', 'none', B],
      ['v4b9n2m7c5x0', 'hello-http', 'warm', 120, 'error', 'crash', '2026-11-20T10:00:09.100Z', 'none', C],
      ['t1r6e9w4o2p7', 'hello-http', 'warm', 60001, 'timeout', null, '2026-11-20T10:00:06.000Z', 'none', A],
    ]);
    expect(samples.every((s) => s.initMs === null && s.billedMs === null && s.memoryMB === null && s.maxMemoryMB === null)).toBe(true);
    expect(stats).toEqual({
      records: 20,
      skipped: 4,
      skippedBy: { 'not a platform line': 3, malformed: 1 },
      malformed: [{ line: 45, reason: 'a `Function execution` line in no known form' }],
      malformedCount: 1,
    });
  });

  it('reads Cloud Run request logs (httpRequest.latency and status) as executions known by their trace id', () => {
    const { samples, stats } = assemble(fixture('cloud-run-requests.json'));
    expect(samples.map((s) => [...brief(s), String(s.instance).slice(-4)])).toEqual([
      ['5f1b0c7e9a2d4e6f8a1b3c5d7e9f0a2b', 'hello-http-gen2', 'cold', 734.512, 'success', null, '2026-11-20T11:00:00.850Z', 'b2d4'],
      ['6a2c1d8f0b3e5f7a9b2c4d6e8f0a1b3c', 'hello-http-gen2', 'warm', 21.044, 'success', null, '2026-11-20T11:00:02.000Z', 'b2d4'],
      ['7b3d2e9a1c4f6a8b0c3d5e7f9a1b2c4d', 'hello-http-gen2', 'cold', 689.337, 'success', null, '2026-11-20T11:00:03.100Z', 'e7b9'],
      ['8c4e3f0b2d5a7b9c1d4e6f8a0b2c3d5e', 'hello-http-gen2', 'warm', 18.12, 'success', null, '2026-11-20T11:00:03.150Z', 'b2d4'],
      // 504: Cloud Run ended the request at its timeout.
      ['9d5f4a1c3e6b8c0d2e5f7a9b1c3d4e6f', 'hello-http-gen2', 'warm', 60001.024, 'timeout', null, '2026-11-20T11:00:05.000Z', 'e7b9'],
      ['0e6a5b2d4f7c9d1e3f6a8b0c2d4e5f7a', 'hello-http-gen2', 'warm', 12.411, 'error', 'HTTP 503', '2026-11-20T11:00:06.004Z', 'b2d4'],
      // No latency (the client went away): the duration is unknown, not zero.
      ['1f7b6c3e5a8d0e2f4a7b9c1d3e5f6a8b', 'hello-http-gen2', 'warm', null, 'success', null, '2026-11-20T11:00:07.200Z', 'b2d4'],
    ]);
    expect(stats).toEqual({
      records: 9,
      skipped: 3,
      skippedBy: { malformed: 1, 'not a platform line': 2 },
      malformed: [{ line: 2, reason: 'httpRequest.latency "fast" is not a number of seconds' }],
      malformedCount: 1,
    });
  });

  it('makes one sample of a request log and the execution lines that share its trace', () => {
    const trace = 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736';
    const common = { labels: { instanceId: 'i1', execution_id: 'e1' }, resource: { labels: { service_name: 'f' } }, trace };
    const lines = [
      { ...common, timestamp: '2026-11-20T10:00:00.300Z', textPayload: "Function execution took 290 ms, finished with status: 'ok'" },
      { labels: { instanceId: 'i1' }, resource: { labels: { service_name: 'f' } }, trace, timestamp: '2026-11-20T10:00:00.000Z', httpRequest: { status: 200, latency: '0.301s' } },
      { ...common, timestamp: '2026-11-20T10:00:00.010Z', textPayload: 'Function execution started' },
    ].map((e) => JSON.stringify(e));
    const { samples, stats } = assemble(lines.join('\n'));
    expect(samples.map((s) => [s.requestId, s.kind, s.durationMs])).toEqual([['4bf92f3577b34da6a3ce929d0e0e4736', 'cold', 301]]);
    expect(stats.skippedBy).toEqual({ 'duplicate execution': 1 });
  });

  it('turns each `Starting new instance` into one cold execution when the lines carry no instance id', () => {
    const { samples, stats } = assemble(fixture('value-format.log'));
    expect(samples.map((s) => [s.kind, s.durationMs, s.timestamp])).toEqual([
      ['cold', 520, '2026-11-20T12:00:01.210Z'],
      ['warm', 38, '2026-11-20T12:00:02.002Z'],
      ['cold', 510, '2026-11-20T12:00:03.100Z'],
      ['cold', 535, '2026-11-20T12:00:03.120Z'],
      ['warm', 45, '2026-11-20T12:00:04.000Z'],
    ]);
    expect(samples.map((s) => s.variant)).toEqual(['unnamed', 'unnamed', 'unnamed', 'unnamed', 'unnamed']);
    expect(stats.records).toBe(13);
    expect(stats.skippedBy).toEqual({ 'not a platform line': 2 });
  });

  it('reads `firebase functions:log` lines, pairing starts and ends per function', () => {
    const { samples } = assemble(fixture('firebase-functions-log.txt'));
    expect(samples.map(brief)).toEqual([
      [null, 'hello_http', 'warm', 290, 'success', null, '2026-11-20T11:02:03.512Z'],
      [null, 'on_message', 'warm', 303, 'error', 'error', '2026-11-20T11:02:04.118Z'],
    ]);
  });

  it('reads `-` in the EXECUTION_ID column as no id', () => {
    const { samples } = assemble('D      f  -             2026-11-20 09:14:02.412  Function execution took 5 ms, finished with status code: 200');
    expect(samples.map((s) => [s.requestId, s.variant, s.durationMs])).toEqual([[null, 'f', 5]]);
  });

  it('names every sample after the variant option, then the fallback, when given', () => {
    const lines = 'Function execution started\nFunction execution took 12 ms, finished with status code: 200';
    expect(assemble(lines, { variant: 'v1' }).samples[0].variant).toBe('v1');
    expect(assemble(lines, { fallbackVariant: 'from-file' }).samples[0].variant).toBe('from-file');
  });

  it('reads one LogEntry per line (JSON lines) and counts a repeated execution once', () => {
    const entry = (ts: string, text: string) =>
      JSON.stringify({ labels: { execution_id: 'e1', instanceId: 'i1' }, resource: { labels: { function_name: 'f' }, type: 'cloud_function' }, timestamp: ts, textPayload: text });
    const end = entry('2026-11-20T10:00:00.200Z', "Function execution took 200 ms, finished with status: 'ok'");
    const { samples, stats } = assemble([entry('2026-11-20T10:00:00.000Z', 'Function execution started'), end, end].join('\n'));
    expect(samples.map((s) => [s.requestId, s.kind, s.durationMs, s.instance])).toEqual([['e1', 'cold', 200, 'i1']]);
    expect(stats.skippedBy).toEqual({ 'duplicate execution': 1 });
    expect(stats.records).toBe(2);
  });

  it('reads a LogEntry whose timestamp is a {seconds, nanos} object (client libraries, structured logs) as the string form', () => {
    const entry = (id: string, ts: unknown, text: string) =>
      JSON.stringify({ labels: { execution_id: id }, resource: { labels: { function_name: 'f' }, type: 'cloud_function' }, timestamp: ts, textPayload: text });
    const objects = [
      entry('e1', { seconds: '1671076802', nanos: 287000000 }, 'Function execution started'),
      entry('e1', { seconds: 1671076802, nanos: 412345678 }, 'Function execution took 125 ms. Finished with status: ok'),
      entry('e2', { seconds: '1671076810' }, 'Function execution started'),
      entry('e2', { seconds: '1671076810', nanos: 31000000 }, 'Function execution took 31 ms. Finished with status: crash'),
    ];
    const strings = [
      entry('e1', '2022-12-15T04:00:02.287Z', 'Function execution started'),
      entry('e1', '2022-12-15T04:00:02.412345678Z', 'Function execution took 125 ms. Finished with status: ok'),
      entry('e2', '2022-12-15T04:00:10Z', 'Function execution started'),
      entry('e2', '2022-12-15T04:00:10.031Z', 'Function execution took 31 ms. Finished with status: crash'),
    ];
    const got = assemble(objects.join('\n'));
    expect(got.samples.map(brief)).toEqual([
      ['e1', 'f', 'warm', 125, 'success', null, '2022-12-15T04:00:02.287Z'],
      ['e2', 'f', 'warm', 31, 'error', 'crash', '2022-12-15T04:00:10.000Z'],
    ]);
    expect(got.samples).toEqual(assemble(strings.join('\n')).samples);
    expect(got.stats).toMatchObject({ records: 4, malformedCount: 0 });
    // Not a time: the entry is still read, in place and without a timestamp (nothing is invented).
    const odd = assemble(
      [entry('e3', { seconds: 'soon' }, 'Function execution started'), entry('e3', { nanos: 5 }, 'Function execution took 9 ms. Finished with status: ok')].join('\n'),
    );
    expect(odd.samples.map(brief)).toEqual([['e3', 'f', 'warm', 9, 'success', null, null]]);
  });

  it('reports a JSON array cut off mid-entry as malformed and keeps the entries before it', () => {
    const text = fixture('logging-read.json');
    const cut = text.slice(0, text.indexOf('"insertId": "6761b0f20016'));
    const { samples, stats } = assemble(cut);
    // Newest first: what survives the cut is the last minute; each instance's first execution in it is cold.
    expect(samples.map((s) => [s.requestId, s.kind])).toEqual([
      [null, 'cold'],
      ['v4b9n2m7c5x0', 'cold'],
      ['t1r6e9w4o2p7', 'cold'],
    ]);
    expect(stats.malformed.at(-1)).toEqual({ line: cut.split('\n').length - 1, reason: 'JSON not closed at the end of the input (a truncated export?)' });
  });
});

describe('parseGcpMessage', () => {
  it.each([
    ["Function execution took 1269 ms, finished with status: 'ok'", { kind: 'end', durationMs: 1269, status: 'success', errorType: null }],
    ['Function execution took 3006 ms, finished with status code: 200', { kind: 'end', durationMs: 3006, status: 'success', errorType: null }],
    ['Function execution took 5 ms, finished with status code: 404', { kind: 'end', durationMs: 5, status: 'success', errorType: null }],
    ['Function execution took 5 ms, finished with status code: 503', { kind: 'end', durationMs: 5, status: 'error', errorType: 'HTTP 503' }],
    ["Function execution took 540001 ms, finished with status: 'timeout'", { kind: 'end', durationMs: 540001, status: 'timeout', errorType: null }],
    ["Function execution took 12 ms, finished with status: 'connection error'", { kind: 'end', durationMs: 12, status: 'error', errorType: 'connection error' }],
    ["Function execution took 12 ms, finished with status: 'out of memory'", { kind: 'end', durationMs: 12, status: 'error', errorType: 'out of memory' }],
    // The current wording: a full stop, a capital F, the status word unquoted.
    ['Function execution took 104 ms. Finished with status: ok', { kind: 'end', durationMs: 104, status: 'success', errorType: null }],
    ['Function execution took 540141 ms. Finished with status: timeout', { kind: 'end', durationMs: 540141, status: 'timeout', errorType: null }],
    ['Function execution took 60016 ms. Finished with status: load timeout', { kind: 'end', durationMs: 60016, status: 'timeout', errorType: null }],
    ["Function execution took 60016 ms, finished with status: 'load timeout'", { kind: 'end', durationMs: 60016, status: 'timeout', errorType: null }],
    ['Function execution took 8 ms. Finished with status: crash', { kind: 'end', durationMs: 8, status: 'error', errorType: 'crash' }],
    ['Function execution took 8 ms. Finished with status: error', { kind: 'end', durationMs: 8, status: 'error', errorType: 'error' }],
    ['Function execution took 8 ms. Finished with status: load error', { kind: 'end', durationMs: 8, status: 'error', errorType: 'load error' }],
    ['Function execution took 8 ms. Finished with status: connection error', { kind: 'end', durationMs: 8, status: 'error', errorType: 'connection error' }],
    ['Function execution took 8 ms. Finished with status: out of memory', { kind: 'end', durationMs: 8, status: 'error', errorType: 'out of memory' }],
    ['Function execution took 0.692217 ms. Finished with status code: 200', { kind: 'end', durationMs: 0.692217, status: 'success', errorType: null }],
    ['Function execution took 31 ms. Finished with status code: 500', { kind: 'end', durationMs: 31, status: 'error', errorType: 'HTTP 500' }],
    ['Function execution started', { kind: 'start' }],
    [
      'Starting new instance. Reason: DEPLOYMENT_ROLLOUT - Instance started because of a new revision.',
      { kind: 'instance', reason: 'DEPLOYMENT_ROLLOUT - Instance started because of a new revision.' },
    ],
  ])('reads %j', (line, expected) => {
    expect(parseGcpMessage(line)).toEqual(expected);
  });

  it.each([
    ['Function execution took -5 ms, finished with status code: 200', { malformed: 'duration "-5" is not a number of ms' }],
    ['Function execution took 5 ms, finished with status code: OK', { malformed: 'status "OK" is not a status code or a quoted status' }],
    ['Function execution took 5 ms, finished with status: ok!', { malformed: 'status "ok!" is not a status code or a quoted status' }],
    ['Function execution took 5 ms finished with status: ok', { malformed: 'a `Function execution` line in no known form' }],
    ['Function execution finished', { malformed: 'a `Function execution` line in no known form' }],
  ])('calls %j malformed', (line, expected) => {
    expect(parseGcpMessage(line)).toEqual(expected);
  });

  it('returns null for application output', () => {
    expect(parseGcpMessage('hello: name=Ada')).toBeNull();
  });
});

describe('readHttpRequest', () => {
  it.each([
    [
      { status: 200, latency: '0.5s' },
      { kind: 'request', durationMs: 500, status: 'success', errorType: null },
    ],
    [
      { status: 504, latency: '300.000131s' },
      { kind: 'request', durationMs: 300000.131, status: 'timeout', errorType: null },
    ],
    [{ status: 500 }, { kind: 'request', durationMs: null, status: 'error', errorType: 'HTTP 500' }],
    [{ latency: '0.5s' }, { malformed: 'httpRequest has no numeric status' }],
    [{ status: 200, latency: '-1s' }, { malformed: 'httpRequest.latency "-1s" is not a number of seconds' }],
  ])('reads %j', (request, expected) => {
    expect(readHttpRequest(request)).toEqual(expected);
  });
});

describe('detectGcp', () => {
  it('claims Google lines and not Lambda or Azure ones', () => {
    expect(detectGcp('D      hello_http  9c1f3b7d2a4e  2026-11-20 09:14:02.101  Function execution started')).toBe(true);
    expect(detectGcp('    "type": "cloud_run_revision"')).toBe(true);
    expect(detectGcp('REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t')).toBe(false);
    expect(detectGcp("[2026-11-20T09:30:10.118Z] Executing 'Functions.http_hello' (Reason='x', Id=3f2a9c1e-7b4d-4e8a-b6c2-1d9e0f5a7b31)")).toBe(false);
  });
});

describe('createGcpAssembler on garbage', () => {
  const pieces = [
    'Function execution took ',
    ' ms, finished with status',
    ' code: ',
    "'ok'",
    'Starting new instance. Reason: ',
    '{',
    '}',
    '[',
    ']',
    '"',
    ',',
    '\\',
    '"labels":',
    '"execution_id":"e"',
    '2026-11-20T10:00:00Z ',
    'D f e 2026-11-20 09:14:02.101 ',
    '12',
    'NaN',
    '\u0000',
    '\r',
  ];
  const line = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string(), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 12 }).map((parts) => parts.join(''));

  it('never throws and never yields a sample with an impossible field', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const { samples, stats } = assemble(lines.join('\n'));
        for (const s of samples) {
          expect(['cold', 'warm']).toContain(s.kind);
          expect(s.durationMs === null || (Number.isFinite(s.durationMs) && s.durationMs >= 0)).toBe(true);
          expect(s.initMs).toBeNull();
          expect(s.memoryMB).toBeNull();
        }
        expect(stats.records).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on every fixture line cut at every 7th position', () => {
    for (const name of ['functions-logs-read.txt', 'logging-read.json', 'value-format.log']) {
      const text = fixture(name);
      for (let cut = 0; cut < text.length; cut += 7 * 97) expect(() => assemble(`${text.slice(0, cut)}\u0000{${text.slice(cut + 3)}`)).not.toThrow();
    }
  });
});
