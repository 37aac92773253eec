import { describe, expect, it } from 'vitest';
import { profileReport } from './profile-report.ts';

describe('coldbench profile on the emulator: a Node function with npm dependencies', () => {
  it('times each require, names the packages with sizes, and measures the esbuild bundle with --verify', async () => {
    const report = await profileReport(['fixtures/suites/full.yaml', '--only', 'deps-node@1024-bundled-x86_64', '--verify', '--samples', '5', '--verify-limit', '1']);
    expect(report.tracing).toBe('Module._load timer (--require) through AWS_LAMBDA_EXEC_WRAPPER');
    const handler = report.modules.find((m) => m.kind === 'handler');
    expect(handler?.name).toBe('./index.js');
    expect(handler?.children.map((c) => c.name).sort()).toEqual(['ajv/dist/ajv.js', 'date-fns/index.cjs', 'lodash/lodash.js']);
    for (const name of ['ajv', 'date-fns', 'lodash']) {
      const m = report.modules.find((x) => x.name === name);
      expect(m?.kind).toBe('package');
      expect(m?.sizeBytes).toBeGreaterThan(0);
      expect(m?.cumulativeMs).toBeGreaterThan(0);
    }
    const bundle = report.recommendations.find((r) => r.rule === 'node-bundle');
    expect(bundle).toMatchObject({ basis: 'measured', verified: true, per: 'cold-start', n: { baseline: 5, variant: 5 }, fix: { kind: 'esbuild' } });
    expect(bundle?.evidence).toMatch(/^init loaded \d+ files from node_modules, taking \d+(\.\d)? ms cumulative; /);
  }, 300_000);
});
