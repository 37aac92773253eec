import { describe, expect, it } from 'vitest';
import { csvRecord, isAppInsightsHeader, readAppInsightsRow, rowsFromTables } from '../../src/probe/platforms/appinsights.ts';
import { CsvRecordReader, splitCsv } from '../../src/probe/platforms/csv.ts';
import { JsonObjectStream } from '../../src/probe/platforms/json-stream.ts';
import { BoundedSet, InstanceTracker, ReorderBuffer } from '../../src/probe/platforms/order.ts';
import { parseTimestamp } from '../../src/probe/platforms/time.ts';

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-20T09:14:02Z', Date.UTC(2026, 10, 20, 9, 14, 2)],
    ['2026-11-20T09:14:02.741Z', Date.UTC(2026, 10, 20, 9, 14, 2, 741)],
    ['2026-11-20 09:14:02.741', Date.UTC(2026, 10, 20, 9, 14, 2, 741)],
    ['2026-11-20T10:14:02.741+01:00', Date.UTC(2026, 10, 20, 9, 14, 2, 741)],
    ['2026-11-20T04:14:02-0500', Date.UTC(2026, 10, 20, 9, 14, 2)],
    ['11/20/2026, 9:14:02.741 AM', Date.UTC(2026, 10, 20, 9, 14, 2, 741)],
    ['11/20/2026, 12:00:00.000 AM', Date.UTC(2026, 10, 20, 0, 0, 0)],
    ['11/20/2026, 12:30:00 PM', Date.UTC(2026, 10, 20, 12, 30, 0)],
    ['11/20/2026, 1:30:00 PM', Date.UTC(2026, 10, 20, 13, 30, 0)],
  ])('reads %s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it('keeps sub-millisecond digits (to about a microsecond), so gcloud stamps keep their order', () => {
    expect(parseTimestamp('2026-11-20T09:14:02.741203114Z')! - Date.UTC(2026, 10, 20, 9, 14, 2, 741)).toBeCloseTo(0.203114, 3);
    expect(parseTimestamp('2026-11-20T09:14:02.741203114Z')).toBeLessThan(parseTimestamp('2026-11-20T09:14:02.741205Z')!);
  });

  it.each(['', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-20T25:00:00Z', '11/20/2026, 13:00:00 PM', '2026-11-20'])('returns null for %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});

describe('splitCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(splitCsv('a,"b ""c"", d",3')).toEqual(['a', 'b "c", d', '3']);
    expect(splitCsv('"x\ny",')).toEqual(['x\ny', '']);
    expect(splitCsv('a,b\r')).toEqual(['a', 'b']);
  });

  it('returns null while a quote is open', () => {
    expect(splitCsv('a,"b')).toBeNull();
  });
});

describe('CsvRecordReader', () => {
  it('joins a record that spans lines and gives the line it started on', () => {
    const reader = new CsvRecordReader();
    expect(reader.push('1,"first', 7)).toEqual({ type: 'pending' });
    expect(reader.push('second",x', 8)).toEqual({ type: 'record', fields: ['1', 'first\nsecond', 'x'], line: 7 });
    expect(reader.end()).toBeNull();
  });

  it('reports a quote still open at the end', () => {
    const reader = new CsvRecordReader();
    reader.push('"never closed', 3);
    expect(reader.end()).toEqual({ type: 'malformed', line: 3, reason: 'CSV quote not closed at the end of the input' });
  });
});

describe('JsonObjectStream', () => {
  const feed = (lines: string[]) => {
    const stream = new JsonObjectStream();
    return [...lines.flatMap((l, i) => stream.push(l, i + 1)), ...stream.end()];
  };

  it('splits a pretty-printed array into its objects, each with the line it starts on', () => {
    expect(feed(['[', '  {', '    "a": "x}",', '    "b": [1, {"c": 2}]', '  },', '  {"d": "\\"]"}', ']'])).toEqual([
      { type: 'object', value: { a: 'x}', b: [1, { c: 2 }] }, line: 2 },
      { type: 'object', value: { d: '"]' }, line: 6 },
    ]);
  });

  it('reads JSON lines and passes text through, including lines that start with [time]', () => {
    expect(feed(['{"a":1}', '[2026-11-20T09:30:10.118Z] Executing', 'plain'])).toEqual([
      { type: 'object', value: { a: 1 }, line: 1 },
      { type: 'text', text: '[2026-11-20T09:30:10.118Z] Executing', line: 2 },
      { type: 'text', text: 'plain', line: 3 },
    ]);
  });

  it('drops an object whose string runs off its line and carries on with the next', () => {
    expect(feed(['{"a": "unterminated', '{"b": 2}'])).toEqual([
      { type: 'malformed', line: 1, reason: 'JSON string not closed on its line' },
      { type: 'object', value: { b: 2 }, line: 2 },
    ]);
  });

  it('reports invalid JSON and an array cut short', () => {
    expect(feed(['{"a": 1,}'])[0]).toMatchObject({ type: 'malformed', line: 1 });
    expect(feed(['[', '  {"a": 1},'])).toEqual([
      { type: 'object', value: { a: 1 }, line: 2 },
      { type: 'malformed', line: 0, reason: 'JSON not closed at the end of the input (a truncated export?)' },
    ]);
  });
});

