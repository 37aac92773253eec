#!/usr/bin/env node
// Builds the published package: src/**/*.ts → dist/**/*.js (+ .d.ts) with tsc, then copies every
// other file under src/ (the emulator's runtime bootstraps, spawner.py, the profiler's
// trace-wrapper.sh and node-require-timer.cjs) to the same place under dist/, so the compiled
// code finds them through the same `new URL('./…', import.meta.url)` paths as the sources do.
// Runs from `prepare`, which npm runs on npm install / npm ci in a checkout and before npm pack / publish.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });

const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

let copied = 0;
(function copyResources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__pycache__') copyResources(from);
      continue;
    }
    if (entry.name.endsWith('.ts') || entry.name.endsWith('.pyc')) continue;
    const to = join(dist, relative(src, from));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    chmodSync(to, statSync(from).mode & 0o777); // trace-wrapper.sh runs as AWS_LAMBDA_EXEC_WRAPPER
    copied++;
  }
})(src);
// tsc emits even when it finds type errors (so dist/ is complete either way), but a build that
// does not type-check is a failure: `npm pack` and `npm ci` stop on it.
if (compiled.status !== 0) {
  console.error('build: tsc reported errors (see above)');
  process.exit(compiled.status ?? 1);
}
console.log(`build: dist/ compiled, ${copied} runtime resource file(s) copied from src/`);
