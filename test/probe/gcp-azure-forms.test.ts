/**
 * The Google and Azure forms of issue 14, from real public logs (fixtures/logs/{gcp,azure}/README.md
 * cites each source), and a property test: the same executions written with other prefixes,
 * spacing and field orders give the same samples.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssemblerOptions } from '../../src/probe/assembler.ts';
import { createAzureAssembler } from '../../src/probe/azure.ts';
import { createGcpAssembler } from '../../src/probe/gcp.ts';
import { explainLookalike, FirstLookalike, lookalikeKind } from '../../src/probe/platforms/diagnose.ts';
import { readPrefix, splitLeadingPrefix } from '../../src/probe/platforms/prefix.ts';
import { readStamp } from '../../src/probe/platforms/time.ts';
import type { Sample } from '../../src/probe/sample.ts';
import { assembleWith } from './platform-test-helpers.ts';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/logs/${path}`, import.meta.url), 'utf8');
const gcp = (text: string, options: AssemblerOptions = {}) => assembleWith(createGcpAssembler, text, options);
const azure = (text: string, options: AssemblerOptions = {}) => assembleWith(createAzureAssembler, text, options);
/** requestId, variant, kind, initMs, durationMs, status, errorType, timestamp */
const brief = (s: Sample) => [s.requestId, s.variant, s.kind, s.initMs, s.durationMs, s.status, s.errorType, s.timestamp];

describe('Google forms from real logs', () => {
  it('reads the current wording in a `gcloud functions logs read` table (`… ms. Finished with status: ok`, empty and WARNING LEVEL cells)', () => {
    const { samples, stats } = gcp(fixture('gcp/logs-read-current-wording.txt'));
    expect(samples.map(brief)).toEqual([
      ['igx30b2gw5gg', 'udmi_reflect', 'warm', null, 2960, 'success', null, '2022-10-05T21:30:54.043Z'],
      ['m3q8tz0ab1c2', 'hello', 'warm', null, 113, 'error', 'crash', '2022-10-05T21:35:10.020Z'],
      ['x7w2pl9rt4k6', 'hello', 'warm', null, 60003, 'timeout', null, '2022-10-05T21:36:00.001Z'],
      ['r1s2t3u4v5w6', 'api', 'warm', null, 31, 'error', 'HTTP 500', '2022-10-05T21:38:00.500Z'],
    ]);
    // Skipped: the two comment lines, the header and the function's own two rows.
    expect(stats).toMatchObject({ records: 7, skipped: 5, malformedCount: 0 });
  });

  it('reads a console copy (local time + zone word, function, execution id); its times order lines but are not reported', () => {
    const { samples } = gcp(fixture('gcp/console-copy-load-timeout.txt'));
    expect(samples.map(brief)).toEqual([
      ['s4z586068bnn', 'dbTrigger1', 'warm', null, 60016, 'timeout', null, null],
      ['sorcbp4s0bcc', 'dbTrigger1', 'warm', null, 60098, 'timeout', null, null],
      ['o1i60fpnhgw1', 'dbTrigger2', 'warm', null, 60129, 'timeout', null, null],
      ['qs09fxyc0811', 'pubsubTrigger', 'warm', null, 60168, 'timeout', null, null],
      ['lc7k2m9x0q1a', 'lucidSurveyTemplateTriggers-functions-onCreate', 'warm', null, 17969, 'error', 'connection error', null],
    ]);
  });

  it('reads LogEntry lines: textPayload in the current wording, jsonPayload.message, a Cloud Run request log', () => {
    const { samples, stats } = gcp(fixture('gcp/logentry-current-wording.jsonl'));
    expect(samples.map(brief)).toEqual([
      ['ab12cd34ef56', 'log-error', 'warm', null, 540141, 'timeout', null, '2022-12-15T04:00:02.287Z'],
      ['cd34ef56ab78', 'log-error', 'warm', null, 12, 'error', 'load error', '2022-12-15T04:10:00.012Z'],
      ['5d1b7e2a9c4f6e8a0b3d5f7a9c1e2b4d', 'hello-http', 'cold', null, 31.422, 'error', 'HTTP 503', '2022-12-15T04:11:00.100Z'],
    ]);
    expect(samples[2]).toMatchObject({ billedMs: null, memoryMB: null, maxMemoryMB: null, clientMs: null, instance: '0069c7a98877d8a7b9a3f1' });
    expect(stats).toMatchObject({ records: 4, skipped: 0 });
  });
});

