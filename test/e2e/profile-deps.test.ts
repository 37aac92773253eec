import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ProfileReport } from '../../src/profile/types.ts';
import { runCli } from '../helpers/cli.ts';
import { profileReport } from './profile-report.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
/** Above this a zip goes through S3 on AWS; the emulator takes ZipFile uploads only. */
const TOO_LARGE = 'Request must be smaller than';

const packages = (report: ProfileReport) => report.modules.filter((m) => m.kind === 'package');

describe.skipIf(!hasPython)('coldbench profile on the emulator: dependencies', () => {
  it('names numpy among the two heaviest packages of a numpy + requests function (the largest), with time, share and size', async () => {
    const report = await profileReport(['test/profile/fixtures/functions/numdeps', '--handler', 'app.handler']);
    // numpy leads on an idle machine; on a loaded one requests' many small files can take as long, so: one of the two first.
    expect(
      packages(report)
        .slice(0, 2)
        .map((m) => m.name),
    ).toContain('numpy');
    const numpy = packages(report).find((m) => m.name === 'numpy') as ProfileReport['modules'][number];
    expect(numpy.share).toBeGreaterThan(0.2);
    expect(numpy.sizeBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(Math.max(...packages(report).map((m) => m.sizeBytes ?? 0))).toBe(numpy.sizeBytes);
    expect(numpy.cumulativeMs).toBeLessThanOrEqual(report.initMs);
    expect(packages(report).map((m) => m.name)).toEqual(expect.arrayContaining(['requests', 'urllib3']));
    // Sorted by cumulative time, largest first, as the JSON promises.
    const cumulative = report.modules.map((m) => m.cumulativeMs);
    expect(cumulative).toEqual([...cumulative].sort((a, b) => b - a));
    const lazy = report.recommendations.find((r) => r.rule === 'barely-used-import');
    expect(lazy).toMatchObject({ target: 'requests', basis: 'estimated from the import trace', verified: false, fix: { kind: 'lazy-import', package: 'requests' } });
    expect(lazy?.evidence).toMatch(
      /^importing requests took \d+(\.\d)? ms of init \(\d+ %, packages the handler also imports excluded\); `requests` is used on 1 line, outside handler's own body \(build_request, line 21\)$/,
    );
  }, 300_000);

  it('--verify measures the lazy import through the flag the fixture reads, and stripping numpy’s tests and docs', async () => {
    const report = await profileReport(['test/profile/fixtures/functions/numdeps', '--handler', 'app.handler', '--verify', '--samples', '3', '--verify-limit', '2']);
    const lazy = report.recommendations.find((r) => r.rule === 'barely-used-import');
    expect(lazy).toMatchObject({ target: 'requests', basis: 'measured', verified: true, n: { baseline: 3, variant: 3 } });
    expect(lazy?.ci?.[0]).toBeLessThanOrEqual(lazy?.savingMs as number);
    expect(lazy?.ci?.[1]).toBeGreaterThanOrEqual(lazy?.savingMs as number);
    // Stripping is worth far less than 300 ms on the emulator: measured, with no claim on the interval's sign.
    const strip = report.recommendations.find((r) => r.rule === 'strip-package' && r.target === 'numpy');
    expect(strip).toMatchObject({ basis: 'measured', verified: true, n: { baseline: 3, variant: 3 }, fix: { kind: 'strip', package: 'numpy' } });
    expect(strip?.evidence).toMatch(/; measured on the local emulator: median cold start \(Init \+ Duration\) -?\d+(\.\d)? ms lower with the change \(stripped; 95 % CI /);
    expect(strip?.ci?.[0]).toBeLessThanOrEqual(strip?.savingMs as number);
    // Only two were measured; the others say why not.
    for (const r of report.recommendations.filter((x) => x !== lazy && x !== strip)) {
      expect(r.verified).toBe(false);
      expect(r.unverifiedReason).toMatch(/^not measured/);
    }
  }, 300_000);

  it('names pandas, numpy and boto3 as the dominant packages of the seed deps function', async (ctx) => {
    const run = await runCli(['profile', 'fixtures/suites/seed.yaml', '--only', 'deps@1024-layer', '--format', 'json', '--quiet']);
    if (run.stderr.includes(TOO_LARGE)) ctx.skip(`the seed deps package is above the emulator's upload limit: ${run.stderr.trim().split('\n')[0]}`);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ProfileReport;
    // What the handler's own imports cost: its children in the tree, largest first. boto3 may load
    // from the runtime (as on Lambda) rather than the package.
    const handler = report.modules.find((m) => m.kind === 'handler');
    expect(
      handler?.children
        .slice(0, 3)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['boto3', 'numpy', 'pandas']);
    for (const c of handler?.children.slice(0, 3) ?? []) expect(c.cumulativeMs).toBeGreaterThan(0);
    const pandas = report.modules.find((m) => m.name === 'pandas');
    expect(pandas?.sizeBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(pandas?.share).toBeGreaterThan(0.05);
  }, 600_000);
});
