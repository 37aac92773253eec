/**
 * The AWS log forms `coldbench import` reads (issue 14), each from a real-format fixture in
 * fixtures/logs/aws (sources in its README), with the exact samples expected; and a property
 * test that the same invocations give the same samples whatever the wrapping.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AwsItem, AwsJsonReader } from '../../src/probe/aws-json.ts';
import { ByteBatch, createByteFileImporter } from '../../src/probe/byte-import.ts';
import { JsonReader } from '../../src/probe/json-reader.ts';
import type { Sample } from '../../src/probe/sample.ts';
import { TimeoutScanner } from '../../src/probe/timeouts.ts';

const DIR = 'fixtures/logs/aws/';

/** As the CLI imports a file: a timeout pass, then the byte importer, in 4 KB chunks. */
function importBytes(bytes: Buffer, variant = 'app'): { samples: Sample[]; records: number; malformed: number } {
  const scanner = new TimeoutScanner();
  for (let i = 0; i < bytes.length; i += 4096) scanner.push(bytes.subarray(i, i + 4096));
  const parts: Buffer[] = [];
  const batch = new ByteBatch((b) => parts.push(Buffer.from(b)), 4096);
  const importer = createByteFileImporter({ platform: 'auto', fallbackVariant: variant, timedOut: scanner.found }, batch);
  for (let i = 0; i < bytes.length; i += 4096) importer.push(bytes.subarray(i, i + 4096));
  importer.end();
  batch.flush();
  const text = Buffer.concat(parts).toString('utf8');
  const stats = importer.stats();
  return {
    samples:
      text === ''
        ? []
        : text
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as Sample),
    records: stats.records,
    malformed: stats.malformedCount,
  };
}

const importFile = (name: string) => importBytes(readFileSync(DIR + name));

/** The four invocations every CloudWatch-based fixture holds (ids and figures of a real Insights result, see the README). */
const base = { variant: 'app', restoreMs: null, billedRestoreMs: null, memoryMB: 128, clientMs: null };
const COLD: Sample = {
  ...base,
  kind: 'cold',
  coldBy: 'init-duration',
  requestId: '76269889-7d50-4d6d-a3f1-9b4f5322f47c',
  initMs: 103.01,
  durationMs: 14.97,
  billedMs: 15,
  maxMemoryMB: 67,
  status: 'success',
  errorType: null,
};
const WARM: Sample = {
  ...base,
  kind: 'warm',
  coldBy: 'none',
  requestId: '5d2e8c41-97b3-4e0d-8a6b-1f4c2d9e7b22',
  initMs: null,
  durationMs: 2.05,
  billedMs: 3,
  maxMemoryMB: 67,
  status: 'success',
  errorType: null,
};
const TIMEOUT: Sample = {
  ...base,
  kind: 'warm',
  coldBy: 'none',
  requestId: 'c93a6f10-2b8d-4d71-b5e2-7a0c4e8f9d33',
  initMs: null,
  durationMs: 3003.12,
  billedMs: 3000,
  maxMemoryMB: 68,
  status: 'timeout',
  errorType: null,
  errorMessage: 'Task timed out after 3.00 seconds',
};
const OOM: Sample = {
  ...base,
  kind: 'warm',
  coldBy: 'none',
  requestId: 'e1f04b7a-3c5d-4a8e-9b2f-6d7c8e9f0a44',
  initMs: null,
  durationMs: 498.31,
  billedMs: 499,
  maxMemoryMB: 128,
  status: 'error',
  errorType: 'Runtime.OutOfMemory',
};
const byId = (a: Sample, b: Sample) => String(a.requestId).localeCompare(String(b.requestId));
const ALL = [COLD, WARM, TIMEOUT, OOM].sort(byId);

