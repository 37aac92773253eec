import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PackageTooLargeError } from '../../src/bench/errors.ts';
import { type BuiltPackage, MAX_UNZIPPED_BYTES, checkSizes, packageAll, packageVariant, pipInstallArgs } from '../../src/bench/package.ts';
import { plan } from '../../src/bench/plan.ts';
import { loadSuiteDocument } from '../../src/bench/suite.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { LOCAL_PIP } from './helpers.ts';

let cacheDir: string;
beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'coldbench-cache-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

function suiteOf(functions: Record<string, unknown>) {
  return loadSuiteDocument({ functions }, join(REPO_ROOT, 'fixtures/suites/e2e-test.yaml'));
}
function names(zipPath: string): string[] {
  return Object.keys(unzipSync(readFileSync(zipPath))).sort();
}

describe('packageAll', () => {
  it('bundles Python dependencies with the code, or puts them in a python/ layer', async () => {
    const suite = suiteOf({
      deps: { code: '../functions/edge/py-deps', handler: 'app.handler', runtime: 'python3.11', packaging: ['bundled', 'layer'], pip: { args: LOCAL_PIP } },
    });
    const p = plan(suite);
    const packages = await packageAll(suite, p, { cacheDir, targetKind: 'local' });
    const bundled = packages.get('deps@128-bundled')!;
    const layered = packages.get('deps@128-layer')!;
    expect(names(bundled.function.path)).toEqual(expect.arrayContaining(['app.py', 'requirements.txt', 'six.py']));
    expect(bundled.layer).toBeNull();
    expect(names(layered.function.path)).toEqual(['app.py', 'requirements.txt']);
    expect(names(layered.layer!.path)).toContain('python/six.py');
    expect(layered.layer!.unzippedBytes).toBeGreaterThan(0);
  });

  it('reuses the cached build for the same inputs and gives the same CodeSha256', async () => {
    const suite = suiteOf({ deps: { code: '../functions/edge/py-deps', handler: 'app.handler', runtime: 'python3.11', pip: { args: LOCAL_PIP } } });
    const first = (await packageAll(suite, plan(suite), { cacheDir, targetKind: 'local' })).get('deps@128-bundled')!;
    const second = (await packageAll(suite, plan(suite), { cacheDir, targetKind: 'local' })).get('deps@128-bundled')!;
    expect(second.function.cached).toBe(true);
    expect(second.function.sha256).toBe(first.function.sha256);
    expect(second.function.path).toBe(first.function.path);
  });

  it('installs Node dependencies into nodejs/node_modules for a layer and bundles with esbuild', async () => {
    const suite = suiteOf({ nd: { code: '../functions/edge/node-deps', handler: 'index.handler', runtime: 'nodejs20.x', packaging: ['layer', 'esbuild'] } });
    const packages = await packageAll(suite, plan(suite), { cacheDir, targetKind: 'local' });
    const layer = packages.get('nd@128-layer')!;
    expect(names(layer.function.path)).toEqual(['index.js', 'package.json']);
    expect(names(layer.layer!.path)).toContain('nodejs/node_modules/ms/index.js');
    const esb = packages.get('nd@128-esbuild')!;
    expect(names(esb.function.path)).toEqual(['index.js']);
    const bundle = strFromU8(unzipSync(readFileSync(esb.function.path))['index.js']);
    expect(bundle).not.toContain("require('ms')");
    expect(bundle.split('\n').length).toBeLessThan(5);
    expect(esb.layer).toBeNull();
  });

  it('names the function and shows pip output when pip fails', async () => {
    const suite = suiteOf({ deps: { code: '../functions/edge/py-deps', handler: 'app.handler', runtime: 'python3.11', pip: { args: [...LOCAL_PIP, '--no-such-flag'] } } });
    await expect(packageAll(suite, plan(suite), { cacheDir, targetKind: 'local' })).rejects.toThrow(
      /^packaging deps: `python3 -m pip install .*--no-such-flag` exited with 2:\n.*no such option: --no-such-flag/s,
    );
  });
});

