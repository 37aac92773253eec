import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, ResourceNotFoundException, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { zipOf } from '../emulator/api/helpers.ts';
import { BIN, REPO_ROOT, runCli } from '../helpers/cli.ts';

const started: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Spawns `coldbench emulator` and resolves with its first stdout line (the URL). */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve({ child, url: stdout.slice(0, nl), stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code} before printing its URL: ${stderr}`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** Every process whose parent chain leads to `pid` (from /proc; empty where /proc is missing). */
function descendants(pid: number): number[] {
  if (!existsSync('/proc')) return [];
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      found.push(c);
      stack.push(c);
    }
  }
  return found;
}

describe('coldbench emulator', () => {
  it('prints http://127.0.0.1:PORT first, serves the SDK, and exits 0 on SIGTERM leaving no child processes or temp folders', async () => {
    // A private TMPDIR, so this emulator's temp folders are told apart from other tests' ones.
    const tmp = mkdtempSync(`${tmpdir()}/coldbench-cli-test-`);
    const { child, url, stderr } = await startCli(['--port', '0', '--host', '127.0.0.1'], { TMPDIR: tmp });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    const error = await client.send(new GetFunctionCommand({ FunctionName: 'nothing' })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    // A live execution environment (a Python process tree) must be gone after SIGTERM too.
    const zip = zipOf({ 'app.py': 'def handler(event, context):\n    return 7\n' });
    await client.send(
      new CreateFunctionCommand({ FunctionName: 'cli-fn', Runtime: 'python3.11', Handler: 'app.handler', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: zip } }),
    );
    await waitUntilFunctionActiveV2({ client, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'cli-fn' });
    const result = await client.send(new InvokeCommand({ FunctionName: 'cli-fn', Payload: '{}' }));
    expect(Buffer.from(result.Payload!).toString()).toBe('7');
    client.destroy();
    expect(readdirSync(tmp).some((n) => n.startsWith('coldbench-emulator-'))).toBe(true);
    const pid = child.pid!;
    expect(descendants(pid).length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(descendants(pid)).toEqual([]);
    // tsx keeps its own cache there (tsx-0); everything coldbench made must be gone.
    expect(readdirSync(tmp).filter((n) => n.startsWith('coldbench-'))).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
    expect(stderr()).not.toContain('Warning');
  });

  it('stops on SIGINT with exit code 0', async () => {
    const { child } = await startCli(['--port', '0']);
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
  });

  it('warns on stderr when --host is not loopback', async () => {
    const { child, stderr } = await startCli(['--port', '0', '--host', '0.0.0.0']);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(stderr()).toContain('Warning: --host 0.0.0.0 is not loopback: anyone who can reach this address can run code on this machine through the emulator.');
  });

  it('exits 2 naming --port for a port out of range', async () => {
    const run = await runCli(['emulator', '--port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Error: --port: 70000 is not a port number');
    expect(run.stdout).toBe('');
  });
});
