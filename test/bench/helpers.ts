/**
 * Shared by the harness's tests: a separate `coldbench emulator` process, SDK clients pointed
 * at an endpoint, and the local pip index (pip's default index is unreachable here).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { BenchRunInfo, BenchSample } from '../../src/bench/results.ts';
import { BIN, REPO_ROOT } from '../helpers/cli.ts';

/** pip flags for the machine's local package index (the default one is unreachable here). */
export const LOCAL_PIP = ['--index-url', 'file:///opt/pypi/simple', '--extra-index-url', 'file:///opt/pypi-more/simple', '--retries', '0'];
const LOCAL_PIP_ARGS = LOCAL_PIP.join(' ');
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface EmulatorProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `node bin/coldbench.js emulator --port 0` and reads its URL from the first stdout line. */
export function spawnEmulator(): Promise<EmulatorProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0'], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) {
        const url = out.slice(0, nl).trim();
        resolve({
          url,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`coldbench emulator exited with ${code} before printing its URL: ${err}`)));
  });
}

export function lambdaAt(url: string): LambdaClient {
  return new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS });
}

export function logsAt(url: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS });
}

/** Environment for CLI runs: the local pip index and a test-owned build cache (bin/coldbench.js silences the SDK's Node notice itself). */
export function benchEnv(cacheDir: string): NodeJS.ProcessEnv {
  return { COLDBENCH_PIP_ARGS: LOCAL_PIP_ARGS, COLDBENCH_CACHE_DIR: cacheDir };
}

/** A finished run folder's run.json and every line of its samples.jsonl. */
export function readRun(dir: string): { info: BenchRunInfo; samples: BenchSample[] } {
  return {
    info: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as BenchRunInfo,
    samples: readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as BenchSample),
  };
}
