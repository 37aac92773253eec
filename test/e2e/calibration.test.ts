import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calibration } from '../../src/calibration/types.ts';
import type { RunSummary } from '../../src/report/types.ts';
import { benchEnv } from '../bench/helpers.ts';
import { type CliRun, runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-calibration-'));
// COLDBENCH_CALIBRATION unset (vitest.config sets it off): report and bench look in the test's own cache.
const env = { ...benchEnv(join(work, 'cache')), COLDBENCH_CALIBRATION: '' };
const calibrationFile = join(work, 'calibration.json');
const runDir = join(work, 'estimates');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// `npm test` runs this file after all the others, alone: its claim is about estimates made on a
// machine that is not also running two other test files, whose load moves local Init times by
// more than the host CPU probe can correct for (docs/calibration.md, "The host's load").

/** lambda-perf's pooled Init p10–p90 at 512 MB, x86_64 (fixtures/calibration/reference/lambda-perf.json). */
const REFERENCE_512 = { python: [71.58, 96.27], node: [125.79, 165.19] };

describe('coldbench calibrate › then report (real probes on the embedded emulator)', () => {
  let calibrate: CliRun;
  let calibration: Calibration;
  let summary: RunSummary;
  let bench: CliRun;

  beforeAll(async () => {
    calibrate = await runCli(['calibrate', '--samples', '4', '--out', calibrationFile, '--quiet'], { env });
    calibration = JSON.parse(readFileSync(calibrationFile, 'utf8'));
    // COLDBENCH_CALIBRATION names the calibration: bench measures its control probes beside the suite.
    bench = await runCli(['bench', 'test/fixtures/calibration/estimates.yaml', '--out', runDir, '--quiet'], { env: { ...env, COLDBENCH_CALIBRATION: calibrationFile } });
    expect(bench.code, bench.stderr).toBe(0);
    const report = await runCli(['report', runDir, '--format', 'json', '--calibration', calibrationFile], { env });
    expect(report.code).toBe(0);
    summary = JSON.parse(report.stdout);
  }, 240_000);

  it('fits the shipped reference and prints each point with its leave-one-out error', () => {
    expect(calibrate.code).toBe(0);
    expect(calibrate.stdout).toMatch(/^coldbench calibration against lambda-perf \+ published \(2026-06-23…2026-08-22\): 36 points from 20 probe configurations$/m);
    expect(calibrate.stdout).toMatch(/^ {2}CPU speed factor \(Lambda ms per local ms\): \d+\.\d{3}$/m);
    expect(calibrate.stdout).toMatch(/^hello-nodejs20x@512 init +[\d.]+ +142 +126…165 +[\d.]+ +[\d.]+ +[+−][\d.]+ %$/m);
    expect(calibrate.stdout).toContain(`Saved: ${calibrationFile}`);
    expect(calibration.model.kind).toBe('offset-speed-throttle');
    expect(calibration.points).toHaveLength(36);
    expect(calibration.leaveOneOut.filter((l) => l.predictedMs !== null)).toHaveLength(36);
    expect(Object.keys(calibration.model.initOffsetMs).sort()).toEqual(['nodejs20.x/arm64', 'nodejs20.x/x86_64', 'python3.11/arm64', 'python3.11/x86_64']);
    expect(calibration.reference).toMatchObject({ from: '2026-06-23', to: '2026-08-22', commit: '6070b7947b5ddf788cb69f2ffe6bbde3e22033fb' });
    expect(calibration.cpuProbeMs).toBeGreaterThan(0);
  });

  it('estimates hello and hello-node at 512 MB inside the reference p10–p90, Node/Python 1.6–2.0', () => {
    const of = (name: string) => summary.variants.find((v) => v.name === name);
    const python = of('hello@512')?.cold.lambdaEstimate;
    const node = of('hello-node@512')?.cold.lambdaEstimate;
    // What a failure needs to be understood: the model, the load factor and the local medians.
    const context = JSON.stringify({
      model: calibration.model,
      calibrationProbeMs: calibration.cpuProbeMs,
      loadFactor: summary.estimates?.loadFactor,
      initLoadFactors: summary.estimates?.initLoadFactors,
      local: ['hello@512', 'hello-node@512'].map((n) => [n, of(n)?.cold.init.median, of(n)?.cold.duration.median]),
      calibrationLocal512: calibration.points.filter((p) => p.memoryMB === 512 && p.metric === 'init').map((p) => [p.id, p.localMs]),
      python,
      node,
    });
    expect(python?.median, context).toBeGreaterThanOrEqual(REFERENCE_512.python[0]);
    expect(python?.median, context).toBeLessThanOrEqual(REFERENCE_512.python[1]);
    expect(node?.median, context).toBeGreaterThanOrEqual(REFERENCE_512.node[0]);
    expect(node?.median, context).toBeLessThanOrEqual(REFERENCE_512.node[1]);
    const ratio = (node?.median as number) / (python?.median as number);
    expect(ratio, context).toBeGreaterThanOrEqual(1.6);
    expect(ratio, context).toBeLessThanOrEqual(2.0);
    for (const e of [python, node]) expect((e?.low as number) < (e?.median as number) && (e?.median as number) < (e?.high as number)).toBe(true);
    expect(summary.estimates).toMatchObject({ model: 'offset-speed-throttle v3', file: calibrationFile, reference: { name: 'lambda-perf + published' }, missing: {} });
  });

  it('raises the estimate of ~100 ms of module-level CPU work by the CPU speed factor, not by a per-runtime constant', () => {
    const v = (name: string) => summary.variants.find((x) => x.name === name);
    const hello = v('hello@512');
    const cpu = v('hello-cpu@512');
    // Init is corrected by the python3.11 control probe's factor (the CPU probe's when there is none).
    const load = summary.estimates?.initLoadFactors['python3.11/x86_64'] ?? (summary.estimates?.loadFactor as number);
    const localRise = ((cpu?.cold.init.median as number) - (hello?.cold.init.median as number)) / load;
    // ~100 ms of work on an idle core; a busy CI host stretches or shrinks it, never to nothing.
    expect(localRise).toBeGreaterThan(20);
    const rise = (cpu?.cold.lambdaEstimate?.median as number) - (hello?.cold.lambdaEstimate?.median as number);
    // The Init part rises by exactly speed × the local rise; the Durations differ by a millisecond or two.
    expect(Math.abs(rise - calibration.model.speed * localRise)).toBeLessThan(3);
  });

  it('measures a control probe per runtime beside the suite, corrects Init by it, and shows it in no table', () => {
    const plan = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).plan.variants as Array<{ name: string; control?: true }>;
    expect(
      plan
        .filter((v) => v.control)
        .map((v) => v.name)
        .sort(),
    ).toEqual(['coldbench-control-nodejs20x-x8664@512', 'coldbench-control-python311-x8664@512']);
    expect(summary.variants.map((v) => v.name)).toEqual(['hello@512', 'hello-node@512', 'hello-cpu@512']);
    expect(Object.keys(summary.estimates?.initLoadFactors ?? {}).sort()).toEqual(['nodejs20.x/x86_64', 'python3.11/x86_64']);
  });

  it('shows the estimate column and its footnote in the table, labelled as an estimate', async () => {
    const table = await runCli(['report', runDir, '--calibration', calibrationFile], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ On Lambda \(est\.\) \[ms\]$/m);
    expect(table.stdout).toMatch(/^hello@512 +cold .* [\d.]+ \([\d.]+–[\d.]+\)$/m);
    expect(table.stdout).toContain('On Lambda (est.) [ms]: an estimate of the median on real Lambda, not a measurement');
  });

  it('fits --from a run folder of the probes (here: the local probe run itself, so Lambda = local)', async () => {
    const runs = join(work, 'cache', 'calibration', 'runs');
    const probeRun = join(runs, readdirSync(runs)[0], 'run');
    const out = join(work, 'self.json');
    const self = await runCli(['calibrate', '--from', probeRun, '--runtime', 'python3.11', '--samples', '2', '--out', out, '--quiet'], { env });
    expect(self.code, self.stderr).toBe(0);
    expect(self.stdout).toContain(`coldbench calibration against your samples (${probeRun})`);
    const fitted = JSON.parse(readFileSync(out, 'utf8')) as Calibration;
    expect(fitted.reference.name).toBe(`your samples (${probeRun})`);
    expect(fitted.points.map((p) => p.id)).toContain('client-python311@1792 duration');
    // Local against local: about one local millisecond per local millisecond (two runs minutes apart
    // differ with the host's load, so within 3× either way, clear of the search's 0.2–5 bounds).
    expect(fitted.model.speed, JSON.stringify(fitted.model)).toBeGreaterThan(1 / 3);
    expect(fitted.model.speed, JSON.stringify(fitted.model)).toBeLessThan(3);
    expect(fitted.leaveOneOut.filter((l) => l.predictedMs !== null).length).toBe(fitted.points.length);
  });

  it('leaves the estimates out of a report without a calibration, and bench says how to get them', async () => {
    const plain = await runCli(['report', runDir, '--format', 'json'], { env });
    const parsed = JSON.parse(plain.stdout) as RunSummary;
    expect(parsed.estimates).toBeUndefined();
    expect(parsed.variants[0].cold.lambdaEstimate).toBeUndefined();
    // The test's cache holds no calibration (calibrate wrote to --out): bench prints the way to one (not under --quiet).
    const uncalibrated = await runCli(['bench', 'test/fixtures/calibration/estimates.yaml', '--only', 'hello@*', '--cold', '1', '--warm', '0', '--out', join(work, 'plain')], {
      env,
    });
    expect(uncalibrated.code).toBe(0);
    expect(uncalibrated.stderr).toContain(
      'Note: these are this machine\'s times, not Lambda\'s; `coldbench calibrate` (under a minute) adds "On Lambda (est.)" estimates to bench and report.',
    );
  });
});

