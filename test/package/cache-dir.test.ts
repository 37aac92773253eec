import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachePath, coldbenchCacheDir } from '../../src/cache-dir.ts';
import { defaultCacheDir } from '../../src/bench/package.ts';
import { runtimesCacheDir } from '../../src/emulator/environments/sdk.ts';
import { missingToolMessage } from '../../src/tools.ts';
import { DEFAULT_SUITE, PACKAGE_ROOT, suiteOrDefault, shippedPath } from '../../src/paths.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

describe('one cache root for every cache', () => {
  it('honours COLDBENCH_CACHE_DIR first, then an absolute XDG_CACHE_HOME, then ~/.cache/coldbench', () => {
    expect(coldbenchCacheDir({ COLDBENCH_CACHE_DIR: '/tmp/cb', XDG_CACHE_HOME: '/x' })).toBe('/tmp/cb');
    expect(coldbenchCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/coldbench');
    expect(coldbenchCacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'coldbench'));
    expect(coldbenchCacheDir({})).toBe(join(homedir(), '.cache', 'coldbench'));
  });

  it('is the root of the package builds and of the emulator runtime SDKs alike', () => {
    const env = { XDG_CACHE_HOME: '/x' };
    expect(defaultCacheDir(env)).toBe('/x/coldbench');
    expect(runtimesCacheDir(env)).toBe('/x/coldbench/runtimes');
    expect(cachePath('tls-v1', env)).toBe('/x/coldbench/tls-v1');
  });
});

describe('shipped files resolve from the package, not the current folder', () => {
  it('finds the seed suite under the package root', () => {
    expect(PACKAGE_ROOT).toBe(REPO_ROOT.replace(/\/$/, ''));
    expect(shippedPath(DEFAULT_SUITE)).toBe(join(REPO_ROOT, 'fixtures/suites/seed.yaml'));
    expect(suiteOrDefault(undefined, '/somewhere/else')).toBe(join(REPO_ROOT, 'fixtures/suites/seed.yaml'));
    // Inside the checkout the shorter relative path, as run.json and the output show it.
    expect(suiteOrDefault(undefined, REPO_ROOT)).toBe('fixtures/suites/seed.yaml');
    expect(suiteOrDefault('my.yaml')).toBe('my.yaml');
  });
});

describe('missing tools', () => {
  it('say what needs them and how to install them', () => {
    expect(missingToolMessage('python3')).toMatch(
      /^python3 not found: the python3\.x functions.*; install Python 3 \(apt install python3 \/ brew install python.*\) or benchmark Node functions only/,
    );
    expect(missingToolMessage('pip')).toMatch(/^pip not found: .*apt install python3-pip/);
  });
});