describe('Azure forms from real logs', () => {
  it('reads Core Tools culture times, a CI prefix, Executed without Duration= and fields in any order; an Executing alone gives nothing', () => {
    const { samples, stats } = azure(fixture('azure/core-tools-culture-times.log'));
    expect(samples.map(brief)).toEqual([
      ['c3055566-8adb-485c-ab70-87ad02005293', 'EventHubTrigger', 'warm', null, null, 'success', null, null],
      ['a61e6b1b-aa2b-421d-99c6-292933ed5b00', 'storageBlob', 'warm', null, null, 'success', null, null],
      ['5f0c1a4e-2b7d-4e93-8a61-0d3c5e7f9b21', 'HttpTrigger1', 'cold', 1021, 143, 'success', null, null],
      ['9e2d4c6a-8b0f-4d13-a5c7-1e3f5a7b9d02', 'HttpTrigger1', 'warm', null, 12, 'error', null, null],
      ['0b7c2e94-1d3f-4a58-b6e0-7c9d2f4a1b35', 'HttpExample', 'cold', 1102, 284, 'success', null, '2023-02-02T11:52:55.119Z'],
    ]);
    // Every Executing, Executed and host-start line counts as a platform record, the unmatched Executing included.
    expect(stats).toMatchObject({ records: 11, skipped: 8, malformedCount: 0 });
  });

  it('reads a log stream whose Executed has no Duration= (durationMs null); the last Executing never ended and gives nothing', () => {
    const { samples, stats } = azure(fixture('azure/log-stream-no-duration.log'));
    expect(samples.map(brief)).toEqual([['b90f7029-ef92-4de7-b2ca-e69a4596da59', 'HttpTriggerCSharp1', 'warm', null, null, 'success', null, '2018-08-30T17:10:11.431Z']]);
    expect(stats).toMatchObject({ records: 3 });
  });
});

describe('readStamp / readPrefix', () => {
  it.each([
    ['12/10/2019 8:11:31 PM', Date.UTC(2019, 11, 10, 20, 11, 31), false],
    ['1/14/20 3:56:34 PM', Date.UTC(2020, 0, 14, 15, 56, 34), false],
    ['05/03/2020 12:46:37', Date.UTC(2020, 2, 5, 12, 46, 37), false],
    ['2019-12-10T20:11:31.123Z', Date.UTC(2019, 11, 10, 20, 11, 31, 123), true],
    ['2020-10-12 20:34:51.183 CLST', Date.UTC(2020, 9, 12, 20, 34, 51, 183), false],
    ['2020-10-12 20:34:51.183 UTC', Date.UTC(2020, 9, 12, 20, 34, 51, 183), true],
  ])('reads %j', (text, ms, exact) => {
    expect(readStamp(text)).toEqual({ ms, exact });
  });

  it('takes levels and times out of a prefix in any order, leaving the function and the execution id', () => {
    expect(readPrefix('D        udmi_reflect  igx30b2gw5gg  2022-10-05 21:30:57.004  ').words).toEqual(['udmi_reflect', 'igx30b2gw5gg']);
    expect(readPrefix('WARNING  udmi_reflect  igx30b2gw5gg  2022-10-05 21:30:54.748  ').words).toEqual(['udmi_reflect', 'igx30b2gw5gg']);
    expect(readPrefix('2026-11-20T11:02:03.512847Z D hello_http: ').words).toEqual(['hello_http']);
    expect(readPrefix('2020-10-12 20:34:51.183 CLST dbTrigger1 s4z586068bnn ')).toEqual({
      stamp: { ms: Date.UTC(2020, 9, 12, 20, 34, 51, 183), exact: false },
      words: ['dbTrigger1', 's4z586068bnn'],
    });
    expect(splitLeadingPrefix('2023-02-02T11:52:55.1200190Z [2023-02-02T11:52:55.119Z] Host started (1102ms)')).toEqual({
      text: 'Host started (1102ms)',
      stamp: { ms: Date.UTC(2023, 1, 2, 11, 52, 55, 119), exact: true },
    });
  });
});

describe('diagnose', () => {
  it('finds the first execution-end lookalike across chunks and explains it', () => {
    const finder = new FirstLookalike();
    finder.push('Function execution started\nhello\nFunction execution took 5 ms');
    finder.push(' finished\nREPORT x\n');
    finder.end();
    expect(finder.found).toEqual({ line: 3, text: 'Function execution took 5 ms finished', kind: 'gcp' });
    expect(lookalikeKind("[1/14/20 3:56:34 PM] Executed 'Functions.x' (Succeeded, Id=a)")).toBe('azure');
    expect(explainLookalike({ text: 'Function execution took 5 ms finished', kind: 'gcp' }, 'gcp', null).why).toBe(
      "it looks like Google Cloud's but is in no form coldbench reads",
    );
  });
});

