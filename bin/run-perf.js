#!/usr/bin/env node
// Runs every perf/*.perf.ts benchmark in its own process, one after the other, so each
// measures on a quiet machine; `npm run perf -- NAME` runs the ones whose file name contains NAME.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const perfDir = fileURLToPath(new URL('../perf/', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(perfDir)
  .filter((f) => f.endsWith('.perf.ts') && f.includes(filter))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== perf/${file}`);
  // Same as bin/coldbench.js: the SDK's notice about future Node versions is noise in the figures.
  const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env };
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(perfDir, file)], { stdio: 'inherit', env });
  if (result.status !== 0) failed++;
}
if (files.length === 0) console.log(`no benchmark in perf/ matches "${filter}"`);
process.exit(failed ? 1 : 0);
