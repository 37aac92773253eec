import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaAt, spawnEmulator } from '../bench/helpers.ts';
import { runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-runtimes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LOCAL = 'python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, provided, provided.al2, provided.al2023';
const LOCAL_SERVERLESS = 'python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x';
const refused = (value: string, where = 'the local emulator', allowed = LOCAL) =>
  `${JSON.stringify(value)} is not a runtime ${where} can run (on --target aws, Lambda decides); allowed: ${allowed}`;

let n = 0;
/** A suite folder with one function folder, and the suite text. */
function suiteDir(suite: string): { file: string; out: string; cache: string } {
  const dir = join(work, `s${n++}`);
  mkdirSync(join(dir, 'fn'), { recursive: true });
  writeFileSync(join(dir, 'fn', 'app.py'), 'def handler(event, context):\n    return event\n');
  writeFileSync(join(dir, 'fn', 'app.js'), 'exports.handler = async (e) => e;\n');
  const file = join(dir, 'suite.yaml');
  writeFileSync(file, suite);
  return { file, out: join(dir, 'out'), cache: join(dir, 'cache') };
}

/** Runs the bench and checks that nothing was started, packaged or written. */
async function refusedRun(args: string[], paths: { out: string; cache: string }) {
  const run = await runCli(['bench', ...args, '--out', paths.out, '--quiet'], { env: { COLDBENCH_CACHE_DIR: paths.cache } });
  expect(run.stdout).toBe('');
  expect(existsSync(paths.out)).toBe(false);
  expect(existsSync(paths.cache)).toBe(false);
  return run;
}

describe('coldbench bench refuses a runtime the local emulator cannot run, before anything is packaged', () => {
  it('a suite function with runtime: python3.8 → exit 2 naming the file, the field and the runtimes it can run', async () => {
    const s = suiteDir('functions:\n  api:\n    code: fn\n    handler: app.handler\n    runtime: python3.8\n');
    const run = await refusedRun([s.file], s);
    expect(run.stderr).toBe(`Error: ${s.file}: functions.api.runtime: ${refused('python3.8')}\n`);
    expect(run.code).toBe(2);
  });

  it('names defaults.runtime once, and each refused item of a runtime list, java21 included', async () => {
    const s = suiteDir(
      'defaults:\n  runtime: java21\nfunctions:\n  a:\n    code: fn\n    handler: app.handler\n  b:\n    code: fn\n    handler: app.handler\n    runtime: [python3.11, nodejs16.x]\n',
    );
    const run = await refusedRun([s.file], s);
    expect(run.stderr).toBe(`Error: ${s.file}: defaults.runtime: ${refused('java21')}\n${s.file}: functions.b.runtime[1]: ${refused('nodejs16.x')}\n`);
    expect(run.code).toBe(2);
  });

  it('serverless.yml provider.runtime: nodejs16.x → exit 2 naming provider.runtime', async () => {
    const s = suiteDir('service: svc\nprovider:\n  name: aws\n  runtime: nodejs16.x\nfunctions:\n  get:\n    handler: app.handler\n');
    const run = await refusedRun(['--serverless', s.file], s);
    expect(run.stderr).toBe(`Error: ${s.file}: provider.runtime: ${refused('nodejs16.x', 'the local emulator', LOCAL_SERVERLESS)}\n`);
    expect(run.code).toBe(2);
  });

  it('serverless.yml functions.get.runtime: python3.8 → exit 2 naming functions.get.runtime', async () => {
    const s = suiteDir('service: svc\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  get:\n    handler: app.handler\n    runtime: python3.8\n');
    const run = await refusedRun(['--serverless', s.file], s);
    expect(run.stderr).toBe(`Error: ${s.file}: functions.get.runtime: ${refused('python3.8', 'the local emulator', LOCAL_SERVERLESS)}\n`);
    expect(run.code).toBe(2);
  });

  it('--target URL of a coldbench emulator: refused with the runtimes that emulator names, and nothing deployed', async () => {
    const emulator = await spawnEmulator();
    try {
      const s = suiteDir('functions:\n  api:\n    code: fn\n    handler: app.handler\n    runtime: python3.8\n');
      const run = await refusedRun([s.file, '--target', emulator.url], s);
      expect(run.stderr).toBe(`Error: ${s.file}: functions.api.runtime: ${refused('python3.8', `the coldbench emulator at ${emulator.url}`)}\n`);
      expect(run.code).toBe(2);
      const lambda = lambdaAt(emulator.url);
      expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
      lambda.destroy();
    } finally {
      await emulator.stop();
    }
  }, 60_000);

  it('--node is refused for a target other than the embedded emulator', async () => {
    const s = suiteDir('functions:\n  api:\n    code: fn\n    handler: app.handler\n    runtime: python3.11\n');
    const run = await refusedRun([s.file, '--target', 'aws', '--node', '/opt/node22/bin/node'], s);
    expect(run.stderr).toBe(
      'Error: --node /opt/node22/bin/node: only the embedded emulator (--target local) runs functions on it; a running `coldbench emulator` takes its own --node, and AWS runs its own\n',
    );
    expect(run.code).toBe(2);
  });

  it('coldbench emulator --node refuses a binary that is not a node it can use, with exit 2', async () => {
    const missing = join(work, 'no-such-node');
    const run = await runCli(['emulator', '--port', '0', '--node', missing]);
    expect(run.stderr).toBe(`Error: node binary ${missing} (--node / COLDBENCH_NODE): ${missing} is not an executable file; pass the path of a node executable\n`);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
  });
});
