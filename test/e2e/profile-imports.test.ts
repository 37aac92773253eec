import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ProfileReport } from '../../src/profile/types.ts';
import { profileReport } from './profile-report.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const PY = 'test/profile/fixtures/functions/imports';
const NODE = 'test/profile/fixtures/functions/imports-node';
const IMPORT_RULES = ['unused-import', 'branch-only-import', 'barely-used-import'];
const importRecs = (report: ProfileReport) => report.recommendations.filter((r) => IMPORT_RULES.includes(r.rule));

describe.skipIf(!hasPython)('coldbench profile on the emulator: imports the code path does not need (Python, ast)', () => {
  it('finds the unused slowmod import and --verify measures removing it (~300 ms, the interval excludes 0)', async () => {
    const report = await profileReport([PY, '--handler', 'unused.handler', '--warm', '1', '--verify', '--samples', '3', '--verify-limit', '1']);
    const recs = importRecs(report);
    expect(recs.map((r) => [r.rule, r.target])).toEqual([['unused-import', 'slowmod']]);
    const [rec] = recs;
    expect(rec).toMatchObject({
      basis: 'measured',
      verified: true,
      n: { baseline: 3, variant: 3 },
      fix: { kind: 'remove-import', package: 'slowmod', file: 'unused.py', line: 5, endLine: 5 },
    });
    expect(rec.action).toBe("Remove the module-level import of `slowmod` (unused.py:5), or import it lazily where it is needed: the handler's code path never uses it.");
    expect(rec.evidence).toMatch(
      /^importing slowmod took \d+(\.\d)? ms of init \(\d+ % of Init Duration, packages the handler also imports excluded\); `slowmod` is never used in the code path of handler \(handler, body, module-level code\); it is used only in export_report \(line 10\), which the handler never reaches; measured on the local emulator: /,
    );
    // A 300 ms import: the measured saving is real, not noise.
    expect(rec.ci?.[0]).toBeGreaterThan(0);
    expect(rec.savingMs).toBeGreaterThan(200);
  }, 120_000);

  it('recommends importing slowmod inside the one route that uses it', async () => {
    const report = await profileReport([PY, '--handler', 'branch.handler', '--warm', '1']);
    const recs = importRecs(report);
    expect(recs.map((r) => [r.rule, r.target, r.basis, r.verified])).toEqual([['branch-only-import', 'slowmod', 'estimated from the import trace', false]]);
    expect(recs[0].action).toBe(
      'Import `slowmod` inside the branch that uses it (handler in branch.py, line 11, under `if event.get("path") == "/report"`) instead of at module level (branch.py:5), so cold starts whose invocation takes another path do not pay for it.',
    );
    expect(recs[0].fix).toEqual({ kind: 'move-import', package: 'slowmod', file: 'branch.py', line: 5, endLine: 5, into: 11, statement: 'import slowmod' });
    expect(recs[0].savingMs).toBeGreaterThan(200);
  }, 120_000);

  it('recommends nothing about imports for a handler that uses everything it imports', async () => {
    const report = await profileReport([PY, '--handler', 'clean.handler', '--warm', '1']);
    expect(report.modules.find((m) => m.name === 'slowmod')?.cumulativeMs).toBeGreaterThan(200);
    expect(importRecs(report)).toEqual([]);
  }, 120_000);
});

describe('coldbench profile on the emulator: imports the code path does not need (Node, acorn)', () => {
  it('finds the unused ./slow require and --verify measures removing it', async () => {
    const report = await profileReport([NODE, '--handler', 'index.handler', '--runtime', 'nodejs20.x', '--warm', '1', '--verify', '--samples', '3', '--verify-limit', '1']);
    const recs = importRecs(report);
    expect(recs.map((r) => [r.rule, r.target])).toEqual([['unused-import', './slow.js']]);
    expect(recs[0]).toMatchObject({ verified: true, n: { baseline: 3, variant: 3 }, fix: { kind: 'remove-import', file: 'index.js', line: 2, endLine: 2 } });
    expect(recs[0].action).toBe("Remove the module-level import of `./slow` (index.js:2), or import it lazily where it is needed: the handler's code path never uses it.");
    expect(recs[0].ci?.[0]).toBeGreaterThan(0);
  }, 120_000);
});
