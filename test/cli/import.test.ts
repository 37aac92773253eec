import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const AWS = 'fixtures/logs/aws';
const tmp = mkdtempSync(join(tmpdir(), 'coldbench-import-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const parse = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const sample = (fields: Record<string, unknown>) => ({
  kind: 'warm',
  coldBy: 'none',
  initMs: null,
  restoreMs: null,
  billedRestoreMs: null,
  status: 'success',
  errorType: null,
  clientMs: null,
  ...fields,
});

describe('coldbench import', () => {
  it('turns an `aws logs tail` log into one sample per REPORT, with folded timeout and error', async () => {
    const run = await runCli(['import', `${AWS}/logs-tail.log`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '{"variant":"logs-tail","kind":"cold","coldBy":"init-duration","requestId":"0b7ffc4e-6c2a-4f4e-9a59-3c0f3e1f2a11","initMs":130.49,"restoreMs":null,"billedRestoreMs":null,"durationMs":15.74,"billedMs":147,"memoryMB":128,"maxMemoryMB":56,"status":"success","errorType":null,"clientMs":null}',
        '{"variant":"logs-tail","kind":"warm","coldBy":"none","requestId":"5d2e8c41-97b3-4e0d-8a6b-1f4c2d9e7b22","initMs":null,"restoreMs":null,"billedRestoreMs":null,"durationMs":2.05,"billedMs":3,"memoryMB":128,"maxMemoryMB":57,"status":"success","errorType":null,"clientMs":null}',
        '{"variant":"logs-tail","kind":"warm","coldBy":"none","requestId":"c93a6f10-2b8d-4d71-b5e2-7a0c4e8f9d33","initMs":null,"restoreMs":null,"billedRestoreMs":null,"durationMs":3003.12,"billedMs":3000,"memoryMB":128,"maxMemoryMB":60,"status":"timeout","errorType":null,"clientMs":null,"errorMessage":"Task timed out after 3.00 seconds"}',
        '{"variant":"logs-tail","kind":"warm","coldBy":"none","requestId":"e1f04b7a-3c5d-4a8e-9b2f-6d7c8e9f0a44","initMs":null,"restoreMs":null,"billedRestoreMs":null,"durationMs":498.31,"billedMs":499,"memoryMB":128,"maxMemoryMB":128,"status":"error","errorType":"Runtime.OutOfMemory","clientMs":null}',
        '',
      ].join('\n'),
    );
    expect(run.stderr).toBe(
      `${AWS}/logs-tail.log: 4 samples (1 cold, 2 failed) from 15 platform records; 1 line skipped (1 not a platform line)\n` +
        'coldbench import: 4 samples (1 cold, 3 warm, 2 failed) from 15 platform records in 1 file\n',
    );
  });

  it('names samples after the function of a JSON-format log and reads errorType from platform.report', async () => {
    const run = await runCli(['import', `${AWS}/json-format.jsonl`]);
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toEqual([
      sample({
        variant: 'checkout',
        kind: 'cold',
        coldBy: 'init-duration',
        requestId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c55',
        initMs: 463.512,
        durationMs: 1233.96,
        billedMs: 1698,
        memoryMB: 256,
        maxMemoryMB: 123,
      }),
      sample({
        variant: 'checkout',
        requestId: '8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d66',
        durationMs: 41.2,
        billedMs: 42,
        memoryMB: 256,
        maxMemoryMB: 125,
        status: 'error',
        errorType: 'Runtime.UnhandledPromiseRejection',
      }),
    ]);
    expect(run.stderr).toBe(
      `${AWS}/json-format.jsonl: 2 samples (1 cold, 1 failed) from 5 platform records; 1 line skipped (1 not a platform line)\n` +
        'coldbench import: 2 samples (1 cold, 1 warm, 1 failed) from 5 platform records in 1 file\n',
    );
  });

  it('reads the JSON that `aws logs filter-log-events` prints', async () => {
    const run = await runCli(['import', `${AWS}/filter-log-events.json`]);
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toEqual([
      sample({
        variant: 'filter-log-events',
        kind: 'cold',
        coldBy: 'init-duration',
        requestId: '9c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e77',
        initMs: 201.33,
        durationMs: 9.87,
        billedMs: 212,
        memoryMB: 512,
        maxMemoryMB: 80,
      }),
      sample({ variant: 'filter-log-events', requestId: 'ad4e5f6a-7b8c-4d9e-9fa0-2b3c4d5e6f88', durationMs: 3.1, billedMs: 4, memoryMB: 512, maxMemoryMB: 81 }),
    ]);
    expect(run.stderr).toBe(
      `${AWS}/filter-log-events.json: 2 samples (1 cold, 0 failed) from 7 platform records; 0 lines skipped\n` +
        'coldbench import: 2 samples (1 cold, 1 warm, 0 failed) from 7 platform records in 1 file\n',
    );
  });

  it('counts malformed lines (CRLF file), shows them with file:line, and goes on', async () => {
    const run = await runCli(['import', `${AWS}/malformed-crlf.log`]);
    expect(run.code).toBe(0);
    expect(parse(run.stdout).map((s) => [s.kind, s.coldBy, s.durationMs, s.restoreMs])).toEqual([
      ['warm', 'none', 12.5, null],
      ['cold', 'restore', 1.5, 473.89],
    ]);
    expect(run.stderr).toBe(
      `${AWS}/malformed-crlf.log: 2 samples (1 cold, 0 failed) from 2 platform records; 5 lines skipped (3 malformed, 1 blank, 1 not a platform line)\n` +
        `  ${AWS}/malformed-crlf.log:2: REPORT: text "Max Mem" is not a "Label: value" field (torn line?)\n` +
        `  ${AWS}/malformed-crlf.log:3: REPORT: Duration: unit "s" (expected ms)\n` +
        `  ${AWS}/malformed-crlf.log:6: JSON platform record that does not parse (torn line?)\n` +
        'coldbench import: 2 samples (1 cold, 1 warm, 0 failed) from 2 platform records in 1 file\n',
    );
  });

  it('reads a mix of files and stdin in one run, with --variant on every sample, into --out', async () => {
    const out = join(tmp, 'mixed.jsonl');
    const stdin = 'REPORT RequestId: f00d\tDuration: 1.25 ms\tBilled Duration: 2 ms\tMemory Size: 1024 MB\tMax Memory Used: 99 MB\t\n';
    const run = await runCli(['import', `${AWS}/filter-log-events.json`, '-', `${AWS}/json-format.jsonl`, '--variant', 'reuse@512', '--out', out], { input: stdin });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const samples = parse(readFileSync(out, 'utf8'));
    expect(samples.map((s) => [s.variant, s.requestId])).toEqual([
      ['reuse@512', '9c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e77'],
      ['reuse@512', 'ad4e5f6a-7b8c-4d9e-9fa0-2b3c4d5e6f88'],
      ['reuse@512', 'f00d'],
      ['reuse@512', '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c55'],
      ['reuse@512', '8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d66'],
    ]);
    expect(run.stderr).toBe(
      `${AWS}/filter-log-events.json: 2 samples (1 cold, 0 failed) from 7 platform records; 0 lines skipped\n` +
        'stdin: 1 sample (0 cold, 0 failed) from 1 platform record; 0 lines skipped\n' +
        `${AWS}/json-format.jsonl: 2 samples (1 cold, 1 failed) from 5 platform records; 1 line skipped (1 not a platform line)\n` +
        'coldbench import: 5 samples (2 cold, 3 warm, 1 failed) from 13 platform records in 3 files\n',
    );
  });

  it('names stdin samples "stdin" when the log does not name the function', async () => {
    const run = await runCli(['import', '-'], { input: 'REPORT RequestId: r1 Duration: 1 ms Billed Duration: 1 ms Memory Size: 128 MB Max Memory Used: 40 MB\n' });
    expect(run.code).toBe(0);
    expect(parse(run.stdout)[0]).toMatchObject({ variant: 'stdin', requestId: 'r1', durationMs: 1 });
  });

  it('exits 1 with the summary when the input has no REPORT record', async () => {
    const run = await runCli(['import', '-'], { input: 'START RequestId: r1 Version: $LATEST\nhello\n' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'stdin: 0 samples (0 cold, 0 failed) from 1 platform record; 1 line skipped (1 not a platform line)\n' +
        "  stdin: no samples: 1 platform record but no execution end (a Lambda REPORT, a Google `Function execution took …`, an Azure `Executed '…'` or a request row)\n" +
        'coldbench import: 0 samples (0 cold, 0 warm, 0 failed) from 1 platform record in 1 file\n',
    );
  });

  it('names the first platform-looking line of a file with no samples, why it was not read and the nearest form; exits 0 when another file has samples', async () => {
    const wrong = join(tmp, 'azure-as-gcp.log');
    writeFileSync(wrong, "Function execution started\n[1/14/20 3:56:34 PM] Executed 'Functions.HttpTrigger' (Succeeded, Id=ab12cd34-5e6f-4a7b-8c9d-0e1f2a3b4c5d)\n");
    const empty = join(tmp, 'notes.txt');
    writeFileSync(empty, 'nothing to see\n');
    const run = await runCli(['import', wrong, empty, `${AWS}/logs-tail.log`]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `${wrong}: 0 samples (0 cold, 0 failed) from 1 platform record; 1 line skipped (1 not a platform line)\n` +
        `  ${wrong}:2: no samples: \`[1/14/20 3:56:34 PM] Executed 'Functions.HttpTrigger' (Succeeded, Id=ab12cd34-5e6f-4a7b-8c9d-0e1f2a3b4c5d)\` was not read: ` +
        "the file was read as Google Cloud (recognised from its first lines), but this line is Azure's: import it with --platform azure; nearest supported form: Executed 'Functions.<name>' (Succeeded|Failed, Id=<invocation id>, Duration=<n>ms)\n" +
        `${empty}: 0 samples (0 cold, 0 failed) from 0 platform records; 1 line skipped (1 not a platform line)\n` +
        `  ${empty}: no samples: nothing recognisable as a Lambda, Google Cloud or Azure Functions log (forms read: docs/other-platforms.md)\n` +
        `${AWS}/logs-tail.log: 4 samples (1 cold, 2 failed) from 15 platform records; 1 line skipped (1 not a platform line)\n` +
        'coldbench import: 4 samples (1 cold, 3 warm, 2 failed) from 16 platform records in 3 files\n',
    );
  });

  it('says which REPORT line was not read and why, and exits 1 when no file gives a sample', async () => {
    const run = await runCli(['import', '-'], { input: 'hello\nREPORT RequestId r1 Duration 5ms\n' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'stdin: 0 samples (0 cold, 0 failed) from 0 platform records; 2 lines skipped (1 malformed, 1 not a platform line)\n' +
        '  stdin:2: REPORT: text "RequestId r1 Duration 5ms" is not a "Label: value" field (torn line?)\n' +
        '  stdin:2: no samples: `REPORT RequestId r1 Duration 5ms` was not read: REPORT: text "RequestId r1 Duration 5ms" is not a "Label: value" field (torn line?); ' +
        'nearest supported form: REPORT RequestId: <id>  Duration: <n> ms  Billed Duration: <n> ms  Memory Size: <n> MB  Max Memory Used: <n> MB (tab- or space-separated)\n' +
        'coldbench import: 0 samples (0 cold, 0 warm, 0 failed) from 0 platform records in 1 file\n',
    );
  });

  it('exits 2 naming a missing file, before writing anything', async () => {
    const run = await runCli(['import', `${AWS}/logs-tail.log`, 'no/such.log']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('Error: no/such.log: no such file\nHint: Check the path; - reads stdin.\n');
  });

  it('exits 2 for a platform it does not know and for an unknown flag', async () => {
    const platform = await runCli(['import', '--platform', 'heroku', `${AWS}/logs-tail.log`]);
    expect(platform.code).toBe(2);
    expect(platform.stdout).toBe('');
    expect(platform.stderr).toBe('Error: --platform heroku: expected one of aws, gcp, azure, auto\nHint: Run `coldbench import --help` for its arguments and flags.\n');
    const flag = await runCli(['import', `${AWS}/logs-tail.log`, '--outt', 'x.jsonl']);
    expect(flag.code).toBe(2);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toBe('Error: unknown flag --outt; did you mean --out?\nHint: Run `coldbench import --help` for its arguments and flags.\n');
  });

  it('reports a truncated CloudWatch JSON document as malformed, keeping the events read before the cut', async () => {
    const doc = readFileSync(`${AWS}/filter-log-events.json`, 'utf8');
    const cut = doc.slice(0, doc.indexOf('"START RequestId: ad4e5f6a'));
    const run = await runCli(['import', '-'], { input: cut });
    expect(run.code).toBe(0);
    expect(parse(run.stdout).map((s) => s.requestId)).toEqual(['9c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e77']);
    expect(run.stderr).toBe(
      'stdin: 1 sample (1 cold, 0 failed) from 4 platform records; 1 line skipped (1 unreadable JSON)\n' +
        '  stdin:31: JSON not closed at the end of the input (a truncated export?)\n' +
        'coldbench import: 1 sample (1 cold, 0 warm, 0 failed) from 4 platform records in 1 file\n',
    );
  });

  it('creates the missing folders of --out (a/b/c/samples.jsonl)', async () => {
    const out = join(tmp, 'a', 'b', 'c', 'samples.jsonl');
    const run = await runCli(['import', `${AWS}/logs-tail.log`, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe((await runCli(['import', `${AWS}/logs-tail.log`])).stdout);
  });

  it('exits 2 when --out cannot be written, naming the flag', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const run = await runCli(['import', `${AWS}/logs-tail.log`, '--out', join(file, 'sub', 'x.jsonl')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `Error: --out ${join(file, 'sub', 'x.jsonl')}: cannot write there (ENOTDIR)\nHint: Give a file path in a writable place; missing folders are created.\n`,
    );
  });

  it('states each flag’s default in --help', async () => {
    const run = await runCli(['import', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(default: stdout)');
    expect(run.stdout).toContain('else the file name without its extension; "stdin" for -');
    expect(run.stdout).toContain('[default: "auto"]');
  });

  describe('a timeout line printed after its REPORT (CloudWatch exports and console copies)', () => {
    const id = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const report = `REPORT RequestId: ${id}\tDuration: 3003.12 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`;
    const timeoutLine = `2026-10-08T07:30:32.470Z ${id} Task timed out after 3.00 seconds`;

    it('returns a timeout sample for a text log read from a file', async () => {
      const file = join(tmp, 'late-timeout.log');
      writeFileSync(file, [`START RequestId: ${id} Version: $LATEST`, `END RequestId: ${id}`, report, timeoutLine, ''].join('\n'));
      const run = await runCli(['import', file]);
      expect(run.code).toBe(0);
      expect(parse(run.stdout).map((x) => [x.requestId, x.status, x.errorMessage])).toEqual([[id, 'timeout', 'Task timed out after 3.00 seconds']]);
    });

    it('returns a timeout sample for a CloudWatch FilterLogEvents JSON document', async () => {
      const file = join(tmp, 'late-timeout.json');
      const events = [report, timeoutLine].map((message, i) => ({
        logStreamName: '2026/10/08/[$LATEST]0123456789abcdef0123456789abcdef',
        timestamp: 1791444629000 + i,
        message: `${message}\n`,
        ingestionTime: 1791444630000,
        eventId: String(i),
      }));
      writeFileSync(file, JSON.stringify({ events, searchedLogStreams: [] }, null, 2));
      const run = await runCli(['import', file]);
      expect(run.code).toBe(0);
      expect(parse(run.stdout).map((x) => x.status)).toEqual(['timeout']);
    });

    it('warns on stdin, which is read once, that the late timeout line was not applied', async () => {
      const run = await runCli(['import', '-'], { input: [report, timeoutLine, ''].join('\n') });
      expect(run.code).toBe(0);
      expect(parse(run.stdout).map((x) => x.status)).toEqual(['success']);
      expect(run.stderr).toContain(
        '  stdin: 1 timeout line had no REPORT after it; stdin is read once, so a REPORT printed before its timeout line stays "success": import the log as a file to count those as timeouts\n',
      );
    });
  });
});
