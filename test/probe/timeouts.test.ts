import { describe, expect, it } from 'vitest';
import { samplesFromLines } from '../../src/probe/index.ts';
import { TimeoutScanner, timeoutsInText } from '../../src/probe/timeouts.ts';

const ID = 'c93a6f10-2b8d-4d71-b5e2-7a0c4e8f9d33';
const REPORT = `REPORT RequestId: ${ID}\tDuration: 3003.12 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`;

describe('timeoutsInText', () => {
  it('returns the request id and seconds of the plain, RequestId-form, prefixed and JSON-escaped timeout lines', () => {
    expect([...timeoutsInText(`2026-10-08T07:30:29.470Z ${ID} Task timed out after 3.00 seconds`)]).toEqual([[ID, 3]]);
    expect([...timeoutsInText('RequestId: abc-1 Error: Task timed out after 1.00 seconds')]).toEqual([['abc-1', 1]]);
    expect([...timeoutsInText('2026-10-08 07:30:29 | 2026-10-08T07:30:29.470Z r-7 Task timed out after 30.03 seconds')]).toEqual([['r-7', 30.03]]);
    expect([...timeoutsInText('{"message":"2026-10-08T07:30:29.470Z\\tr-9 Task timed out after 3.00 seconds\\n"}')]).toEqual([['r-9', 3]]);
  });

  it('returns nothing for application text that only mentions the phrase', () => {
    expect(timeoutsInText('my Task timed out after a while').size).toBe(0);
  });
});

describe('TimeoutScanner', () => {
  it('finds a timeout line cut across chunk boundaries at any point', () => {
    const text = Buffer.from(`${'x'.repeat(700)}\n2026-10-08T07:30:29.470Z ${ID} Task timed out after 3.00 seconds\n${'y'.repeat(50)}\n`);
    for (const size of [1, 7, 64, 100, 4096]) {
      const scanner = new TimeoutScanner();
      for (let i = 0; i < text.length; i += size) scanner.push(text.subarray(i, i + size));
      expect([...scanner.found]).toEqual([[ID, 3]]);
    }
  });

  it('never takes part of an id for the whole one, wherever one chunk boundary falls', () => {
    const text = Buffer.from(`${'x'.repeat(300)}\n2026-10-08T07:30:29.470Z ${ID} Task timed out after 3.00 seconds\nmore\n`);
    for (let cut = 0; cut <= text.length; cut++) {
      const scanner = new TimeoutScanner();
      scanner.push(text.subarray(0, cut));
      scanner.push(text.subarray(cut));
      expect([...scanner.found], `cut at ${cut}`).toEqual([[ID, 3]]);
    }
  });
});

describe('samplesFromLines › timeout after its REPORT', () => {
  it('returns a timeout when the timeout line follows the REPORT (CloudWatch and console copies)', () => {
    const [s] = samplesFromLines([`START RequestId: ${ID} Version: $LATEST`, `END RequestId: ${ID}`, REPORT, `2026-10-08T07:30:32.470Z ${ID} Task timed out after 3.00 seconds`], {
      variant: 'v',
    });
    expect([s.status, s.errorType, s.errorMessage]).toEqual(['timeout', null, 'Task timed out after 3.00 seconds']);
  });
});
