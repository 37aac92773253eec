import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../../fixtures/functions/gcp', import.meta.url));
const pytest = spawnSync('python3', ['-c', 'import pytest'], { encoding: 'utf8' });
const missing = pytest.error ? 'python3 is not installed' : pytest.status !== 0 ? 'pytest is not installed for python3 (pip install pytest)' : null;

describe('Google functions-framework handlers (fixtures/functions/gcp)', () => {
  it.skipIf(missing !== null)(`pass their pytest tests as real Python calls${missing ? ` — skipped: ${missing}` : ''}`, () => {
    const run = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
      cwd: DIR,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(run.stdout + run.stderr).toMatch(/\d+ passed/);
    expect(run.stdout + run.stderr).not.toMatch(/failed|error/i);
    expect(run.status).toBe(0);
  });

  it('keep main.py valid Python', () => {
    const compile = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', 'main.py'], { cwd: DIR, encoding: 'utf8' });
    expect(compile.stderr).toBe('');
    expect(compile.status).toBe(0);
  });
});
