import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAwsAssembler, parseLineDetailed, samplesFromLines, type Sample } from '../../src/probe/index.ts';
import { parseReport } from '../../src/probe/parse-text.ts';
import { parseReportFast, scannedReportJson, scanReportFast } from '../../src/probe/report-fast.ts';
import { scanReportBytes, writeReportBytes } from '../../src/probe/report-bytes.ts';
import { viaBytes, viaText } from './byte-import-helpers.ts';

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
      metrics: fc.dictionary(
        fc.constantFrom('durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs', 'restoreDurationMs', 'x'),
        fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.nat()),
      ),
      status: fc.constantFrom('success', 'failure', 'error', 'timeout', 'weird', undefined),
      errorType: fc.option(fc.string()),
    },
    { requiredKeys: [] },
  )
  .map((record) => JSON.stringify({ time: 't', type: 'platform.report', record }));

/** Request ids, shared by the lines of a case so that timeouts, STARTs and duplicates meet their REPORT. */
const requestId = fc.oneof(
  { arbitrary: fc.constantFrom('r-1', 'r-2', '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10'), weight: 4 },
  { arbitrary: fc.constantFrom('ü😀', 'a"b', 'a\\b', 'x\u0001y'), weight: 1 },
);
/** Number texts, many of them the forms String(number) prints differently. */
const numberText = fc.oneof(
  decimal,
  fc.constantFrom('1.50', '2.0', '0.00', '0.0000001', '0.00001', '0.000001', '12345678901234.5', '123456789012345', '1234567890123456', '00', '0.5', '10.10'),
);
/** Mostly what the field holds in real logs (whole numbers for billed durations and memory), sometimes anything. */
const wholeText = fc.oneof({ arbitrary: fc.nat(100_000).map(String), weight: 6 }, { arbitrary: numberText, weight: 1 });
const msText = fc.oneof(
  {
    arbitrary: fc.tuple(fc.nat(5000), fc.nat(999)).map(
      ([a, b]) =>
        `${a}.${String(b)
          .padStart(3, '0')
          .slice(0, 1 + (b % 3))}`,
    ),
    weight: 4,
  },
  { arbitrary: numberText, weight: 1 },
);
/** A REPORT in the canonical form (the byte lane's), optional fields and order varied. */
const canonical = fc
  .tuple(
    requestId,
    fc.shuffledSubarray(['Init Duration', 'Restore Duration', 'Billed Restore Duration']),
    fc.tuple(msText, wholeText, wholeText, wholeText, msText, msText, wholeText),
    fc.constantFrom('\t', ' \t', ''),
    fc.nat(),
  )
  .map(([id, optional, values, trailing, seed]) => {
    const labels = ['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used', ...optional];
    // Values by label, so whole-number fields get whole-number texts.
    const valueByLabel: Record<string, string> = {
      Duration: values[0],
      'Billed Duration': values[1],
      'Memory Size': values[2],
      'Max Memory Used': values[3],
      'Init Duration': values[4],
      'Restore Duration': values[5],
      'Billed Restore Duration': values[6],
    };
    const fields = labels.map((l) => `${l}: ${valueByLabel[l]} ${l.startsWith('M') ? 'MB' : 'ms'}`);
    const at = seed % fields.length;
    fields.push(...fields.splice(0, at));
    return `REPORT RequestId: ${id}\t${fields.join('\t')}${trailing}`;
  });
const foldLine = requestId.chain((id) =>
  fc.constantFrom(
    `2026-10-08T07:30:59.479Z ${id} Task timed out after 3.00 seconds`,
    `START RequestId: ${id} Version: $LATEST`,
    `RequestId: ${id} Error: Runtime exited with error: exit status 1`,
    'INIT_REPORT Init Duration: 1712.41 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown',
  ),
);
/** One line's bytes: text of every kind, or raw bytes (invalid UTF-8 included). */
const lineBytes = fc
  .oneof(
    { arbitrary: canonical, weight: 8 },
    { arbitrary: canonical.map((l) => l.replace('\t', '\t\t')), weight: 1 },
    { arbitrary: reportLike, weight: 1 },
    { arbitrary: mutated, weight: 2 },
    { arbitrary: foldLine, weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 1 },
  )
  .map((l) => Buffer.from(l.replace(/\n/g, ' ')));
