import { describe, expect, it } from 'vitest';
import { BenchOptionError, SuiteError } from '../../src/bench/errors.ts';
import { cartesian, plan, seededShuffle, variantName } from '../../src/bench/plan.ts';
import type { Suite, SuiteFunction } from '../../src/bench/suite.ts';

function fn(over: Partial<SuiteFunction>): SuiteFunction {
  return {
    name: 'f',
    code: '/c',
    handler: 'app.handler',
    runtimes: ['python3.11'],
    architectures: ['x86_64'],
    memory: [512],
    timeout: 30,
    cold: 5,
    warm: 10,
    concurrency: 2,
    coldStrategy: 'burst',
    variants: null,
    events: [{ file: '(none)', weight: 1, payload: '{}' }],
    environment: { STAGE: 'bench' },
    requirements: null,
    nodeDependencies: false,
    packaging: ['bundled'],
    packagingDeclared: false,
    pipArgs: [],
    npmArgs: [],
    layers: [],
    extensions: [null],
    provisioned: [0],
    snapStart: [false],
    ...over,
  };
}
function suite(functions: SuiteFunction[]): Suite {
  return { name: 's', file: 's.yaml', seed: 42, functions, compare: [] };
}

describe('variantName', () => {
  it('follows docs/suite-format.md', () => {
    expect(variantName(fn({}), { base: 'reuse', memoryMB: 512, packaging: 'bundled', runtime: 'python3.11', architecture: 'x86_64' })).toBe('reuse@512');
    expect(variantName(fn({ requirements: '/r.txt' }), { base: 'deps', memoryMB: 1024, packaging: 'layer', runtime: 'python3.11', architecture: 'x86_64' })).toBe(
      'deps@1024-layer',
    );
    expect(
      variantName(fn({ runtimes: ['python3.11', 'python3.12'], architectures: ['x86_64', 'arm64'] }), {
        base: 'f',
        memoryMB: 128,
        packaging: 'bundled',
        runtime: 'python3.12',
        architecture: 'arm64',
      }),
    ).toBe('f@128-python3.12-arm64');
  });
});

describe('plan', () => {
  const connection = fn({ name: 'connection', variants: { reuse: { handler: 'app.reuse' }, percall: { environment: { MODE: 'percall' } } } });
  const deps = fn({ name: 'deps', requirements: '/r.txt', packaging: ['bundled', 'layer'], packagingDeclared: true, memory: [1024] });

  it('expands the matrix with handlers and merged environments', () => {
    const p = plan(suite([connection, deps]));
    expect(p.variants.map((v) => v.name)).toEqual(['reuse@512', 'percall@512', 'deps@1024-bundled', 'deps@1024-layer']);
    expect(p.variants[0]).toMatchObject({ function: 'connection', handler: 'app.reuse', environment: { STAGE: 'bench' }, cold: 5, warm: 10, memoryMB: 512 });
    expect(p.variants[1]).toMatchObject({ handler: 'app.handler', environment: { STAGE: 'bench', MODE: 'percall' } });
    expect([...p.order].sort()).toEqual(['deps@1024-bundled', 'deps@1024-layer', 'percall@512', 'reuse@512']);
    expect(p.order).toEqual(plan(suite([connection, deps])).order);
  });

  it('applies --only, --cold, --warm, --memory, --cold-strategy and --seed', () => {
    const p = plan(suite([connection, deps]), { only: ['reuse@*', 'deps@*-layer'], cold: 2, warm: 0, memory: [128, 256], coldStrategy: 'version', seed: 1 });
    expect(p.variants.map((v) => v.name)).toEqual(['reuse@128', 'reuse@256', 'deps@128-layer', 'deps@256-layer']);
    expect(p.variants.every((v) => v.cold === 2 && v.warm === 0 && v.coldStrategy === 'version')).toBe(true);
    expect(p.seed).toBe(1);
    expect(p.coldStrategy).toBe('version');
  });

  it('lists variants with the base varying slowest, then memory, architecture and extension, as their name suffixes are ordered', () => {
    const agent = { kind: 'folder' as const, path: '/layers/agent', name: 'agent' };
    const axes = fn({ variants: { x: {}, y: {} }, memory: [128, 256], architectures: ['x86_64', 'arm64'], extensions: [null, agent] });
    expect(plan(suite([axes])).variants.map((v) => v.name)).toEqual([
      'x@128-x86_64',
      'x@128-x86_64-agent',
      'x@128-arm64',
      'x@128-arm64-agent',
      'x@256-x86_64',
      'x@256-x86_64-agent',
      'x@256-arm64',
      'x@256-arm64-agent',
      'y@128-x86_64',
      'y@128-x86_64-agent',
      'y@128-arm64',
      'y@128-arm64-agent',
      'y@256-x86_64',
      'y@256-x86_64-agent',
      'y@256-arm64',
      'y@256-arm64-agent',
    ]);
  });

  it('names every variant when --only matches none', () => {
    expect(() => plan(suite([deps]), { only: ['nope*'] })).toThrow(
      new BenchOptionError("--only 'nope*' matches no variant of s.yaml; the variants are: deps@1024-bundled, deps@1024-layer"),
    );
  });

  it('names both functions when two produce the same variant name', () => {
    const a = fn({ name: 'a', variants: { x: {} } });
    const b = fn({ name: 'b', variants: { x: {} } });
    expect(() => plan(suite([a, b]))).toThrow(SuiteError);
    expect(() => plan(suite([a, b]))).toThrow(
      's.yaml: variant name x@512 is produced by both functions.a and functions.b; rename a function or a `variants` key so every variant name is unique',
    );
  });
});

describe('cartesian', () => {
  it('yields every combination, the first axis varying slowest, as nested loops would', () => {
    expect([
      ...cartesian([
        [1, 2],
        ['a', 'b'],
        [true, false],
      ]),
    ]).toEqual([
      [1, 'a', true],
      [1, 'a', false],
      [1, 'b', true],
      [1, 'b', false],
      [2, 'a', true],
      [2, 'a', false],
      [2, 'b', true],
      [2, 'b', false],
    ]);
  });

  it('yields nothing when an axis is empty, and one empty combination for no axes', () => {
    expect([...cartesian([[1, 2], []])]).toEqual([]);
    expect([...cartesian([])]).toEqual([[]]);
  });
});

describe('seededShuffle', () => {
  it('gives the same order for the same seed and keeps every item', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(seededShuffle(items, 3)).toEqual(seededShuffle(items, 3));
    expect([...seededShuffle(items, 3)].sort()).toEqual(items);
    expect(seededShuffle(items, 3)).not.toEqual(seededShuffle(items, 4));
  });
});
