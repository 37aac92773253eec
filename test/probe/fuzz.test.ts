import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAwsAssembler, parseLineDetailed, samplesFromLines, type Sample } from '../../src/probe/index.ts';
import { parseReport } from '../../src/probe/parse-text.ts';
import { parseReportFast } from '../../src/probe/report-fast.ts';

const ORIGIN = { time: null, stream: null, format: 'text' } as const;
const SEPARATORS = ['\t', ' ', ' \t', '\t\t'];
const LABELS = ['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used', 'Init Duration', 'Restore Duration', 'Billed Restore Duration'];

/** Numbers as the line wrote them: plain decimals in text lines, JSON numbers (exponents too) in JSON lines. */
function numbersIn(line: string): Set<number> {
  const found = new Set<number>();
  const pattern = line.trimStart().startsWith('{') ? /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g : /\d+(?:\.\d+)?/g;
  for (const m of line.matchAll(pattern)) found.add(Number(m[0]));
  return found;
}

/** Every non-null field of a sample made from one line must be visible in that line. */
function assertFromLine(sample: Sample, line: string): void {
  const numbers = numbersIn(line);
  for (const key of ['initMs', 'restoreMs', 'billedRestoreMs', 'durationMs', 'billedMs', 'memoryMB', 'maxMemoryMB'] as const) {
    const v = sample[key];
    if (v !== null) expect(numbers.has(v), `${key} ${v} not in ${JSON.stringify(line)}`).toBe(true);
  }
  // JSON lines hold strings escaped (these were written by JSON.stringify, so escaped the same way).
  const asWritten = (v: string) => (line.trimStart().startsWith('{') ? JSON.stringify(v).slice(1, -1) : v);
  if (sample.requestId !== null) expect(line).toContain(asWritten(sample.requestId));
  if (sample.errorType !== null) expect(line).toContain(asWritten(sample.errorType));
  if (sample.kind === 'cold') expect(/Init Duration|Restore Duration|initDurationMs|restoreDurationMs/.test(line)).toBe(true);
  if (sample.status === 'timeout') expect(line).toContain('timeout');
  if (sample.status === 'error') expect(/rror|failure/.test(line)).toBe(true);
  expect(sample.clientMs).toBeNull();
}

const decimal = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom('007', '1.50', '0.000001', '99999999999999999999', '-1', '1e3', '', '1.', '.5', 'NaN', '１２'),
);
const field = fc.tuple(fc.constantFrom(...LABELS), decimal, fc.constantFrom('ms', 'MB', 's', '', 'GB')).map(([l, v, u]) => `${l}: ${v}${u ? ` ${u}` : ''}`);
const reportLike = fc
  .tuple(fc.constantFrom('r-1', '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10', 'ü😀', 'a b'), fc.array(field, { maxLength: 9 }), fc.constantFrom(...SEPARATORS), fc.boolean())
  .map(([id, fields, sep, trailing]) => `REPORT RequestId: ${id}${sep}${fields.join(sep)}${trailing ? sep : ''}`);

/** A valid REPORT then mutated: a cut, a deleted / replaced / inserted character. */
const mutated = fc
  .tuple(reportLike, fc.nat(), fc.constantFrom('cut', 'delete', 'replace', 'insert'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }))
  .map(([line, at, how, ch]) => {
    const i = line.length === 0 ? 0 : at % line.length;
    if (how === 'cut') return line.slice(0, i);
    if (how === 'delete') return line.slice(0, i) + line.slice(i + 1);
    if (how === 'replace') return line.slice(0, i) + ch + line.slice(i + 1);
    return line.slice(0, i) + ch + line.slice(i);
  });

const jsonReport = fc
  .record(
    {
      requestId: fc.oneof(fc.string(), fc.integer()),
      metrics: fc.dictionary(fc.constantFrom('durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs', 'restoreDurationMs', 'x'), fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.nat())),
      status: fc.constantFrom('success', 'failure', 'error', 'timeout', 'weird', undefined),
      errorType: fc.option(fc.string()),
    },
    { requiredKeys: [] },
  )
  .map((record) => JSON.stringify({ time: 't', type: 'platform.report', record }));

describe('probe fuzz', () => {
  it('never throws and never yields a sample field that was not in the line (mutated REPORT lines)', () => {
    fc.assert(
      fc.property(fc.oneof(reportLike, mutated), (line) => {
        for (const s of samplesFromLines([line], { variant: 'v' })) assertFromLine(s, line);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws and never yields a sample field that was not in the line (JSON platform.report)', () => {
    fc.assert(
      fc.property(jsonReport, (line) => {
        for (const s of samplesFromLines([line], { variant: 'v' })) assertFromLine(s, line);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on random text, with or without platform prefixes', () => {
    const prefix = fc.constantFrom('', 'REPORT ', 'START ', 'INIT_REPORT ', 'XRAY ', 'RequestId: ', '{', '2026-10-08T07:30:29.470Z ', '2026/10/08/[$LATEST]ab ');
    fc.assert(
      fc.property(prefix, fc.string({ unit: 'binary', maxLength: 200 }), (p, rest) => {
        const line = p + rest;
        parseLineDetailed(line);
        for (const s of samplesFromLines([line], { variant: 'v' })) assertFromLine(s, line);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a line in the fast lane exactly as the general parser does (or leaves it to it)', () => {
    fc.assert(
      fc.property(fc.oneof(reportLike, mutated), (line) => {
        if (!line.startsWith('REPORT ')) return;
        const fast = parseReportFast(line, 7, ORIGIN);
        if (fast !== null) expect(fast).toEqual(parseReport(line, 7, ORIGIN));
      }),
      { numRuns: 3000 },
    );
  });

  it('serialises the fast lane byte for byte like JSON.stringify of the sample', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(reportLike, mutated), { maxLength: 5 }), (lines) => {
        const slow = createAwsAssembler({ variant: 'v' });
        const fast = createAwsAssembler({ variant: 'v' });
        const expected = lines.flatMap((l, i) => slow.push(l, i + 1)).map((s) => `${JSON.stringify(s)}\n`).join('');
        expect(lines.map((l, i) => fast.pushJson?.(l, i + 1)).join('')).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
