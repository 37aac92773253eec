import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchRunInfo, BenchSample } from '../../src/bench/results.ts';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { type EmulatorProcess, benchEnv, lambdaAt, spawnEmulator } from '../bench/helpers.ts';
import { BIN, REPO_ROOT, runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-resume-'));
const env = benchEnv(join(work, 'cache'));
let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await spawnEmulator();
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
});

function sampleLines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Starts a run and sends `signal` to the harness once `after` samples are on disk; resolves with its exit code. */
function runAndKill(args: string[], samplesFile: string, after: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(() => {
      if (!sent && sampleLines(samplesFile) >= after) {
        sent = true;
        child.kill(signal);
      }
    }, 20);
    child.once('close', (code) => {
      clearInterval(timer);
      if (sent) resolve({ code, stderr });
      else reject(new Error(`the run finished (exit ${code}) before it could be stopped`));
    });
  });
}

describe('coldbench bench --resume', () => {
  it('finishes a run whose harness was killed with SIGKILL: no sample redone, none lost, none doubled', async () => {
    const out = join(work, 'run');
    const samplesFile = join(out, 'samples.jsonl');
    await runAndKill(['bench', 'fixtures/suites/e2e-resume.yaml', '--target', emulator.url, '--out', out, '--quiet'], samplesFile, 8);
    const before = readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean);
    expect(before.length).toBeGreaterThanOrEqual(8);
    expect(before.length).toBeLessThan(30);
    expect((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as BenchRunInfo).status).toBe('running');

    const resumed = await runCli(['bench', '--resume', out, '--quiet'], { env });
    expect(resumed.stderr).toContain(`Results: ${out} (completed)`);
    expect(resumed.code).toBe(0);
    const lines = readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean);
    // Everything measured before the kill is still there, unchanged and first.
    expect(lines.slice(0, before.length)).toEqual(before);
    const samples = lines.map((l) => JSON.parse(l) as BenchSample);
    expect(samples).toHaveLength(30);
    for (const variant of ['main@128', 'other@128']) {
      for (const [phase, n] of [
        ['cold', 3],
        ['warm', 12],
      ] as const) {
        const indexes = samples.filter((s) => s.variant === variant && s.phase === phase).map((s) => s.sampleIndex);
        expect(indexes).toEqual(Array.from({ length: n }, (_, i) => i));
      }
    }
    expect(new Set(samples.map((s) => s.requestId)).size).toBe(30);
    expect(samples.every((s) => s.status === 'success' && s.kind === s.phase)).toBe(true);
    const info = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as BenchRunInfo;
    expect(info.status).toBe('completed');
    expect(info.target).toEqual({ kind: 'url', endpoint: emulator.url, region: 'us-east-1' });
  });

  it('on SIGINT finishes the invokes in flight, deletes what it created, exits 130, and the run resumes', async () => {
    const out = join(work, 'sigint');
    const samplesFile = join(out, 'samples.jsonl');
    const stopped = await runAndKill(['bench', 'fixtures/suites/e2e-resume.yaml', '--target', emulator.url, '--out', out, '--quiet'], samplesFile, 5, 'SIGINT');
    expect(stopped.stderr).toContain('SIGINT: finishing the invokes in flight, then cleaning up (press Ctrl-C again to exit at once)');
    expect(stopped.stderr).toContain(`Interrupted; \`coldbench bench --resume ${out}\` finishes the run.`);
    expect(stopped.code).toBe(130);
    expect((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as BenchRunInfo).status).toBe('interrupted');
    const functions = ((await lambdaAt(emulator.url).send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName);
    expect(functions).toEqual([]);
    const resumed = await runCli(['bench', '--resume', out, '--quiet'], { env });
    expect(resumed.code).toBe(0);
    expect(sampleLines(samplesFile)).toBe(30);
  });

  it('refuses a folder that holds no run, and a run that already completed', async () => {
    const none = await runCli(['bench', '--resume', join(work, 'nothing')], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`Error: --resume ${join(work, 'nothing')}: no run.json there; pass the folder of an earlier \`coldbench bench\` run (results/<run-id>)\n`);
    const done = await runCli(['bench', '--resume', join(work, 'run')], { env });
    expect(done.code).toBe(2);
    expect(done.stderr).toBe(`Error: --resume ${join(work, 'run')}: that run already completed; nothing to resume\n`);
  });
});
