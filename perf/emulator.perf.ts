/**
 * The emulator's speed, through its real HTTP API (startEmulator), each figure printed beside a
 * reference measured in the same run on the same machine:
 *   - warm invoke p50 of a no-op Python handler over a keep-alive connection (target < 0.81 ms,
 *     serverless-offline's figure here) vs a bare loopback echo server;
 *   - cold invoke after a configuration update (median ≤ 1.5× spawning an isolated Python that
 *     imports what a runtime client needs);
 *   - cold starts per second in bursts of 8 (≥ half the rate of spawning 8 such processes at once);
 *   - Init Duration of a handler that sleeps 300 ms at import (300–400 ms);
 *   - 3,000 invokes at concurrency 24, each with exactly one REPORT in the log store.
 *
 *   npm run perf -- emulator
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { startEmulator } from '../src/emulator/index.ts';
import { detectInterpreters } from '../src/emulator/environments/launch.ts';

const FIXTURES = new URL('../fixtures/functions/emulator/python/', import.meta.url);
/** One full vCPU, so the CPU quota does not decide the warm figure (the reference servers have no quota). */
const MEMORY_MB = 1769;
const WARM_N = 3000;
const COLD_N = 15;
const BURSTS = 7;
const BURST = 8;
const INIT_N = 5;
const MANY = 3000;
const CONCURRENCY = 24;
/** What coldbench's Python runtime client imports; awslambdaric would add http.client. */
const CLIENT_IMPORTS = 'import os, sys, socket, json, time';
const HTTP_CLIENT_IMPORTS = 'import os, sys, socket, json, time, http.client';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function post(url: string, path: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
}
const ms = (x: number) => `${x.toFixed(2)} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/**
 * The reference: spawn isolated Pythons that import `imports` and exit, `count` at once, timed by
 * a small Python parent (so a big parent's fork cost does not flatter the emulator). Returns ms.
 */
function spawnReference(python: string, imports: string, count: number): Promise<number> {
  const driver = [
    'import subprocess, sys, time',
    't = time.perf_counter()',
    `ps = [subprocess.Popen([sys.executable, "-I", "-S", "-c", ${JSON.stringify(imports)}]) for _ in range(${count})]`,
    'for p in ps: p.wait()',
    'print((time.perf_counter() - t) * 1000)',
  ].join('\n');
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(python, ['-I', '-S', '-c', driver], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('exit', () => resolve(Number(out.trim())));
  });
}

async function echoServerP50(n: number): Promise<number> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const times: number[] = [];
  for (let i = 0; i < n + 200; i++) {
    const t0 = performance.now();
    await post(url, '/echo', '{}');
    if (i >= 200) times.push(performance.now() - t0);
  }
  server.close();
  return median(times);
}

async function main(): Promise<void> {
  const interpreters = await detectInterpreters();
  if (!interpreters.python) throw new Error(`python3 is needed for this benchmark: ${interpreters.pythonProblem}`);
  const python = interpreters.python.path;
  const emulator = await startEmulator({ poolTuning: { skipSdkBuild: true } });
  const common = { endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDPERF', secretAccessKey: 'perf' }, maxAttempts: 1 };
  const lambda = new LambdaClient(common);
  const logs = new CloudWatchLogsClient(common);
  const invokePath = (name: string) => `/2015-03-31/functions/${name}/invocations`;
  const zip = (module: string) => zipSync({ [`${module}.py`]: new Uint8Array(readFileSync(new URL(`${module}.py`, FIXTURES))) });
  const create = async (name: string, module: string) => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'python3.11',
        Handler: `${module}.handler`,
        Role: 'arn:aws:iam::123456789012:role/perf',
        MemorySize: MEMORY_MB,
        Timeout: 30,
        Code: { ZipFile: zip(module) },
      }),
    );
    await waitUpdated(name);
  };
  const waitUpdated = async (name: string) => {
    for (;;) {
      const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return;
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  let bump = 0;
  const bumpConfig = async (name: string) => {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { BUMP: String(++bump) } } }));
    await waitUpdated(name);
  };
  const tailOf = (r: Reply) => Buffer.from(String(r.headers['x-amz-log-result'] ?? ''), 'base64').toString('utf8');

  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `emulator ${emulator.url} · CPU: ${emulator.cpuMode.throttled ? 'throttled' : 'not throttled'} (${emulator.cpuMode.reason}) · functions at ${MEMORY_MB} MB · python ${interpreters.python.version} · load average ${load()}`,
  );

  // 1. Warm invoke p50 over a keep-alive connection.
  await create('perf-noop', 'noop');
  const warm: number[] = [];
  for (let i = 0; i < WARM_N + 200; i++) {
    const t0 = performance.now();
    const r = await post(emulator.url, invokePath('perf-noop'), '{}');
    if (r.status !== 200 || r.body !== '{"ok": true}') throw new Error(`warm invoke failed: ${r.status} ${r.body}`);
    if (i >= 200) warm.push(performance.now() - t0);
  }
  const echo = await echoServerP50(WARM_N);
  const warmP50 = median(warm);
  console.log(
    `warm invoke p50          ${ms(warmP50)}  (p90 ${ms(quantile(warm, 0.9))}, n=${WARM_N})   reference: bare loopback echo p50 ${ms(echo)}; target < 0.81 ms  ${verdict(warmP50 < 0.81)}`,
  );

  // 2. Cold invoke after a configuration update (client-observed).
  const cold: number[] = [];
  const coldInit: number[] = [];
  const spawnRef: number[] = [];
  const httpRef: number[] = [];
  for (let i = 0; i < COLD_N; i++) {
    await bumpConfig('perf-noop');
    const t0 = performance.now();
    const r = await post(emulator.url, invokePath('perf-noop'), '{}', { 'x-amz-log-type': 'Tail' });
    cold.push(performance.now() - t0);
    const init = /Init Duration: ([\d.]+) ms/.exec(tailOf(r));
    if (!init) throw new Error(`invoke after an update was not cold: ${tailOf(r)}`);
    coldInit.push(Number(init[1]));
    // Interleaved, so both see the same machine load.
    spawnRef.push(await spawnReference(python, CLIENT_IMPORTS, 1));
    httpRef.push(await spawnReference(python, HTTP_CLIENT_IMPORTS, 1));
  }
  const coldMed = median(cold);
  const refMed = median(spawnRef);
  console.log(
    `cold invoke median       ${ms(coldMed)}  (Init Duration median ${ms(median(coldInit))}, n=${COLD_N})   reference: spawn python -I -S "${CLIENT_IMPORTS}" ${ms(refMed)} ` +
      `(with http.client ${ms(median(httpRef))}); ratio ${(coldMed / refMed).toFixed(2)}× (target ≤ 1.5×)  ${verdict(coldMed <= 1.5 * refMed)}`,
  );

  // 3. Cold starts per second in bursts of 8.
  const rates: number[] = [];
  const refRates: number[] = [];
  for (let b = 0; b < BURSTS; b++) {
    await bumpConfig('perf-noop');
    const t0 = performance.now();
    const replies = await Promise.all(Array.from({ length: BURST }, () => post(emulator.url, invokePath('perf-noop'), '{}', { 'x-amz-log-type': 'Tail' })));
    const elapsed = performance.now() - t0;
    const colds = replies.filter((r) => tailOf(r).includes('Init Duration')).length;
    if (colds !== BURST) throw new Error(`burst ${b}: ${colds} of ${BURST} invokes were cold`);
    rates.push((BURST * 1000) / elapsed);
    refRates.push((BURST * 1000) / (await spawnReference(python, CLIENT_IMPORTS, BURST)));
  }
  const rate = median(rates);
  const refRate = median(refRates);
  console.log(
    `cold starts/s (bursts 8) ${rate.toFixed(1)}/s   reference: 8 isolated python spawns at once ${refRate.toFixed(1)}/s; ratio ${(rate / refRate).toFixed(2)} (target ≥ 0.5)  ${verdict(rate >= refRate / 2)}`,
  );

  // 4. Init Duration of a handler that sleeps 300 ms at import.
  await create('perf-sleep', 'sleep_import');
  const inits: number[] = [];
  for (let i = 0; i < INIT_N; i++) {
    if (i > 0) await bumpConfig('perf-sleep');
    const r = await post(emulator.url, invokePath('perf-sleep'), '{}', { 'x-amz-log-type': 'Tail' });
    inits.push(Number(/Init Duration: ([\d.]+) ms/.exec(tailOf(r))?.[1] ?? NaN));
  }
  const initMed = median(inits);
  console.log(
    `Init Duration (sleep 300 ms at import) median ${ms(initMed)} (min ${ms(Math.min(...inits))}, max ${ms(Math.max(...inits))}, n=${INIT_N}); target 300–400 ms  ${verdict(Math.min(...inits) >= 300 && Math.max(...inits) <= 400)}`,
  );

  // 5. 3,000 invokes at concurrency 24, one REPORT each.
  await create('perf-many', 'noop');
  const ids: string[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < MANY) {
        next++;
        const r = await post(emulator.url, invokePath('perf-many'), '{}');
        if (r.status !== 200) throw new Error(`invoke failed: ${r.status} ${r.body}`);
        ids.push(String(r.headers['x-amzn-requestid']));
      }
    }),
  );
  const wall = performance.now() - t0;
  const reports = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/perf-many', filterPattern: 'REPORT', nextToken: token }));
    for (const e of page.events ?? []) {
      const id = /^REPORT RequestId: (\S+)/.exec(e.message ?? '')?.[1];
      if (id) reports.set(id, (reports.get(id) ?? 0) + 1);
    }
    token = page.nextToken;
  } while (token);
  const exactlyOnce = ids.filter((id) => reports.get(id) === 1).length;
  console.log(
    `${MANY} invokes at concurrency ${CONCURRENCY}: ${(wall / 1000).toFixed(2)} s (${((MANY * 1000) / wall).toFixed(0)}/s); REPORT lines ${[...reports.values()].reduce((a, b) => a + b, 0)}, ` +
      `invokes with exactly one REPORT ${exactlyOnce}/${ids.length}  ${verdict(exactlyOnce === MANY && reports.size === MANY)}`,
  );

  console.log(`load average at the end: ${load()} (on a shared machine, figures move with it)`);
  lambda.destroy();
  logs.destroy();
  agent.destroy();
  await emulator.stop();
}

await main();
