import { describe, expect, it } from 'vitest';
import { createAwsAssembler, detectPlatform, samplesFromLines } from '../../src/probe/index.ts';

const A = '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10';
const B = 'a8e0f3d4-1b2c-4d5e-9f60-7a8b9c0d1e2f';
const S1 = '2026/10/08/[$LATEST]11111111111111111111111111111111';
const S2 = '2026/10/08/[$LATEST]22222222222222222222222222222222';
const warmReport = (id: string) => `REPORT RequestId: ${id}\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 57 MB\t`;

describe('samplesFromLines › kind', () => {
  it('marks a SnapStart restore cold with coldBy restore, initMs null and restoreMs set', () => {
    const [s] = samplesFromLines(
      [
        `REPORT RequestId: ${A}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tRestore Duration: 473.89 ms\tBilled Restore Duration: 222 ms\t`,
      ],
      { variant: 'snap' },
    );
    expect(s).toMatchObject({ kind: 'cold', coldBy: 'restore', initMs: null, restoreMs: 473.89, billedRestoreMs: 222 });
  });

  it('marks a suppressed init (INIT_REPORT phase invoke) cold, with initMs from that line and its error', () => {
    const samples = samplesFromLines(
      [
        'INIT_START Runtime Version: python:3.13.v14\tRuntime Version ARN: arn:aws:lambda:eu-south-1::runtime:abc',
        'INIT_REPORT Init Duration: 9999.79 ms\tPhase: init\tStatus: timeout',
        `START RequestId: ${A} Version: $LATEST`,
        'INIT_REPORT Init Duration: 1712.41 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown',
        `END RequestId: ${A}`,
        `REPORT RequestId: ${A}\tDuration: 1800.00 ms\tBilled Duration: 1800 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`,
      ],
      { variant: 'v' },
    );
    expect(samples).toEqual([
      {
        variant: 'v',
        kind: 'cold',
        coldBy: 'init-duration',
        requestId: A,
        initMs: 1712.41,
        restoreMs: null,
        billedRestoreMs: null,
        durationMs: 1800,
        billedMs: 1800,
        memoryMB: 128,
        maxMemoryMB: 60,
        status: 'error',
        errorType: 'Runtime.Unknown',
        clientMs: null,
        initPhase: 'invoke',
      },
    ]);
  });

  it('keeps the REPORT’s own Status over a folded line', () => {
    const [s] = samplesFromLines([`RequestId: ${A} Error: Runtime exited with error: signal: killed`, `${warmReport(A)}Status: error\tError Type: Runtime.OutOfMemory`], {
      variant: 'v',
    });
    expect(s).toMatchObject({ status: 'error', errorType: 'Runtime.OutOfMemory' });
  });

  it('folds JSON platform.runtimeDone status into a report without status', () => {
    const samples = samplesFromLines(
      [
        JSON.stringify({ type: 'platform.runtimeDone', record: { requestId: A, status: 'timeout' } }),
        JSON.stringify({ type: 'platform.report', record: { requestId: A, metrics: { durationMs: 3000.1, billedDurationMs: 3000, memorySizeMB: 128, maxMemoryUsedMB: 50 } } }),
      ],
      { variant: 'v' },
    );
    expect(samples[0]).toMatchObject({ status: 'timeout', kind: 'warm', durationMs: 3000.1 });
  });
});

describe('samplesFromLines › JSON format', () => {
  it('reads a suppressed init from platform.initReport phase invoke between platform.start and platform.report', () => {
    const samples = samplesFromLines(
      [
        JSON.stringify({ type: 'platform.initStart', record: { initializationType: 'on-demand', phase: 'init', functionName: 'f' } }),
        JSON.stringify({ type: 'platform.start', record: { requestId: A } }),
        JSON.stringify({
          type: 'platform.initReport',
          record: { initializationType: 'on-demand', phase: 'invoke', status: 'error', errorType: 'Runtime.Unknown', metrics: { durationMs: 1712.41 } },
        }),
        JSON.stringify({ type: 'platform.report', record: { requestId: A, metrics: { durationMs: 1800, billedDurationMs: 1800, memorySizeMB: 128, maxMemoryUsedMB: 60 } } }),
      ],
      { variant: 'v' },
    );
    expect(samples[0]).toMatchObject({ kind: 'cold', coldBy: 'init-duration', initMs: 1712.41, initPhase: 'invoke', status: 'error', errorType: 'Runtime.Unknown' });
  });
});

