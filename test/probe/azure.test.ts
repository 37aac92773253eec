import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAzureAssembler, detectAzure, parseAzureMessage } from '../../src/probe/azure.ts';
import type { AssemblerOptions } from '../../src/probe/assembler.ts';
import type { Sample } from '../../src/probe/sample.ts';
import { assembleWith } from './platform-test-helpers.ts';

const assemble = (text: string, options: AssemblerOptions = {}) => assembleWith(createAzureAssembler, text, options);

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/logs/azure/${name}`, import.meta.url), 'utf8');
/** requestId, variant, kind, initMs, durationMs, status, start time */
const brief = (s: Sample) => [s.requestId, s.variant, s.kind, s.initMs, s.durationMs, s.status, s.timestamp];

describe('createAzureAssembler', () => {
  it('reads Core Tools output: host start → cold with its init, a failure, a timeout, a restart, out-of-order lines', () => {
    const { samples, stats } = assemble(fixture('func-start.log'));
    expect(samples.map(brief)).toEqual([
      ['3f2a9c1e-7b4d-4e8a-b6c2-1d9e0f5a7b31', 'http_hello', 'cold', 2129, 253, 'success', '2026-11-20T09:30:10.118Z'],
      ['b81e4d07-2c9f-4a6b-8e13-5f7a0c2d9e46', 'queue_worker', 'warm', null, 41, 'success', '2026-11-20T09:30:12.640Z'],
      ['5d0c3b8a-91e7-4f26-b4d3-0a8e6c2f1b97', 'blob_processor', 'warm', null, 88, 'error', '2026-11-20T09:31:00.004Z'],
      ['e47a1f92-0b3c-4d85-9c6e-2a7f1d4b8e05', 'http_hello', 'warm', null, 130, 'success', '2026-11-20T09:31:00.020Z'],
      ['c2d6a9f4-8e1b-4c37-a5d0-9b3f6e2c7a18', 'queue_worker', 'warm', null, 10004, 'timeout', '2026-11-20T09:32:00.001Z'],
      ['9a4e7c21-5f3b-4d08-b6e9-1c2a8f0d3b74', 'cleanup_timer', 'warm', null, 12, 'success', '2026-11-20T09:35:00.001Z'],
      // After the restart the queue message started 10 ms before the HTTP call, though logged after it: it is the cold one.
      ['6f3d8b19-0e2a-4c75-b9d1-8a4c2e6f0b35', 'queue_worker', 'cold', 702, 211, 'success', '2026-11-20T09:40:05.090Z'],
      ['0b6e2a85-7c1d-4f93-a8e4-5d9c3b1f7a60', 'http_hello', 'warm', null, 389, 'success', '2026-11-20T09:40:05.100Z'],
      // Executed without Duration=: the duration is unknown, not zero.
      ['d5a1c8e3-6b2f-4097-8c4d-1e7b3a9f5d26', 'http_hello', 'warm', null, null, 'success', '2026-11-20T09:40:09.500Z'],
    ]);
    // The worker's `Exception: ValueError: …` line (after `Executed … (Failed …)`) names the error type.
    expect(samples.map((s) => s.errorType)).toEqual([null, null, 'ValueError', null, null, null, null, null, null]);
    expect(stats).toEqual({
      records: 29,
      skipped: 46,
      skippedBy: { blank: 8, 'not a platform line': 37, malformed: 1 },
      malformed: [{ line: 75, reason: 'an Executing/Executed line in no known form' }],
      malformedCount: 1,
    });
  });

  it('returns the full sample record, coldBy instance-start and nulls for what Azure does not log', () => {
    expect(assemble(fixture('func-start.log')).samples[0]).toEqual({
      variant: 'http_hello',
      kind: 'cold',
      coldBy: 'instance-start',
      requestId: '3f2a9c1e-7b4d-4e8a-b6c2-1d9e0f5a7b31',
      initMs: 2129,
      restoreMs: null,
      billedRestoreMs: null,
      durationMs: 253,
      billedMs: null,
      memoryMB: null,
      maxMemoryMB: null,
      status: 'success',
      errorType: null,
      clientMs: null,
      platform: 'azure',
      function: 'http_hello',
      instance: null,
      timestamp: '2026-11-20T09:30:10.118Z',
    });
  });

  it('reads the log stream; a host start without `Host started (N ms)` gives a cold start with initMs null', () => {
    const { samples, stats } = assemble(fixture('log-stream.log'));
    expect(samples.map(brief)).toEqual([
      ['1c9f5e27-3a8b-4d06-b2e4-7f0a6c1d8e93', 'http_hello', 'cold', 412, 398, 'success', '2026-11-20T10:02:41.004Z'],
      ['8d2b6f04-5e1c-4a93-9b7d-3f8e0a2c6b41', 'http_hello', 'warm', null, 26, 'success', '2026-11-20T10:02:43.351Z'],
      ['4e7a0c93-8b2d-4f61-a5c8-2d9f1b6e3a07', 'blob_processor', 'warm', null, 133, 'error', '2026-11-20T10:02:47.600Z'],
      ['a0c4e8f2-6b1d-4937-8a5e-0f2c4b6d8e19', 'queue_worker', 'cold', null, 98, 'success', '2026-11-20T10:20:14.220Z'],
      ['f6b2d8a4-0e3c-4175-9d6f-b8a0c2e4f631', 'cleanup_timer', 'warm', null, 9, 'success', '2026-11-20T10:20:15.500Z'],
    ]);
    expect(samples[2].errorType).toBe('OSError');
    expect(stats.skippedBy).toEqual({ 'not a platform line': 5 });
  });

  it('reads an Application Insights traces CSV export (newest first, multi-line cells) per cloud_RoleInstance', () => {
    const { samples, stats } = assemble(fixture('appinsights-traces.csv'));
    expect(samples.map((s) => [...brief(s), s.instance])).toEqual([
      ['7c3e9a15-2b4d-4f60-8e1a-5d7b9c0f2e48', 'http_hello', 'cold', 587, 307, 'success', '2026-11-20T10:15:02.004Z', 'pd1sdlwk0000DN'],
      ['1a5c7e92-4b6d-4803-9f2e-6a8c0b1d3e57', 'http_hello', 'warm', null, 31, 'success', '2026-11-20T10:15:03.100Z', 'pd1sdlwk0000DN'],
      ['3e7a1c59-0d2f-4b84-a6c8-9e1b3d5f7a20', 'queue_worker', 'cold', 730, 122, 'success', '2026-11-20T10:16:31.200Z', 'pd1sdlwk0000FQ'],
      ['9b1d3f57-6e8a-4c02-b4d6-2f4a6c8e0b93', 'blob_processor', 'warm', null, 150, 'error', '2026-11-20T10:16:31.250Z', 'pd1sdlwk0000DN'],
      ['6d8f0b24-7a9c-4e16-8b3d-1f5a7c9e0d62', 'http_hello', 'warm', null, null, 'success', '2026-11-20T10:16:35.000Z', 'pd1sdlwk0000FQ'],
      // A third instance with no host start in the export: cold because it is new, init unknown.
      ['0f2b4d68-9c1e-4a37-b5d9-3e7f1a5c8b04', 'http_hello', 'cold', null, 412, 'success', '2026-11-20T10:17:00.000Z', 'pd1sdlwk0000H2'],
      ['4a6c8e02-1d3f-4b59-a7c1-5e9b2d4f6a83', 'queue_worker', 'warm', null, 10003, 'timeout', '2026-11-20T10:17:10.000Z', 'pd1sdlwk0000DN'],
    ]);
    expect(samples[3].errorType).toBe('ValueError');
    expect(stats).toEqual({ records: 22, skipped: 2, skippedBy: { 'not a platform line': 2 }, malformed: [], malformedCount: 0 });
  });

  it('reads `az monitor app-insights query` requests (tables JSON): id from InvocationId, status from success or resultCode', () => {
    const { samples, stats } = assemble(fixture('appinsights-requests.json'));
    expect(samples.map((s) => [...brief(s), s.instance])).toEqual([
      ['2e4a6c80-3d5f-4b17-9c2e-8a0b4d6f1e35', 'http_hello', 'cold', null, 301.2214, 'success', '2026-11-20T10:30:00.100Z', 'pd1sdlwk0000DN'],
      ['5f7b9d13-6e2a-4c48-8d0f-1b3e5a7c9d26', 'http_hello', 'warm', null, 28.5017, 'success', '2026-11-20T10:30:01.000Z', 'pd1sdlwk0000DN'],
      ['8a0c2e46-9f1b-4d73-a5c7-4e6a8c0b2f19', 'queue_worker', 'cold', null, 140.9388, 'success', '2026-11-20T10:30:01.500Z', 'pd1sdlwk0000FQ'],
      ['b3d5f7a9-0c2e-4e64-9b1d-7f9a1c3e5b08', 'blob_processor', 'warm', null, 75.3302, 'error', '2026-11-20T10:30:02.000Z', 'pd1sdlwk0000DN'],
      // No customDimensions: the request id stands in; no success column: resultCode 500 says error.
      ['e1b7a3c5d9f6ec48', 'http_hello', 'warm', null, 12.0004, 'error', '2026-11-20T10:30:03.000Z', 'pd1sdlwk0000FQ'],
    ]);
    expect(stats.malformed).toEqual([{ line: 1, reason: 'request row has neither success nor a numeric resultCode' }]);
  });

  it('reads `az monitor log-analytics query` AppRequests rows, where every value is a string', () => {
    const { samples } = assemble(fixture('log-analytics-apprequests.json'));
    expect(samples.map(brief)).toEqual([
      ['d1f3b5a7-2c4e-4f86-a0b2-6d8f0a2c4e68', 'http_hello', 'cold', null, 412.0917, 'success', '2026-11-20T11:00:00.512Z'],
      ['e2a4c6e8-3d5f-4a97-b1c3-7e9a1b3d5f79', 'http_hello', 'warm', null, 35.4, 'success', '2026-11-20T11:00:01.003Z'],
      ['f3b5d7f9-4e6a-4ba8-82d4-8f0b2c4e6a80', 'queue_worker', 'warm', null, 61.2, 'error', '2026-11-20T11:00:02.250Z'],
    ]);
  });

  it('counts an invocation once when both its traces and its request row are given', () => {
    const id = '2e4a6c80-3d5f-4b17-9c2e-8a0b4d6f1e35';
    const lines = [
      JSON.stringify({ timestamp: '2026-11-20T10:29:59.000Z', message: 'Host started (640ms)', cloud_RoleInstance: 'i1' }),
      JSON.stringify({ timestamp: '2026-11-20T10:30:00.100Z', message: `Executing 'Functions.http_hello' (Reason='x', Id=${id})`, cloud_RoleInstance: 'i1' }),
      JSON.stringify({
        timestamp: '2026-11-20T10:30:00.100Z',
        name: 'http_hello',
        success: true,
        resultCode: '200',
        duration: 301.2,
        cloud_RoleInstance: 'i1',
        customDimensions: { InvocationId: id },
      }),
      JSON.stringify({ timestamp: '2026-11-20T10:30:00.401Z', message: `Executed 'Functions.http_hello' (Succeeded, Id=${id}, Duration=301ms)`, cloud_RoleInstance: 'i1' }),
    ];
    const { samples, stats } = assemble(lines.join('\n'));
    expect(samples.map((s) => [s.requestId, s.kind, s.initMs, s.durationMs])).toEqual([[id, 'cold', 640, 301.2]]);
    expect(stats.skippedBy).toEqual({ 'duplicate execution': 1 });
  });

  it('counts one host start once even when an execution slips in before `Host started`', () => {
    const lines = [
      '[2026-11-20T00:00:00.000Z] Initializing Host.',
      "[2026-11-20T00:00:00.050Z] Executing 'Functions.a' (Reason='x', Id=00000000-0000-0000-0000-000000000001)",
      '[2026-11-20T00:00:00.100Z] Host started (329ms)',
      "[2026-11-20T00:00:00.120Z] Executed 'Functions.a' (Succeeded, Id=00000000-0000-0000-0000-000000000001, Duration=5ms)",
      "[2026-11-20T00:00:00.200Z] Executing 'Functions.a' (Reason='x', Id=00000000-0000-0000-0000-000000000002)",
      "[2026-11-20T00:00:00.210Z] Executed 'Functions.a' (Succeeded, Id=00000000-0000-0000-0000-000000000002, Duration=6ms)",
    ];
    expect(assemble(lines.join('\n')).samples.map((s) => [s.kind, s.initMs])).toEqual([
      ['cold', null],
      ['warm', null],
    ]);
  });

  it('makes the first execution after a host start cold whichever function runs, not the first of each function', () => {
    const lines = [
      'Host started (100ms)',
      "Executing 'Functions.a' (Reason='x', Id=00000000-0000-0000-0000-000000000001)",
      "Executed 'Functions.a' (Succeeded, Id=00000000-0000-0000-0000-000000000001, Duration=5ms)",
      "Executing 'Functions.b' (Reason='x', Id=00000000-0000-0000-0000-000000000002)",
      "Executed 'Functions.b' (Succeeded, Id=00000000-0000-0000-0000-000000000002, Duration=6ms)",
    ];
    expect(assemble(lines.join('\n')).samples.map((s) => [s.variant, s.kind, s.initMs])).toEqual([
      ['a', 'cold', 100],
      ['b', 'warm', null],
    ]);
  });
});

describe('parseAzureMessage', () => {
  it.each([
    [
      "Executing 'Functions.queue_worker' (Reason='New queue message detected on 'coldbench-jobs'.', Id=b81e4d07-2c9f-4a6b-8e13-5f7a0c2d9e46)",
      { kind: 'executing', functionName: 'queue_worker', id: 'b81e4d07-2c9f-4a6b-8e13-5f7a0c2d9e46' },
    ],
    [
      "Executed 'Functions.HttpTrigger1' (Failed, Id=1f47fd4e-0e1b-4c5d-9d0e-2c1b5a8e7f90, Duration=10862ms)",
      { kind: 'executed', functionName: 'HttpTrigger1', id: '1f47fd4e-0e1b-4c5d-9d0e-2c1b5a8e7f90', succeeded: false, durationMs: 10862 },
    ],
    ['Host started (329ms)', { kind: 'host-started', ms: 329 }],
    ['Host initialized (127ms)', { kind: 'host-init' }],
    ['Initializing Host.', { kind: 'host-init' }],
    [
      "Timeout value of 00:05:00 exceeded by function 'Functions.slow' (Id: 'c2d6a9f4-8e1b-4c37-a5d0-9b3f6e2c7a18'). Initiating cancellation.",
      { kind: 'timeout', functionName: 'slow', id: 'c2d6a9f4-8e1b-4c37-a5d0-9b3f6e2c7a18' },
    ],
  ])('reads %j', (line, expected) => {
    expect(parseAzureMessage(line)).toEqual(expected);
  });

  it.each([
    [
      'System.Private.CoreLib: Exception while executing function: Functions.blob_processor. System.Private.CoreLib: Result: Failure',
      { kind: 'exception', functionName: 'blob_processor', errorType: null },
    ],
    [
      'Exception while executing function: Functions.f Result: Failure Exception: OSError: [Errno 28] No space left on device',
      { kind: 'exception', functionName: 'f', errorType: 'OSError' },
    ],
    ['Exception: ValueError: uploads/photos/cat.png is not a JPEG', { kind: 'exception', functionName: null, errorType: 'ValueError' }],
  ])('reads the failure detail %j', (line, expected) => {
    expect(parseAzureMessage(line)).toEqual(expected);
  });

  it('calls a cut-off Executed line malformed and ignores application output', () => {
    expect(parseAzureMessage("Executed 'Functions.http_h")).toEqual({ malformed: 'an Executing/Executed line in no known form' });
    expect(parseAzureMessage('hello: name=Ada')).toBeNull();
  });
});

describe('detectAzure', () => {
  it('claims Azure lines and not Google ones', () => {
    expect(detectAzure('2026-11-20T10:02:40.531 [Information] Host started (412ms)')).toBe(true);
    expect(detectAzure('timestamp [UTC],message,severityLevel,itemType,customDimensions,operation_Name,operation_Id,cloud_RoleName,cloud_RoleInstance')).toBe(true);
    expect(detectAzure('D      hello_http  9c1f3b7d2a4e  2026-11-20 09:14:02.101  Function execution started')).toBe(false);
  });
});

describe('createAzureAssembler on garbage', () => {
  const pieces = [
    "Executing 'Functions.f' (",
    "Executed 'Functions.f' (",
    'Succeeded',
    'Failed',
    ', Id=',
    '3f2a9c1e-7b4d',
    ', Duration=',
    '12ms',
    ')',
    'Host started (',
    'Initializing Host.',
    '[2026-11-20T09:30:10.118Z] ',
    'timestamp [UTC],message,cloud_RoleInstance',
    '"',
    ',',
    '{',
    '}',
    '[',
    '\r',
    '\uFEFF',
  ];
  const line = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string(), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 12 }).map((parts) => parts.join(''));

  it('never throws and never yields a sample with an impossible field', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const { samples } = assemble(lines.join('\n'));
        for (const s of samples) {
          expect(['cold', 'warm']).toContain(s.kind);
          expect(s.durationMs === null || (Number.isFinite(s.durationMs) && s.durationMs >= 0)).toBe(true);
          expect(s.initMs === null || s.kind === 'cold').toBe(true);
          expect(s.memoryMB).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on fixtures with bytes broken at many positions', () => {
    for (const name of ['func-start.log', 'appinsights-traces.csv', 'appinsights-requests.json']) {
      const text = fixture(name);
      for (let cut = 0; cut < text.length; cut += 7 * 97) expect(() => assemble(`${text.slice(0, cut)}"\u0000{${text.slice(cut + 3)}`)).not.toThrow();
    }
  });
});
