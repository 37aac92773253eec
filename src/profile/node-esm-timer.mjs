// Preloaded with `node --import <this file>` by trace-wrapper.sh, beside the CommonJS require
// timer: times ES modules. Hooks (node-esm-hooks.mjs, on Node's loader thread) put a begin mark
// at the start of each ES module's body and an end mark after it; the marks run here, on the main
// thread. ES modules evaluate in post-order (a module's imports finish before its body starts),
// so a module's dependencies are the deeper lines printed just before it, as in `-X importtime`:
// each finished module writes `coldbench require: self | cumulative | <depth> name` to stderr.
// Time spent reading, parsing and linking modules (before any body runs) is not in these lines.
import { writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = 'coldbench require:';
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
// Modules finished and not yet claimed by a parent: { depth, start }
const pending = [];
const begun = new Map();

function displayName(url) {
  const file = fileURLToPath(url);
  const at = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (at >= 0)
    return file
      .slice(at + `${sep}node_modules${sep}`.length)
      .split(sep)
      .join('/');
  const rel = relative(taskRoot, file);
  if (!rel.startsWith('..')) return `./${rel.split(sep).join('/')}`;
  return `(runtime)/${file.split(sep).pop()}`;
}

const pad = (n, width) => String(Math.round(n)).padStart(width, ' ');

globalThis.__coldbench_esm__ = {
  begin(url) {
    begun.set(url, process.hrtime.bigint());
  },
  end(url, depth) {
    const now = process.hrtime.bigint();
    const start = begun.get(url) ?? now;
    let first = start;
    while (pending.length > 0 && pending[pending.length - 1].depth > depth) {
      const child = pending.pop();
      if (child.start < first) first = child.start;
    }
    pending.push({ depth, start: first });
    const self = Number(now - start) / 1000;
    const cumulative = Number(now - first) / 1000;
    try {
      writeSync(2, `${MARKER} ${pad(self, 9)} | ${pad(cumulative, 10)} | ${' '.repeat(depth * 2)}${displayName(url)}\n`);
    } catch {
      // stderr closed: the trace is lost, the function must still run.
    }
  },
};

// The statement marks the hooks insert run here, on the main thread.
const statements = createRequire(import.meta.url)('./node-statement-timer.cjs');
if (statements.wanted.size > 0) statements.install();
register('./node-esm-hooks.mjs', import.meta.url);
