import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AssemblerOptions, SampleAssembler } from '../../src/probe/assembler.ts';
import type { Sample } from '../../src/probe/sample.ts';

/** Feeds a log text to an assembler line by line, as the file importer does, and collects its samples and stats. */
export function assembleWith(create: (options: AssemblerOptions) => SampleAssembler, text: string, options: AssemblerOptions = {}) {
  const assembler = create(options);
  const samples: Sample[] = [];
  // As the file importer feeds lines: a final newline ends the last line, it does not add a blank one.
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    samples.push(...assembler.push(line, i + 1));
  });
  samples.push(...assembler.end());
  return { samples, stats: assembler.stats() };
}

/** Runs a fixture folder's pytest tests and checks its entry module parses, skipping visibly without pytest. */
export function describePythonHandlers(title: string, folder: string, entryFile: string): void {
  const dir = fileURLToPath(new URL(`../../fixtures/functions/${folder}`, import.meta.url));
  const pytest = spawnSync('python3', ['-c', 'import pytest'], { encoding: 'utf8' });
  const missing = pytest.error ? 'python3 is not installed' : pytest.status !== 0 ? 'pytest is not installed for python3 (pip install pytest)' : null;
  describe(title, () => {
    it.skipIf(missing !== null)(`pass their pytest tests as real Python calls${missing ? ` — skipped: ${missing}` : ''}`, () => {
      const run = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      expect(run.stdout + run.stderr).toMatch(/\d+ passed/);
      expect(run.stdout + run.stderr).not.toMatch(/failed|error/i);
      expect(run.status).toBe(0);
    });

    it(`keep ${entryFile} valid Python`, () => {
      const compile = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', entryFile], { cwd: dir, encoding: 'utf8' });
      expect(compile.stderr).toBe('');
      expect(compile.status).toBe(0);
    });
  });
}