describe('AWS forms: every CloudWatch-based fixture gives the same four samples', () => {
  it.each([
    ['insights-export.json', 'Logs Insights console export, JSON'],
    ['insights-export.csv', 'Logs Insights console export, CSV (quoted multi-line cells)'],
    ['insights-query-results.json', 'aws logs get-query-results (field/value rows)'],
    ['subscription-awslogs.jsonl', 'subscription events, gzip+base64 awslogs.data (timeout line inside the payload, after its REPORT)'],
    ['firehose-s3-object.json', 'Firehose S3 object: subscription payloads back to back'],
    ['firehose-transformation-event.json', 'Firehose data-transformation event: records[].data, base64 of a gzipped subscription payload'],
    ['kinesis-stream-event.json', 'Kinesis Data Streams event: Records[].kinesis.data, a CONTROL_MESSAGE first, the timeout line inside a payload'],
    ['forwarders.jsonl', 'Datadog, Elastic, Fluent Bit (log) and msg records, one per line'],
    ['payload-wrapper.json', '{"payload": […]}, pretty-printed'],
    ['console-copy.txt', '| timestamp | message | rows, date-time prefixes, spaces for tabs, text glued before the timeout'],
    ['sam-logs.txt', 'sam logs: stream, time, message'],
    ['serverless-logs.txt', 'serverless logs (v4): REPORT split over two lines'],
  ])('%s (%s)', (file) => {
    const got = importFile(file);
    expect(got.samples.sort(byId)).toEqual(ALL);
    expect(got.malformed).toBe(0);
  });

  it('reads Firehose and Kinesis payloads as the subscription events they carry: same platform records, same streams', () => {
    const subscription = importFile('subscription-awslogs.jsonl');
    for (const file of ['firehose-transformation-event.json', 'kinesis-stream-event.json']) {
      const got = importFile(file);
      expect(got.records).toBe(subscription.records);
      expect(got.records).toBe(14); // INIT_START, 4 START, 4 END, 4 REPORT and the timeout line
    }
    const streams = (file: string) => {
      const reader = new AwsJsonReader();
      const out: AwsItem[] = [];
      reader.read(JSON.parse(readFileSync(DIR + file, 'utf8')), null, out);
      return new Set(out.map((item) => (item.kind === 'line' ? item.stream : null)));
    };
    const both = new Set(['2023/12/05/[$LATEST]e34ea4d32b8f441c96246bbee30ff465', '2023/12/05/[$LATEST]9a8b7c6d5e4f30211f2e3d4c5b6a7988']);
    expect(streams('firehose-transformation-event.json')).toEqual(both);
    // The CONTROL_MESSAGE's empty logStream names no stream.
    expect(streams('kinesis-stream-event.json')).toEqual(new Set([null, ...both]));
  });

  it("takes a forwarder record's stream from each tool's field: Datadog aws.awslogs, Filebeat's dotted aws.cloudwatch key, Elastic's nested one, Kibana's flattened one", () => {
    const s = '2023/12/05/[$LATEST]e34ea4d32b8f441c96246bbee30ff465';
    const line = 'END RequestId: 76269889-7d50-4d6d-a3f1-9b4f5322f47c\n';
    const records = [
      { aws: { awslogs: { logGroup: '/aws/lambda/f', logStream: s } }, message: line },
      { 'aws.cloudwatch': { log_group: '/aws/lambda/f', log_stream: s }, message: line },
      { aws: { cloudwatch: { log_stream: s } }, message: line },
      { 'aws.cloudwatch.log_stream': s, message: line },
      { date: 1701814483.877, log: line },
    ];
    const got = records.map((r) => {
      const out: AwsItem[] = [];
      new AwsJsonReader().read(r, null, out);
      return out.map((item) => (item.kind === 'line' ? [item.text, item.stream] : item));
    });
    expect(got).toEqual([...records.slice(0, 4).map(() => [[line.trim(), s]]), [[line.trim(), null]]]);
  });

  it('reads an Insights query that parsed REPORT into columns: memory from bytes (1 MB = 1e6 bytes), no status it cannot see', () => {
    const got = importFile('insights-parsed.csv');
    const plain = (s: Sample): Sample => ({ ...s, status: 'success', errorType: null, errorMessage: undefined });
    expect(got.samples.map((s) => ({ ...s, errorMessage: undefined })).sort(byId)).toEqual(ALL.map(plain));
  });

  it('reads Telemetry API records as arrays and one per line; Init comes from the report, not from an unrelated initReport', () => {
    const expected: Sample[] = [
      {
        variant: 'my-function',
        kind: 'cold',
        coldBy: 'init-duration',
        requestId: '6d68ca91-49c9-448d-89b8-7ca3e6dc66aa',
        initMs: 125.33,
        restoreMs: null,
        billedRestoreMs: null,
        durationMs: 140,
        billedMs: 141,
        memoryMB: 128,
        maxMemoryMB: 72,
        status: 'success',
        errorType: null,
        clientMs: null,
      },
      {
        variant: 'my-function',
        kind: 'warm',
        coldBy: 'none',
        requestId: '3a2b1c0d-5e4f-4a7b-8c9d-0e1f2a3b4c5d',
        initMs: null,
        restoreMs: null,
        billedRestoreMs: null,
        durationMs: 3000.51,
        billedMs: 3000,
        memoryMB: 128,
        maxMemoryMB: 80,
        status: 'timeout',
        errorType: null,
        clientMs: null,
      },
    ];
    expect(importFile('telemetry-api.json').samples).toEqual(expected);
    expect(importFile('telemetry-api.jsonl').samples).toEqual(expected);
    expect(importFile('telemetry-api.json').records).toBe(10);
  });

  it('counts RESTORE_START / RESTORE_REPORT and takes the SnapStart restore from the REPORT', () => {
    const got = importFile('snapstart.log');
    expect(got.records).toBe(8);
    expect(got.samples.map((s) => [s.kind, s.coldBy, s.initMs, s.restoreMs, s.billedRestoreMs, s.durationMs, s.billedMs, s.memoryMB])).toEqual([
      ['cold', 'restore', null, 571.67, 242, 1139.75, 1382, 512],
      ['warm', 'none', null, null, null, 5.36, 6, 512],
    ]);
  });
});

