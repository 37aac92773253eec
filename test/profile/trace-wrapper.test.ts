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
/** try/except* (ast.TryStar) parses from Python 3.11 on. */
const hasTryStar = hasPython && spawnSync('python3', ['-c', 'import ast; ast.TryStar']).status === 0;

/**
 * Runs work_mod.py (`lines`, then a `where()` that returns its own line number) through the wrapper
 * under python3 with COLDBENCH_TRACE_STATEMENTS naming its statements `spans` (`3-3,5-7`): what the
 * boot script printed (`<work_mod.X> <where()>`) and the statement times the shim wrote.
 */
function traceStatements(lines: string[], spans: string) {
  const dir = mkdtempSync(join(tmpdir(), 'coldbench-wrap-'));
  writeFileSync(join(dir, 'work_mod.py'), [...lines, '', 'def where():', '    import traceback', '    return traceback.extract_stack()[-1].lineno', ''].join('\n'));
  writeFileSync(join(dir, 'boot.py'), 'import importlib, sys\nsys.path.insert(0, sys.argv[1])\nm = importlib.import_module("work_mod")\nprint(m.X, m.where())\n');
  try {
    const run = spawnSync(WRAPPER, ['python3', '-I', '-S', '-u', join(dir, 'boot.py'), dir], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, COLDBENCH_TRACE_STATEMENTS: `work_mod.py@:${spans}` },
    });
    return { stdout: run.stdout, times: parseStatementTimes(run.stderr) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
    const run = traceStatements(['import time', 'LIMIT = 1', 'time.sleep(0.03)', 'if LIMIT:', '    X = sum(', '        range(3)', '    )'], '3-3,5-7');
    expect(run.stdout).toBe('3 11\n');
    expect(run.times.map((t) => [t.file, t.line, t.endLine])).toEqual([
      ['work_mod.py', 3, 3],
      ['work_mod.py', 5, 7],
    ]);
    expect(run.times[0].ms).toBeGreaterThanOrEqual(29);
  });

  it.skipIf(!hasPython)('times the statements COLDBENCH_TRACE_STATEMENTS names inside a module-level try/except* block', (ctx) => {
    if (!hasTryStar) ctx.skip('python3 here is older than 3.11: no try/except* (ast.TryStar)');
    const run = traceStatements(
      ['import time', 'try:', '    time.sleep(0.03)', 'except* ValueError:', '    Z = 0', 'finally:', '    X = sum(', '        range(3)', '    )'],
      '3-3,5-5,7-9',
    );
    expect(run.stdout).toBe('3 13\n');
    // The handler's statement (line 5) never runs, so only the body and finally are timed.
    expect(run.times.map((t) => [t.file, t.line, t.endLine])).toEqual([
      ['work_mod.py', 3, 3],
      ['work_mod.py', 7, 9],
    ]);
    expect(run.times[0].ms).toBeGreaterThanOrEqual(29);
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
