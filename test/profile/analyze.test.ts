import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, findReuseTwin, splitHandler } from '../../src/profile/analyze.ts';
import { splitAtFirstStart } from '../../src/profile/run.ts';

const connection = new Map(['identity', 'percall', 'reuse'].map((m) => [m, readFileSync(new URL(`../../fixtures/functions/python/connection/${m}.py`, import.meta.url), 'utf8')]));
const nodeConnection = new Map(
  ['identity', 'percall', 'reuse'].map((m) => [`./${m}.js`, readFileSync(new URL(`../../fixtures/functions/node/connection/${m}.js`, import.meta.url), 'utf8')]),
);

describe('splitHandler', () => {
  it('splits a Python handler into module and function, folders as dots', () => {
    expect(splitHandler('src/app.handler', 'python', new Map())).toEqual({ module: 'src.app', fn: 'handler' });
  });
  it('finds the Node file among .js, .mjs and .cjs', () => {
    expect(splitHandler('index.handler', 'node', new Map([['./index.mjs', '']]))).toEqual({ module: './index.mjs', fn: 'handler' });
  });
});

describe('findReuseTwin', () => {
  it('finds the handler in the same code that builds the client once', () => {
    expect(findReuseTwin(connection, 'percall.handler', 'python')).toBe('reuse.handler');
    expect(findReuseTwin(nodeConnection, 'percall.handler', 'node')).toBe('reuse.handler');
  });
  it('finds none for a handler that builds no client per call', () => {
    expect(findReuseTwin(connection, 'reuse.handler', 'python')).toBeUndefined();
  });
});

describe('analyze', () => {
  const base = {
    function: { name: 'connection', codeDir: '/c', runtime: 'python3.11', handler: 'percall.handler', memoryMB: 512 },
    language: 'python' as const,
    initMs: 10,
    warmDurationsMs: [],
    packages: new Map(),
    sources: connection,
    target: 'local emulator',
    tracing: 'python -X importtime',
  };

  it('labels the handler module and the function’s other modules as its code', () => {
    const trace = ['import time:       100 |        100 |     boto3', 'import time:       200 |        300 |   identity', 'import time:       400 |        700 | percall'].join(
      '\n',
    );
    const report = analyze({ ...base, traceText: trace });
    expect(report.modules.map((m) => [m.name, m.kind])).toEqual([
      ['percall', 'handler'],
      ['identity', 'code'],
      ['boto3', 'runtime'],
    ]);
    expect(report.warm).toEqual({ n: 0, medianMs: null });
    expect(report.unattributedMs).toBe(9.3);
  });

  it('notes imports made during invocations apart from init', () => {
    const report = analyze({ ...base, traceText: 'import time:       400 |        700 | percall', invokeTraceText: 'import time:      1000 |      12345 | requests' });
    expect(report.modules.map((m) => m.name)).toEqual(['percall']);
    expect(report.notes).toEqual(['imported during invocations, so not in Init Duration: 12.3 ms (requests 12.3 ms)']);
  });

  it('says so when the function wrote no trace', () => {
    expect(analyze({ ...base, traceText: '' }).notes).toEqual(['the function wrote no import trace: check that the runtime honours AWS_LAMBDA_EXEC_WRAPPER']);
  });

  it('says so when the handler’s source is not in the code folder', () => {
    const report = analyze({ ...base, traceText: '', function: { ...base.function, handler: 'missing.handler' } });
    expect(report.notes[0]).toBe("the handler's source missing was not found in the code folder, so the source rules did not run");
    expect(report.recommendations).toEqual([]);
  });
});

describe('splitAtFirstStart', () => {
  it('keeps lines before the first START as init and the rest as invocation lines', () => {
    expect(splitAtFirstStart(['import time: a', 'START RequestId: 1 Version: $LATEST', 'import time: b', 'START RequestId: 2 Version: $LATEST', 'import time: c'])).toEqual({
      init: ['import time: a'],
      invoke: ['import time: b', 'import time: c'],
    });
  });
  it('does not mistake INIT_START for an invocation', () => {
    expect(splitAtFirstStart(['INIT_START Runtime Version: python:3.11.v1', 'import time: a'])).toEqual({
      init: ['INIT_START Runtime Version: python:3.11.v1', 'import time: a'],
      invoke: [],
    });
  });
});
