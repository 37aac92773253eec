'use strict';
// Preloaded with `NODE_OPTIONS=--require <this file>` (or `node --require`): times every first
// load of a module through Module._load and writes one line per module to stderr when its load
// finishes, in the columns of CPython's `-X importtime` (children before their parent, two spaces
// of indentation per level) so src/profile/import-trace.ts reads both. Builtins and modules
// already in the cache are not traced: they cost nothing at init. Writes are synchronous so a
// crash during init keeps the lines written so far (stderr lines become CloudWatch events).
// A CommonJS module that an ES module imports does not go through Module._load on Node 20: it is
// timed where its code runs, Module.prototype._compile, which also times chosen module-level
// statements of the function's own files (node-statement-timer.cjs).
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { instrument } = require('./node-statement-timer.cjs');
const { displayName, traceLine } = require('./node-trace-line.cjs');

const originalLoad = Module._load;
// childUs[i]: time spent in already-finished children of the load open at depth i.
const childUs = [0];

// Files whose load Module._load is timing now: their _compile is inside that time already.
const loading = new Set();

// `name`: the module's displayName, computed once per load by the caller.
function timed(name, run) {
  const depth = childUs.length - 1;
  childUs.push(0);
  const start = process.hrtime.bigint();
  try {
    return run();
  } finally {
    const cumulative = Number(process.hrtime.bigint() - start) / 1000;
    const children = childUs.pop();
    childUs[childUs.length - 1] += cumulative;
    const self = Math.max(0, cumulative - children);
    try {
      fs.writeSync(2, traceLine(self, cumulative, depth, name));
    } catch {
      // stderr closed: the trace is lost, the function must still run.
    }
  }
}

const originalCompile = Module.prototype._compile;
Module.prototype._compile = function timedCompile(content, filename, ...rest) {
  const code = typeof content === 'string' ? instrument(content, filename) : content;
  const compile = () => originalCompile.call(this, code, filename, ...rest);
  if (loading.has(filename) || typeof filename !== 'string' || !path.isAbsolute(filename)) return compile();
  const name = displayName(filename);
  // The runtime's own entry point (run through the ES loader once --import is given) is not the function's init.
  if (name.startsWith('(runtime)')) return compile();
  return timed(name, compile);
};

Module._load = function timedLoad(...args) {
  const [request, parent, isMain] = args;
  if (typeof request !== 'string' || request.startsWith('node:') || Module.isBuiltin?.(request)) {
    return originalLoad.apply(this, args);
  }
  let filename;
  try {
    filename = Module._resolveFilename(request, parent, isMain);
  } catch {
    // Let the real load raise the real error (MODULE_NOT_FOUND with Node's message).
    return originalLoad.apply(this, args);
  }
  if (Module._cache[filename] || !path.isAbsolute(filename)) return originalLoad.apply(this, args);
  loading.add(filename);
  try {
    return timed(displayName(filename), () => originalLoad.apply(this, args));
  } finally {
    loading.delete(filename);
  }
};
