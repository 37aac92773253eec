/**
 * Control-plane calls per forced cold sample, per cold-start strategy: every Lambda API call
 * but Invoke, counted by the emulator (requestCounts) around runRounds for N = 10 cold
 * samples. `burst` updates the configuration once per batch of concurrent invokes, so its
 * cost per sample is (update + waiter polls) / batch size. Locally the whole burst of N goes out
 * at once (as on AWS with concurrency N) and the emulator runs one cold start per core at a
 * time; for comparison, batches capped by the harness at this machine's cores.
 * A fresh deployment has no environment, so the first batch needs no update; `+deploy/cold`
 * adds the deployment's own calls (CreateFunction + the Active waiter) per cold sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployVariant, emptyCreated } from '../src/bench/deploy.ts';
import { burstCap, driveContextOn } from '../src/bench/drive.ts';
import { runRounds } from '../src/bench/rounds.ts';
import { packageAll } from '../src/bench/package.ts';
import { plan } from '../src/bench/plan.ts';
import { RunStore } from '../src/bench/results.ts';
import { loadSuiteDocument } from '../src/bench/suite.ts';
import { urlTarget } from '../src/bench/target.ts';
import { startEmulator } from '../src/emulator/index.ts';
import * as probe from '../src/probe/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Lambda API calls other than Invoke (the control plane). */
function controlPlaneCalls(byOperation: Record<string, number>): number {
  return Object.entries(byOperation).reduce((sum, [op, n]) => sum + (op.startsWith('lambda:') && op !== 'lambda:Invoke' ? n : 0), 0);
}
/** Cold samples per strategy: the issue's reference point ("burst at N = 10"). */
const N = 10;
const work = mkdtempSync(join(tmpdir(), 'coldbench-perf-'));
const suite = loadSuiteDocument(
  { defaults: { runtime: 'python3.11', timeout: 10, concurrency: N }, functions: { hello: { code: 'functions/edge/py-hello', handler: 'app.handler' } } },
  new URL('../fixtures/perf.yaml', import.meta.url).pathname,
);
const emulator = await startEmulator({ port: 0 });
try {
  const target = await urlTarget(emulator.url);
  const pkg = (await packageAll(suite, plan(suite), { cacheDir: join(work, 'cache'), targetKind: 'url' })).get('hello@128');
  if (!pkg) throw new Error('perf: packageAll produced no package for hello@128');
  const cases = [
    // What a local run does: the emulator admits target.status.coldStartSlots cold starts at once, so the harness sends the whole burst.
    { strategy: 'burst' as const, coreCap: target.coreCap, label: `burst (local: ${burstCap(N, target.coreCap)} at once, ${String(target.status?.coldStartSlots)} cold slots)` },
    // For comparison: the harness itself capping batches at the cores (an emulator without cold slots).
    { strategy: 'burst' as const, coreCap: cpus().length, label: `burst (harness batches of ${burstCap(N, cpus().length)})` },
    { strategy: 'config-bump' as const, coreCap: cpus().length, label: 'config-bump' },
    { strategy: 'version' as const, coreCap: cpus().length, label: 'version' },
  ];
  console.log(`control-plane calls per cold sample, N = ${N} cold samples each (Invoke not counted)\n`);
  console.log(`${'strategy'.padEnd(42)} ${'calls'.padStart(5)} ${'per cold'.padStart(9)} ${'+deploy/cold'.padStart(14)}  ${'cold seen'.padStart(9)}  by operation (driving only)`);
  let i = 0;
  for (const c of cases) {
    const variant = { ...plan(suite).variants[0], cold: N, warm: 0, coldStrategy: c.strategy };
    const beforeDeploy = controlPlaneCalls(emulator.requestCounts().byOperation);
    const dep = await deployVariant(
      { kind: 'url', lambda: target.lambda, iam: target.iam, s3: target.s3, sts: target.sts, runId: `perf${i++}`, endpoint: target.endpoint, region: target.region },
      variant,
      pkg,
      null,
      'arn:aws:iam::123456789012:role/perf',
      emptyCreated(),
    );
    const deployCalls = controlPlaneCalls(emulator.requestCounts().byOperation) - beforeDeploy;
    const store = new RunStore(mkdtempSync(join(work, 'run-')), { runId: 'perf' });
    let cold = 0;
    const ctx = driveContextOn(target, {
      probe,
      store,
      logsTimeoutMs: 30_000,
      coreCap: c.coreCap,
      signal: new AbortController().signal,
      random: () => 0.5,
      onSample: (s) => {
        cold += s.kind === 'cold' ? 1 : 0;
      },
    });
    const before = { ...emulator.requestCounts().byOperation };
    // The run's own round loop, with this one variant.
    await runRounds(ctx, {
      plan: { variants: [dep.variant], order: [dep.variant.name], seed: 0 },
      results: {},
      oneAtATime: false,
      start: async () => dep,
      release: async () => {},
    });
    store.close();
    const after = emulator.requestCounts().byOperation;
    const ops = Object.keys(after)
      .filter((op) => op.startsWith('lambda:') && op !== 'lambda:Invoke')
      .map((op) => [op.slice(7), (after[op] ?? 0) - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const calls = ops.reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `${c.label.padEnd(42)} ${String(calls).padStart(5)} ${(calls / N).toFixed(2).padStart(9)} ${((calls + deployCalls) / N).toFixed(2).padStart(14)}  ${`${cold}/${N}`.padStart(9)}  ${ops.map(([op, n]) => `${op} ${n}`).join(', ') || '-'}`,
    );
  }
} finally {
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}
