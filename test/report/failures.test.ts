import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/probe/sample.ts';
import { failureLines, failuresOf } from '../../src/report/failures.ts';

const sample = (variant: string, fields: Partial<Sample> = {}): Sample => ({
  variant,
  kind: 'warm',
  coldBy: 'none',
  requestId: 'r',
  initMs: null,
  restoreMs: null,
  billedRestoreMs: null,
  durationMs: 1,
  billedMs: 1,
  memoryMB: 512,
  maxMemoryMB: 40,
  status: 'success',
  errorType: null,
  clientMs: null,
  ...fields,
});

describe('failuresOf', () => {
  it('returns nothing when every sample succeeded', () => {
    expect(failuresOf([sample('ok@512'), sample('ok@512')])).toEqual([]);
  });

  it('counts failed samples per variant and keeps the first error as "type: message"', () => {
    const samples = [
      sample('boom@512', { status: 'error', errorType: 'ValueError', errorMessage: 'boom from the handler' }),
      sample('ok@512'),
      sample('boom@512', { status: 'error', errorType: 'TypeError', errorMessage: 'second' }),
      sample('slow@128', { status: 'timeout', errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: r Error: Task timed out after 1.00 seconds' }),
      sample('slow@128'),
    ];
    expect(failuresOf(samples)).toEqual([
      { variant: 'boom@512', failed: 2, total: 2, first: 'ValueError: boom from the handler' },
      { variant: 'slow@128', failed: 1, total: 2, first: 'Sandbox.Timedout: Task timed out after 1.00 seconds' },
    ]);
  });

  it('counts an unmeasured sample (the harness error field) as failed, quoting that error', () => {
    expect(failuresOf([sample('lost@512', { error: 'no REPORT record for request r' })])[0].first).toBe('no REPORT record for request r');
    expect(failuresOf([sample('t@512', { status: 'timeout', errorMessage: 'Task timed out after 3.00 seconds' })])[0].first).toBe('timed out: Task timed out after 3.00 seconds');
  });
});

describe('failureLines', () => {
  it('returns one line per failing variant, and the event hint only when every invoke failed', () => {
    const lines = failureLines(
      [
        { variant: 'boom@512', failed: 5, total: 5, first: 'ValueError: boom from the handler' },
        { variant: 'flaky@256', failed: 1, total: 30, first: 'TypeError: x' },
      ],
      'suite',
    );
    expect(lines).toEqual([
      'boom@512: 5 of 5 invocations failed: ValueError: boom from the handler',
      '  every invocation failed: check the sample event it is invoked with (`event:` / `events:` of the function in the suite), and the handler',
      'flaky@256: 1 of 30 invocations failed: TypeError: x',
    ]);
  });

  it('points at the trigger event for --serverless and at --event for --function', () => {
    const all = [{ variant: 'get@1024', failed: 1, total: 1, first: 'KeyError: body' }];
    expect(failureLines(all, 'serverless')[1]).toContain("its trigger's event");
    expect(failureLines(all, 'function')[1]).toContain('--event FILE');
    expect(failureLines([{ variant: 'one@128', failed: 1, total: 1, first: 'x' }], 'suite')[0]).toBe('one@128: 1 of 1 invocation failed: x');
  });
});
