import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyExecWrapper, resolveWrapperPath } from '../../../src/emulator/environments/exec-wrapper.ts';

const dir = mkdtempSync(join(tmpdir(), 'coldbench-wrapper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const layerA = join(dir, 'layer-a');
const layerB = join(dir, 'layer-b');
for (const layer of [layerA, layerB]) {
  mkdirSync(layer, { recursive: true });
  writeFileSync(join(layer, 'wrap'), `#!/bin/sh\necho "${layer === layerA ? 'a' : 'b'}: $@"\n`);
  chmodSync(join(layer, 'wrap'), 0o755);
}
writeFileSync(join(layerA, 'only-a'), '');

describe('resolveWrapperPath', () => {
  it('resolves /opt/ paths against the layers, the later layer winning as in /opt', () => {
    expect(resolveWrapperPath('/opt/wrap', [layerA, layerB])).toBe(join(layerB, 'wrap'));
    expect(resolveWrapperPath('/opt/only-a', [layerA, layerB])).toBe(join(layerA, 'only-a'));
  });
  it('returns null for a wrapper that exists nowhere', () => {
    expect(resolveWrapperPath('/opt/missing', [layerA])).toBeNull();
  });
});

describe('applyExecWrapper', () => {
  const launch = { ok: true as const, command: '/usr/bin/python3', args: ['-I', '-S', '-u', 'bootstrap.py'], env: { A: '1' } };

  it('leaves the launch alone when AWS_LAMBDA_EXEC_WRAPPER is not set', () => {
    expect(applyExecWrapper(launch, [layerA])).toBe(launch);
  });

  it('passes the runtime command line to the wrapper as its arguments', () => {
    const wrapped = applyExecWrapper({ ...launch, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrap' } }, [layerA, layerB]);
    expect(wrapped).toEqual({
      ok: true,
      command: join(layerB, 'wrap'),
      args: ['/usr/bin/python3', '-I', '-S', '-u', 'bootstrap.py'],
      env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrap' },
    });
    if (!wrapped.ok) return;
    const run = spawnSync(wrapped.command, wrapped.args, { encoding: 'utf8' });
    expect(run.stdout).toBe('b: /usr/bin/python3 -I -S -u bootstrap.py\n');
  });

  it('fails the init with Runtime.InvalidEntrypoint when the wrapper is missing', () => {
    expect(applyExecWrapper({ ...launch, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/nope' } }, [layerA])).toEqual({
      ok: false,
      errorType: 'Runtime.InvalidEntrypoint',
      message: "AWS_LAMBDA_EXEC_WRAPPER /opt/nope: no such file in the function's layers or on this machine",
    });
  });

  it('keeps a failed launch as it is', () => {
    const failed = { ok: false as const, errorType: 'Runtime.InvalidRuntime', message: 'x' };
    expect(applyExecWrapper(failed, [])).toBe(failed);
  });
});
