import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchOptionError, SuiteError } from '../../src/bench/errors.ts';
import { describePlan, estimateCost } from '../../src/bench/estimate.ts';
import { plan } from '../../src/bench/plan.ts';
import { loadSuiteDocument } from '../../src/bench/suite.ts';
import { refuseSnapStartOffAws } from '../../src/bench/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'coldbench-pc-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 's.yaml');
const code = resolve('fixtures/functions/edge/py-hello');
const doc = (api: Record<string, unknown>) => ({ functions: { api: { code, handler: 'app.handler', runtime: 'python3.12', memory: 512, ...api } } });

describe('the provisioned and snapStart axes (suite → plan)', () => {
  it('names on-demand, -pc<N> and -snap variants and leaves out the cell that would combine PC and SnapStart', () => {
    const p = plan(loadSuiteDocument(doc({ coldStrategy: 'version', provisioned: [0, 2], snapStart: [false, true] }), file));
    expect(p.variants.map((v) => [v.name, v.provisioned, v.snapStart])).toEqual([
      ['api@512', undefined, undefined],
      ['api@512-snap', undefined, true],
      ['api@512-pc2', 2, undefined],
    ]);
  });

  it('puts the suffixes after the other axes, -pc<N> before -snap', () => {
    const p = plan(loadSuiteDocument(doc({ architecture: ['x86_64', 'arm64'], provisioned: 3 }), file));
    expect(p.variants.map((v) => v.name)).toEqual(['api@512-x86_64-pc3', 'api@512-arm64-pc3']);
  });

  it('refuses snapStart without coldStrategy version, on a runtime before python3.12, or with provisioned set alone', () => {
    const attempt = (api: Record<string, unknown>) => {
      try {
        loadSuiteDocument(doc(api), file);
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(SuiteError);
        return (error as Error).message;
      }
    };
    expect(attempt({ snapStart: true })).toBe(
      `${file}: functions.api.snapStart: requires coldStrategy: version (SnapStart restores snapshots of published versions); set coldStrategy: version for this function`,
    );
    expect(attempt({ snapStart: true, coldStrategy: 'version', runtime: 'python3.11' })).toBe(
      `${file}: functions.api.snapStart: python3.11 cannot use SnapStart; allowed: python3.12 or later (Java and .NET SnapStart only through --function on --target aws)`,
    );
    expect(attempt({ snapStart: true, coldStrategy: 'version', provisioned: 2 })).toBe(
      `${file}: functions.api.snapStart: cannot be combined with provisioned (Lambda does not run SnapStart on provisioned concurrency); use provisioned: [0, N] and snapStart: [false, true] to compare them`,
    );
    expect(attempt({ provisioned: -1 })).toBe(`${file}: functions.api.provisioned: -1 must not be negative; allowed: an integer 0-1000 (0 = on-demand only)`);
    expect(attempt({ snapStart: 'yes' })).toContain(`${file}: functions.api.snapStart: "yes" must be true or false; allowed: true, false or [false, true]`);
  });

  it('refuses --cold-strategy other than version for a snapStart variant', () => {
    const suite = loadSuiteDocument(doc({ coldStrategy: 'version', snapStart: true }), file);
    expect(() => plan(suite, { coldStrategy: 'burst' })).toThrow(BenchOptionError);
    expect(() => plan(suite, { coldStrategy: 'burst' })).toThrow(
      '--cold-strategy burst: api@512-snap uses snapStart, which needs coldStrategy version (SnapStart restores published versions); drop --cold-strategy or pass version',
    );
  });
});

describe('refuseSnapStartOffAws', () => {
  const p = plan(loadSuiteDocument(doc({ coldStrategy: 'version', snapStart: [false, true] }), file));

  it('refuses a snapStart variant on an endpoint, naming the field and the variants', () => {
    expect(() => refuseSnapStartOffAws(p, 'http://127.0.0.1:4566', file)).toThrow(
      `${file}: functions.api.snapStart: true cannot run on the endpoint http://127.0.0.1:4566: SnapStart restores a Firecracker snapshot, which no local process can reproduce faithfully (variants api@512-snap). Run it with --target aws, or leave snapStart out (or --only the other variants) to benchmark locally.`,
    );
  });

  it('lets a real account run it, and a plan without snapStart run anywhere', () => {
    expect(() => refuseSnapStartOffAws(p, 'aws', file)).not.toThrow();
    const onDemand = plan(loadSuiteDocument(doc({}), file));
    expect(() => refuseSnapStartOffAws(onDemand, 'local', file)).not.toThrow();
  });
});

describe('estimateCost with provisioned concurrency and SnapStart', () => {
  it('adds one 5-minute PC step per cold batch, and 3 h of cache plus a restore per SnapStart cold sample', () => {
    const pc = plan(loadSuiteDocument(doc({ memory: 1024, cold: 4, warm: 2, timeout: 10, provisioned: 2 }), file));
    // 2 batches × 2 environments × 1 GB × 300 s × $0.0000041667 + 6 requests + 6 × 0.1 GB-s × $0.0000097222.
    expect(estimateCost(pc, 'us-east-1').typicalUsd).toBeCloseTo(0.00500707332, 12);
    const snap = plan(loadSuiteDocument(doc({ memory: 1024, cold: 2, warm: 1, coldStrategy: 'version', snapStart: true }), file));
    // 2 × 1 GB × (10,800 s × $0.0000015046 + $0.0001397998) + 3 requests + 2.1 GB-s × $0.0000166667.
    expect(estimateCost(snap, 'us-east-1').typicalUsd).toBeCloseTo(0.03281455967, 12);
    expect(describePlan(pc, estimateCost(pc, 'us-east-1'))).toContain('api@1024-pc2                      1024 MB  x86_64  cold   4  warm   2  (provisioned concurrency 2)');
  });
});
