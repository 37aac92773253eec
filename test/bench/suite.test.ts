import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SuiteError } from '../../src/bench/errors.ts';
import { loadSuite, loadSuiteDocument } from '../../src/bench/suite.ts';

let dir: string;
function suiteFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SuiteError);
    return (error as Error).message;
  }
  throw new Error('expected a SuiteError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coldbench-suite-'));
  mkdirSync(join(dir, 'py'));
  writeFileSync(join(dir, 'py', 'app.py'), 'def handler(e, c):\n    return 1\n');
  mkdirSync(join(dir, 'deps'));
  writeFileSync(join(dir, 'deps', 'app.py'), 'import six\n');
  writeFileSync(join(dir, 'deps', 'requirements.txt'), 'six==1.16.0\n');
  mkdirSync(join(dir, 'node'));
  writeFileSync(join(dir, 'node', 'index.js'), 'exports.handler = async () => 1;\n');
  writeFileSync(join(dir, 'node', 'package.json'), '{"name":"n","dependencies":{"ms":"2.1.3"}}');
  writeFileSync(join(dir, 'get.json'), '{"path":"/"}');
  writeFileSync(join(dir, 'post.json'), '{"path":"/","body":"x"}');
});

describe('loadSuite', () => {
  it('merges defaults, resolves paths and reads events', () => {
    const file = suiteFile(
      'ok.yaml',
      `name: t
defaults: { runtime: python3.11, memory: [256, 512], cold: 3, seed: 7 }
functions:
  conn:
    code: py
    handler: app.handler
    variants:
      reuse: { handler: app.reuse }
      percall: { environment: { MODE: percall, N: 3 } }
    event: get.json
  deps: { code: deps, handler: app.handler, packaging: [bundled, layer], memory: 1024 }
  hello-node:
    code: node
    runtime: nodejs20.x
    handler: index.handler
    events: [{ file: get.json, weight: 3 }, { file: post.json }]
compare: [[reuse@256, percall@256]]
`,
    );
    const suite = loadSuite(file);
    expect(suite.name).toBe('t');
    expect(suite.seed).toBe(7);
    const [conn, deps, node] = suite.functions;
    expect(conn).toMatchObject({
      name: 'conn',
      code: join(dir, 'py'),
      runtimes: ['python3.11'],
      memory: [256, 512],
      cold: 3,
      warm: 10,
      timeout: 30,
      requirements: null,
      packaging: ['bundled'],
      packagingDeclared: false,
      layers: [],
      extensions: [null],
      provisioned: [0],
      snapStart: [false],
    });
    expect(conn.variants).toEqual({ reuse: { handler: 'app.reuse', environment: undefined }, percall: { handler: undefined, environment: { MODE: 'percall', N: '3' } } });
    expect(conn.events).toEqual([{ file: join(dir, 'get.json'), weight: 1, payload: '{"path":"/"}' }]);
    expect(deps).toMatchObject({ memory: [1024], requirements: join(dir, 'deps', 'requirements.txt'), packaging: ['bundled', 'layer'], packagingDeclared: true });
    expect(node).toMatchObject({ runtimes: ['nodejs20.x'], nodeDependencies: true, requirements: null });
    expect(node.events.map((e) => e.weight)).toEqual([3, 1]);
    expect(suite.compare).toEqual([['reuse@256', 'percall@256']]);
  });

  it('names the file, the field path and what is allowed for an out-of-range memory', () => {
    const file = suiteFile('mem.yaml', 'defaults: { runtime: python3.11 }\nfunctions:\n  deps: { code: py, handler: app.handler, memory: [128, 512, 20000] }\n');
    expect(errorOf(() => loadSuite(file))).toBe(`${file}: functions.deps.memory[2]: 20000 is above Lambda's 10240 MB limit; allowed: an integer 128-10240`);
  });

  it('reports an unknown key as a likely typo with the allowed keys', () => {
    const file = suiteFile('typo.yaml', 'functions:\n  f: { code: py, handler: app.handler, runtime: python3.11, memry: 512 }\n');
    const message = errorOf(() => loadSuite(file));
    expect(message).toContain(`${file}: functions.f.memry: unknown key (a typo?); allowed: code, handler, runtime, architecture, memory,`);
  });

  it('reports a missing code folder with the resolved path', () => {
    const file = suiteFile('nocode.yaml', 'functions:\n  f: { code: nope, handler: app.handler, runtime: python3.11 }\n');
    expect(errorOf(() => loadSuite(file))).toBe(
      `${file}: functions.f.code: "nope" is not a folder (resolved to ${join(dir, 'nope')}); allowed: a path to the function folder, relative to the suite`,
    );
  });

  it('reports a missing runtime, a bad strategy and a missing event file together', () => {
    const file = suiteFile('many.yaml', 'functions:\n  f: { code: py, handler: app.handler, event: missing.json }\n');
    expect(errorOf(() => loadSuite(file))).toBe(`${file}: functions.f.runtime: is required (here or in defaults); allowed: e.g. python3.11 or nodejs20.x`);
    const file2 = suiteFile('strategy.yaml', 'defaults: { coldStrategy: warmup }\nfunctions:\n  f: { code: py, handler: app.handler, runtime: python3.11 }\n');
    expect(errorOf(() => loadSuite(file2))).toBe(`${file2}: defaults.coldStrategy: "warmup" is not a cold-start strategy; allowed: burst, config-bump or version`);
    const file3 = suiteFile('event.yaml', 'functions:\n  f: { code: py, handler: app.handler, runtime: python3.11, event: missing.json }\n');
    expect(errorOf(() => loadSuite(file3))).toBe(`${file3}: functions.f.event: "missing.json" does not exist; allowed: a JSON event file, relative to the suite`);
  });

  it('refuses esbuild for a Python function', () => {
    const file = suiteFile('esb.yaml', 'functions:\n  f: { code: py, handler: app.handler, runtime: python3.11, packaging: esbuild }\n');
    expect(errorOf(() => loadSuite(file))).toBe(`${file}: functions.f.packaging: esbuild bundles Node functions only; allowed for python3.11: bundled or layer`);
  });

  it('names the file when the YAML does not parse', () => {
    const file = suiteFile('bad.yaml', 'functions: [unclosed\n');
    expect(errorOf(() => loadSuite(file))).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid YAML: `));
  });

  it('refuses a runtime the target cannot run only when the target says which it can (local); AWS decides for itself', () => {
    const file = suiteFile('py38.yaml', 'functions:\n  f: { code: py, handler: app.handler, runtime: python3.8 }\n');
    const rule = { allowed: ['python3.11', 'nodejs20.x'], where: 'the local emulator' };
    expect(errorOf(() => loadSuite(file, rule))).toBe(
      `${file}: functions.f.runtime: "python3.8" is not a runtime the local emulator can run (on --target aws, Lambda decides); allowed: python3.11, nodejs20.x`,
    );
    expect(loadSuite(file).functions[0].runtimes).toEqual(['python3.8']);
    const ok = suiteFile('py311.yaml', 'defaults: { runtime: [python3.11, nodejs20.x] }\nfunctions:\n  f: { code: py, handler: app.handler }\n');
    expect(loadSuite(ok, rule).functions[0].runtimes).toEqual(['python3.11', 'nodejs20.x']);
  });

  it('reads JSON suites', () => {
    const file = suiteFile('s.json', JSON.stringify({ functions: { f: { code: 'py', handler: 'app.handler', runtime: 'python3.11' } } }));
    expect(loadSuite(file)).toMatchObject({ name: 's', seed: 42, functions: [{ name: 'f', memory: [128], events: [{ file: '(none)', payload: '{}' }] }] });
  });
});

describe('loadSuiteDocument', () => {
  it('validates a plain object with paths relative to the given file', () => {
    const suite = loadSuiteDocument({ name: 'sls', functions: { f: { code: 'py', handler: 'app.handler', runtime: 'python3.12' } } }, join(dir, 'serverless.yml'));
    expect(suite.functions[0].code).toBe(join(dir, 'py'));
    expect(suite.file).toBe(join(dir, 'serverless.yml'));
  });

  it('counts as extensions exactly what the emulator launches: a dangling link and a file without +x are none', () => {
    // Both layers hold a dangling link and a non-executable file; only `agent` also holds an executable.
    for (const layer of ['broken', 'agent']) {
      mkdirSync(join(dir, layer, 'extensions'), { recursive: true });
      writeFileSync(join(dir, layer, 'extensions', 'notes'), 'not executable\n', { mode: 0o644 });
      symlinkSync(join(dir, layer, 'missing'), join(dir, layer, 'extensions', 'dangling'));
    }
    writeFileSync(join(dir, 'agent', 'extensions', 'agent'), '#!/bin/sh\n', { mode: 0o755 });
    const file = join(dir, 'ext.yaml');
    const doc = (extension: string) => ({ functions: { f: { code: 'py', handler: 'app.handler', runtime: 'python3.11', extensions: ['none', extension] } } });

    expect(errorOf(() => loadSuiteDocument(doc('broken'), file))).toBe(
      `${file}: functions.f.extensions[1]: "broken" has no executable in extensions/ (${join(dir, 'broken', 'extensions')}); an extension layer holds its executables there, as /opt/extensions; chmod +x them`,
    );

    expect(loadSuiteDocument(doc('agent'), file).functions[0].extensions).toEqual([null, { kind: 'folder', path: join(dir, 'agent'), name: 'agent' }]);
  });

  it("refuses more than Lambda's 5 layers per function, counting the extension layer", () => {
    const file = join(dir, 'layers.yaml');
    const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1`);
    const doc = (layers: string[], extensions?: string[]) => ({ functions: { f: { code: 'py', handler: 'app.handler', runtime: 'python3.11', layers, extensions } } });

    expect(loadSuiteDocument(doc(arns(5)), file).functions[0].layers).toHaveLength(5);
    expect(errorOf(() => loadSuiteDocument(doc(arns(6)), file))).toBe(`${file}: functions.f.layers: has more than Lambda's 5 layers per function`);
    expect(errorOf(() => loadSuiteDocument(doc(arns(5), ['none', 'arn:aws:lambda:us-east-1:123456789012:layer:ext:1']), file))).toBe(
      `${file}: functions.f.layers: with an extension layer that is more than Lambda's 5 layers per function`,
    );
  });

  it('refuses a document that is not a map', () => {
    expect(errorOf(() => loadSuiteDocument([1], 'x.yml'))).toBe(
      'x.yml: (top level): must be a map with `functions` (and optionally name, defaults, compare); see docs/suite-format.md',
    );
  });
});
