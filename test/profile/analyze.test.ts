import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, findReuseTwin, splitHandler } from '../../src/profile/analyze.ts';

const connection = new Map(
  ['identity', 'percall', 'reuse'].map((m) => [m, readFileSync(new URL(`../../fixtures/functions/python/connection/${m}.py`, import.meta.url), 'utf8')]),
);
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
    const trace = ['import time:       100 |        100 |     boto3', 'import time:       200 |        300 |   identity', 'import time:       400 |        700 | percall'].join('\n');
    const report = analyze({ ...base, traceText: trace });
    expect(report.modules.map((m) => [m.name, m.kind])).toEqual([
      ['percall', 'handler'],
      ['identity', 'code'],
      ['boto3', 'runtime'],
    ]);
    expect(report.warm).toEqual({ n: 0, medianMs: null });
    expect(report.unattributedMs).toBe(9.3);
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
