#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`, which `prepare` runs on install and pack).
// COLDBENCH_FROM_SRC=1 runs the TypeScript sources in src/ through tsx instead (a dev
// dependency): the tests set it so they always exercise the current sources, never a stale dist/.
import { existsSync } from 'node:fs';

// The AWS SDK warns on every command that its future releases will need Node 22; coldbench pins
// SDK versions that run on Node 20, so the notice is noise in coldbench's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (process.env.COLDBENCH_FROM_SRC === '1' || process.env.COLDBENCH_FROM_SRC === 'true') {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import('../src/cli/main.ts');
} else if (existsSync(compiled)) {
  main = await import(compiled.href);
} else {
  process.stderr.write('coldbench: dist/ is missing: run `npm run build` in the checkout (or `npm install`, which builds it)\n');
  process.exit(2);
}
await main.run(process.argv.slice(2));
