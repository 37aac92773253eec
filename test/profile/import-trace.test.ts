import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_MARKER, parseImportTrace } from '../../src/profile/import-trace.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseImportTrace', () => {
  it('nests children printed before their parent by indentation', () => {
    const roots = parseImportTrace(fixture('importtime-small.txt'));
    expect(roots.map((r) => [r.name, r.selfUs, r.cumulativeUs])).toEqual([
      ['_frozen_importlib_external', 293, 605],
      ['pandas', 4000, 12000],
      ['app', 1500, 2000],
    ]);
    const pandas = roots[1];
    expect(pandas.children.map((c) => c.name)).toEqual(['numpy', 'pandas.core']);
    expect(pandas.children[0].children[0].name).toBe('numpy.core');
    expect(pandas.children[0].children[0].children).toEqual([{ name: 'numpy._utils', selfUs: 40, cumulativeUs: 40, children: [] }]);
    expect(roots[2].children).toEqual([{ name: 'numpy.linalg', selfUs: 500, cumulativeUs: 500, children: [] }]);
  });

  it('skips the header, platform lines and the function output', () => {
    const roots = parseImportTrace('START RequestId: x\nimport time: self [us] | cumulative | imported package\nhello\n');
    expect(roots).toEqual([]);
  });

  it('reads a real trace of this machine’s python3 -X importtime with CRLF endings', () => {
    const text = 'import time:       108 |        108 |   time\r\nimport time:       110 |        218 | zipimport\r\n';
    expect(parseImportTrace(text)).toEqual([{ name: 'zipimport', selfUs: 110, cumulativeUs: 218, children: [{ name: 'time', selfUs: 108, cumulativeUs: 108, children: [] }] }]);
  });

  it('keeps orphans of a trace cut short as roots instead of losing their time', () => {
    const roots = parseImportTrace('import time:        10 |         10 |     deep\nimport time:        20 |         20 |   mid\n');
    expect(roots.map((r) => [r.name, r.children.map((c) => c.name)])).toEqual([['mid', ['deep']]]);
  });

  it('reads the Node preload lines behind its own marker and a timestamp prefix', () => {
    const roots = parseImportTrace(fixture('node-require-small.txt'), NODE_MARKER);
    expect(roots).toHaveLength(1);
    expect(roots[0].name).toBe('./index.js');
    expect(roots[0].children.map((c) => [c.name, c.cumulativeUs])).toEqual([
      ['@aws-sdk/client-sts/dist-cjs/index.js', 2000],
      ['lodash/lodash.js', 300],
    ]);
  });

  it('ignores Python lines when reading Node lines', () => {
    expect(parseImportTrace(fixture('importtime-small.txt'), NODE_MARKER)).toEqual([]);
  });
});
