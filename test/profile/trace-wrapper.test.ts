import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_MARKER, parseImportTrace } from '../../src/profile/import-trace.ts';
import { parseStatementTimes } from '../../src/profile/statement-trace.ts';

const WRAPPER = fileURLToPath(new URL('../../src/profile/trace-wrapper.sh', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('trace-wrapper.sh', () => {
  it.skipIf(!hasPython)('re-runs python with -X importtime even in isolated mode (-I ignores PYTHONPROFILEIMPORTTIME)', () => {
    const run = spawnSync(WRAPPER, ['python3', '-I', '-S', '-c', 'import json; print("ok")'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ok\n');
    expect(parseImportTrace(run.stderr).map((r) => r.name)).toContain('json');
  });

  it.skipIf(!hasPython)('shows the module a runtime loads with importlib.import_module, which CPython alone does not trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-wrap-'));
    writeFileSync(join(dir, 'handler_mod.py'), 'import json\nVALUE = 1\n');
    writeFileSync(
      join(dir, 'boot.py'),
      'import importlib, sys\nsys.path.insert(0, sys.argv[1])\nm = importlib.import_module("handler_mod")\nprint(m.VALUE, __name__, sys.argv[1:] == [sys.argv[1]])\n',
    );
    try {
      const run = spawnSync(WRAPPER, ['python3', '-I', '-S', '-u', join(dir, 'boot.py'), dir], { encoding: 'utf8' });
      expect(run.stdout).toBe('1 __main__ True\n');
      const roots = parseImportTrace(run.stderr);
      expect(roots.find((r) => r.name === 'handler_mod')).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasPython)('times the module-level statements COLDBENCH_TRACE_STATEMENTS names, in if / try blocks too, keeping line numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-wrap-'));
    writeFileSync(
      join(dir, 'work_mod.py'),
      'import time\nLIMIT = 1\ntime.sleep(0.03)\nif LIMIT:\n    X = sum(\n        range(3)\n    )\n\ndef where():\n    import traceback\n    return traceback.extract_stack()[-1].lineno\n',
    );
    writeFileSync(join(dir, 'boot.py'), 'import importlib, sys\nsys.path.insert(0, sys.argv[1])\nm = importlib.import_module("work_mod")\nprint(m.X, m.where())\n');
    try {
      const run = spawnSync(WRAPPER, ['python3', '-I', '-S', '-u', join(dir, 'boot.py'), dir], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, COLDBENCH_TRACE_STATEMENTS: 'work_mod.py@:3-3,5-7' },
      });
      expect(run.stdout).toBe('3 11\n');
      const times = parseStatementTimes(run.stderr);
      expect(times.map((t) => [t.file, t.line, t.endLine])).toEqual([
        ['work_mod.py', 3, 3],
        ['work_mod.py', 5, 7],
      ]);
      expect(times[0].ms).toBeGreaterThanOrEqual(29);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds the ES module timer only with COLDBENCH_TRACE_ESM=1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-wrap-'));
    writeFileSync(join(dir, 'a.mjs'), "import './b.mjs';\n");
    writeFileSync(join(dir, 'b.mjs'), 'export const b = 1;\n');
    try {
      const names = (esm: string) => {
        const run = spawnSync(WRAPPER, [process.execPath, join(dir, 'a.mjs')], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, COLDBENCH_TRACE_ESM: esm },
        });
        expect(run.status).toBe(0);
        return parseImportTrace(run.stderr, NODE_MARKER).map((r) => [r.name, r.children.map((c) => c.name)]);
      };
      expect(names('1')).toEqual([['./a.mjs', ['./b.mjs']]]);
      expect(names('')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('preloads the require timer into node', () => {
    const run = spawnSync(WRAPPER, [process.execPath, '-e', "require('vitest/package.json'); console.log('ok')"], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ok\n');
    expect(parseImportTrace(run.stderr, NODE_MARKER).map((r) => r.name)).toEqual(['vitest/package.json']);
  });

  it('runs any other command unchanged', () => {
    const run = spawnSync(WRAPPER, ['echo', 'a', 'b'], { encoding: 'utf8' });
    expect(run.stdout).toBe('a b\n');
  });
});
