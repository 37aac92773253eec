/**
 * Start-up time of whole processes, as a user sees it: `node -e 0` (the floor), then the
 * installed binary's `coldbench --version` and `coldbench report <run>` on a small fixture run,
 * running the compiled dist/ (what `npm i -g coldbench` runs), and the same through tsx from
 * src/ for contrast. Prints the median of several runs and the ratio to `node -e 0` against the
 * target: within 3× of bare Node.
 *
 *   npm run perf -- startup          (builds nothing: run `npm run build` first for a fresh dist/)
 *   STARTUP_RUNS=21 npm run perf -- startup
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'coldbench.js');
const RUN = join(ROOT, 'fixtures', 'runs', 'baseline');
const RUNS = Number(process.env.STARTUP_RUNS ?? 11);
/** The target: `--version` and `report` start within 3× of `node -e 0`. */
const TARGET_RATIO = 3;

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** compared with the target (the compiled binary), or shown for contrast only */
  targeted: boolean;
}

const CASES: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'], targeted: false },
  { name: 'coldbench --version', args: [BIN, '--version'], targeted: true },
  { name: 'coldbench report fixtures/runs/baseline', args: [BIN, 'report', RUN], targeted: true },
  { name: 'coldbench --version (src via tsx)', args: [BIN, '--version'], env: { COLDBENCH_FROM_SRC: '1' }, targeted: false },
  { name: 'coldbench report … (src via tsx)', args: [BIN, 'report', RUN], env: { COLDBENCH_FROM_SRC: '1' }, targeted: false },
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function timeOnce(c: Case): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', COLDBENCH_FROM_SRC: '', ...c.env },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name} exited with ${r.status}: ${r.stderr.toString().trim().split('\n').slice(0, 5).join(' | ')}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('dist/ is not built: run `npm run build` first');
  process.exit(1);
}
if (newestMtime(join(ROOT, 'src')) > newestMtime(join(ROOT, 'dist'))) {
  console.log('note: src/ has changed since dist/ was built; `npm run build` measures the current sources');
}

console.log(`${RUNS} runs each (after one warm-up run), median wall time of the whole process; target: within ${TARGET_RATIO}× of node -e 0\n`);
const results: Array<{ c: Case; med: number; min: number }> = [];
for (const c of CASES) {
  timeOnce(c); // warm-up: file-system cache, V8 compile cache
  const times = Array.from({ length: RUNS }, () => timeOnce(c));
  results.push({ c, med: median(times), min: Math.min(...times) });
}
const floor = results[0].med;
const width = Math.max(...results.map((r) => r.c.name.length));
let missed = 0;
for (const { c, med, min } of results) {
  const ratio = med / floor;
  const verdict = c.targeted ? (ratio <= TARGET_RATIO ? `  meets ${TARGET_RATIO}×` : `  MISSES ${TARGET_RATIO}× (${(med - TARGET_RATIO * floor).toFixed(0)} ms over)`) : '';
  if (c.targeted && ratio > TARGET_RATIO) missed++;
  console.log(`${c.name.padEnd(width)}  median ${med.toFixed(1).padStart(7)} ms  min ${min.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2).padStart(6)}× node -e 0${verdict}`);
}
console.log(missed ? `\n${missed} command(s) over the ${TARGET_RATIO}× target` : `\nall targeted commands within ${TARGET_RATIO}× of node -e 0`);
// Figures, not a gate: the perf run succeeds either way (CI machines vary too much for a hard limit).