describe('JsonReader', () => {
  const read = (text: string, size: number) => {
    const r = new JsonReader({ split: true });
    const out = [];
    for (let i = 0; i < text.length; i += size) out.push(...r.push(text.slice(i, i + size)));
    return [...out, ...r.end()];
  };

  it('gives the same pieces whatever the chunk size: wrappers split with their parent, arrays, documents back to back, text between', () => {
    const text =
      '{"logStream": "s1", "tags": ["a"], "logEvents": [{"message": "x\\"}"}, {"message": "y"}], "n": 1}{"a": [1, 2]}\nplain text\n[\n  {"b": 1},\n  [{"field": "f", "value": "v"}]\n]\n';
    const whole = read(text, text.length);
    expect(whole).toEqual([
      { type: 'value', value: { message: 'x"}' }, line: 1, parent: { logStream: 's1', tags: ['a'], logEvents: [] }, key: 'logEvents' },
      { type: 'value', value: { message: 'y' }, line: 1, parent: { logStream: 's1', tags: ['a'], logEvents: [] }, key: 'logEvents' },
      { type: 'value', value: { a: [1, 2] }, line: 1, parent: null, key: null },
      { type: 'text', text: 'plain text', line: 2 },
      { type: 'value', value: { b: 1 }, line: 4, parent: null, key: null },
      { type: 'value', value: [{ field: 'f', value: 'v' }], line: 5, parent: null, key: null },
    ]);
    for (const size of [1, 2, 3, 7, 64]) expect(read(text, size)).toEqual(whole);
  });

  it('reports a torn record and a truncated export, and reads on', () => {
    expect(read('{"message": "torn\n{"message": "ok"}\n[{"a": 1},', 5)).toEqual([
      { type: 'malformed', line: 1, reason: 'JSON string not closed on its line' },
      { type: 'value', value: { message: 'ok' }, line: 2, parent: null, key: null },
      { type: 'value', value: { a: 1 }, line: 3, parent: null, key: null },
      { type: 'malformed', line: 0, reason: 'JSON not closed at the end of the input (a truncated export?)' },
    ]);
  });
});

// ---- Property: the same invocations, wrapped any way, give the same samples. ----

interface Inv {
  id: string;
  duration: string;
  billed: number;
  memory: number;
  max: number;
  init: string | null;
  status: 'timeout' | 'error' | null;
}

