import { describe, expect, it } from 'vitest';
import { isRunSummary, parseSampleLine, SummaryFormatError, summarize } from '../../src/report/index.ts';

describe('parseSampleLine', () => {
  it('reads a sample line and fills absent measurement fields with null', () => {
    const s = parseSampleLine('{"variant":"reuse@512","kind":"cold","initMs":210.5,"durationMs":21.4,"billedMs":232}', 1, 'samples.jsonl');
    expect(s).toEqual({
      variant: 'reuse@512',
      kind: 'cold',
      coldBy: 'init-duration',
      requestId: null,
      initMs: 210.5,
      restoreMs: null,
      billedRestoreMs: null,
      durationMs: 21.4,
      billedMs: 232,
      memoryMB: null,
      maxMemoryMB: null,
      status: 'success',
      errorType: null,
      clientMs: null,
    });
  });

  it('keeps extra fields and a known status', () => {
    const s = parseSampleLine('{"variant":"a","kind":"warm","status":"timeout","forced":true,"sampleIndex":3}', 1, 'f');
    expect(s).toMatchObject({ status: 'timeout', forced: true, sampleIndex: 3, coldBy: 'none' });
  });

  it('reads an unknown status as error, so it is never averaged in', () => {
    expect(parseSampleLine('{"variant":"a","kind":"warm","status":"failure"}', 1, 'f')?.status).toBe('error');
  });

  it('returns null for a blank line', () => {
    expect(parseSampleLine('   ', 4, 'f')).toBeNull();
  });

  it('throws SummaryFormatError naming the file and line of malformed JSON', () => {
    expect(() => parseSampleLine('{"variant":', 7, 'run/samples.jsonl')).toThrow(SummaryFormatError);
    expect(() => parseSampleLine('{"variant":', 7, 'run/samples.jsonl')).toThrow(/^run\/samples\.jsonl:7: not a JSON object \(/);
  });

  it('names the missing variant and a wrong kind', () => {
    expect(() => parseSampleLine('{"kind":"cold"}', 2, 'f')).toThrow('f:2: field "variant" is missing or not a string; every sample names its variant');
    expect(() => parseSampleLine('{"variant":"a","kind":"hot"}', 3, 'f')).toThrow('f:3: field "kind" is "hot"; expected "cold" or "warm"');
    expect(() => parseSampleLine('[1,2]', 5, 'f')).toThrow('f:5: expected a JSON object per line, found an array');
  });
});

describe('isRunSummary', () => {
  it('recognises a summary and nothing else', () => {
    expect(isRunSummary(JSON.parse(JSON.stringify(summarize([]))))).toBe(true);
    expect(isRunSummary({ variants: [] })).toBe(false);
    expect(isRunSummary(null)).toBe(false);
  });
});
