/**
 * Shared by the harness's tests: a separate `coldbench emulator` process, SDK clients pointed
 * at an endpoint, and the local pip index (pip's default index is unreachable here).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Deployment } from '../../src/bench/deploy.ts';
import type { DriveContext, VariantResult } from '../../src/bench/drive.ts';
import { type BenchRunInfo, type BenchSample, RunStore } from '../../src/bench/results.ts';
import type { RetryOptions } from '../../src/bench/retry.ts';
import { runRounds } from '../../src/bench/rounds.ts';
import * as probe from '../../src/probe/index.ts';
import { coldbenchCacheDir } from '../../src/cache-dir.ts';
import { BIN, REPO_ROOT } from '../helpers/cli.ts';

/** pip flags for this machine's local package index, for suites built in-process (CLI runs get PIP_* from vitest.config.ts). */
export const LOCAL_PIP = ['--index-url', 'file:///opt/pypi/simple', '--extra-index-url', 'file:///opt/pypi-more/simple', '--retries', '0'];
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

/**
 * Environment for CLI runs: a test-owned cache root (pip's index comes from the PIP_* variables
 * vitest.config.ts sets; bin/coldbench.js silences the SDK's Node notice itself). The emulator's
 * runtime SDKs live under the cache root too: the test root links to the machine's built ones
 * instead of pip-installing boto3 again for every test file.
 */
export function benchEnv(cacheDir: string): NodeJS.ProcessEnv {
  const shared = join(coldbenchCacheDir(), 'runtimes');
  mkdirSync(shared, { recursive: true });
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(join(cacheDir, 'runtimes'))) symlinkSync(shared, join(cacheDir, 'runtimes'));
  return { COLDBENCH_CACHE_DIR: cacheDir };
}

/** A finished run folder's run.json and every line of its samples.jsonl. */
export function readRun(dir: string): { info: BenchRunInfo; samples: BenchSample[] } {
  return {
    info: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as BenchRunInfo,
    samples: readFileSync(join(dir, 'samples.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BenchSample),
  };
}

/**
 * The harness's own round loop (runRounds) on one already deployed variant, against the given
 * clients (aws-sdk-client-mock ones in the real-account tests), with a fixed random source and no
 * proactive-init classification: what a bench run does with that variant.
 */
export async function driveOneVariant(
  clients: { lambda: LambdaClient; logs: CloudWatchLogsClient },
  dep: Deployment,
  options: { runDir: string; retry: Partial<RetryOptions> },
): Promise<{ samples: BenchSample[]; result: VariantResult }> {
  const store = new RunStore(options.runDir, { runId: 'x' });
  const samples: BenchSample[] = [];
  const ctx: DriveContext = {
    kind: 'aws',
    ...clients,
    probe,
    store,
    logsTimeoutMs: 1_000,
    coreCap: Number.POSITIVE_INFINITY,
    signal: new AbortController().signal,
    random: () => 0.5,
    onSample: (s) => void samples.push(s),
    classifyForcedWarm: async () => 'none',
    retry: options.retry,
  };
  const results: Record<string, VariantResult> = { [dep.variant.name]: { state: 'pending' } };
  await runRounds(ctx, { plan: { variants: [dep.variant], order: [dep.variant.name], seed: 1 }, results, oneAtATime: false, start: async () => dep, release: async () => {} });
  store.close();
  return { samples, result: results[dep.variant.name] };
}