describe('packageVariant', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('runs pip with COLDBENCH_PIP_ARGS when the caller passes no extra pip arguments, as profile does, and builds anew for them', async () => {
    const suite = suiteOf({ deps: { code: '../functions/edge/py-deps', handler: 'app.handler', runtime: 'python3.11', pip: { args: LOCAL_PIP } } });
    const { variants } = plan(suite);
    // The options src/profile/run.ts passes: no extraPipArgs.
    const build = () => packageVariant(suite.functions[0], variants[0], variants, { cacheDir, targetKind: 'local', log: () => {} });
    vi.stubEnv('COLDBENCH_PIP_ARGS', '');
    expect(names((await build()).function.path)).toContain('six.py');
    // A build cached without the env's arguments is not reused: pip runs, with them after the suite's.
    vi.stubEnv('COLDBENCH_PIP_ARGS', '--no-such-flag');
    await expect(build()).rejects.toThrow(/^packaging deps: `python3 -m pip install .* --retries 0 --no-such-flag` exited with 2:\n.*no such option: --no-such-flag/s);
  });
});

describe('pipInstallArgs', () => {
  /** What every install of r.txt into /t starts with. */
  const INSTALL_R_TXT_INTO_T = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', 'r.txt', '--target', '/t'];
  it("targets Lambda's platform and Python version on a real account", () => {
    expect(pipInstallArgs('r.txt', '/t', 'python3.12', 'arm64', 'aws', ['--retries', '0'])).toEqual([
      ...INSTALL_R_TXT_INTO_T,
      '--platform',
      'manylinux2014_aarch64',
      '--only-binary=:all:',
      '--python-version',
      '3.12',
      '--implementation',
      'cp',
      '--retries',
      '0',
    ]);
    expect(pipInstallArgs('r.txt', '/t', 'python3.11', 'x86_64', 'local', [], {})).toEqual([...INSTALL_R_TXT_INTO_T, '--retries', '1']);
  });

  it('leaves the retries to the user when PIP_RETRIES is set', () => {
    expect(pipInstallArgs('r.txt', '/t', 'python3.11', 'x86_64', 'local', [], { PIP_RETRIES: '0' })).not.toContain('--retries');
  });
});

describe('checkSizes', () => {
  const zip = (unzippedBytes: number) => ({ path: 'x', sha256: 'x', zipBytes: 1, unzippedBytes, key: 'k', cached: false });
  it('refuses a variant whose function and layer exceed 250 MB unzipped, naming it', () => {
    const packages = new Map<string, BuiltPackage>([
      ['ok@128', { function: zip(1000), layer: null, folderLayers: [] }],
      ['big@128-layer', { function: zip(100 * 1024 * 1000), layer: zip(151 * 1024 * 1000), folderLayers: [] }],
    ]);
    expect(() => checkSizes(packages)).toThrow(PackageTooLargeError);
    expect(() => checkSizes(packages)).toThrow(
      "a package is above Lambda's 250 MB unzipped limit (function and layers together); nothing was deployed:\n  big@128-layer: 251.0 MB (function 100.0 MB + layer 151.0 MB)\nTrim the dependencies, or move them to a container image (not supported by coldbench).",
    );
  });
  it("counts a variant's folder layers (the extensions axis) towards the limit and names them", async () => {
    const suite = suiteOf({
      hello: { code: '../calibration/functions/hello-python', handler: 'app.handler', runtime: 'python3.11', extensions: ['none', '../layers/agent'] },
    });
    const packages = await packageAll(suite, plan(suite), { cacheDir, targetKind: 'local' });
    const agent = packages.get('hello@128-agent')!;
    expect(packages.get('hello@128')!.folderLayers).toEqual([]);
    expect(agent.folderLayers!.map((l) => l.name)).toEqual(['agent']);
    expect(names(agent.folderLayers![0].zip.path)).toEqual(['agent/config.json', 'extensions/agent']);
    const layerBytes = agent.folderLayers![0].zip.unzippedBytes;
    expect(layerBytes).toBeGreaterThan(0);
    // A function that fits alone but not with its extension layer.
    const tight = new Map<string, BuiltPackage>([['hello@128-agent', { ...agent, function: zip(MAX_UNZIPPED_BYTES - layerBytes + 1) }]]);
    expect(() => checkSizes(tight)).toThrow(
      /^a package is above Lambda's 250 MB unzipped limit .*\n {2}hello@128-agent: 250\.0 MB \(function \d+\.\d MB \+ layer 0\.0 MB \+ layer agent 0\.0 MB\)\n/,
    );
    expect(() => checkSizes(new Map([['hello@128-agent', { ...agent, function: zip(MAX_UNZIPPED_BYTES - layerBytes) }]]))).not.toThrow();
  });
  it('accepts exactly the limit', () => {
    expect(() => checkSizes(new Map([['edge@128', { function: zip(MAX_UNZIPPED_BYTES), layer: null, folderLayers: [] }]]))).not.toThrow();
  });
});
