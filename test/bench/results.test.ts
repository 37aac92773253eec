import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchOptionError, ResumeError } from '../../src/bench/errors.ts';
import { type BenchSample, createRun, newRunId, openRunForResume } from '../../src/bench/results.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-results-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sample(variant: string, phase: 'cold' | 'warm', sampleIndex: number): BenchSample {
  return {
    variant,
    kind: phase,
    coldBy: phase === 'cold' ? 'init-duration' : 'none',
    requestId: `${variant}-${phase}-${sampleIndex}`,
    initMs: phase === 'cold' ? 100 : null,
    restoreMs: null,
    billedRestoreMs: null,
    durationMs: 2,
    billedMs: 3,
    memoryMB: 128,
    maxMemoryMB: 40,
    status: 'success',
    errorType: null,
    clientMs: 5,
    function: 'f',
    phase,
    sampleIndex,
    forced: phase === 'cold',
    error: null,
    timestamp: '2026-11-28T16:25:01.000Z',
  };
}
const plan = {
  variants: [
    {
      name: 'a@128',
      function: 'f',
      memoryMB: 128,
      architecture: 'x86_64' as const,
      runtime: 'python3.11',
      packaging: 'bundled' as const,
      handler: 'app.handler',
      cold: 2,
      warm: 2,
    },
  ],
  order: ['a@128'],
};

describe('newRunId', () => {
  it('is the UTC timestamp plus the suffix', () => {
    expect(newRunId(new Date('2026-11-28T16:25:01.123Z'), 'k3f9')).toBe('20261128T162501Z-k3f9');
    expect(newRunId()).toMatch(/^\d{8}T\d{6}Z-[a-z0-9]{4}$/);
  });
});

describe('RunStore', () => {
  it('appends one JSON line per sample and rewrites run.json', () => {
    const dir = join(work, 'new');
    const store = createRun(dir, { runId: 'r', status: 'running', plan });
    store.append(sample('a@128', 'cold', 0));
    store.info.status = 'completed';
    store.writeInfo();
    store.close();
    expect(readFileSync(join(dir, 'samples.jsonl'), 'utf8')).toBe(`${JSON.stringify(sample('a@128', 'cold', 0))}\n`);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toEqual({ runId: 'r', status: 'completed', plan });
    expect(() => createRun(dir, { runId: 'r2' })).toThrow(new ResumeError(`--out ${dir} already holds a run; pass --resume ${dir} to finish it, or choose another --out`));
  });

  it('creates the missing parent folders of --out (bench --out a/b/c/run)', () => {
    const dir = join(work, 'a', 'b', 'c', 'run');
    createRun(dir, { runId: 'r', status: 'running', plan }).close();
    expect(readdirSync(dir).sort()).toEqual(['run.json', 'samples.jsonl']);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toEqual({ runId: 'r', status: 'running', plan });
  });

  it('says which --out it cannot create, as an option error (exit 2), when a file is in the way', () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    expect(() => createRun(join(file, 'run'), { runId: 'r' })).toThrow(
      new BenchOptionError(`--out ${join(file, 'run')}: cannot create the run folder (ENOTDIR); choose a folder path in a writable place`),
    );
  });
});

describe('openRunForResume', () => {
  it('counts what is done per variant and phase and drops a torn last line', () => {
    const dir = join(work, 'torn');
    const store = createRun(dir, { runId: 'r', status: 'running', plan });
    store.append(sample('a@128', 'cold', 0));
    store.append(sample('a@128', 'cold', 1));
    store.append(sample('a@128', 'warm', 0));
    store.close();
    const whole = readFileSync(join(dir, 'samples.jsonl'), 'utf8');
    appendFileSync(join(dir, 'samples.jsonl'), '{"variant":"a@128","kind":"wa');
    const { store: reopened, samples } = openRunForResume(dir);
    expect(samples.map((s) => s.requestId)).toEqual(['a@128-cold-0', 'a@128-cold-1', 'a@128-warm-0']);
    expect(reopened.done('a@128', 'cold')).toBe(2);
    expect(reopened.done('a@128', 'warm')).toBe(1);
    reopened.append(sample('a@128', 'warm', 1));
    reopened.close();
    expect(readFileSync(join(dir, 'samples.jsonl'), 'utf8')).toBe(`${whole}${JSON.stringify(sample('a@128', 'warm', 1))}\n`);
  });

  it('refuses run.json that is not JSON, has no plan, or says completed', () => {
    const bad = join(work, 'bad');
    createRun(bad, { runId: 'r' }).close();
    writeFileSync(join(bad, 'run.json'), '{');
    expect(() => openRunForResume(bad)).toThrow(/^--resume .*bad: run\.json is not valid JSON \(.*\); the run cannot be resumed$/);
    writeFileSync(join(bad, 'run.json'), '{"runId":"r"}');
    expect(() => openRunForResume(bad)).toThrow(`--resume ${bad}: run.json has no plan; it was not written by \`coldbench bench\``);
    writeFileSync(join(bad, 'run.json'), JSON.stringify({ runId: 'r', plan, status: 'completed' }));
    expect(() => openRunForResume(bad)).toThrow(`--resume ${bad}: that run already completed; nothing to resume`);
  });
});