describe('coldbench calibrate › then bench on a host without a cgroup cpu controller (COLDBENCH_CGROUPS=off)', () => {
  const freeEnv = { ...env, COLDBENCH_CGROUPS: 'off' };
  const freeFile = join(work, 'unthrottled.json');
  const freeRun = join(work, 'unthrottled-run');
  let calibrate: CliRun;
  let calibration: Calibration;
  let summary: RunSummary;
  let table: CliRun;

  beforeAll(async () => {
    calibrate = await runCli(['calibrate', '--runtime', 'python3.11', '--samples', '3', '--out', freeFile, '--quiet'], { env: freeEnv });
    expect(calibrate.code, calibrate.stderr).toBe(0);
    calibration = JSON.parse(readFileSync(freeFile, 'utf8'));
    const bench = await runCli(['bench', 'test/fixtures/calibration/estimates.yaml', '--only', 'hello*', '--out', freeRun, '--quiet'], {
      env: { ...freeEnv, COLDBENCH_CALIBRATION: freeFile },
    });
    expect(bench.code, bench.stderr).toBe(0);
    summary = JSON.parse((await runCli(['report', freeRun, '--format', 'json', '--calibration', freeFile], { env })).stdout);
    table = await runCli(['report', freeRun, '--calibration', freeFile], { env });
  }, 240_000);

  it('fits local Durations as full-speed work: no pause cost, and says so', () => {
    expect(calibrate.stdout).toContain('Local Durations ran unthrottled (no cgroup v1 cpu controller here)');
    expect(calibration.model).toMatchObject({ version: 3, localThrottled: false, localPauseCpuMs: 0 });
    // The unthrottled client at 128 MB is a full-speed Duration, tens of ms, where Lambda's is 640 ms.
    const client128 = calibration.points.find((p) => p.id === 'client-python311@128 duration');
    expect(client128?.localMs).toBeLessThan(200);
    expect(calibration.fitted['client-python311@128 duration']).toBeGreaterThan(300);
  });

  it('estimates hello at 512 MB inside the reference p10–p90, and the footnote says the run was not throttled', () => {
    expect(summary.estimates?.localThrottled).toBe(false);
    const python = summary.variants.find((v) => v.name === 'hello@512')?.cold.lambdaEstimate;
    expect(python?.median, JSON.stringify({ model: calibration.model, python })).toBeGreaterThanOrEqual(REFERENCE_512.python[0]);
    expect(python?.median, JSON.stringify({ model: calibration.model, python })).toBeLessThanOrEqual(REFERENCE_512.python[1]);
    expect(summary.estimates?.missing['hello-node@512']).toBe('the calibration has no nodejs20.x/x86_64 probe (run coldbench calibrate --runtime nodejs20.x)');
    expect(table.stdout).toContain(
      "This run's invoke phase was not throttled (no cgroup v1 cpu controller): its Durations are full-speed CPU work, throttled as on Lambda only in the estimate.",
    );
  });
});
