import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSampleLine, summarize, type RunInfo, type RunSummary, type SummarizeOptions } from '../../src/report/index.ts';

export const RUNS_DIR = fileURLToPath(new URL('../../fixtures/runs/', import.meta.url));

/** Summarizes a recorded run under fixtures/runs (written by fixtures/runs/make-runs.ts). */
export function fixtureSummary(name: string, options: SummarizeOptions = {}): RunSummary {
  const dir = `${RUNS_DIR}${name}/`;
  const run = JSON.parse(readFileSync(`${dir}run.json`, 'utf8')) as RunInfo;
  const lines = readFileSync(`${dir}samples.jsonl`, 'utf8').split('\n');
  const samples = lines.map((l, i) => parseSampleLine(l, i + 1, 'samples.jsonl')).filter((s) => s !== null);
  return summarize(samples, run, options);
}