const decimal = fc.tuple(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${String(b).padStart(2, '0')}`);
const invocation: fc.Arbitrary<Inv> = fc.record({
  id: fc.oneof(fc.uuid(), fc.stringMatching(/^[a-z0-9][a-z0-9-]{3,20}$/)),
  duration: decimal,
  billed: fc.integer({ min: 1, max: 10_000 }),
  memory: fc.integer({ min: 128, max: 10_240 }),
  max: fc.integer({ min: 20, max: 10_240 }),
  init: fc.option(decimal, { nil: null }),
  status: fc.constantFrom(null, 'timeout', 'error'),
});

function reportText(inv: Inv, sep: string, order: number[]): string {
  const fields = [`Duration: ${inv.duration} ms`, `Billed Duration: ${inv.billed} ms`, `Memory Size: ${inv.memory} MB`, `Max Memory Used: ${inv.max} MB`];
  if (inv.init !== null) fields.push(`Init Duration: ${inv.init} ms`);
  if (inv.status === 'timeout') fields.push('Status: timeout');
  if (inv.status === 'error') fields.push('Status: error', 'Error Type: Runtime.ExitError');
  const ordered = order.filter((i) => i < fields.length).map((i) => fields[i]);
  for (let i = 0; i < fields.length; i++) if (!order.includes(i)) ordered.push(fields[i]);
  return `REPORT RequestId: ${inv.id}${sep}${ordered.join(sep)}${sep}`;
}

const PREFIXES = [
  () => '',
  (t: number) => `${new Date(t).toISOString()} `,
  (t: number) => `${new Date(t).toISOString().replace('T', ' ').replace('Z', '')}  `,
  (t: number) => `| ${t} | `,
  (t: number) => `2023/12/05/[$LATEST]e34ea4d32b8f441c96246bbee30ff465 ${new Date(t).toISOString().replace('Z', '000')} `,
  (t: number) => `\u001b[36m2023/12/05/[$LATEST]e34e\u001b[0m ${new Date(t).toISOString()}\t`,
];

type Wrap = (events: Array<{ t: number; message: string }>) => string;
const WRAPS: Wrap[] = [
  (ev) => ev.map((e) => `${e.message}\n`).join(''),
  (ev) => JSON.stringify({ events: ev.map((e) => ({ timestamp: e.t, message: `${e.message}\n` })) }, null, 2),
  (ev) => JSON.stringify({ payload: ev.map((e) => ({ timestamp: e.t, message: e.message })) }),
  (ev) => JSON.stringify(ev.map((e) => ({ '@timestamp': String(e.t), '@message': `${e.message}\n` }))),
  (ev) => ev.map((e) => JSON.stringify({ log: e.message, date: e.t / 1000 })).join('\n'),
  (ev) => `@timestamp,@message\n${ev.map((e) => `${e.t},"${`${e.message}\n`.replaceAll('"', '""')}"`).join('\n')}\n`,
  (ev) =>
    JSON.stringify({
      awslogs: {
        data: gzipSync(
          JSON.stringify({ messageType: 'DATA_MESSAGE', logStream: 's', logEvents: ev.map((e, i) => ({ id: String(i), timestamp: e.t, message: e.message })) }),
        ).toString('base64'),
      },
    }),
];

describe('AWS forms: property', () => {
  it('the same REPORT lines give the same samples whatever the prefix, separators, field order and wrapping', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(invocation, { minLength: 1, maxLength: 5, selector: (i) => i.id }),
        fc.constantFrom('\t', ' ', '  ', ' \t'),
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }),
        fc.nat(PREFIXES.length - 1),
        fc.nat(WRAPS.length - 1),
        fc.boolean(),
        (invs, sep, order, p, w, timeoutAfter) => {
          const t0 = 1701814483877;
          const reference = importBytes(Buffer.from(invs.map((inv) => `${reportText(inv, '\t', [0, 1, 2, 3, 4, 5, 6])}\n`).join(''))).samples;
          const events: Array<{ t: number; message: string }> = [];
          invs.forEach((inv, k) => {
            const t = t0 + k * 1000;
            const timeout = `${new Date(t).toISOString()} ${inv.id} Task timed out after 3.00 seconds`;
            if (inv.status === 'timeout' && !timeoutAfter) events.push({ t, message: timeout });
            events.push({ t, message: `${PREFIXES[p](t)}${reportText(inv, sep, order)}` });
            if (inv.status === 'timeout' && timeoutAfter) events.push({ t, message: timeout });
          });
          const got = importBytes(Buffer.from(WRAPS[w](events))).samples;
          const strip = (s: Sample) => ({ ...s, errorMessage: undefined });
          expect(got.map(strip)).toEqual(reference.map(strip));
        },
      ),
      { numRuns: 150 },
    );
  });
});
