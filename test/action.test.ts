/**
 * The composite GitHub Action (action.yml). Nothing here runs GitHub Actions, so the test parses
 * the file, checks its interface, and runs its shell steps with bash the way the runner would:
 * each step's `env:` with `${{ inputs.x }}` / `${{ steps.id.outputs.y }}` / `${{ github.* }}`
 * substituted, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files, and the step's `run:` as
 * `bash -e {0}`. `coldbench` on PATH is this checkout's bin (current src/, COLDBENCH_FROM_SRC=1);
 * the install step (npm pack + npm install -g) is what .ci/run does, and is not repeated here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, REPO_ROOT } from './helpers/cli.ts';

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Action {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
const work = mkdtempSync(join(tmpdir(), 'coldbench-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A folder with a `coldbench` that runs this checkout's current sources. */
function shimDir(): string {
  const dir = join(work, 'bin');
  mkdirSync(dir, { recursive: true });
  const shim = join(dir, 'coldbench');
  writeFileSync(shim, `#!/bin/sh\nCOLDBENCH_FROM_SRC=1 exec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

/** `key=value` lines of a GITHUB_OUTPUT file. */
function readOutputs(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

interface StepRun {
  step: Step;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the action's bash steps in order, as the runner would, and stops at the first failure.
 * `skip` names steps not to run; `outputs` seeds steps' outputs (for a step that is skipped).
 */
function runAction(inputs: Record<string, string>, options: { cwd: string; skip: string[]; outputs?: Record<string, Record<string, string>> }) {
  const values: Record<string, string> = {};
  for (const [name, def] of Object.entries(action.inputs)) values[name] = inputs[name] ?? def.default ?? '';
  const stepOutputs: Record<string, Record<string, string>> = { ...options.outputs };
  const summary = join(work, `summary-${Object.keys(stepOutputs).length}-${Date.now()}.md`);
  const expr = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
      let m = /^inputs\.([\w-]+)$/.exec(e);
      if (m) return values[m[1]] ?? '';
      m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
      if (m) return stepOutputs[m[1]]?.[m[2]] ?? '';
      if (e === 'github.action_path') return REPO_ROOT;
      throw new Error(`action.yml: expression \${{ ${e} }} is not one this test knows`);
    });
  const runs: StepRun[] = [];
  for (const step of action.runs.steps) {
    if (!step.run || options.skip.includes(step.name)) continue;
    const output = join(work, `output-${step.id ?? 'step'}-${Date.now()}`);
    writeFileSync(output, '');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${shimDir()}:${process.env.PATH}`,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_ACTION_PATH: REPO_ROOT,
      GITHUB_RUN_ID: '42',
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v))])),
    };
    // shell: bash is `bash --noprofile --norc -eo pipefail {0}` on the runner.
    const script = join(work, `step-${runs.length}.sh`);
    writeFileSync(script, step.run);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: options.cwd, env, encoding: 'utf8' });
    if (step.id) stepOutputs[step.id] = readOutputs(output);
    runs.push({ step, code: r.status, stdout: r.stdout, stderr: r.stderr });
    if (r.status !== 0) break;
  }
  return { runs, summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '', outputs: stepOutputs };
}

describe('action.yml', () => {
  it('is a composite action with the inputs and outputs a workflow uses', () => {
    expect(action.runs.using).toBe('composite');
    for (const input of ['suite', 'baseline', 'threshold', 'normalize-by', 'target', 'node-version']) {
      expect(action.inputs[input], input).toBeDefined();
      expect(action.inputs[input].description.length).toBeGreaterThan(10);
    }
    expect(action.inputs.target.default).toBe('local');
    expect(Object.keys(action.outputs).sort()).toEqual(['comparison', 'regression', 'results']);
    for (const step of action.runs.steps) {
      if (step.run) expect(step.shell, step.name).toBe('bash');
      // Inputs reach scripts through env, never pasted into the script text (script injection).
      if (step.run) expect(step.run, step.name).not.toMatch(/\$\{\{/);
    }
    expect(action.runs.steps.map((s) => s.name)).toEqual(['Set up Node.js', 'Install coldbench', 'Benchmark', 'Compare with the baseline']);
  });

  it('installs coldbench from its own source the way .ci/run does (npm pack, then npm install -g the tarball)', () => {
    const install = action.runs.steps.find((s) => s.name === 'Install coldbench')!;
    expect(install.run).toContain('npm pack');
    expect(install.run).toMatch(/npm install -g .*\$CB_ACTION_PATH\/\$tarball/);
    expect(install.run).toContain('"coldbench@$CB_VERSION"');
  });

  it('benchmarks a slice of the seed suite, compares it with the baseline and appends the markdown to the step summary', () => {
    const cwd = join(work, 'workspace');
    mkdirSync(cwd, { recursive: true });
    const { runs, summary, outputs } = runAction(
      {
        suite: join(REPO_ROOT, 'fixtures/suites/seed.yaml'),
        baseline: join(REPO_ROOT, 'results/baseline.json'),
        threshold: '99%',
        only: 'hello@*',
        cold: '1',
        warm: '1',
      },
      { cwd, skip: ['Install coldbench'] },
    );
    expect(runs.map((r) => r.step.name)).toEqual(['Benchmark', 'Compare with the baseline']);
    const [bench, compare] = runs;
    expect(bench.code, bench.stderr).toBe(0);
    expect(outputs.bench.results).toBe('results/coldbench-42');
    expect(existsSync(join(cwd, 'results/coldbench-42/samples.jsonl'))).toBe(true);
    // The baseline was recorded on another machine and this one is shared: one cold sample may
    // well be a significant regression beyond 99 %. Either way the step's exit code and its
    // `regression` output agree, and the summary is written.
    expect([0, 1], compare.stderr).toContain(compare.code);
    expect(outputs.compare).toEqual({ comparison: 'results/coldbench-42/comparison.md', regression: compare.code === 1 ? 'true' : 'false' });
    const markdown = readFileSync(join(cwd, 'results/coldbench-42/comparison.md'), 'utf8');
    expect(summary).toBe(`## coldbench: results/coldbench-42 against ${join(REPO_ROOT, 'results/baseline.json')}\n\n${markdown}\n`);
    expect(markdown).toContain('| hello@512 |');
    expect(markdown).toMatch(/^### coldbench compare: cold median: /);
    expect(markdown).not.toContain('| reuse@512 |'); // only the variants both runs measured are compared
  });

  it('fails the step on a significant regression, says so in its outputs and still writes the summary', () => {
    const cwd = join(work, 'workspace-regression');
    const current = join(cwd, 'current');
    cpSync(join(REPO_ROOT, 'fixtures/runs/regression'), current, { recursive: true });
    const { runs, summary, outputs } = runAction(
      { baseline: join(REPO_ROOT, 'fixtures/runs/baseline'), threshold: '10%', 'normalize-by': 'reuse@512' },
      { cwd, skip: ['Install coldbench', 'Benchmark'], outputs: { bench: { results: current } } },
    );
    expect(runs).toHaveLength(1);
    expect(runs[0].code).toBe(1);
    expect(outputs.compare.regression).toBe('true');
    expect(summary.startsWith(`## coldbench: ${current} against ${join(REPO_ROOT, 'fixtures/runs/baseline')}\n\n`)).toBe(true);
    expect(summary).toContain('significant regression');
    expect(runs[0].stdout).toContain('significant regression');
  });
});
