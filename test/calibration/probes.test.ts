import { describe, expect, it } from 'vitest';
import { isProbeRuntime, probeFunctions, probeOfVariant } from '../../src/calibration/probes.ts';

describe('probeOfVariant', () => {
  it('reads the probe, runtime and architecture of a local variant name', () => {
    expect(probeOfVariant('hello-python311@128-arm64')).toEqual({ kind: 'hello', name: 'hello-python311', runtime: 'python3.11', architecture: 'arm64' });
    expect(probeOfVariant('hello-nodejs20x@512-x86_64')).toEqual({ kind: 'hello', name: 'hello-nodejs20x', runtime: 'nodejs20.x', architecture: 'x86_64' });
  });

  it('reads a deployed or imported function name that ends with the probe name', () => {
    expect(probeOfVariant('coldbench-k3f9-client-python311@1792')).toEqual({ kind: 'client', name: 'client-python311', runtime: 'python3.11', architecture: 'x86_64' });
  });

  it('returns null for any other variant', () => {
    expect(probeOfVariant('reuse@512')).toBeNull();
    expect(probeOfVariant('hello@512')).toBeNull();
  });
});

describe('probeFunctions', () => {
  it('returns a hello per runtime and the client and CPU-bound init on the first Python runtime', () => {
    expect(probeFunctions(['nodejs20.x', 'python3.12', 'python3.11']).map((p) => `${p.name}:${p.folder}:${p.handler}`)).toEqual([
      'hello-nodejs20x:hello-node:index.handler',
      'hello-python312:hello-python:app.handler',
      'hello-python311:hello-python:app.handler',
      'client-python312:client-python:app.handler',
      'cpuinit-python312:cpu-init-python:app.handler',
    ]);
  });
});

describe('isProbeRuntime', () => {
  it('accepts Python 3 and Node.js runtimes only', () => {
    expect(['python3.9', 'nodejs24.x', 'provided.al2023', 'java21'].map(isProbeRuntime)).toEqual([true, true, false, false]);
  });
});
