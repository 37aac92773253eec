import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleSizeIn, pycTagFor, pythonTopLevel, scanPackages } from '../../src/profile/package-scan.ts';

const root = mkdtempSync(join(tmpdir(), 'coldbench-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function write(rel: string, bytes: number): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), 'x'.repeat(bytes));
}
// A site-packages layout: a package with tests and stubs, its vendored libs, a dist-info, a module.
write('py/pkg/__init__.py', 100);
write('py/pkg/__pycache__/__init__.cpython-311.pyc', 50);
write('py/pkg/core.py', 200);
write('py/pkg/core.pyi', 30);
write('py/pkg/tests/test_core.py', 1000);
write('py/pkg/testing/__init__.py', 10);
write('py/pkg.libs/libx.so', 400);
write('py/pkg-1.0.dist-info/RECORD', 999);
write('py/six.py', 70);
write('py/_speedups.cpython-311-x86_64-linux-gnu.so', 500);
write('node/node_modules/lodash/lodash.js', 300);
write('node/node_modules/lodash/README.md', 40);
write('node/node_modules/@aws-sdk/client-sts/dist-cjs/index.js', 600);
write('node/node_modules/@aws-sdk/client-sts/dist-types/index.d.ts', 90);
write('node/node_modules/.package-lock.json', 5);

describe('scanPackages (Python)', () => {
  const scan = scanPackages([join(root, 'py')], { language: 'python', pycTag: 'cpython-311' });

  it('sizes each top-level name with its vendored libs, without dist-info', () => {
    expect([...scan.keys()].sort()).toEqual(['_speedups', 'pkg', 'six']);
    expect(scan.get('pkg')).toMatchObject({ bytes: 100 + 50 + 200 + 30 + 1000 + 10 + 400, paths: ['pkg', 'pkg.libs'] });
    expect(scan.get('six')?.bytes).toBe(70);
  });

  it('lists tests and type stubs as removable, largest first', () => {
    expect(scan.get('pkg')?.removable).toEqual([
      { path: 'pkg/tests', bytes: 1000 },
      { path: 'pkg/core.pyi', bytes: 30 },
    ]);
    expect(scan.get('pkg')?.removableBytes).toBe(1030);
  });

  it('counts .py files without bytecode for the runtime’s tag', () => {
    expect(scan.get('pkg')).toMatchObject({ pyFiles: 3, pyFilesWithoutPyc: 2 });
    expect(scan.get('six')).toMatchObject({ pyFiles: 1, pyFilesWithoutPyc: 1 });
  });

  it('keeps a tests folder that a traced import loaded from', () => {
    const kept = scanPackages([join(root, 'py')], { language: 'python', importedDirs: new Set(['pkg/tests']) });
    expect(kept.get('pkg')?.removable.map((r) => r.path)).toEqual(['pkg/core.pyi']);
  });

  it('sums a package shipped in two roots (function and layer)', () => {
    const twice = scanPackages([join(root, 'py'), join(root, 'py')], { language: 'python' });
    expect(twice.get('six')?.bytes).toBe(140);
  });
});

describe('scanPackages (Node)', () => {
  it('sizes npm packages under node_modules, scoped ones by scope/name', () => {
    const scan = scanPackages([join(root, 'node')], { language: 'node' });
    expect([...scan.keys()].sort()).toEqual(['@aws-sdk/client-sts', 'lodash']);
    expect(scan.get('@aws-sdk/client-sts')).toMatchObject({ bytes: 690, removableBytes: 90 });
    expect(scan.get('lodash')?.removable).toEqual([{ path: 'node_modules/lodash/README.md', bytes: 40 }]);
  });
});

describe('pythonTopLevel / pycTagFor', () => {
  it('maps site-packages entries to import names', () => {
    expect(pythonTopLevel('numpy.libs')).toBe('numpy');
    expect(pythonTopLevel('_yaml.cpython-311-x86_64-linux-gnu.so')).toBe('_yaml');
  });
  it('gives CPython’s cache tag for a Lambda runtime name', () => {
    expect(pycTagFor('python3.11')).toBe('cpython-311');
    expect(pycTagFor('nodejs20.x')).toBeUndefined();
  });
});

describe('moduleSizeIn', () => {
  it('sizes a Python subpackage folder, a module file and an extension module', () => {
    expect(moduleSizeIn([join(root, 'py')], 'python', 'pkg.tests')).toBe(1000);
    expect(moduleSizeIn([join(root, 'py')], 'python', 'pkg.core')).toBe(200);
    expect(moduleSizeIn([join(root, 'py')], 'python', '_speedups')).toBe(500);
  });
  it('sizes a Node file under node_modules and gives null for the function’s own files', () => {
    expect(moduleSizeIn([join(root, 'node')], 'node', 'lodash/lodash.js')).toBe(300);
    expect(moduleSizeIn([join(root, 'node')], 'node', './index.js')).toBeNull();
  });
  it('gives null for a module the package does not ship', () => {
    expect(moduleSizeIn([join(root, 'py')], 'python', 'json')).toBeNull();
  });
});
