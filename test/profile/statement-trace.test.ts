import { describe, expect, it } from 'vitest';
import { parseStatementTimes, statementSpec, TRACE_STATEMENTS_MAX_CHARS } from '../../src/profile/statement-trace.ts';

describe('statementSpec', () => {
  it('names Python statements by lines and Node statements by lines, offsets and the file’s length', () => {
    expect(
      statementSpec(
        [
          { file: 'app', line: 4, endLine: 4, text: 'time.sleep(1)' },
          { file: 'app', line: 6, endLine: 8, text: 'X = f(' },
          { file: 'lib.util', line: 2, endLine: 2, text: 'load()' },
        ],
        new Map(),
        'python',
      ),
    ).toBe('app.py@:4-4,6-8;lib/util.py@:2-2');
    expect(statementSpec([{ file: './app.js', line: 3, endLine: 3, text: 'const T = f();', start: 40, end: 54 }], new Map([['./app.js', 'x'.repeat(120)]]), 'node')).toBe(
      'app.js@120:3-3-40-54',
    );
  });

  it('leaves out files past the size limit', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ file: `m${i}`, line: i + 1, endLine: i + 1, text: 'f()' }));
    const spec = statementSpec(many, new Map(), 'python');
    expect(spec.length).toBeLessThanOrEqual(TRACE_STATEMENTS_MAX_CHARS);
    expect(spec.startsWith('m0.py@:1-1;m1.py@:2-2;')).toBe(true);
  });
});

describe('parseStatementTimes', () => {
  it('reads the timer’s lines behind any prefix, keeps the first time of a statement and skips other lines', () => {
    const text = [
      '2026-12-03T12:00:00Z\tcoldbench line:    400123 | app.py:4-4',
      'import time:       100 |        100 | json',
      'coldbench line:       950 | lib/util.py:6-8',
      'coldbench line:         1 | app.py:4-4',
      'coldbench line: garbage',
    ].join('\n');
    expect(parseStatementTimes(text)).toEqual([
      { file: 'app.py', line: 4, endLine: 4, ms: 400.12 },
      { file: 'lib/util.py', line: 6, endLine: 8, ms: 0.95 },
    ]);
  });
});
