import { describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../../src/emulator/contract.ts';
import { billedDuration, exitHow, logStreamName, PlatformLog } from '../../../src/emulator/environments/platform-log.ts';
import { json, makeSpec, request, stageFixture, usePool } from './helpers.ts';

const ID = '8f5e2d6c-1b1a-4c55-9a62-6a1f0e0b7c11';

describe('billedDuration', () => {
  it('bills init for a cold on-demand invoke: ceil(1233.96 + 463.512) = 1698', () => {
    expect(billedDuration(1233.96, 463.512)).toBe(1698);
  });
  it('rounds a warm invoke up to the next millisecond (11.642 → 12) and never bills 0', () => {
    expect(billedDuration(11.642, null)).toBe(12);
    expect(billedDuration(0.2, null)).toBe(1);
    expect(billedDuration(3, null)).toBe(3);
  });
});

describe('PlatformLog (text)', () => {
  const spec = makeSpec({ runtime: 'python3.11', handler: 'h.h', codeDir: '/x', memoryMB: 128, functionName: 'f' });
  const log = new PlatformLog(spec, 'python:3.11.v1', 'arn:aws:lambda:us-east-1::runtime:abc', 'i');

  it('writes REPORT in Lambda field order with tabs, Init Duration last, then Status and Error Type', () => {
    const base = { requestId: ID, durationMs: 15.744, billedMs: 147, memoryMB: 128, maxMemoryMB: 56 };
    expect(log.report({ ...base, initMs: 130.494, status: 'success' })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t\n`,
    );
    expect(log.report({ ...base, initMs: null, status: 'timeout' })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tStatus: timeout\t\n`,
    );
    expect(log.report({ ...base, initMs: 1, status: 'error', errorType: 'Runtime.ExitError' })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 1.00 ms\tStatus: error\tError Type: Runtime.ExitError\t\n`,
    );
  });

  it('writes INIT_START, START, END and INIT_REPORT as Lambda does', () => {
    expect(log.initStart()).toBe('INIT_START Runtime Version: python:3.11.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n');
    expect(log.start(ID)).toBe(`START RequestId: ${ID} Version: $LATEST\n`);
    expect(log.end(ID)).toBe(`END RequestId: ${ID}\n`);
    expect(log.initReport({ phase: 'init', durationMs: 150.789, status: 'error', errorType: 'Runtime.UserCodeSyntaxError' })).toBe(
      'INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\tError Type: Runtime.UserCodeSyntaxError\n',
    );
    expect(log.initReport({ phase: 'init', durationMs: 9999.791, status: 'timeout' })).toBe('INIT_REPORT Init Duration: 9999.79 ms\tPhase: init\tStatus: timeout\n');
  });

  it('names the runtime exit as Go does (exit status N, signal: killed)', () => {
    expect(exitHow(1, null)).toBe('exit status 1');
    expect(exitHow(null, 'SIGKILL')).toBe('signal: killed');
    expect(exitHow(null, 'SIGSEGV')).toBe('signal: segmentation fault');
    expect(exitHow(null, 'SIGUSR1')).toBe('signal: usr1');
  });

  it('names streams YYYY/MM/DD/[version]<32 hex>', () => {
    const at = new Date(Date.UTC(2026, 0, 5, 23, 59));
    expect(logStreamName('$LATEST', at)).toMatch(/^2026\/01\/05\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(logStreamName('7', at)).toMatch(/^2026\/01\/05\/\[7\][0-9a-f]{32}$/);
  });
});

describe('PlatformLog (JSON)', () => {
  const spec: FunctionSpec = { ...makeSpec({ runtime: 'nodejs22.x', handler: 'h.h', codeDir: '/x', memoryMB: 256, functionName: 'f' }), logFormat: 'JSON' };
  const log = new PlatformLog(spec, 'nodejs:22.v1', 'arn:rt', 'inst');
  const parsed = (s: string | null) => JSON.parse(s!);

  it('writes platform.initStart, platform.start and platform.report records', () => {
    expect(parsed(log.initStart())).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      type: 'platform.initStart',
      record: {
        initializationType: 'on-demand',
        phase: 'init',
        runtimeVersion: 'nodejs:22.v1',
        runtimeVersionArn: 'arn:rt',
        functionName: 'f',
        functionVersion: '$LATEST',
        instanceId: 'inst',
        instanceMaxMemory: 268435456,
      },
    });
    expect(parsed(log.start(ID)).record).toEqual({ requestId: ID, functionArn: spec.functionArn, version: '$LATEST' });
    expect(log.end(ID)).toBeNull();
    expect(parsed(log.report({ requestId: ID, durationMs: 1233.9612, billedMs: 1698, memoryMB: 256, maxMemoryMB: 123, initMs: 463.5123, status: 'success' }))).toMatchObject({
      type: 'platform.report',
      record: { requestId: ID, metrics: { durationMs: 1233.961, billedDurationMs: 1698, memorySizeMB: 256, maxMemoryUsedMB: 123, initDurationMs: 463.512 }, status: 'success' },
    });
    expect(parsed(log.initReport({ phase: 'init', durationMs: 10000.4871, status: 'timeout' })).record).toEqual({
      initializationType: 'on-demand',
      phase: 'init',
      status: 'timeout',
      metrics: { durationMs: 10000.487 },
    });
  });
});

describe('Function output in the log stream', () => {
  const { sink, root, pool } = usePool();

  it('puts Python stdout and stderr lines between START and END, and init output before START', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'logging_out.handler', codeDir: stageFixture('python', root.dir) });
    const req = request();
    const out = await pool().invoke(spec, req);
    const log = sink.messages(spec.logGroupName);
    expect(log[1]).toBe('init line\n');
    expect(log[2]).toBe(`START RequestId: ${req.requestId} Version: $LATEST\n`);
    expect(log.slice(3, 7).sort()).toEqual(['lines\n', 'to stderr\n', 'to stdout\n', 'two\n']);
    expect(log[7]).toBe(`END RequestId: ${req.requestId}\n`);
    expect(out.logText).toBe(log.slice(2).join(''));
  });

  it('formats the Python logging module as the official runtime ([LEVEL], time, request id, one event per record)', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'uses_logging.handler', codeDir: stageFixture('python', root.dir) });
    const req = request();
    const out = await pool().invoke(spec, req);
    const lines = out.logText.split('\n').slice(1, 3);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${req.requestId}\\tinfo line$`)),
      expect.stringMatching(new RegExp(`^\\[WARNING\\]\\t[\\dTZ:.-]+\\t${req.requestId}\\ttwo\\rlines$`)),
    ]);
  });

  it('writes Node console lines as the official runtime (time, request id, level; one event per call)', async () => {
    const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'logging_out.handler', codeDir: stageFixture('node', root.dir) });
    const req = request();
    await pool().invoke(spec, req);
    const log = sink.messages(spec.logGroupName);
    const at = log.indexOf(`START RequestId: ${req.requestId} Version: $LATEST\n`);
    expect(log[at - 1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tINFO\tinit line\n$/);
    expect(log.slice(at + 1, at + 5).map((l) => l.split('\t').slice(1).join('\t'))).toEqual([
      `${req.requestId}\tINFO\tto stdout\n`,
      `${req.requestId}\tERROR\tto stderr\n`,
      `${req.requestId}\tINFO\ttwo\rlines\n`,
      '',
    ]);
    expect(log[at + 4]).toBe('raw write\n');
  });

  it('writes platform records and JSON console lines when LogFormat is JSON', async () => {
    const spec: FunctionSpec = { ...makeSpec({ runtime: 'nodejs20.x', handler: 'logging_out.handler', codeDir: stageFixture('node', root.dir) }), logFormat: 'JSON' };
    const req = request();
    await pool().invoke(spec, req);
    await pool().invoke(spec, request());
    const lines = sink.messages(spec.logGroupName);
    // Output that bypasses console (process.stdout.write) stays plain text, as on Lambda.
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual(['raw write', 'raw write']);
    const records = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const types = records.map((r) => r.type ?? r.level);
    expect(types.slice(0, 7)).toEqual(['platform.initStart', 'INFO', 'platform.start', 'INFO', 'ERROR', 'INFO', 'platform.report']);
    expect(records[3]).toEqual({ timestamp: expect.any(String), level: 'INFO', requestId: req.requestId, message: 'to stdout' });
    expect(Object.keys(records[6].record.metrics)).toEqual(['durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs']);
    expect(records.at(-1).record.metrics.initDurationMs).toBeUndefined();
  });

  it('returns the exact REPORT numbers in the outcome', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'noop.handler', codeDir: stageFixture('python', root.dir), memoryMB: 128 });
    const out = await pool().invoke(spec, request());
    const report = sink.messages(spec.logGroupName).at(-1)!;
    const field = (name: string) => new RegExp(`\\t${name}: ([\\d.]+)`).exec(`\t${report.slice(report.indexOf('\t') + 1)}`)![1];
    expect(field('Duration')).toBe(out.durationMs.toFixed(2));
    expect(Number(field('Billed Duration'))).toBe(out.billedMs);
    expect(Number(field('Max Memory Used'))).toBe(out.maxMemoryMB);
    expect(field('Init Duration')).toBe(out.initMs!.toFixed(2));
    expect(json(out.payload)).toEqual({ ok: true });
  });
});
