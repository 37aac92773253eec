/**
 * `coldbench import` on 1,000,000 REPORT lines (half cold) vs a bare Node loop that only reads
 * the same lines and writes one small JSON object per line, with batched writes.
 *
 * Start-up is excluded from both by timing inside the process: each run is a child process
 * that first loads its modules (tsx transpiling the CLI included), then starts the clock, runs,
 * stops the clock and prints `{ ms, maxRssMB }`. Both read with the same chunk size and write
 * to a file in the same temp folder. Peak RSS (process.resourceUsage().maxRSS) for 1 M vs
 * 200 k lines shows whether memory grows with the file.
 *
 * Then a 100 MB CloudWatch Logs Insights JSON export (the console's "Download table (JSON)": a
 * pretty-printed array of `@timestamp` / `@message` / `@logStream` / `@log` records) is imported
 * with the old generation capped at 64 MB: it must stream (one record held at a time), and its
 * time, throughput and peak RSS are printed (no target beyond bounded memory).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LINES = 1_000_000;
const SMALL_LINES = 200_000;
/** Timed runs per side; the median is reported (the machine is shared, single runs are noisy). */
const RUNS = 3;
const TARGET_RATIO = 2;
const READ_CHUNK_BYTES = 256 * 1024;
const WRITE_BATCH_CHARS = 64 * 1024;
/** Old-generation cap for the flat-memory check: far below the ~330 MB the import writes. */
const BOUNDED_HEAP_MB = 64;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

function generate(file: string, lines: number): void {
  const fd = openSync(file, 'w');
  let batch = '';
  for (let i = 0; i < lines; i++) {
    const id = `${hex(i * 2654435761, 8)}-${hex(i, 4)}-4${hex(i * 7, 3)}-8${hex(i * 13, 3)}-${hex(i * 40503, 12)}`;
    const duration = `${(i % 900) + 1}.${hex(i % 100, 2).replace(/[a-f]/g, '7')}`;
    const billed = (i % 900) + 2;
    const mem = 128 << (i % 4);
    let line = `REPORT RequestId: ${id}\tDuration: ${duration} ms\tBilled Duration: ${billed} ms\tMemory Size: ${mem} MB\tMax Memory Used: ${40 + (i % 50)} MB\t`;
    if (i % 2 === 0) line += `Init Duration: ${100 + (i % 400)}.${i % 10}${(i >> 3) % 10} ms\t`;
    batch += `${line}\n`;
    if (batch.length > 1 << 20) {
      writeSync(fd, batch);
      batch = '';
    }
  }
  writeSync(fd, batch);
  closeSync(fd);
}

const INSIGHTS_BYTES = 100 * 1024 * 1024;

/** A pretty-printed Insights JSON export of about `bytes` bytes: START / REPORT / END records per invocation. */
function generateInsights(file: string, bytes: number): number {
  const fd = openSync(file, 'w');
  let batch = '[\n';
  let written = 0;
  let reports = 0;
  const stream = '2026/10/08/[$LATEST]22be4c1d9e8f4a7b8c6d5e4f3a2b1c0d';
  const record = (t: number, message: string, last: boolean) =>
    `  {\n    "@timestamp": "${new Date(t).toISOString().replace('T', ' ').replace('Z', '')}",\n    "@message": ${JSON.stringify(message)},\n    "@logStream": "${stream}",\n    "@log": "123456789012:/aws/lambda/perf"\n  }${last ? '' : ','}\n`;
  for (let i = 0; written + batch.length < bytes; i++) {
    const id = `${hex(i * 2654435761, 8)}-${hex(i, 4)}-4${hex(i * 7, 3)}-8${hex(i * 13, 3)}-${hex(i * 40503, 12)}`;
    const t = 1791444629470 + i * 10;
    const init = i % 2 === 0 ? `Init Duration: ${100 + (i % 400)}.${i % 10} ms\t` : '';
    batch += record(t, `START RequestId: ${id} Version: $LATEST\n`, false);
    batch += record(t + 5, `END RequestId: ${id}\n`, false);
    const last = written + batch.length > bytes - 400;
    batch += record(
      t + 5,
      `REPORT RequestId: ${id}\tDuration: ${(i % 900) + 1}.25 ms\tBilled Duration: ${(i % 900) + 2} ms\tMemory Size: 128 MB\tMax Memory Used: ${40 + (i % 50)} MB\t${init}\n`,
      last,
    );
    reports++;
    if (batch.length > 1 << 20 || last) {
      writeSync(fd, batch);
      written += batch.length;
      batch = '';
      if (last) break;
    }
  }
  writeSync(fd, `${batch}]\n`);
  closeSync(fd);
  return reports;
}

interface Measure {
  ms: number;
  /** User + system CPU of the process over the same span (includes V8's GC helper threads). */
  cpuMs: number;
  maxRssMB: number;
}

