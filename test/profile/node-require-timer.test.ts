import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_MARKER, parseImportTrace } from '../../src/profile/import-trace.ts';
import { parseStatementTimes } from '../../src/profile/statement-trace.ts';

const TIMER = fileURLToPath(new URL('../../src/profile/node-require-timer.cjs', import.meta.url));
const ESM_TIMER = fileURLToPath(new URL('../../src/profile/node-esm-timer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'coldbench-timer-'));
const files: Record<string, string> = {
  'index.js': "require('dep'); require('@scope/pkg'); require('dep'); require('node:path'); require('fs'); require('./lib/util.js');\nexports.handler = async () => 1;\n",
  'lib/util.js': 'module.exports = 1;\n',
  'node_modules/dep/package.json': '{"main":"main.js"}',
  'node_modules/dep/main.js': "module.exports = require('./inner.js');\n",
  'node_modules/dep/inner.js': 'module.exports = 2;\n',
  'node_modules/@scope/pkg/index.js': 'module.exports = 3;\n',
  'esm-boot.mjs': "const m = await import(process.argv[2]); if (typeof m.handler !== 'function') process.exit(3);\n",
};
for (const [rel, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

function traced(args: string[]) {
  const run = spawnSync(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: root, NODE_OPTIONS: `--require ${TIMER}` },
    encoding: 'utf8',
  });
  expect(run.status).toBe(0);
  return run.stderr;
}

describe('node-require-timer.cjs', () => {
  it('prints each first load once, nested under the module that required it', () => {
    const roots = parseImportTrace(traced(['-e', `require(${JSON.stringify(join(root, 'index.js'))})`]), NODE_MARKER);
    expect(roots.map((r) => r.name)).toEqual(['./index.js']);
    expect(roots[0].children.map((c) => c.name)).toEqual(['dep/main.js', '@scope/pkg/index.js', './lib/util.js']);
    expect(roots[0].children[0].children.map((c) => c.name)).toEqual(['dep/inner.js']);
  });

  it('never reports a module whose cumulative time is below its self time or its children’s', () => {
    const roots = parseImportTrace(traced(['-e', `require(${JSON.stringify(join(root, 'index.js'))})`]), NODE_MARKER);
    const check = (n: (typeof roots)[number]): void => {
      expect(n.cumulativeUs).toBeGreaterThanOrEqual(n.selfUs);
      for (const c of n.children) {
        expect(n.cumulativeUs).toBeGreaterThanOrEqual(c.cumulativeUs);
        check(c);
      }
    };
    roots.forEach(check);
  });

  it('traces a CommonJS handler loaded through import(), as ESM runtimes load it, with its requires under it', () => {
    const roots = parseImportTrace(traced(['esm-boot.mjs', join(root, 'index.js')]), NODE_MARKER);
    // Node 20 runs it without Module._load; its _compile is timed instead.
    expect(roots.map((r) => r.name)).toEqual(['./index.js']);
    expect(roots[0].children.map((c) => c.name)).toEqual(['dep/main.js', '@scope/pkg/index.js', './lib/util.js']);
  });

  it('times the module-level statements COLDBENCH_TRACE_STATEMENTS names, keeping line numbers', () => {
    const source = "const a = 1;\nAtomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);\nexports.line = () => new Error('x').stack.split('\\n')[1];\n";
    writeFileSync(join(root, 'work.js'), source);
    const start = source.indexOf('Atomics');
    const end = source.indexOf(';', start) + 1;
    const spec = `work.js@${source.length}:2-2-${start}-${end}`;
    const run = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(join(root, 'work.js'))}).line())`], {
      cwd: root,
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: root, NODE_OPTIONS: `--require ${TIMER}`, COLDBENCH_TRACE_STATEMENTS: spec },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('work.js:3:');
    const times = parseStatementTimes(run.stderr);
    expect(times.map((t) => [t.file, t.line, t.endLine])).toEqual([['work.js', 2, 2]]);
    expect(times[0].ms).toBeGreaterThanOrEqual(29);
    // A file whose length changed since the parser read it is left alone.
    const stale = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(root, 'work.js'))})`], {
      cwd: root,
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: root, NODE_OPTIONS: `--require ${TIMER}`, COLDBENCH_TRACE_STATEMENTS: `work.js@${source.length + 1}:2-2-${start}-${end}` },
      encoding: 'utf8',
    });
    expect(parseStatementTimes(stale.stderr)).toEqual([]);
  });
});

describe('node-esm-timer.mjs (--import, module.register hooks)', () => {
  it('times ES modules nested under their importer, a CommonJS package under none, and statements of an .mjs file', () => {
    const esm: Record<string, string> = {
      'esm/index.mjs': "import dep from 'dep';\nimport { x } from './b.mjs';\nexport const handler = async () => dep + x;\n",
      'esm/b.mjs': 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);\nexport const x = 1;\n',
    };
    for (const [rel, text] of Object.entries(esm)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const b = esm['esm/b.mjs'];
    const spec = `esm/b.mjs@${b.length}:1-1-0-${b.indexOf(';') + 1}`;
    const run = spawnSync(process.execPath, ['--import', ESM_TIMER, 'esm-boot.mjs', join(root, 'esm/index.mjs')], {
      cwd: root,
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: root, NODE_OPTIONS: `--require ${TIMER}`, COLDBENCH_TRACE_STATEMENTS: spec },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const roots = parseImportTrace(run.stderr, NODE_MARKER);
    // The boot script is an ES module of the task root too: the handler's import() is inside its body.
    expect(roots.map((r) => r.name)).toEqual(['dep/main.js', './esm-boot.mjs']);
    expect(roots[0].children.map((c) => c.name)).toEqual(['dep/inner.js']);
    const [handler] = roots[1].children;
    expect(handler.name).toBe('./esm/index.mjs');
    expect(handler.children.map((c) => c.name)).toEqual(['./esm/b.mjs']);
    expect(handler.children[0].selfUs).toBeGreaterThanOrEqual(19_000);
    expect(handler.cumulativeUs).toBeGreaterThanOrEqual(handler.children[0].cumulativeUs);
    expect(parseStatementTimes(run.stderr).map((t) => [t.file, t.line])).toEqual([['esm/b.mjs', 1]]);
  });
});
