import { describe, expect, it } from 'vitest';
import { scannedReportJson, scanReportFast } from '../../src/probe/report-fast.ts';
import { scanReportBytes, writeReportBytes } from '../../src/probe/report-bytes.ts';
import { viaBytes, viaText } from './byte-import-helpers.ts';

const report = (id: string, extra = '') => `REPORT RequestId: ${id}\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t${extra}`;
/** Enough canonical lines for the platform to be recognised and the byte lane to take over. */
const PREAMBLE = Array.from({ length: 60 }, (_, i) => `${report(`pre-${i}`)}\n`).join('');
const warmJson = (id: string, variant = 'app') =>
  `{"variant":"${variant}","kind":"warm","coldBy":"none","requestId":"${id}","initMs":null,"restoreMs":null,"billedRestoreMs":null,"durationMs":2.5,"billedMs":3,"memoryMB":128,"maxMemoryMB":40,"status":"success","errorType":null,"clientMs":null}\n`;

describe('byte import', () => {
  it('writes canonical REPORT lines through the byte lane, byte for byte as the string path', () => {
    const bytes = Buffer.from(`${PREAMBLE}${report('r-1', 'Init Duration: 130.50 ms\t')}\n${report('r-2')}\n`);
    const got = viaBytes(bytes, 1000);
    expect(got.out.equals(viaText(bytes).out)).toBe(true);
    expect(got.out.toString().split('\n').at(-2)).toBe(warmJson('r-2').trimEnd());
    expect(got.out.toString()).toContain('"requestId":"r-1","initMs":130.5,"restoreMs":null');
    expect(got.lane).toBeGreaterThan(2);
    expect(got.stats).toMatchObject({ samples: 62, cold: 1, records: 62, skipped: 0 });
  });

  it('joins a line cut by a chunk boundary, also inside a multi-byte character', () => {
    const bytes = Buffer.from(`${PREAMBLE}${report('r-1')}\nüñî 😀 app output\n${report('r-2')}\n`);
    const cut = bytes.indexOf(Buffer.from('😀')) + 2;
    for (const chunk of [1, 7, cut, 4096]) {
      const got = viaBytes(bytes, chunk);
      expect(got.out.toString()).toBe(viaText(bytes).out.toString());
      expect(got.stats).toEqual(viaText(bytes).stats);
      expect(got.stats.skippedBy).toEqual({ 'not a platform line': 1 });
    }
    // Handed over at the first newline after line 50: the last 10 preamble lines, r-1 and r-2.
    expect(viaBytes(bytes, 7).lane).toBe(12);
  });

  it('leaves CRLF lines to the string path, which reads them as before', () => {
    const crlf = `${PREAMBLE}${report('r-1')}\r\n${report('r-2').trimEnd()}\r\n`;
    const got = viaBytes(Buffer.from(crlf), 64);
    expect(got.out.toString()).toBe(viaText(Buffer.from(crlf)).out.toString());
    expect(got.out.toString().endsWith(warmJson('r-2'))).toBe(true);
    expect(got.stats.samples).toBe(62);
  });

  it('folds a pending timeout into a canonical REPORT of the same request', () => {
    const bytes = Buffer.from(`${PREAMBLE}2026-10-08T07:30:59.479Z r-9 Task timed out after 3.00 seconds\n${report('r-9')}\n${report('r-10')}\n`);
    const got = viaBytes(bytes, 100);
    expect(got.out.toString()).toBe(viaText(bytes).out.toString());
    const lines = got.out.toString().trimEnd().split('\n');
    expect(JSON.parse(lines.at(-2) as string)).toMatchObject({ requestId: 'r-9', status: 'timeout' });
    expect(lines.at(-1)).toBe(warmJson('r-10').trimEnd());
  });

  it('writes one sample per line for duplicated request ids, as the string path does', () => {
    const bytes = Buffer.from(`${PREAMBLE}${report('dup')}\n${report('dup')}\nSTART RequestId: dup Version: $LATEST\n${report('dup')}\n`);
    const got = viaBytes(bytes, 50);
    expect(got.out.toString()).toBe(viaText(bytes).out.toString());
    expect(got.out.toString().endsWith(warmJson('dup').repeat(3))).toBe(true);
    expect(got.stats).toEqual(viaText(bytes).stats);
  });

  it('reads the last line when it has no newline', () => {
    const bytes = Buffer.from(`${PREAMBLE}${report('last')}`);
    for (const chunk of [33, 100_000]) {
      const got = viaBytes(bytes, chunk);
      expect(got.out.toString().endsWith(warmJson('last'))).toBe(true);
      expect(got.stats.samples).toBe(61);
    }
  });

  it('reads an empty file as no samples and no lines', () => {
    const got = viaBytes(Buffer.alloc(0), 10);
    expect(got.out.length).toBe(0);
    expect(got.stats).toEqual(viaText(Buffer.alloc(0)).stats);
    expect(got.stats).toMatchObject({ samples: 0, records: 0, skipped: 0, format: 'lines' });
  });

  it('counts a malformed line after the hand-off with its line number', () => {
    const bytes = Buffer.from(`${PREAMBLE}${report('r-1')}\nREPORT RequestId: r-2\tDuration: 5 s\n`);
    const got = viaBytes(bytes, 200);
    expect(got.stats.malformed).toEqual([{ line: 62, reason: 'REPORT: Duration: unit "s" (expected ms)' }]);
    expect(got.stats).toEqual(viaText(bytes).stats);
  });

  it('names the variant once a JSON platform.initStart gives the function name', () => {
    const initStart = JSON.stringify({ time: 't', type: 'platform.initStart', record: { functionName: 'checkout-ü', runtimeVersion: 'x' } });
    const bytes = Buffer.from(`${PREAMBLE}${initStart}\n${report('r-1')}\n`);
    const got = viaBytes(bytes, 300);
    expect(got.out.toString()).toBe(viaText(bytes).out.toString());
    expect(got.out.toString().endsWith(warmJson('r-1', 'checkout-ü'))).toBe(true);
  });

  it('reads a CloudWatch JSON document through the string path', () => {
    const doc = Buffer.from(JSON.stringify({ events: [{ message: `${report('cw-1')}\n`, logStreamName: 's', timestamp: 1 }] }, null, 1));
    const got = viaBytes(doc, 16);
    expect(got.out.toString()).toBe(warmJson('cw-1'));
    expect(got.lane).toBe(0);
    expect(got.stats.format).toBe('json');
  });
});

