import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/profile/analyze.ts';
import type { PackageScan } from '../../src/profile/package-scan.ts';
import { renderProfile, savingText } from '../../src/profile/render.ts';
import type { ProfileReport, Recommendation } from '../../src/profile/types.ts';

const trace = readFileSync(new URL('./fixtures/importtime-small.txt', import.meta.url), 'utf8');
const scan = (name: string, bytes: number): PackageScan => ({ name, paths: [name], bytes, removable: [], removableBytes: 0, pyFiles: 1, pyFilesWithoutPyc: 0 });

function report(): ProfileReport {
  return analyze({
    function: { name: 'demo', codeDir: '/code', runtime: 'python3.11', handler: 'app.handler', memoryMB: 1024 },
    language: 'python',
    traceText: trace,
    initMs: 20,
    warmDurationsMs: [3, 1, 2],
    packages: new Map([
      ['pandas', scan('pandas', 73_400_320)],
      ['numpy', scan('numpy', 31_457_280)],
    ]),
    sources: new Map([
      ['app', 'import pandas\n\ndef report(rows):\n    return pandas.DataFrame(rows)\n\ndef handler(event, context):\n    return report(event) if event else 1\n'],
    ]),
    target: 'local emulator',
    tracing: 'python -X importtime through AWS_LAMBDA_EXEC_WRAPPER',
  });
}

describe('renderProfile table', () => {
  const text = renderProfile(report(), 'table');
  it('heads with the function, Init Duration and the warm median', () => {
    expect(text.split('\n').slice(0, 3)).toEqual([
      'coldbench profile demo (app.handler, python3.11, 1024 MB) on the local emulator',
      'Init Duration 20.0 ms, traced with python -X importtime through AWS_LAMBDA_EXEC_WRAPPER; 5.4 ms of it outside any traced import (interpreter start, runtime client)',
      'Warm Duration (median) 2.0 ms [n = 3]',
    ]);
  });
  it('lists packages with their heaviest children, units in the headers and sizes in MB', () => {
    expect(text).toContain(
      [
        'Module                      Kind     Self [ms]  Cumulative [ms]  Share of init  Size [MB]',
        '──────                      ────     ─────────  ───────────────  ─────────────  ─────────',
        'pandas                      package        7.0             12.0         60.0 %       70.0',
        '  numpy                                    3.0              5.0         25.0 %       30.0',
        '  pandas.core                              2.0              3.0         15.0 %',
        'numpy                       package        5.5              5.5         27.5 %       30.0',
      ].join('\n'),
    );
    expect(text).toContain('\n_frozen_importlib_external  runtime        0.3              0.6          3.0 %          —\n');
  });
  it('ranks the recommendation with its evidence and how the saving was obtained', () => {
    expect(text).toContain(
      [
        'Recommendations (largest saving first)',
        ' 1. barely-used-import  pandas: saves ~12.0 ms per cold start, estimated from the import trace, not measured',
        '    Import `pandas` inside the code that uses it (line 4) instead of at module level, so invocations that skip it do not pay for it.',
        "    Evidence: importing pandas took 12 ms of init (60 %, packages the handler also imports excluded); `pandas` is used on 1 line, outside handler's own body (report, line 4)",
      ].join('\n'),
    );
  });
});

describe('renderProfile json', () => {
  it('holds modules sorted by cumulativeMs, initMs and recommendations with rule, savingMs, evidence, verified', () => {
    const json = JSON.parse(renderProfile(report(), 'json')) as ProfileReport;
    expect(json.initMs).toBe(20);
    expect(json.modules.map((m) => m.cumulativeMs)).toEqual([12, 5.5, 2, 0.61, 0.31]);
    expect(json.modules[0]).toMatchObject({ name: 'pandas', selfMs: 7, cumulativeMs: 12, share: 0.6, sizeBytes: 73_400_320 });
    expect(json.recommendations[0]).toMatchObject({ rule: 'barely-used-import', savingMs: 12, verified: false });
    expect(typeof json.recommendations[0].evidence).toBe('string');
  });
});

describe('renderProfile markdown and html', () => {
  it('writes a markdown table with child rows marked', () => {
    const md = renderProfile(report(), 'markdown');
    expect(md).toContain('| Module | Kind | Self [ms] | Cumulative [ms] | Share of init | Size [MB] |');
    expect(md).toContain('| ↳ numpy |  | 3.0 | 5.0 | 25.0 % | 30.0 |');
    expect(md).toContain('1. **barely-used-import** `pandas`: saves ~12.0 ms per cold start, estimated from the import trace, not measured');
  });
  it('writes one self-contained HTML page with escaped text and no external resources', () => {
    const html = renderProfile(report(), 'html');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('<td>pandas</td><td>package</td><td class="n">7.0</td><td class="n">12.0</td><td class="n">60.0 %</td><td class="n">70.0</td>');
    expect(html).toContain('Import `pandas` inside the code that uses it (line 4) instead of at module level');
  });
});

describe('savingText', () => {
  const rec: Recommendation = {
    rule: 'strip-package',
    target: 'numpy',
    action: '',
    savingMs: -85,
    per: 'cold-start',
    basis: 'measured',
    evidence: '',
    verified: true,
    ci: [-300, 39.5],
    n: { baseline: 8, variant: 8 },
  };
  it('calls an interval that holds zero no measurable saving', () => {
    expect(savingText(rec)).toBe('no measurable saving per cold start: measured -85.0 ms (95 % CI -300.0–39.5 ms, n = 8 + 8)');
  });
  it('states a measured saving with its interval', () => {
    expect(savingText({ ...rec, rule: 'per-call-client', per: 'invocation', savingMs: 160, ci: [132.8, 480.3], n: { baseline: 15, variant: 15 } })).toBe(
      'saves 160.0 ms per invocation, measured (95 % CI 132.8–480.3 ms, n = 15 + 15)',
    );
  });
  it('says when no saving was estimated, and why it was not measured', () => {
    expect(savingText({ ...rec, verified: false, savingMs: null, ci: undefined, unverifiedReason: 'not measured: --verify-limit 1 reached' })).toBe(
      'saving not estimated (not measured: --verify-limit 1 reached)',
    );
  });
});
