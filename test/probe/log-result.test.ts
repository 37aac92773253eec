import { describe, expect, it } from 'vitest';
import { decodeLogResult, LOG_RESULT_MAX_BYTES, samplesFromLines } from '../../src/probe/index.ts';

const RID = '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10';
const REPORT = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The last LOG_RESULT_MAX_BYTES bytes of a log, as Lambda cuts it. */
function tail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_RESULT_MAX_BYTES)).toString('base64');
}

describe('decodeLogResult', () => {
  it('returns every line of a log shorter than 4 KB, CR stripped, no trailing empty line', () => {
    const log = `START RequestId: ${RID} Version: $LATEST\r\nhello\nEND RequestId: ${RID}\n${REPORT}\n`;
    expect(decodeLogResult(b64(log))).toEqual([`START RequestId: ${RID} Version: $LATEST`, 'hello', `END RequestId: ${RID}`, REPORT]);
  });

  it('skips the torn first line of a 4 KB tail that was cut inside application output', () => {
    const log = `START RequestId: ${RID} Version: $LATEST\n${'x'.repeat(5000)}\nEND RequestId: ${RID}\n${REPORT}\n`;
    expect(decodeLogResult(tail(log))).toEqual([`END RequestId: ${RID}`, REPORT]);
  });

  it('skips a first line cut inside a REPORT line rather than misreading it as warm', () => {
    // The cut falls after "Init Duration: 1": a parser that kept it would see a different line.
    const earlier = `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t`;
    const rest = `\n${'y'.repeat(LOG_RESULT_MAX_BYTES - 40)}\n`;
    const log = `${earlier}${rest}`;
    const lines = decodeLogResult(tail(log));
    expect(lines.every((l) => !l.includes('REPORT') && !l.includes('Duration'))).toBe(true);
    expect(samplesFromLines(lines, { variant: 'v' })).toEqual([]);
  });

  it('keeps a first line that starts exactly at a platform line in a 4 KB tail', () => {
    const filler = 'z'.repeat(LOG_RESULT_MAX_BYTES - REPORT.length - 2 - `START RequestId: ${RID} Version: $LATEST`.length - 1);
    const whole = `START RequestId: ${RID} Version: $LATEST\n${filler}\n${REPORT}\n`;
    expect(Buffer.byteLength(whole)).toBe(LOG_RESULT_MAX_BYTES);
    const log = `${'earlier output\n'.repeat(10)}${whole}`;
    expect(decodeLogResult(tail(log))[0]).toBe(`START RequestId: ${RID} Version: $LATEST`);
  });

  it('drops a first line whose multi-byte character was cut in half', () => {
    const log = `${'é'.repeat(3000)}\n${REPORT}\n`;
    expect(decodeLogResult(tail(log))).toEqual([REPORT]);
  });

  it('returns no line for an empty LogResult', () => {
    expect(decodeLogResult('')).toEqual([]);
  });
});