function child(mode: 'import' | 'baseline', file: string, out: string, nodeFlags: string[] = []): Measure {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', self, 'child', mode, file, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${mode} run failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Measure;
}

async function baseline(file: string, out: string): Promise<void> {
  const fd = openSync(out, 'w');
  let batch = '';
  let carry = '';
  let n = 0;
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, encoding: 'utf8' });
  for await (const chunk of stream) {
    const text = carry + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      const line = text.slice(start, nl);
      batch += `${JSON.stringify({ n: n++, length: line.length })}\n`;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    carry = text.slice(start);
    if (batch.length >= WRITE_BATCH_CHARS) {
      writeSync(fd, batch);
      batch = '';
    }
  }
  writeSync(fd, batch);
  closeSync(fd);
}

async function runChild(mode: string, file: string, out: string): Promise<void> {
  let work: () => Promise<unknown>;
  if (mode === 'import') {
    const { main } = await import('../src/cli/main.ts');
    let stderr = '';
    const io = {
      stdout: () => undefined,
      stderr: (t: string) => {
        stderr += t;
      },
      color: false,
      env: process.env,
      stdin: process.stdin,
      isTTY: false,
    };
    work = async () => {
      const code = await main(['import', file, '--out', out], io);
      if (code !== 0) throw new Error(`import exited ${code}: ${stderr}`);
    };
  } else {
    work = () => baseline(file, out);
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function parent(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coldbench-perf-import-'));
  try {
    const big = join(dir, 'report-1m.log');
    const small = join(dir, 'report-200k.log');
    generate(big, LINES);
    generate(small, SMALL_LINES);
    const out = join(dir, 'out.jsonl');
    const imp: Measure[] = [];
    const base: Measure[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(child('baseline', big, out));
      imp.push(child('import', big, out));
    }
    const smallImport = child('import', small, out);
    // Live memory bounded: with the old generation capped far below the output's size, the
    // import still completes (a leak, or buffering the file, would die of heap exhaustion).
    const bounded = child('import', big, out, [`--max-old-space-size=${BOUNDED_HEAP_MB}`]);
    const impMs = median(imp.map((m) => m.ms));
    const baseMs = median(base.map((m) => m.ms));
    const impCpu = median(imp.map((m) => m.cpuMs));
    const baseCpu = median(base.map((m) => m.cpuMs));
    const ratio = impMs / baseMs;
    console.log(`import of ${LINES.toLocaleString('en')} REPORT lines (half cold), start-up excluded (timed inside each process), median of ${RUNS}:`);
    console.log(
      `  coldbench import   ${impMs.toFixed(0).padStart(6)} ms wall  ${impCpu.toFixed(0).padStart(6)} ms CPU   (${(((LINES / impMs) * 1000) / 1e6).toFixed(2)} M lines/s)`,
    );
    console.log(`  bare read+write    ${baseMs.toFixed(0).padStart(6)} ms wall  ${baseCpu.toFixed(0).padStart(6)} ms CPU`);
    console.log(
      `  ratio              ${ratio.toFixed(2)}× wall  ${(impCpu / baseCpu).toFixed(2)}× CPU   (target ≤ ${TARGET_RATIO}× wall: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'})`,
    );
    console.log(
      `  load average during the run: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores (a busy machine stretches both sides)`,
    );
    console.log(
      `peak RSS of coldbench import: ${median(imp.map((m) => m.maxRssMB)).toFixed(0)} MB for ${LINES.toLocaleString('en')} lines, ${smallImport.maxRssMB.toFixed(0)} MB for ${SMALL_LINES.toLocaleString('en')} lines (baseline ${median(base.map((m) => m.maxRssMB)).toFixed(0)} MB)`,
    );
    console.log(
      `  with the old generation capped at ${BOUNDED_HEAP_MB} MB: ${LINES.toLocaleString('en')} lines imported in ${bounded.ms.toFixed(0)} ms, peak RSS ${bounded.maxRssMB.toFixed(0)} MB (live memory does not grow with the file)`,
    );
    const insights = join(dir, 'insights-export.json');
    const insightsReports = generateInsights(insights, INSIGHTS_BYTES);
    const streamed = child('import', insights, out, [`--max-old-space-size=${BOUNDED_HEAP_MB}`]);
    const mb = statSync(insights).size / 1e6;
    console.log(
      `Insights JSON export, ${mb.toFixed(0)} MB (${insightsReports.toLocaleString('en')} invocations, 3 records each), old generation capped at ${BOUNDED_HEAP_MB} MB: ` +
        `${streamed.ms.toFixed(0)} ms wall, ${streamed.cpuMs.toFixed(0)} ms CPU (${(mb / (streamed.ms / 1000)).toFixed(0)} MB/s), peak RSS ${streamed.maxRssMB.toFixed(0)} MB (streams in bounded memory)`,
    );
    if (ratio > TARGET_RATIO) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await runChild(process.argv[3], process.argv[4], process.argv[5]);
else await parent();
