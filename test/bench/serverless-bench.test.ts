import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { benchEnv, readRun } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-serverless-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('coldbench bench --serverless', () => {
  it('benchmarks the guide service on the embedded emulator: three functions, requirements in a layer', async () => {
    const out = join(work, 'guide');
    const run = await runCli(['bench', '--serverless', 'fixtures/serverless/serverless.yml', '--cold', '1', '--warm', '2', '--out', out, '--quiet'], {
      env: benchEnv(join(work, 'cache')),
    });
    expect(run.stderr).toContain(`Results: ${out} (completed)`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(suite coldbench-guide-dev)');
    for (const row of [/hello@512-layer\s+cold\s+1\s/, /hello@512-layer\s+warm\s+2\s/, /processor@1024-layer\s+cold\s+1\s/, /worker@512-layer\s+warm\s+2\s/])
      expect(run.stdout).toMatch(row);
    const { samples } = readRun(out);
    expect(samples.map((s) => `${s.variant} ${s.kind}`).sort()).toEqual([
      'hello@512-layer cold',
      'hello@512-layer warm',
      'hello@512-layer warm',
      'processor@1024-layer cold',
      'processor@1024-layer warm',
      'processor@1024-layer warm',
      'worker@512-layer cold',
      'worker@512-layer warm',
      'worker@512-layer warm',
    ]);
    for (const s of samples) {
      expect(s.status).toBe('success');
      expect(s.memoryMB).toBe(s.variant.startsWith('processor') ? 1024 : 512);
      expect(s.coldBy).toBe(s.kind === 'cold' ? 'init-duration' : 'none');
    }
  }, 300_000);

  it('prints a warning for each function it leaves out, and exits 2 naming why when none is left', async () => {
    const dir = join(work, 'wsgi');
    mkdirSync(dir);
    const file = join(dir, 'serverless.yml');
    writeFileSync(
      file,
      'service: svc\nplugins: [serverless-wsgi, serverless-lift]\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  api:\n    handler: wsgi_handler.handler\nconstructs:\n  jobs:\n    type: queue\n    worker:\n      handler: worker.handler\n',
    );
    const run = await runCli(['bench', '--serverless', file, '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `Warning: ${file}: functions.api: handler wsgi_handler.handler comes from the serverless-wsgi plugin (it adds wsgi_handler.py to the package), which coldbench does not model; it is left out of the benchmark\n` +
        `Warning: ${file}: constructs.jobs.worker: the worker of the queue construct jobs (handler worker.handler) comes from the serverless-lift plugin, which coldbench does not model; it is left out of the benchmark\n` +
        `Error: ${file}: functions: nothing left to benchmark; every function comes from a plugin or construct coldbench does not model: functions.api (serverless-wsgi), constructs.jobs.worker (serverless-lift). Benchmark its code with a suite file (docs/suite-format.md)\n`,
    );
  });

  it('exits 2 with the field and the unsupported variable source named', async () => {
    const dir = join(work, 'ssm');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'serverless.yml'),
      'service: svc\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  f:\n    handler: app.handler\n    environment:\n      KEY: ${ssm:/app/key}\n',
    );
    const run = await runCli(['bench', '--serverless', join(dir, 'serverless.yml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Error: ${join(dir, 'serverless.yml')}: functions.f.environment.KEY: \${ssm:/app/key}: the ssm:… variable source is not supported`);
    expect(run.stdout).toBe('');
  });
});
