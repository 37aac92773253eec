import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/probe/sample.ts';
import { render, summarize, type RunInfo } from '../../src/report/index.ts';
import { footnotes, latencyHeaders, latencyRows } from '../../src/report/render/rows.ts';
import { renderTable } from '../../src/report/render/table.ts';

function sample(variant: string, kind: 'cold' | 'warm', durationMs: number): Sample {
  return {
    variant,
    kind,
    coldBy: kind === 'cold' ? 'init-duration' : 'none',
    requestId: `${variant}-${kind}`,
    initMs: kind === 'cold' ? 100 : null,
    restoreMs: null,
    billedRestoreMs: null,
    durationMs,
    billedMs: Math.ceil(durationMs + (kind === 'cold' ? 100 : 0)),
    memoryMB: 128,
    maxMemoryMB: 40,
    status: 'success',
    errorType: null,
    clientMs: null,
  } as Sample;
}

const SAMPLES = [sample('py311@128', 'cold', 10), sample('py311@128', 'warm', 2), sample('py312@128', 'cold', 12), sample('py312@128', 'warm', 3)];
const PY311 = '/root/.pyenv/versions/3.11.7/bin/python3.11';

function run(py312Exact: boolean): RunInfo {
  return {
    runId: 'r1',
    plan: {
      variants: [
        { name: 'py311@128', function: 'a', memoryMB: 128, architecture: 'x86_64', runtime: 'python3.11', packaging: 'bundled', handler: 'app.h', cold: 1, warm: 1 },
        { name: 'py312@128', function: 'a', memoryMB: 128, architecture: 'x86_64', runtime: 'python3.12', packaging: 'bundled', handler: 'app.h', cold: 1, warm: 1 },
      ],
    },
    emulator: {
      interpreters: {
        'python3.11': { command: 'python3.11', path: PY311, version: '3.11.7', exact: true, variants: ['py311@128'] },
        'python3.12': py312Exact
          ? { command: 'python3.12', path: '/usr/bin/python3.12', version: '3.12.1', exact: true, variants: ['py312@128'] }
          : { command: 'python3', path: PY311, version: '3.11.7', exact: false, variants: ['py312@128'] },
      },
    },
  };
}

const NOTE = `† python3.12 ran on the local python 3.11.7 (${PY311}): its times are not python3.12's.`;

describe('variants whose runtime ran on another local version', () => {
  it('are marked † in the latency table, with the note under it', () => {
    const summary = summarize(SAMPLES, run(false));
    expect(renderTable(latencyHeaders(summary), latencyRows(summary), 2, false)).toBe(
      [
        'Variant      Kind  n  Median [ms]  95 % CI [ms]  p90 [ms]  p99 [ms]  Mean ± sd [ms]  Min…max [ms]  Init [ms]  Billed mean [ms]  Max memory [MB]  Failed',
        '───────      ────  ─  ───────────  ────────────  ────────  ────────  ──────────────  ────────────  ─────────  ────────────────  ───────────────  ──────',
        'py311@128    cold  1      110.0 *   110.0–110.0         —         —           110.0   110.0…110.0      100.0             110.0               40       0',
        'py311@128    warm  1        2.0 *       2.0–2.0         —         —             2.0       2.0…2.0                          2.0               40       0',
        'py312@128 †  cold  1      112.0     112.0–112.0         —         —           112.0   112.0…112.0      100.0             112.0               40       0',
        'py312@128 †  warm  1        3.0         3.0–3.0         —         —             3.0       3.0…3.0                          3.0               40       0',
      ].join('\n'),
    );
    expect(footnotes(summary, '*').slice(0, 2)).toEqual(['* lowest of its kind.', NOTE]);
    const table = render(summary, 'table').split('\n');
    expect(table.filter((l) => l.startsWith('†'))).toEqual([NOTE]);
    const markdown = render(summary, 'markdown').split('\n');
    expect(markdown.filter((l) => l.startsWith('| py312@128'))).toEqual([
      '| py312@128 † | cold | 1 | 112.0 | 112.0–112.0 | — | — | 112.0 | 112.0…112.0 | 100.0 | 112.0 | 40 | 0 |',
      '| py312@128 † | warm | 1 | 3.0 | 3.0–3.0 | — | — | 3.0 | 3.0…3.0 |  | 3.0 | 40 | 0 |',
      '| py312@128 † | x86_64 | 128 | 0.01400 | 0.00038 | 50.0 | 0.32 | 0.21 | 4.1 |',
    ]);
    expect(markdown).toContain(`<sub>${NOTE}</sub><br>`);
  });

  it('are not marked when every runtime ran on its own version, or run.json does not say (older runs, other endpoints)', () => {
    for (const info of [run(true), { ...run(true), emulator: undefined }]) {
      const summary = summarize(SAMPLES, info);
      expect(latencyRows(summary).map((r) => r.cells[0])).toEqual(['py311@128', 'py311@128', 'py312@128', 'py312@128']);
      expect(render(summary, 'table')).not.toContain('†');
      expect(render(summary, 'markdown')).not.toContain('†');
    }
  });
});
