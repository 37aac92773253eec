/**
 * `coldbench report` on 200,000 and 1,000,000 samples: wall time and peak RSS of the real
 * command, each size in a fresh process so the RSS is that run's alone. Memory should grow with
 * the numeric columns (a few doubles a sample), not with the sample objects.
 *
 *   npm run perf -- report
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { makeRng, normal } from '../src/report/random.ts';

/** 20 k shows the fixed cost of the process (tsx, the modules); the others what samples add. */
const SIZES = [20_000, 200_000, 1_000_000];
/** One cold start in ten invocations: heavier than production, so both kinds have big columns. */
const COLD_EVERY = 10;
const VARIANTS = [
  { name: 'reuse@512', memoryMB: 512, initMs: 210, warmMs: 1.4 },
  { name: 'percall@512', memoryMB: 512, initMs: 205, warmMs: 41 },
  { name: 'reuse@1024', memoryMB: 1024, initMs: 200, warmMs: 1.2 },
  { name: 'percall@1024', memoryMB: 1024, initMs: 198, warmMs: 22 },
];

async function writeSamples(file: string, count: number): Promise<void> {
  const rng = makeRng(1);
  const out = createWriteStream(file);
  const two = (x: number) => Math.round(x * 100) / 100;
  let chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    const v = VARIANTS[i % VARIANTS.length];
    const cold = Math.floor(i / VARIANTS.length) % COLD_EVERY === 0;
    const d = two((cold ? v.warmMs * 10 : v.warmMs) * Math.exp(0.1 * normal(rng)));
    const init = cold ? two(v.initMs * Math.exp(0.08 * normal(rng))) : null;
    chunk.push(
      JSON.stringify({
        variant: v.name,
        function: 'connection',
        kind: cold ? 'cold' : 'warm',
        coldBy: cold ? 'init-duration' : 'none',
        requestId: `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
        initMs: init,
        restoreMs: null,
        billedRestoreMs: null,
        durationMs: d,
        billedMs: Math.ceil(d + (init ?? 0)),
        memoryMB: v.memoryMB,
        maxMemoryMB: 58,
        status: 'success',
        errorType: null,
        clientMs: two(d + (init ?? 0) + 4),
        sampleIndex: i,
        forced: cold,
        timestamp: '2026-11-28T15:00:00.000Z',
      }),
    );
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}

/** Child mode: run the real `report` command in this process and print its time and peak RSS. */
async function child(dir: string): Promise<void> {
  const { main } = await import('../src/cli/main.ts');
  let bytes = 0;
  const io = {
    stdout: (t: string) => {
      bytes += t.length;
    },
    stderr: (t: string) => void process.stderr.write(t),
    color: false,
    env: process.env,
    stdin: process.stdin,
    isTTY: false,
  };
  const start = performance.now();
  const code = await main(['report', dir], io);
  const ms = performance.now() - start;
  // resourceUsage().maxRSS is in kilobytes.
  process.stdout.write(JSON.stringify({ code, ms, maxRssMB: process.resourceUsage().maxRSS / 1024, outputChars: bytes }));
}

async function parent(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const root = mkdtempSync(join(tmpdir(), 'coldbench-perf-report-'));
  try {
    const rows: string[] = [];
    for (const size of SIZES) {
      const dir = join(root, String(size));
      spawnSync('mkdir', ['-p', dir]);
      await writeSamples(join(dir, 'samples.jsonl'), size);
      const mb = statSync(join(dir, 'samples.jsonl')).size / 1e6;
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`report on ${size} samples failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout) as { code: number; ms: number; maxRssMB: number };
      if (m.code !== 0) throw new Error(`report exited ${m.code}: ${r.stderr}`);
      rows.push(
        `${size.toLocaleString('en-US').padStart(10)} samples  ${mb.toFixed(0).padStart(4)} MB file  ${(m.ms / 1000).toFixed(2).padStart(6)} s  peak RSS ${m.maxRssMB.toFixed(0).padStart(4)} MB`,
      );
      rmSync(dir, { recursive: true, force: true });
    }
    console.log('coldbench report (table) on generated samples.jsonl:');
    for (const row of rows) console.log(`  ${row}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await parent();