/** Same executions, written the way different tools and copies write them. */
describe('property: prefixes, spacing and field order do not change the samples', () => {
  const space = fc.constantFrom(' ', '  ', '\t', ' \t ');
  const id = fc.stringMatching(/^[a-z0-9]{8,14}$/);
  const guid = fc.uuid();
  const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,15}$/).filter((n) => !['a', 'c', 'd', 'e', 'i', 'n', 'w'].includes(n.toLowerCase()));
  const ms = fc.integer({ min: 1, max: 600_000 });
  const second = fc.integer({ min: 0, max: 59 });
  const gcpStatus = fc.constantFrom(
    ['ok', 'success', null],
    ['timeout', 'timeout', null],
    ['load timeout', 'timeout', null],
    ['crash', 'error', 'crash'],
    ['error', 'error', 'error'],
    ['connection error', 'error', 'connection error'],
    ['load error', 'error', 'load error'],
    ['out of memory', 'error', 'out of memory'],
    ['200', 'success', null],
    ['503', 'error', 'HTTP 503'],
  ) as fc.Arbitrary<[string, string, string | null]>;

  it('Google: gcloud table, firebase, console copy or bare ISO prefix; old or current wording', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, id, ms, gcpStatus, second), { minLength: 1, maxLength: 4 }), space, fc.nat(3), fc.boolean(), (execs, sp, style, current) => {
        const lines: string[] = [];
        const expected: unknown[] = [];
        execs.forEach(([fn, exec, took, [word, status, errorType], sec], i) => {
          const time = `2026-11-20 09:${String(i).padStart(2, '0')}:${String(sec).padStart(2, '0')}.250`;
          const iso = `${time.replace(' ', 'T')}Z`;
          const code = /^\d+$/.test(word);
          const end = current
            ? `Function execution took${sp}${took} ms.${sp}Finished with status${code ? ' code' : ''}: ${word}`
            : `Function execution took ${took}${sp}ms, finished with status${code ? ' code' : ''}:${sp}${code ? word : `'${word}'`}`;
          const prefix = [
            `D${sp}${fn}${sp}${exec}${sp}${time}${sp}`,
            `${iso}${sp}D${sp}${fn}: [${exec}]${sp}`,
            `${time} UTC${sp}${fn}${sp}${exec}${sp}`,
            `[${iso}]${sp}INFO${sp}${fn}${sp}${exec}${sp}`,
          ][style];
          lines.push(`${prefix}Function execution started`, `${prefix}${end}`);
          expected.push([exec, fn, 'warm', null, took, status, errorType, `${time.replace(' ', 'T')}Z`]);
        });
        expect(gcp(lines.join('\n')).samples.map(brief)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('Azure: Core Tools (ISO or culture), log stream, CI prefix; Executed fields in any order, Duration= optional', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, guid, fc.option(ms, { nil: null }), fc.boolean(), fc.nat(5)), { minLength: 1, maxLength: 4 }), space, fc.nat(3), (execs, sp, style) => {
        const lines: string[] = [];
        const expected: unknown[] = [];
        execs.forEach(([fn, guidId, took, ok, order], i) => {
          const sec = String(10 + i).padStart(2, '0');
          const iso = `2026-11-20T09:30:${sec}.118Z`;
          const prefix = [
            `[${iso}]${sp}`,
            `2026-11-20T09:30:${sec}.118${sp}[Information]${sp}`,
            `2026-11-20T09:30:${sec}.1180001Z [${iso}]${sp}`,
            `[11/20/2026 9:30:${sec} AM]${sp}`,
          ][style];
          const fields = [ok ? 'Succeeded' : 'Failed', `Id=${guidId}`, ...(took === null ? [] : [`Duration=${took}ms`])];
          const rotated = [...fields.slice(order % fields.length), ...fields.slice(0, order % fields.length)];
          lines.push(`${prefix}Executing 'Functions.${fn}' (Reason='New blob detected(LogsAndContainerScan): a, b.jpg',${sp}Id=${guidId})`);
          lines.push(`${prefix}Executed 'Functions.${fn}'${sp}(${rotated.join(`,${sp}`)})`);
          lines.push(`${prefix}app output ${i}`);
          expected.push([guidId, fn, 'warm', null, took, ok ? 'success' : 'error', null, style === 3 ? null : iso]);
        });
        expect(azure(lines.join('\n')).samples.map(brief)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
