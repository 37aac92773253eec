import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_MARKER, parseImportTrace } from '../../src/profile/import-trace.ts';

const TIMER = fileURLToPath(new URL('../../src/profile/node-require-timer.cjs', import.meta.url));
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

  it('traces the requires of a CommonJS handler loaded through import(), as ESM runtimes load it', () => {
    const roots = parseImportTrace(traced(['esm-boot.mjs', join(root, 'index.js')]), NODE_MARKER);
    expect(roots.map((r) => r.name)).toEqual(['dep/main.js', '@scope/pkg/index.js', './lib/util.js']);
  });
});
