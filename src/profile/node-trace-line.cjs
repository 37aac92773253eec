'use strict';
// The import-trace line both Node timers write, node-require-timer.cjs (CommonJS) and
// node-esm-timer.mjs (ES modules, which loads this with createRequire): the columns of CPython's
// `-X importtime`, which src/profile/import-trace.ts reads, and the module named as the report names it.
const path = require('node:path');

const MARKER = 'coldbench require:';
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();

/** A module's file as the report names it: `pkg/file.js` under node_modules, `./lib/x.js` in the task root, else `(runtime)/file.js`. */
function displayName(filename) {
  const at = filename.lastIndexOf(NODE_MODULES);
  if (at >= 0)
    return filename
      .slice(at + NODE_MODULES.length)
      .split(path.sep)
      .join('/');
  const rel = path.relative(taskRoot, filename);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return `./${rel.split(path.sep).join('/')}`;
  return `(runtime)/${path.basename(filename)}`;
}

const pad = (n, width) => String(Math.round(n)).padStart(width, ' ');

/** `coldbench require:  self | cumulative | <two spaces per depth>name` (µs), newline-terminated; `name` is displayName's. */
function traceLine(selfUs, cumulativeUs, depth, name) {
  return `${MARKER} ${pad(selfUs, 9)} | ${pad(cumulativeUs, 10)} | ${' '.repeat(depth * 2)}${name}\n`;
}

module.exports = { displayName, traceLine };
