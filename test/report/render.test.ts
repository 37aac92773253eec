import { describe, expect, it } from 'vitest';
import { render, renderComparison, compareRuns } from '../../src/report/index.ts';
import { renderTable } from '../../src/report/render/table.ts';
import { fixtureSummary } from './fixture-runs.ts';

const RUNS = ['baseline', 'failures'] as const;
const EXT = { table: 'txt', markdown: 'md', json: 'json', csv: 'csv', html: 'html' } as const;

describe('render', () => {
  for (const run of RUNS) {
    for (const format of Object.keys(EXT) as Array<keyof typeof EXT>) {
      it(`renders the recorded ${run} run as ${format} exactly as the snapshot`, async () => {
        await expect(render(fixtureSummary(run), format)).toMatchFileSnapshot(`__snapshots__/${run}.${EXT[format]}`);
      });
    }
  }

  it('renders the imported samples (no run.json) with the variants in arrival order', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseSampleLine, summarize } = await import('../../src/report/index.ts');
    const lines = readFileSync(new URL('../../fixtures/runs/imported.jsonl', import.meta.url), 'utf8').split('\n');
    const summary = summarize(
      lines.map((l, i) => parseSampleLine(l, i + 1, 'imported.jsonl')).filter((s) => s !== null),
      { runId: 'imported' },
    );
    await expect(render(summary, 'table')).toMatchFileSnapshot('__snapshots__/imported.txt');
  });

  it('colours the best value and the warnings only when asked', () => {
    const summary = fixtureSummary('failures');
    expect(render(summary, 'table')).not.toContain('\u001b[');
    const coloured = render(summary, 'table', { color: true });
    expect(coloured).toContain('\u001b[1;32m200.7 *\u001b[0m');
    expect(coloured).toContain('\u001b[33mWarning: snap@1024 cold: 1 of 10 samples are outliers');
  });

  it('writes a JSON summary that parses back to the same summary', () => {
    const summary = fixtureSummary('baseline');
    expect(JSON.parse(render(summary, 'json'))).toEqual(JSON.parse(JSON.stringify(summary)));
  });

  it('writes one CSV row per variant and kind, with the header first', () => {
    const lines = render(fixtureSummary('failures'), 'csv').trim().split('\n');
    expect(lines).toHaveLength(1 + 3 * 2);
    expect(lines[0].startsWith('variant,kind,state,memory_mb')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'snap@1024,cold,measured',
      'snap@1024,warm,measured',
      'flaky@256,cold,measured',
      'flaky@256,warm,measured',
      'broken@128,cold,failed',
      'broken@128,warm,failed',
    ]);
  });

  it('rejects an unknown format naming the ones it has', () => {
    expect(() => render(fixtureSummary('baseline'), 'pdf' as never)).toThrow('unknown report format "pdf"; use one of table, markdown, json, csv, html');
  });
});

describe('renderComparison', () => {
  const base = fixtureSummary('baseline');
  const regression = fixtureSummary('regression');
  for (const format of ['table', 'markdown', 'json'] as const) {
    it(`renders the 60 % regression as ${format} exactly as the snapshot`, async () => {
      const c = compareRuns(base, regression, { threshold: 0.1, metric: 'cold.median' });
      await expect(renderComparison(c, format)).toMatchFileSnapshot(`__snapshots__/compare-regression.${format === 'table' ? 'txt' : format === 'markdown' ? 'md' : 'json'}`);
    });
  }
});

describe('renderTable', () => {
  it('right-aligns numbers, underlines the header and marks the best cell', () => {
    const text = renderTable(
      ['Name', 'Median [ms]'],
      [
        { variant: 'a', kind: '', cells: ['a', '1.0'], bestCell: 1 },
        { variant: 'bb', kind: '', cells: ['bb', '12.5'], bestCell: -1 },
      ],
      1,
      false,
    );
    expect(text).toBe(['Name  Median [ms]', '────  ───────────', 'a           1.0 *', 'bb         12.5'].join('\n'));
  });
});

describe('render of a run without samples', () => {
  it('says so instead of printing empty tables', async () => {
    const { summarize } = await import('../../src/report/index.ts');
    const empty = summarize([], { runId: 'r0' });
    expect(render(empty, 'table')).toBe('coldbench run r0: no samples recorded.\n');
    expect(render(empty, 'markdown')).toBe('### coldbench: r0\n\nNo samples recorded.\n');
    expect(render(empty, 'csv').split('\n')).toHaveLength(2);
  });
});