/** Raw bytes, invalid UTF-8 included, without a newline. */
const rawLine = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b.map((x) => (x === 10 ? 32 : x))));
const anyLine = fc.oneof({ arbitrary: lineBytes, weight: 6 }, { arbitrary: rawLine, weight: 1 });
const endOfLine = fc.oneof({ arbitrary: fc.constant('\n'), weight: 3 }, { arbitrary: fc.constant('\r\n'), weight: 1 });
const PREAMBLE = Buffer.from(
  Array.from({ length: 55 }, (_, i) => `REPORT RequestId: p-${i}\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n`).join(''),
);

describe('probe fuzz', () => {
  it('imports bytes through the byte lane exactly as the string path imports the text (output bytes and stats)', () => {
    let laneBeyondPreamble = 0;
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 25 }), fc.integer({ min: 1, max: 400 }), endOfLine, fc.boolean(), (lines, chunk, eol, lastNewline) => {
        const parts = [PREAMBLE];
        lines.forEach((l, i) => {
          parts.push(l, ...(i < lines.length - 1 || lastNewline ? [Buffer.from(eol)] : []));
        });
        const bytes = Buffer.concat(parts);
        const got = viaBytes(bytes, chunk);
        const want = viaText(bytes);
        expect(got.out.toString('latin1')).toBe(want.out.toString('latin1'));
        expect(got.stats).toEqual(want.stats);
        expect(got.lane).toBeGreaterThan(0);
        laneBeyondPreamble += Math.max(0, got.lane - 5);
      }),
      { numRuns: 1500 },
    );
    // The generated lines reach the byte lane (about 500 of them in 1500 runs), not only the preamble's.
    expect(laneBeyondPreamble).toBeGreaterThan(300);
  });

  it('accepts in the byte lane only lines the string fast lane accepts, and writes the same JSON', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(canonical, mutated, reportLike), (line) => {
        const bytes = Buffer.from(line);
        if (!scanReportBytes(bytes, 0, bytes.length)) return;
        accepted++;
        expect(scanReportFast(line, 7)).toBe(true);
        const out = Buffer.alloc(bytes.length + 600);
        const end = writeReportBytes(out, 0, bytes, '"v"');
        expect(out.toString('utf8', 0, end)).toBe(scannedReportJson(line, '"v"', JSON.stringify(line.slice(18, line.indexOf('\t')))));
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: the lane accepts some of the lines (about 360 in 3000 runs).
    expect(accepted).toBeGreaterThan(150);
  });

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
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(canonical, reportLike, mutated), (line) => {
        if (!line.startsWith('REPORT ')) return;
        const fast = parseReportFast(line, 7, ORIGIN);
        if (fast !== null) {
          accepted++;
          expect(fast).toEqual(parseReport(line, 7, ORIGIN));
        }
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: canonical lines reach the fast lane (about 530 in 3000 runs; reportLike and mutated lines alone reached none).
    expect(accepted).toBeGreaterThan(250);
  });

  it('serialises the fast lane byte for byte like JSON.stringify of the sample', () => {
    let canonicalLines = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(canonical, reportLike, mutated), { maxLength: 5 }), (lines) => {
        const slow = createAwsAssembler({ variant: 'v' });
        const fast = createAwsAssembler({ variant: 'v' });
        const expected = lines
          .flatMap((l, i) => slow.push(l, i + 1))
          .map((s) => `${JSON.stringify(s)}\n`)
          .join('');
        expect(lines.map((l, i) => fast.pushJson?.(l, i + 1)).join('')).toBe(expected);
        canonicalLines += lines.filter((l) => l.startsWith('REPORT ') && scanReportFast(l, 7)).length;
      }),
      { numRuns: 2000 },
    );
    // Not vacuous: lines the fast lane writes itself are among them (about 770 in 2000 runs; reportLike and mutated lines alone gave none).
    expect(canonicalLines).toBeGreaterThan(400);
  });
});
