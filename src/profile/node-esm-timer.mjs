// Preloaded with `node --import <this file>` by trace-wrapper.sh, beside the CommonJS require
// timer: times ES modules. Hooks (node-esm-hooks.mjs, on Node's loader thread) put a begin mark
// at the start of each ES module's body and an end mark after it; the marks run here, on the main
// thread. ES modules evaluate in post-order (a module's imports finish before its body starts),
// so a module's dependencies are the deeper lines printed just before it, as in `-X importtime`:
// each finished module writes `coldbench require: self | cumulative | <depth> name` to stderr.
// Time spent reading, parsing and linking modules (before any body runs) is not in these lines.
import { writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { displayName, traceLine } = require('./node-trace-line.cjs');
// Modules finished and not yet claimed by a parent: { depth, start }
const pending = [];
const begun = new Map();

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
      writeSync(2, traceLine(self, cumulative, depth, displayName(fileURLToPath(url))));
    } catch {
      // stderr closed: the trace is lost, the function must still run.
    }
  },
};

// The statement marks the hooks insert run here, on the main thread.
const statements = require('./node-statement-timer.cjs');
if (statements.wanted.size > 0) statements.install();
register('./node-esm-hooks.mjs', import.meta.url);
