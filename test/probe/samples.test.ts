import { describe, expect, it } from 'vitest';
import { samplesFromLines } from '../../src/probe/index.ts';

const RID = '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10';
const RID2 = 'a8e0f3d4-1b2c-4d5e-9f60-7a8b9c0d1e2f';
const COLD = [
  'INIT_START Runtime Version: python:3.13.v14\tRuntime Version ARN: arn:aws:lambda:eu-south-1::runtime:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  `START RequestId: ${RID} Version: $LATEST`,
  `END RequestId: ${RID}`,
  `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t`,
];

describe('samplesFromLines', () => {
  it('returns one cold sample per REPORT with Init Duration, every field as reported', () => {
    expect(samplesFromLines(COLD, { variant: 'reuse@128' })).toEqual([
      {
        variant: 'reuse@128',
        kind: 'cold',
        coldBy: 'init-duration',
        requestId: RID,
        initMs: 130.49,
        restoreMs: null,
        billedRestoreMs: null,
        durationMs: 15.74,
        billedMs: 147,
        memoryMB: 128,
        maxMemoryMB: 56,
        status: 'success',
        errorType: null,
        clientMs: null,
      },
    ]);
  });

  it('reads a REPORT without Init Duration as warm (coldBy none)', () => {
    const [s] = samplesFromLines([`REPORT RequestId: ${RID2}\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 57 MB\t`], { variant: 'v' });
    expect(s).toMatchObject({ kind: 'warm', coldBy: 'none', initMs: null, durationMs: 2.05, billedMs: 3 });
  });

  it('folds a timeout line of the same request id into an old-style REPORT without Status', () => {
    const [s] = samplesFromLines(
      [
        `START RequestId: ${RID2} Version: 3`,
        `2026-10-08T07:30:59.480Z ${RID2} Task timed out after 3.00 seconds`,
        `END RequestId: ${RID2}`,
        `REPORT RequestId: ${RID2}\tDuration: 3003.12 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`,
      ],
      { variant: 'v' },
    );
    expect(s).toMatchObject({ status: 'timeout', errorType: null, durationMs: 3003.12 });
  });

  it('folds a runtime exit into status error with errorType Runtime.ExitError', () => {
    const [s] = samplesFromLines(
      [
        `START RequestId: ${RID2} Version: $LATEST`,
        `RequestId: ${RID2} Error: Runtime exited with error: exit status 1`,
        `END RequestId: ${RID2}`,
        `REPORT RequestId: ${RID2}\tDuration: 40.00 ms\tBilled Duration: 40 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\t`,
      ],
      { variant: 'v' },
    );
    expect(s).toMatchObject({ status: 'error', errorType: 'Runtime.ExitError' });
  });
});
