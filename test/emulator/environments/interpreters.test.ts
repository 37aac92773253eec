import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearInterpreterMemo, InterpreterError, probeInterpreter, resolveInterpreters } from '../../../src/emulator/environments/interpreters.ts';

const root = mkdtempSync(join(tmpdir(), 'coldbench-interp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh folder of fake interpreters: name → shell script body; each run appends a line to <dir>/runs-<name>. */
function fakeBin(scripts: Record<string, string>): string {
  const dir = join(root, `bin${dirs++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const [name, body] of Object.entries(scripts)) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho run >> '${join(dir, `runs-${name}`)}'\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

const runs = (dir: string, name: string) =>
  existsSync(join(dir, `runs-${name}`))
    ? readFileSync(join(dir, `runs-${name}`), 'utf8')
        .split('\n')
        .filter(Boolean).length
    : 0;

const SHIM_127 = "echo 'pyenv: python3.12: command not found' >&2\nexit 127";
const PY_3117 = "echo 'Python 3.11.7'";

describe('interpreter probe', () => {
  it('does not count a python3.12 shim that exits 127: python3.12 falls back to python3 and is not exact', async () => {
    const dir = fakeBin({ 'python3.12': SHIM_127, python3: PY_3117 });
    const options = { env: { PATH: dir }, cacheDir: null };
    expect(await probeInterpreter('python3.12', 'python', options)).toEqual({
      ok: false,
      command: 'python3.12',
      reason: `${dir}/python3.12 exited with 127 (pyenv: python3.12: command not found)`,
    });
    const { byRuntime, python3 } = await resolveInterpreters(options);
    expect(python3).toEqual({ ok: true, command: 'python3', path: join(dir, 'python3'), version: '3.11.7' });
    expect(byRuntime['python3.12']).toEqual({ command: 'python3', path: join(dir, 'python3'), version: '3.11.7', exact: false });
    expect(byRuntime['python3.11']).toEqual({ command: 'python3', path: join(dir, 'python3'), version: '3.11.7', exact: true });
    // Not on PATH at all: the closest local, never exact.
    expect(byRuntime['python3.14']).toEqual({ command: 'python3', path: join(dir, 'python3'), version: '3.11.7', exact: false });
    expect(byRuntime['provided.al2023']).toEqual({ command: null, path: null, version: null, exact: true });
  });

  it('counts a python3.12 that reports Python 3.12.1, and runs the executable it names behind the shim', async () => {
    const plain = fakeBin({ 'python3.12': "echo 'Python 3.12.1'", python3: PY_3117 });
    const a = await resolveInterpreters({ env: { PATH: plain }, cacheDir: null });
    expect(a.byRuntime['python3.12']).toEqual({ command: 'python3.12', path: join(plain, 'python3.12'), version: '3.12.1', exact: true });
    expect(a.byRuntime['python3.13']).toEqual({ command: 'python3', path: join(plain, 'python3'), version: '3.11.7', exact: false });

    const real = join(root, 'real-python3.12');
    writeFileSync(real, '');
    const shimmed = fakeBin({ 'python3.12': `echo 'Python 3.12.1'\necho '${real}'`, python3: PY_3117 });
    const b = await resolveInterpreters({ env: { PATH: shimmed }, cacheDir: null });
    expect(b.byRuntime['python3.12']).toEqual({ command: 'python3.12', path: real, version: '3.12.1', exact: true });
  });

  it('does not count a python3.12 that reports another version', async () => {
    const dir = fakeBin({ 'python3.12': "echo 'Python 3.10.4'", python3: PY_3117 });
    const { byRuntime } = await resolveInterpreters({ env: { PATH: dir }, cacheDir: null });
    expect(byRuntime['python3.12']).toEqual({ command: 'python3', path: join(dir, 'python3'), version: '3.11.7', exact: false });
  });

  it('says why every python runtime is unavailable when python3 does not run either', async () => {
    const dir = fakeBin({ python3: SHIM_127 });
    const { byRuntime } = await resolveInterpreters({ env: { PATH: dir }, cacheDir: null });
    expect(byRuntime['python3.11']).toEqual({
      command: null,
      path: null,
      version: null,
      exact: false,
      problem: `python3 could not be run (${dir}/python3 exited with 127 (pyenv: python3.12: command not found))`,
    });
  });

  it('runs each command once per process, and once per machine with the disk cache', async () => {
    const dir = fakeBin({ 'python3.12': "echo 'Python 3.12.1'", 'python3.13': SHIM_127 });
    const cacheDir = join(root, 'cache');
    const options = { env: { PATH: dir }, cacheDir };
    const first = await probeInterpreter('python3.12', 'python', options);
    expect(first).toEqual({ ok: true, command: 'python3.12', path: join(dir, 'python3.12'), version: '3.12.1' });
    expect(await probeInterpreter('python3.12', 'python', options)).toEqual(first);
    expect((await probeInterpreter('python3.13', 'python', options)).ok).toBe(false);
    await probeInterpreter('python3.13', 'python', options);
    expect([runs(dir, 'python3.12'), runs(dir, 'python3.13')]).toEqual([1, 1]);

    // A new process (no memo) reads the disk cache; without it, the command runs again.
    clearInterpreterMemo();
    expect(await probeInterpreter('python3.12', 'python', options)).toEqual(first);
    expect((await probeInterpreter('python3.13', 'python', options)).ok).toBe(false);
    expect([runs(dir, 'python3.12'), runs(dir, 'python3.13')]).toEqual([1, 1]);
    clearInterpreterMemo();
    expect(await probeInterpreter('python3.12', 'python', { ...options, cacheDir: null })).toEqual(first);
    expect(runs(dir, 'python3.12')).toBe(2);

    // A changed command (new mtime or size) is probed again.
    clearInterpreterMemo();
    writeFileSync(join(dir, 'python3.12'), `#!/bin/sh\necho run >> '${join(dir, 'runs-python3.12')}'\necho 'Python 3.12.10'\n`);
    expect(await probeInterpreter('python3.12', 'python', options)).toEqual({ ok: true, command: 'python3.12', path: join(dir, 'python3.12'), version: '3.12.10' });
    expect(runs(dir, 'python3.12')).toBe(3);
  });

  it('serves nodejsNN.x on a --node binary of major NN, and every other nodejsNN.x on this node', async () => {
    const dir = fakeBin({ node22: "echo 'v22.3.0'", python3: PY_3117 });
    const { byRuntime } = await resolveInterpreters({ env: { PATH: dir }, cacheDir: null, nodeBinaries: [join(dir, 'node22')] });
    expect(byRuntime['nodejs22.x']).toEqual({ command: join(dir, 'node22'), path: join(dir, 'node22'), version: '22.3.0', exact: true });
    const current = process.version.slice(1);
    expect(byRuntime['nodejs18.x']).toEqual({ command: 'node', path: process.execPath, version: current, exact: current.startsWith('18.') });
    expect(byRuntime[`nodejs${current.split('.')[0]}.x`]).toEqual({ command: 'node', path: process.execPath, version: current, exact: true });
  });

  it('refuses a --node binary that does not run or serves no runtime', async () => {
    const dir = fakeBin({ node16: "echo 'v16.20.0'", broken: 'exit 3', python3: PY_3117 });
    const options = { env: { PATH: dir }, cacheDir: null };
    await expect(resolveInterpreters({ ...options, nodeBinaries: [join(dir, 'node16')] })).rejects.toThrow(
      new InterpreterError(
        `node binary ${join(dir, 'node16')} (--node / COLDBENCH_NODE) is node 16.20.0, which serves none of the runtimes the emulator runs (nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x)`,
      ),
    );
    await expect(resolveInterpreters({ ...options, nodeBinaries: [join(dir, 'broken')] })).rejects.toThrow(
      `node binary ${join(dir, 'broken')} (--node / COLDBENCH_NODE): ${join(dir, 'broken')} exited with 3; pass the path of a node executable`,
    );
    await expect(resolveInterpreters({ ...options, nodeBinaries: [join(dir, 'missing')] })).rejects.toThrow(
      `node binary ${join(dir, 'missing')} (--node / COLDBENCH_NODE): ${join(dir, 'missing')} is not an executable file; pass the path of a node executable`,
    );
  });
});