describe('scanReportBytes', () => {
  it('copies numbers as String(number) prints them: trailing zeros cut, else left to the string path', () => {
    const cases: Array<[string, string | null]> = [
      ['1.50', '1.5'],
      ['2.0', '2'],
      ['0.00', '0'],
      ['0.25', '0.25'],
      ['007', null],
      ['0.000001', null],
      ['1234567890.12345', null],
    ];
    for (const [value, copied] of cases) {
      const line = `REPORT RequestId: r\tDuration: ${value} ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`;
      const bytes = Buffer.from(line);
      expect(scanReportBytes(bytes, 0, bytes.length)).toBe(copied !== null);
      if (copied === null) continue;
      const out = Buffer.alloc(1024);
      const end = writeReportBytes(out, 0, bytes, '"v"');
      expect(scanReportFast(line, 7)).toBe(true);
      expect(out.toString('utf8', 0, end)).toBe(scannedReportJson(line, '"v"', '"r"'));
      expect(out.toString('utf8', 0, end)).toContain(`"durationMs":${copied},`);
    }
  });

  it('leaves request ids that need escaping or decoding to the string path', () => {
    for (const id of ['a"b', 'a\\b', 'ü', 'a\u0001b', 'a b', '']) {
      const bytes = Buffer.from(report(id));
      expect(scanReportBytes(bytes, 0, bytes.length)).toBe(false);
    }
  });
});
