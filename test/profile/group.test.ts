import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupByPackage, topLevelOf, unattributedMs } from '../../src/profile/group.ts';
import { NODE_MARKER, parseImportTrace } from '../../src/profile/import-trace.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('topLevelOf', () => {
  it('takes the first dotted part of a Python module', () => {
    expect(topLevelOf('pandas.core.api', 'python')).toBe('pandas');
  });
  it('keeps the scope of a scoped npm package', () => {
    expect(topLevelOf('@aws-sdk/client-sts/dist-cjs/index.js', 'node')).toBe('@aws-sdk/client-sts');
  });
  it('groups task-root files by their first folder', () => {
    expect(topLevelOf('./lib/db.js', 'node')).toBe('./lib');
    expect(topLevelOf('./index.js', 'node')).toBe('./index.js');
  });
});

describe('groupByPackage', () => {
  const roots = parseImportTrace(fixture('importtime-small.txt'));
  const sizes = new Map([
    ['pandas', 70_000_000],
    ['numpy', 30_000_000],
  ]);
  const entries = groupByPackage(roots, { language: 'python', initMs: 20, handlerModule: 'app', sizes });

  it('sorts packages by cumulative time, largest first', () => {
    expect(entries.map((e) => e.name)).toEqual(['pandas', 'numpy', 'app', '_frozen_importlib_external', '_io']);
  });

  it('sums self time of every module of a package wherever it was imported', () => {
    const numpy = entries.find((e) => e.name === 'numpy');
    // numpy 3000 + numpy.core 1960 + numpy._utils 40 (under pandas) + numpy.linalg 500 (under app)
    expect(numpy).toMatchObject({ selfMs: 5.5, cumulativeMs: 5.5, share: 0.275, sizeBytes: 30_000_000, kind: 'package' });
  });

  it('counts only outermost imports in cumulative time, dependencies included', () => {
    const pandas = entries.find((e) => e.name === 'pandas');
    expect(pandas).toMatchObject({ selfMs: 7, cumulativeMs: 12, share: 0.6, sizeBytes: 70_000_000 });
    expect(pandas?.children.map((c) => [c.name, c.cumulativeMs, c.sizeBytes])).toEqual([
      ['numpy', 5, 30_000_000],
      ['pandas.core', 3, null],
    ]);
  });

  it('labels the handler module and modules the package does not ship', () => {
    expect(entries.find((e) => e.name === 'app')).toMatchObject({ kind: 'handler', selfMs: 1.5, sizeBytes: null });
    expect(entries.find((e) => e.name === '_frozen_importlib_external')).toMatchObject({ kind: 'runtime', sizeBytes: null });
  });

  it('gives each package the share of Init Duration spent importing it, dependencies included', () => {
    expect(entries.map((e) => [e.name, e.share])).toEqual([
      ['pandas', 0.6],
      ['numpy', 0.275],
      ['app', 0.1],
      ['_frozen_importlib_external', 0.0303],
      ['_io', 0.0156],
    ]);
    expect(entries[0].children.map((c) => [c.name, c.share])).toEqual([
      ['numpy', 0.25],
      ['pandas.core', 0.15],
    ]);
  });

  it('sizes child modules through the given lookup, and other packages from the package sizes', () => {
    const sized = groupByPackage(roots, { language: 'python', initMs: 20, handlerModule: 'app', sizes, moduleSize: (n) => (n === 'pandas.core' ? 1234 : null) });
    expect(sized[0].children.map((c) => [c.name, c.sizeBytes])).toEqual([
      ['numpy', 30_000_000],
      ['pandas.core', 1234],
    ]);
  });

  it('returns share 0 when Init Duration is 0 instead of dividing by zero', () => {
    const zero = groupByPackage(roots, { language: 'python', initMs: 0, handlerModule: 'app', sizes });
    expect(zero.every((e) => e.share === 0)).toBe(true);
  });

  it('groups Node modules by npm package', () => {
    const node = groupByPackage(parseImportTrace(fixture('node-require-small.txt'), NODE_MARKER), {
      language: 'node',
      initMs: 10,
      handlerModule: './index.js',
      sizes: new Map([['@aws-sdk/client-sts', 1000]]),
    });
    expect(node.map((e) => [e.name, e.kind, e.selfMs, e.cumulativeMs])).toEqual([
      ['./index.js', 'handler', 0.5, 2.8],
      ['@aws-sdk/client-sts', 'package', 2, 2],
      ['lodash', 'runtime', 0.3, 0.3],
    ]);
  });
});

describe('unattributedMs', () => {
  it('is Init Duration minus the traced top-level imports', () => {
    expect(unattributedMs(parseImportTrace(fixture('importtime-small.txt')), 20)).toBe(5.4);
  });
  it('never goes below zero', () => {
    expect(unattributedMs(parseImportTrace(fixture('importtime-small.txt')), 1)).toBe(0);
  });
});
