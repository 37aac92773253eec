/**
 * drive + deploy against the real emulator, in-process, through the real SDK clients. Probe
 * seams (a tail without the REPORT, CloudWatch that never delivers, a record without Init
 * Duration) stand for what only a real account does now and then.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployContext, type Deployment, deployVariant, emptyCreated } from '../../src/bench/deploy.ts';
import { driveContextOn, type Probe, type VariantResult, recordOf } from '../../src/bench/drive.ts';
import { runRounds } from '../../src/bench/rounds.ts';
import { DeployError } from '../../src/bench/errors.ts';
import { type BuiltPackage, packageAll } from '../../src/bench/package.ts';
import { plan } from '../../src/bench/plan.ts';
import { type BenchSample, RunStore } from '../../src/bench/results.ts';
import { loadSuiteDocument } from '../../src/bench/suite.ts';
import { type Target, urlTarget } from '../../src/bench/target.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import * as realProbe from '../../src/probe/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { CREDENTIALS } from './helpers.ts';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emulator: Emulator;
let target: Target;
let work: string;
let pkg: BuiltPackage;
const suite = loadSuiteDocument(
  { defaults: { runtime: 'python3.11', timeout: 10, concurrency: 2 }, functions: { hello: { code: '../functions/edge/py-hello', handler: 'app.handler' } } },
  join(REPO_ROOT, 'fixtures/suites/e2e-drive.yaml'),
);
const variant = { ...plan(suite).variants[0] };
let runCounter = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'coldbench-drive-'));
  emulator = await startEmulator({ port: 0 });
  target = await urlTarget(emulator.url);
  pkg = (await packageAll(suite, plan(suite), { cacheDir: join(work, 'cache'), targetKind: 'url' })).get('hello@128')!;
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
});

function deployCtx(): DeployContext {
  runCounter += 1;
  return { kind: 'url', lambda: target.lambda, iam: target.iam, s3: target.s3, sts: target.sts, runId: `test${runCounter}`, endpoint: target.endpoint, region: target.region };
}

async function drive(overrides: { cold: number; warm: number; coldStrategy?: 'burst' | 'config-bump' | 'version' }, probe: Probe, logsTimeoutMs = 5_000) {
  const v = { ...variant, ...overrides };
  const dep: Deployment = await deployVariant(deployCtx(), v, pkg, null, 'arn:aws:iam::123456789012:role/r', emptyCreated());
  const store = new RunStore(mkdtempSync(join(work, 'run-')), { runId: 'x' });
  const results: Record<string, VariantResult> = { [v.name]: { state: 'pending' } };
  const samples: BenchSample[] = [];
  const before = emulator.requestCounts().byOperation;
  const ctx = driveContextOn(target, {
    probe,
    store,
    logsTimeoutMs,
    coreCap: 2,
    signal: new AbortController().signal,
    random: () => 0.5,
    onSample: (s) => void samples.push(s),
    classifyForcedWarm: async () => 'none',
  });
  // The run's own round loop, with this one variant.
  await runRounds(ctx, { plan: { variants: [v], order: [v.name], seed: 1 }, results, oneAtATime: false, start: async () => dep, release: async () => {} });
  store.close();
  const result = recordOf(results[v.name]);
  const after = emulator.requestCounts().byOperation;
  const calls = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
  return { result, samples, calls };
}

describe('runRounds with one variant (against the in-process emulator)', () => {
  it('bursts cold starts in batches of at most the cap, with one configuration update between batches', async () => {
    const { result, samples, calls } = await drive({ cold: 4, warm: 2 }, realProbe);
    expect(result).toEqual({ state: 'measured', errors: [], forcedWarm: 0, proactiveInit: 0 });
    expect(samples.map((s) => `${s.phase}:${s.kind}:${s.sampleIndex}`)).toEqual(['cold:cold:0', 'cold:cold:1', 'cold:cold:2', 'cold:cold:3', 'warm:warm:0', 'warm:warm:1']);
    expect(calls('lambda:UpdateFunctionConfiguration')).toBe(1);
    expect(calls('lambda:Invoke')).toBe(6);
  });

  it('reads the REPORT from CloudWatch when the LogResult tail lacks it', async () => {
    const queries: string[][] = [];
    const probe: Probe = {
      ...realProbe,
      decodeLogResult: () => [],
      fetchLogLines: (client, q) => {
        queries.push(q.requestIds);
        return realProbe.fetchLogLines(client, q);
      },
    };
    const { result, samples } = await drive({ cold: 2, warm: 1 }, probe);
    expect(result.state).toBe('measured');
    expect(samples.every((s) => s.error === null && s.durationMs !== null && s.billedMs !== null)).toBe(true);
    expect(samples.filter((s) => s.phase === 'cold').every((s) => s.kind === 'cold' && (s.initMs ?? 0) > 0)).toBe(true);
    // One CloudWatch query per batch: the two cold samples share one.
    expect(queries).toEqual([[samples[0].requestId, samples[1].requestId], [samples[2].requestId]]);
  });

  it('records a sample whose REPORT never arrives with empty measurements and says so, never estimating', async () => {
    const probe: Probe = { ...realProbe, decodeLogResult: () => [], fetchLogLines: async () => new Map() };
    const { result, samples } = await drive({ cold: 1, warm: 0 }, probe, 2_000);
    expect(samples).toHaveLength(1);
    const s = samples[0];
    expect(s).toMatchObject({
      variant: 'hello@128',
      kind: 'cold',
      coldBy: 'forced',
      initMs: null,
      durationMs: null,
      billedMs: null,
      maxMemoryMB: null,
      status: 'success',
      forced: true,
    });
    expect(s.clientMs).toBeGreaterThan(0);
    expect(s.error).toBe(
      `cold sample 1 of hello@128: no REPORT record for request ${s.requestId} in the LogResult tail nor in CloudWatch within 2 s (--logs-timeout); measurements left empty, not estimated`,
    );
    expect(result.state).toBe('failed');
  });

  it('records a forced cold invoke whose record says warm as warm, and counts it', async () => {
    const stripInit = (lines: Iterable<string>) => [...lines].map((l) => l.replace(/\tInit Duration: [\d.]+ ms/, ''));
    const probe: Probe = { ...realProbe, samplesFromLines: (lines, o) => realProbe.samplesFromLines(stripInit(lines), o) };
    const { result, samples } = await drive({ cold: 2, warm: 0, coldStrategy: 'config-bump' }, probe);
    expect(samples.map((s) => [s.phase, s.kind, s.coldBy, s.forced])).toEqual([
      ['cold', 'warm', 'none', true],
      ['cold', 'warm', 'none', true],
    ]);
    expect(result).toEqual({ state: 'measured', errors: [], forcedWarm: 2, proactiveInit: 0 });
  });
});

describe('deployVariant (against the in-process emulator)', () => {
  it("sends a package above 50 MB zipped through the endpoint's S3, as on AWS, and it runs", async () => {
    const big: BuiltPackage = { function: { ...pkg.function, zipBytes: 60 * 1024 * 1024 }, layer: null, folderLayers: [] };
    const before = emulator.requestCounts().byOperation;
    const ctx = deployCtx();
    const created = emptyCreated();
    const dep = await deployVariant(ctx, variant, big, null, 'arn:aws:iam::123456789012:role/r', created);
    const after = emulator.requestCounts().byOperation;
    expect((after['s3:PutObject'] ?? 0) - (before['s3:PutObject'] ?? 0)).toBe(1);
    expect(created.s3Objects).toEqual([
      { bucket: 'coldbench-artifacts-123456789012-us-east-1', key: `builds/${pkg.function.key}/${Buffer.from(pkg.function.sha256, 'base64').toString('hex')}.zip` },
    ]);
    const out = await target.lambda.send(new InvokeCommand({ FunctionName: dep.functionName, Payload: Buffer.from('{}') }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ ok: true, count: 1 });
  });

  it('says what to do when a package above 50 MB cannot go through S3', async () => {
    const big: BuiltPackage = { function: { ...pkg.function, zipBytes: 60 * 1024 * 1024 }, layer: null, folderLayers: [] };
    // Nothing listens on port 9 (discard): an endpoint without S3.
    const ctx = { ...deployCtx(), s3: new S3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: CREDENTIALS, forcePathStyle: true, maxAttempts: 1 }) };
    const error = await deployVariant(ctx, variant, big, null, 'arn:aws:iam::123456789012:role/r', emptyCreated()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^deploying hello@128 as coldbench-${ctx.runId}-hello-128 failed: the package of hello@128 is 60\\.0 MB zipped, above Lambda's 50 MB direct-upload limit, so it must go through S3, and ${emulator.url.replace(/[.]/g, '\\.')} does not serve S3 for it \\(.*\\)\\. Shrink its dependencies \\(\`coldbench profile\` shows what is large\\) or run it with --target aws\\.$`,
      ),
    );
  });
});
