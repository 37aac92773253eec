import { describe, expect, it } from 'vitest';
import { parseLine, parseLineDetailed } from '../../src/probe/index.ts';

const RID = '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10';
const STREAM = '2026/10/08/[$LATEST]22be4c1d9e8f4a7b8c6d5e4f3a2b1c0d';
const TEXT = { time: null, stream: null, format: 'text' };
const REPORT_COLD = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t`;

function report(fields: Partial<Record<string, unknown>>) {
  return {
    type: 'report',
    requestId: RID,
    durationMs: 15.74,
    billedMs: 147,
    memoryMB: 128,
    maxMemoryMB: 56,
    initMs: null,
    restoreMs: null,
    billedRestoreMs: null,
    status: null,
    errorType: null,
    hasInit: false,
    hasRestore: false,
    ...TEXT,
    ...fields,
  };
}

describe('parseLine › REPORT', () => {
  it('reads every field of a cold REPORT with a trailing tab', () => {
    expect(parseLine(REPORT_COLD)).toEqual(report({ initMs: 130.49, hasInit: true }));
  });

  it('reads a warm REPORT (no Init Duration) without a trailing tab', () => {
    const line = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB`;
    expect(parseLine(line)).toEqual(report({}));
  });

  it('reads fields separated by spaces, as documentation and issues copy them', () => {
    const line = `REPORT RequestId: ${RID} Duration: 15.74 ms Billed Duration: 147 ms Memory Size: 128 MB Max Memory Used: 56 MB Init Duration: 130.49 ms`;
    expect(parseLine(line)).toEqual(report({ initMs: 130.49, hasInit: true }));
  });

  it('reads `Billed Duration: 27 ms \\t` (a space before the tab)', () => {
    const line = `REPORT RequestId: ${RID}\tDuration: 26.11 ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 56 MB\t`;
    expect(parseLine(line)).toMatchObject({ durationMs: 26.11, billedMs: 27, memoryMB: 128 });
  });

  it('reads the optional fields in any order', () => {
    const line = `REPORT RequestId: ${RID}\tInit Duration: 130.49 ms\tMax Memory Used: 56 MB\tDuration: 15.74 ms\tMemory Size: 128 MB\tBilled Duration: 147 ms`;
    expect(parseLine(line)).toEqual(report({ initMs: 130.49, hasInit: true }));
  });

  it('reads a SnapStart REPORT: Restore Duration and Billed Restore Duration, no Init Duration', () => {
    const line = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tRestore Duration: 473.89 ms\tBilled Restore Duration: 222 ms\t`;
    expect(parseLine(line)).toEqual(report({ restoreMs: 473.89, billedRestoreMs: 222, hasRestore: true }));
  });

  it('reads Status: timeout and Status: error with its Error Type', () => {
    const base = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t`;
    expect(parseLine(`${base}Status: timeout`)).toMatchObject({ status: 'timeout', errorType: null });
    expect(parseLine(`${base}Status: error\tError Type: Runtime.OutOfMemory`)).toMatchObject({ status: 'error', errorType: 'Runtime.OutOfMemory' });
  });

  it('strips a CRLF line ending', () => {
    expect(parseLine(`${REPORT_COLD}\r`)).toEqual(report({ initMs: 130.49, hasInit: true }));
  });

  it('reads the prefix `aws logs tail` writes: ISO time with microseconds and the stream name', () => {
    const line = `2026-10-08T07:30:29.470000+00:00 ${STREAM} ${REPORT_COLD}`;
    expect(parseLine(line)).toEqual(report({ initMs: 130.49, hasInit: true, time: '2026-10-08T07:30:29.470000+00:00', stream: STREAM }));
  });

  it('reads the prefix of an exported file: an ISO time only', () => {
    expect(parseLine(`2026-10-08T07:30:29.470Z ${REPORT_COLD}`)).toMatchObject({ time: '2026-10-08T07:30:29.470Z', stream: null, initMs: 130.49 });
  });

  it('ignores an unknown field Lambda may add later', () => {
    const line = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tFuture Field: 3 ms\t`;
    expect(parseLine(line)).toEqual(report({}));
  });
});

describe('parseLineDetailed › malformed REPORT lines', () => {
  /** A REPORT without Init Duration whose Duration, Billed Duration or Memory Size is replaced. */
  const reportWith = ({ duration = '15.74 ms', billed = '147 ms', memory = '128 MB' }) =>
    `REPORT RequestId: ${RID}\tDuration: ${duration}\tBilled Duration: ${billed}\tMemory Size: ${memory}\tMax Memory Used: 56 MB`;
  const cases: Array<[string, string, string]> = [
    [
      'a line torn before Max Memory Used',
      `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\t`,
      'REPORT: no Max Memory Used (torn line?)',
    ],
    [
      'a line torn inside a value',
      `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56`,
      'REPORT: Max Memory Used: "56" has no unit (expected MB; torn line?)',
    ],
    ['a line torn inside a label', `${reportWith({})}\tInit Dur`, 'REPORT: text "Init Dur" is not a "Label: value" field (torn line?)'],
    ['a duration in seconds', reportWith({ duration: '15.74 s' }), 'REPORT: Duration: unit "s" (expected ms)'],
    ['memory in GB', reportWith({ memory: '1 GB' }), 'REPORT: Memory Size: unit "GB" (expected MB)'],
    ['a number beyond 2^53', reportWith({ duration: '123456789012345678901234567890 ms' }), 'REPORT: Duration: "123456789012345678901234567890" is not a plain number'],
    ['a negative number', reportWith({ duration: '-1 ms' }), 'REPORT: Duration: "-1" is not a plain number'],
    ['an exponent', reportWith({ duration: '1e3 ms' }), 'REPORT: Duration: "1e3" is not a plain number'],
    ['a fractional Billed Duration', reportWith({ billed: '147.5 ms' }), 'REPORT: Billed Duration: 147.5 ms is not a whole number'],
    ['two REPORT lines joined', `${REPORT_COLD}REPORT RequestId: x\tDuration: 1.00 ms\t`, 'REPORT: Duration appears twice (two lines joined?)'],
    ['both Init and Restore Duration', `${REPORT_COLD}Restore Duration: 400.00 ms\t`, 'REPORT: both Init Duration and Restore Duration'],
    ['an unknown Status', `${reportWith({})}\tStatus: exploded`, 'REPORT: Status: unknown value "exploded"'],
  ];
  for (const [what, line, reason] of cases) {
    it(`rejects ${what} with the reason`, () => {
      expect(parseLineDetailed(line)).toEqual({ type: 'malformed', reason });
      expect(parseLine(line)).toBeNull();
    });
  }
});

describe('parseLine › other text platform lines', () => {
  it('reads START with its Version', () => {
    expect(parseLine(`START RequestId: ${RID} Version: $LATEST`)).toEqual({ type: 'start', requestId: RID, version: '$LATEST', ...TEXT });
    expect(parseLine(`START RequestId: ${RID} Version: 12`)).toMatchObject({ version: '12' });
  });

  it('reads END', () => {
    expect(parseLine(`END RequestId: ${RID}`)).toEqual({ type: 'end', requestId: RID, ...TEXT });
  });

  it('reads INIT_START with the runtime version and its ARN', () => {
    const arn = 'arn:aws:lambda:eu-south-1::runtime:0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    expect(parseLine(`INIT_START Runtime Version: python:3.13.v14\tRuntime Version ARN: ${arn}`)).toEqual({
      type: 'initStart',
      runtimeVersion: 'python:3.13.v14',
      runtimeVersionArn: arn,
      initializationType: null,
      functionName: null,
      functionVersion: null,
      ...TEXT,
    });
  });

  it('reads INIT_REPORT of phase init with status and error type', () => {
    expect(parseLine('INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\tError Type: Runtime.UserCodeSyntaxError')).toEqual({
      type: 'initReport',
      initMs: 150.79,
      phase: 'init',
      status: 'error',
      errorType: 'Runtime.UserCodeSyntaxError',
      ...TEXT,
    });
  });

  it('reads INIT_REPORT of phase invoke and a timed-out init', () => {
    expect(parseLine('INIT_REPORT Init Duration: 1712.41 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown')).toMatchObject({
      phase: 'invoke',
      initMs: 1712.41,
      errorType: 'Runtime.Unknown',
    });
    expect(parseLine('INIT_REPORT Init Duration: 9999.79 ms\tPhase: init\tStatus: timeout')).toMatchObject({ phase: 'init', status: 'timeout', errorType: null });
  });

  it('reads XRAY', () => {
    expect(parseLine('XRAY TraceId: 1-5e34a614-10bdxmplf1fb44f07bc535a1\tSegmentId: 07f5xmpl2d1f6f85\tSampled: true')).toEqual({
      type: 'xray',
      traceId: '1-5e34a614-10bdxmplf1fb44f07bc535a1',
      segmentId: '07f5xmpl2d1f6f85',
      sampled: true,
      ...TEXT,
    });
  });

  it('reads the timeout line with its own ISO time', () => {
    expect(parseLine(`2026-10-08T07:30:29.470Z ${RID} Task timed out after 31.01 seconds`)).toEqual({
      type: 'timeout',
      requestId: RID,
      afterSeconds: 31.01,
      time: '2026-10-08T07:30:29.470Z',
      stream: null,
      format: 'text',
    });
  });

  it('reads the timeout line behind an `aws logs tail` prefix', () => {
    const line = `2026-10-08T07:30:59.480000+00:00 ${STREAM} 2026-10-08T07:30:59.479Z ${RID} Task timed out after 3.00 seconds`;
    expect(parseLine(line)).toMatchObject({ type: 'timeout', requestId: RID, afterSeconds: 3, stream: STREAM, time: '2026-10-08T07:30:59.480000+00:00' });
  });

  it('reads a runtime exit', () => {
    expect(parseLine(`RequestId: ${RID} Error: Runtime exited with error: exit status 137`)).toEqual({
      type: 'runtimeExit',
      requestId: RID,
      detail: 'with error: exit status 137',
      ...TEXT,
    });
  });

  it('returns null for application output, blank lines and marker words used as prose', () => {
    for (const line of [
      '',
      '   ',
      'hello world',
      '[INFO] 2026-10-08T07:30:29.470Z handler ran',
      'START processing batch 7',
      'END of stream',
      'REPORT generated',
      'the job said: Task timed out after 3 seconds, retrying',
    ]) {
      expect(parseLineDetailed(line)).toBeNull();
    }
  });
});

describe('parseLine › JSON log format', () => {
  const report = (record: object) => JSON.stringify({ time: '2026-10-08T07:30:29.470Z', type: 'platform.report', record });

  it('reads platform.report with init metrics', () => {
    const line = report({
      requestId: RID,
      metrics: { durationMs: 1233.96, billedDurationMs: 1698, memorySizeMB: 256, maxMemoryUsedMB: 123, initDurationMs: 463.512 },
      status: 'success',
    });
    expect(parseLine(line)).toEqual({
      type: 'report',
      requestId: RID,
      durationMs: 1233.96,
      billedMs: 1698,
      memoryMB: 256,
      maxMemoryMB: 123,
      initMs: 463.512,
      restoreMs: null,
      billedRestoreMs: null,
      status: 'success',
      errorType: null,
      hasInit: true,
      hasRestore: false,
      time: '2026-10-08T07:30:29.470Z',
      stream: null,
      format: 'json',
    });
  });

  it('reads keys in any order, restore metrics and status failure as error', () => {
    const line = `{"record":{"status":"failure","errorType":"Runtime.ExitError","metrics":{"billedRestoreDurationMs":222,"restoreDurationMs":473.89,"maxMemoryUsedMB":90,"memorySizeMB":512,"billedDurationMs":30,"durationMs":29.5},"requestId":"${RID}"},"type":"platform.report","time":"t"}`;
    expect(parseLine(line)).toMatchObject({ restoreMs: 473.89, billedRestoreMs: 222, initMs: null, status: 'error', errorType: 'Runtime.ExitError', hasRestore: true });
  });

  it('makes a missing or mistyped metric null and ignores extra keys', () => {
    const line = report({
      requestId: RID,
      metrics: { durationMs: '12', billedDurationMs: 13, memorySizeMB: 128, extra: 1 },
      status: 'success',
      spans: [],
      tracing: { type: 'X-Amzn-Trace-Id' },
    });
    expect(parseLine(line)).toMatchObject({ durationMs: null, billedMs: 13, memoryMB: 128, maxMemoryMB: null, initMs: null });
  });

  it('reads platform.initStart, platform.start, platform.initReport and platform.runtimeDone', () => {
    const initStart = JSON.stringify({
      time: 't',
      type: 'platform.initStart',
      record: { initializationType: 'on-demand', phase: 'init', runtimeVersion: 'nodejs:22.mainline.v122', functionName: 'checkout', functionVersion: '$LATEST' },
    });
    expect(parseLine(initStart)).toMatchObject({ type: 'initStart', functionName: 'checkout', initializationType: 'on-demand', format: 'json' });
    expect(parseLine(JSON.stringify({ type: 'platform.start', record: { requestId: RID, version: '$LATEST' } }))).toMatchObject({ type: 'start', requestId: RID, time: null });
    expect(
      parseLine(JSON.stringify({ type: 'platform.initReport', record: { initializationType: 'on-demand', phase: 'init', status: 'timeout', metrics: { durationMs: 10000.487 } } })),
    ).toMatchObject({ type: 'initReport', initMs: 10000.487, phase: 'init', status: 'timeout' });
    expect(parseLine(JSON.stringify({ type: 'platform.runtimeDone', record: { requestId: RID, status: 'timeout' } }))).toMatchObject({
      type: 'runtimeDone',
      status: 'timeout',
      requestId: RID,
    });
  });

  it('returns null for application JSON lines and malformed for a broken platform record', () => {
    expect(parseLineDetailed(JSON.stringify({ timestamp: 't', level: 'INFO', requestId: RID, message: 'hi' }))).toBeNull();
    expect(parseLineDetailed('{"type":"platform.report","record":{"requestId":')).toEqual({ type: 'malformed', reason: 'JSON platform record that does not parse (torn line?)' });
    expect(parseLineDetailed('{"type":"platform.report","record":{"metrics":{}}}')).toEqual({ type: 'malformed', reason: 'platform.report: no requestId' });
    expect(parseLineDetailed(`{"type":"platform.report","record":{"requestId":"${RID}","status":"meh"}}`)).toEqual({
      type: 'malformed',
      reason: 'platform.report: unknown status "meh"',
    });
  });

  it('reads a JSON record behind an `aws logs tail` prefix and takes the stream from it', () => {
    const line = `2026-10-08T07:30:29.470000+00:00 ${STREAM} ${JSON.stringify({ type: 'platform.start', record: { requestId: RID } })}`;
    expect(parseLine(line)).toMatchObject({ type: 'start', stream: STREAM });
  });
});

describe('parseLine › unicode', () => {
  it('keeps a non-ASCII request id as written', () => {
    const line = `REPORT RequestId: réq-😀-1\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`;
    expect(parseLine(line)).toMatchObject({ requestId: 'réq-😀-1', durationMs: 1.5 });
  });

  it('rejects full-width digits', () => {
    const line = `REPORT RequestId: ${RID}\tDuration: １５ ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`;
    expect(parseLineDetailed(line)).toEqual({ type: 'malformed', reason: 'REPORT: Duration: "１５" is not a plain number' });
  });
});
