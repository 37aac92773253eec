import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ProfileReport, Recommendation } from '../../src/profile/types.ts';
import { profileReport } from './profile-report.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const PY = 'test/profile/fixtures/functions/advisor';
const CJS = 'test/profile/fixtures/functions/advisor-node';
const ESM = 'test/profile/fixtures/functions/advisor-esm';
const ADVICE = ['module-level-work', 'unused-import', 'branch-only-import', 'barely-used-import'];
const advice = (report: ProfileReport) => report.recommendations.filter((r) => ADVICE.includes(r.rule)).map((r) => [r.rule, r.target]);
const find = (report: ProfileReport, rule: string, target: string) => report.recommendations.find((r) => r.rule === rule && r.target === target) as Recommendation;

describe.skipIf(!hasPython)('coldbench profile on the emulator: the advisor (Python)', () => {
  it('names module-level work that is not an import by file:line and text, with the time the tracer measured', async () => {
    const report = await profileReport([PY, '--handler', 'work.handler', '--warm', '1']);
    expect(advice(report)).toEqual([['module-level-work', 'work.py:17']]);
    const rec = find(report, 'module-level-work', 'work.py:17');
    expect(rec.action).toBe(
      'Move `MODEL = build_model(400)` (work.py:17) out of module level: run it inside the handler when an invocation first needs it and keep the result in a global (or cache it in the package), so cold starts that do not need it skip it.',
    );
    expect(rec.evidence).toMatch(
      /^work\.py:17 `MODEL = build_model\(400\)` ran for \d+(\.\d+)? ms at init \(\d+ % of Init Duration\), timed by the tracer; \d+(\.\d+)? ms of init is outside any traced import\. /,
    );
    expect(rec.savingMs).toBeGreaterThanOrEqual(390);
    expect(rec.savingMs).toBeLessThanOrEqual(report.initMs);
  }, 120_000);

  it('finds no module-level work in a handler whose module-level statements are cheap', async () => {
    const report = await profileReport([PY, '--handler', 'quiet.handler', '--warm', '1']);
    expect(advice(report)).toEqual([]);
  }, 120_000);

  it('follows the handler into helpers.py: cpuheavy used there counts as used, slowlib imported there and never used is found', async () => {
    const report = await profileReport([PY, '--handler', 'routes.handler', '--warm', '1']);
    // cpuheavy's own 400 ms loop is module-level work of a file of the function; slowlib's sleep goes with its import.
    expect(advice(report)).toEqual([
      ['module-level-work', 'cpuheavy.py:14'],
      ['unused-import', 'slowlib'],
    ]);
    const rec = find(report, 'unused-import', 'slowlib');
    expect(rec.action).toBe("Remove the module-level import of `slowlib` (helpers.py:4), or import it lazily where it is needed: the handler's code path never uses it.");
    expect(rec.evidence).toMatch(
      /`slowlib` is never used in the code path of handler \(handler, helpers\.render, cpuheavy\.summarise, cpuheavy\._burn, module-level code\); it is used only in helpers\.legacy_chart \(line 13\), which the handler never reaches$/,
    );
    expect(rec.fix).toEqual({ kind: 'remove-import', package: 'slowlib', file: 'helpers.py', line: 4, endLine: 4 });
  }, 120_000);

  it('--verify moves the branch-only import into its branch and measures the 400 ms it saves (the interval excludes 0)', async () => {
    const report = await profileReport([PY, '--handler', 'branch.handler', '--warm', '1', '--verify', '--samples', '3', '--verify-limit', '1']);
    expect(advice(report)).toEqual([['branch-only-import', 'cpuheavy']]);
    const rec = find(report, 'branch-only-import', 'cpuheavy');
    expect(rec).toMatchObject({
      basis: 'measured',
      verified: true,
      n: { baseline: 3, variant: 3 },
      fix: { kind: 'move-import', package: 'cpuheavy', file: 'branch.py', line: 5, endLine: 5, into: 11, statement: 'import cpuheavy' },
    });
    expect(rec.evidence).toMatch(/the import on line 5 of branch\.py moved to line 11; 95 % CI /);
    expect(rec.ci?.[0]).toBeGreaterThan(0);
    expect(rec.savingMs).toBeGreaterThan(300);
  }, 120_000);
});

describe('coldbench profile on the emulator: the advisor (Node)', () => {
  it('times ES modules (module.register hooks) and --verify measures the import moved into its branch as await import()', async () => {
    const report = await profileReport([ESM, '--handler', 'index.handler', '--runtime', 'nodejs20.x', '--warm', '1', '--verify', '--samples', '3', '--verify-limit', '1']);
    expect(report.tracing).toBe('Module._load timer (--require) and ES module hooks (--import) through AWS_LAMBDA_EXEC_WRAPPER');
    const handler = report.modules.find((m) => m.kind === 'handler');
    expect(handler?.name).toBe('./index.mjs');
    expect(handler?.children.map((c) => c.name)).toEqual(['./heavy.mjs']);
    expect(report.modules.find((m) => m.name === './heavy.mjs')?.selfMs).toBeGreaterThanOrEqual(390);
    expect(advice(report)).toEqual([['branch-only-import', './heavy.mjs']]);
    const rec = find(report, 'branch-only-import', './heavy.mjs');
    expect(rec).toMatchObject({
      verified: true,
      n: { baseline: 3, variant: 3 },
      fix: { kind: 'move-import', file: 'index.mjs', line: 2, into: 6, statement: 'const { summarise } = await import("./heavy.mjs");' },
    });
    expect(rec.ci?.[0]).toBeGreaterThan(0);
    expect(rec.savingMs).toBeGreaterThan(300);
  }, 120_000);

  it('CommonJS: module-level work timed by statement, and an unused require found in a helper file the handler calls into', async () => {
    const report = await profileReport([CJS, '--handler', 'app.handler', '--runtime', 'nodejs20.x', '--warm', '1']);
    expect(report.tracing).toBe('Module._load timer (--require) through AWS_LAMBDA_EXEC_WRAPPER');
    // ./lib/fmt.js is used through ./lib/render.js: no import advice for it, only its own 60 ms of module-level work.
    expect(advice(report)).toEqual([
      ['module-level-work', 'app.js:12'],
      ['unused-import', './slow.js'],
      ['module-level-work', 'lib/fmt.js:2'],
    ]);
    expect(find(report, 'module-level-work', 'app.js:12').evidence).toMatch(/^app\.js:12 `const TABLE = buildTable\(200\);` ran for \d+(\.\d+)? ms at init/);
    expect(find(report, 'module-level-work', 'app.js:12').savingMs).toBeGreaterThanOrEqual(190);
    const unused = find(report, 'unused-import', './slow.js');
    expect(unused.action).toBe("Remove the module-level import of `../slow` (lib/render.js:2), or import it lazily where it is needed: the handler's code path never uses it.");
    expect(unused.fix).toEqual({ kind: 'remove-import', package: './slow.js', file: 'lib/render.js', line: 2, endLine: 2 });
  }, 120_000);
});