describe('ReorderBuffer', () => {
  it('orders by time, then rank, then arrival; a record without time stays after the one before it', () => {
    const buffer = new ReorderBuffer<{ ts: number | null; rank: number; name: string }>();
    for (const r of [
      { ts: 30, rank: 3, name: 'end-b' },
      { ts: null, rank: 2, name: 'text-after-end-b' },
      { ts: 10, rank: 3, name: 'end-a' },
      { ts: 10, rank: 1, name: 'start-a' },
      { ts: 5, rank: 0, name: 'instance' },
    ])
      expect(buffer.push(r)).toEqual([]);
    expect(buffer.drain().map((r) => r.name)).toEqual(['instance', 'start-a', 'end-a', 'end-b', 'text-after-end-b']);
  });

  it('releases the oldest half once the window is full', () => {
    const buffer = new ReorderBuffer<{ ts: number; rank: number }>(4);
    for (const ts of [5, 1, 4, 2]) expect(buffer.push({ ts, rank: 0 })).toEqual([]);
    expect(buffer.push({ ts: 3, rank: 0 }).map((r) => r.ts)).toEqual([1, 2, 3]);
    expect(buffer.drain().map((r) => r.ts)).toEqual([4, 5]);
  });
});

describe('InstanceTracker', () => {
  it('makes the first execution per instance id cold, and again after a restart', () => {
    const tracker = new InstanceTracker();
    expect(tracker.claim('a')).toEqual({ cold: true, initMs: null });
    expect(tracker.claim('a')).toEqual({ cold: false, initMs: null });
    tracker.started('a', 120);
    expect(tracker.claim('a')).toEqual({ cold: true, initMs: 120 });
    expect(tracker.claim('b')).toEqual({ cold: true, initMs: null });
  });

  it('without instance ids, turns N starts into the next N cold executions, and nothing else', () => {
    const tracker = new InstanceTracker();
    expect(tracker.claim(null)).toEqual({ cold: false, initMs: null });
    tracker.started(null);
    tracker.started(null, 300);
    expect(tracker.setInit(null, 310)).toBe(true);
    expect([tracker.claim(null), tracker.claim(null), tracker.claim(null)]).toEqual([
      { cold: true, initMs: null },
      { cold: true, initMs: 310 },
      { cold: false, initMs: null },
    ]);
  });
});

describe('BoundedSet', () => {
  it('forgets the oldest generation once full', () => {
    const set = new BoundedSet(4);
    for (const k of ['a', 'b', 'c', 'd', 'e']) set.add(k);
    expect(['a', 'b', 'c', 'd', 'e'].map((k) => set.has(k))).toEqual([false, false, true, true, true]);
  });
});

describe('Application Insights rows', () => {
  it('reads classic and workspace column names alike', () => {
    const classic = readAppInsightsRow({
      'timestamp [UTC]': '11/20/2026, 10:30:00.100 AM',
      name: 'Functions.f',
      duration: '12.5',
      success: 'False',
      resultCode: '500',
      cloud_RoleInstance: 'i1',
      id: 'r1',
      customDimensions: '{"InvocationId":"inv-1"}',
    });
    const workspace = readAppInsightsRow({
      TimeGenerated: '2026-11-20T10:30:00.1Z',
      Name: 'Functions.f',
      DurationMs: 12.5,
      Success: false,
      ResultCode: '500',
      AppRoleInstance: 'i1',
      Id: 'r1',
      Properties: { InvocationId: 'inv-1' },
    });
    const expected = {
      ts: Date.UTC(2026, 10, 20, 10, 30, 0, 100),
      instance: 'i1',
      message: null,
      name: 'Functions.f',
      durationMs: 12.5,
      success: false,
      resultCode: '500',
      id: 'inv-1',
    };
    expect(classic).toEqual(expected);
    expect(workspace).toEqual(expected);
  });

  it('falls back to the request id, then the operation id, and to HostInstanceId for the instance', () => {
    expect(readAppInsightsRow({ operation_Id: 'op', customDimensions: '{"HostInstanceId":"h1"' })).toMatchObject({ id: 'op', instance: null });
    expect(readAppInsightsRow({ id: 'r', operation_Id: 'op', customDimensions: { HostInstanceId: 'h1' } })).toMatchObject({ id: 'r', instance: 'h1' });
    expect(readAppInsightsRow({ duration: '00:00:01.5000000' }).durationMs).toBe(1500);
    expect(readAppInsightsRow({ name: 'a', operation_Name: 'b' }).name).toBe('a');
    expect(readAppInsightsRow({ operation_Name: 'b', name: 'a' }).name).toBe('a');
    expect(readAppInsightsRow({ OperationName: 'b' }).name).toBe('b');
  });

  it('recognises export headers and tables', () => {
    expect(isAppInsightsHeader(['\uFEFFtimestamp [UTC]', 'message', 'cloud_RoleInstance'])).toBe(true);
    expect(isAppInsightsHeader(['time', 'message'])).toBe(false);
    expect(rowsFromTables({ tables: [{ columns: [{ name: 'a' }, { name: 'b' }], rows: [[1, 2]] }] })).toEqual([{ a: 1, b: 2 }]);
    expect(rowsFromTables({ events: [] })).toBeNull();
    expect(csvRecord(['\uFEFFa', 'b'], ['1', '2'])).toEqual({ a: '1', b: '2' });
  });
});
