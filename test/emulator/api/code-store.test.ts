import { existsSync, readFileSync, statSync } from 'node:fs';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodeStore, NOT_A_ZIP_MESSAGE } from '../../../src/emulator/api/code-store.ts';
import type { AwsError } from '../../../src/emulator/api/errors.ts';

const enc = new TextEncoder();
/** Unix "made by" host in the zip's version-made-by field, so external attributes carry st_mode. */
const UNIX = 3;

let store: CodeStore;
beforeEach(async () => {
  store = await CodeStore.create();
});
afterEach(async () => {
  await store.destroy();
});

async function rejection(zip: Uint8Array): Promise<AwsError> {
  try {
    await store.put(zip);
  } catch (error) {
    return error as AwsError;
  }
  throw new Error('expected the zip to be refused');
}

describe('CodeStore', () => {
  it('extracts files read-only and keeps the execute bit of executables', async () => {
    const zip = zipSync({
      'app.py': [enc.encode('x = 1\n'), { os: UNIX, attrs: 0o100644 << 16 }],
      bootstrap: [enc.encode('#!/bin/sh\n'), { os: UNIX, attrs: 0o100755 << 16 }],
      'pkg/mod.py': enc.encode('y = 2\n'),
    });
    const stored = await store.put(zip);
    expect(readFileSync(`${stored.dir}/app.py`, 'utf8')).toBe('x = 1\n');
    expect(readFileSync(`${stored.dir}/pkg/mod.py`, 'utf8')).toBe('y = 2\n');
    expect(statSync(`${stored.dir}/app.py`).mode & 0o777).toBe(0o444);
    expect(statSync(`${stored.dir}/bootstrap`).mode & 0o777).toBe(0o555);
    expect(statSync(stored.dir).mode & 0o777).toBe(0o555);
    expect(stored.codeSize).toBe(zip.length);
  });

  it('extracts the same bytes once and returns the same folder', async () => {
    const zip = zipSync({ 'a.txt': enc.encode('a') });
    const [first, second] = await Promise.all([store.put(zip), store.put(zip)]);
    expect(second.dir).toBe(first.dir);
  });

  it.each([
    ['../escape.py', 'would be extracted outside'],
    ['a/../../escape.py', 'would be extracted outside'],
    ['/etc/passwd-copy', 'would be extracted outside'],
    ['C:/windows.txt', 'would be extracted outside'],
  ])('refuses the entry %s with InvalidParameterValueException', async (name, message) => {
    const error = await rejection(zipSync({ [name]: enc.encode('x') }));
    expect(error.code).toBe('InvalidParameterValueException');
    expect(error.message).toContain(message);
  });

  it('refuses a symbolic link entry', async () => {
    const zip = zipSync({ link: [enc.encode('/etc/passwd'), { os: UNIX, attrs: 0o120777 << 16 }] });
    const error = await rejection(zip);
    expect(error.code).toBe('InvalidParameterValueException');
    expect(error.message).toBe('Zip entry "link" is a symbolic link; Lambda packages may not contain links. Replace it with the file it points to.');
  });

  it("refuses bytes that are not a zip with AWS's message, and a truncated zip too", async () => {
    expect((await rejection(enc.encode('hello'))).message).toBe(NOT_A_ZIP_MESSAGE);
    const zip = zipSync({ 'a.txt': enc.encode('a'.repeat(1000)) });
    expect((await rejection(zip.subarray(0, zip.length - 30))).message).toBe(NOT_A_ZIP_MESSAGE);
  });

  it('removes every folder on destroy', async () => {
    const stored = await store.put(zipSync({ 'd/a.txt': enc.encode('a') }));
    await store.destroy();
    expect(existsSync(stored.dir)).toBe(false);
    expect(existsSync(store.root)).toBe(false);
  });
});