describe('createAwsAssembler', () => {
  it('gives one sample per REPORT for duplicated request ids, each with its own fold', () => {
    const a = createAwsAssembler({ variant: 'v' });
    const lines = [
      `START RequestId: ${A} Version: $LATEST`,
      `2026-10-08T07:30:59.479Z ${A} Task timed out after 3.00 seconds`,
      warmReport(A),
      `START RequestId: ${A} Version: $LATEST`,
      warmReport(A),
    ];
    const samples = lines.flatMap((l, i) => a.push(l, i + 1));
    expect(samples.map((s) => s.status)).toEqual(['timeout', 'success']);
  });

  it('matches INIT_REPORT lines to the request on the same stream when streams interleave', () => {
    const a = createAwsAssembler({ variant: 'v' });
    const lines = [
      `2026-10-08T07:30:00Z ${S1} START RequestId: ${A} Version: $LATEST`,
      `2026-10-08T07:30:00Z ${S2} START RequestId: ${B} Version: $LATEST`,
      `2026-10-08T07:30:01Z ${S2} INIT_REPORT Init Duration: 500.00 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown`,
      `2026-10-08T07:30:02Z ${S1} ${warmReport(A)}`,
      `2026-10-08T07:30:02Z ${S2} ${warmReport(B)}`,
    ];
    const samples = lines.flatMap((l, i) => a.push(l, i + 1));
    expect(samples.map((s) => [s.requestId, s.kind, s.initMs])).toEqual([
      [A, 'warm', null],
      [B, 'cold', 500],
    ]);
  });

  it('counts records, skipped lines by reason and keeps malformed lines with their numbers', () => {
    const a = createAwsAssembler({ variant: 'v' });
    ['hello', '', warmReport(A), 'REPORT RequestId: x\tDuration: 1 s', `END RequestId: ${A}`].forEach((l, i) => {
      a.push(l, i + 1);
    });
    expect(a.stats()).toEqual({
      records: 2,
      skipped: 3,
      skippedBy: { 'not a platform line': 1, blank: 1, malformed: 1 },
      malformed: [{ line: 4, reason: 'REPORT: Duration: unit "s" (expected ms)' }],
      malformedCount: 1,
      samples: 1,
      cold: 0,
      failed: 0,
      unmatchedTimeouts: 0,
    });
  });

  it('makes a sample a timeout when its timeout line came first, whatever its REPORT says', () => {
    const a = createAwsAssembler({ variant: 'v' });
    a.push(`2026-10-08T07:30:29.470Z ${A} Task timed out after 3.00 seconds`, 1);
    const [s] = a.push(warmReport(A), 2);
    expect([s.status, s.errorType, s.errorMessage]).toEqual(['timeout', null, 'Task timed out after 3.00 seconds']);
  });

  it('makes a sample a timeout when the caller found its timeout line after the REPORT, and counts the lines it could not place', () => {
    const lines = [warmReport(A), `2026-10-08T07:30:29.470Z ${A} Task timed out after 3.01 seconds`, `2026-10-08T07:30:29.470Z ${B} Task timed out after 1.00 seconds`];
    const unaware = createAwsAssembler({ variant: 'v' });
    const [before] = lines.flatMap((l, i) => unaware.push(l, i + 1));
    expect(before.status).toBe('success');
    expect(unaware.stats().unmatchedTimeouts).toBe(2);
    const told = createAwsAssembler({ variant: 'v', timedOut: new Map([[A, 3.01]]) });
    const [after] = lines.flatMap((l, i) => told.push(l, i + 1));
    expect([after.status, after.errorMessage]).toEqual(['timeout', 'Task timed out after 3.01 seconds']);
    expect(told.stats().unmatchedTimeouts).toBe(1);
  });

  it('leaves a request the caller marked timed out to the general path, so the fast lane cannot skip it', () => {
    const a = createAwsAssembler({ variant: 'v', timedOut: new Map([[A, 3]]) });
    expect(JSON.parse(a.pushJson!(warmReport(A), 1)).status).toBe('timeout');
    expect(JSON.parse(a.pushJson!(warmReport(B), 2)).status).toBe('success');
  });

  it('names samples after the function a JSON initStart gives, else the fallback', () => {
    const a = createAwsAssembler({ fallbackVariant: 'file' });
    const [first] = a.push(warmReport(A), 1);
    a.push(JSON.stringify({ type: 'platform.initStart', record: { functionName: 'checkout' } }), 2);
    const [second] = a.push(warmReport(B), 3);
    expect([first.variant, second.variant]).toEqual(['file', 'checkout']);
  });

  it('gives from pushJson exactly the JSON of push’s samples, fast lane or not', () => {
    const lines = [
      warmReport(A),
      `REPORT RequestId: ${B}\tDuration: 0.50 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 007.10 ms\t`,
      `START RequestId: ${A} Version: $LATEST`,
      `RequestId: ${A} Error: Runtime exited with error: exit status 1`,
      warmReport(A),
      `REPORT RequestId: "q\\"\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB`,
    ];
    const slow = createAwsAssembler({ variant: 'v"ü' });
    const fast = createAwsAssembler({ variant: 'v"ü' });
    const expected = lines
      .flatMap((l, i) => slow.push(l, i + 1))
      .map((s) => `${JSON.stringify(s)}\n`)
      .join('');
    const got = lines.map((l, i) => fast.pushJson?.(l, i + 1) ?? '').join('');
    expect(got).toBe(expected);
    expect(fast.stats()).toEqual(slow.stats());
  });
});

describe('detectPlatform', () => {
  it('says aws for Lambda lines after application output, and aws when nothing is recognised', () => {
    expect(detectPlatform(['hello', warmReport(A)])).toBe('aws');
    expect(detectPlatform(['hello', 'world'])).toBe('aws');
  });
});
