'use strict';
// Times chosen module-level statements of the function's own files (`coldbench profile`'s
// module-level-work rule). COLDBENCH_TRACE_STATEMENTS names them, as the parser found them:
//   `index.js@LENGTH:line-endLine-start-end,…;lib/x.mjs@LENGTH:…` (start/end: character offsets)
// instrument() puts `__coldbench_timer__.start();` before each and a stop call after it, on the
// same lines (line numbers in stack traces stay true), only when the file still has the length the
// parser saw. Each finished statement writes `coldbench line: <us> | <file>:<line>-<endLine>` to stderr.
const fs = require('node:fs');
const path = require('node:path');

const MARKER = 'coldbench line:';
const GLOBAL = '__coldbench_timer__';

/** file relative to the task root → { length, statements: [{ line, endLine, start, end }] } */
function parseSpec(spec) {
  const files = new Map();
  for (const part of (spec || '').split(';')) {
    const m = /^(.+)@(\d+):(.*)$/.exec(part);
    if (!m) continue;
    const statements = [];
    for (const s of m[3].split(',')) {
      const n = s.split('-').map(Number);
      if (n.length === 4 && n.every(Number.isInteger)) statements.push({ line: n[0], endLine: n[1], start: n[2], end: n[3] });
    }
    files.set(m[1], { length: Number(m[2]), statements });
  }
  return files;
}

const wanted = parseSpec(process.env.COLDBENCH_TRACE_STATEMENTS);
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();

/** Defines the marks' target on this thread (the ES loader's hooks instrument on another one). */
function install() {
  if (globalThis[GLOBAL]) return;
  const starts = [];
  globalThis[GLOBAL] = {
    start() {
      starts.push(process.hrtime.bigint());
    },
    stop(file, line, endLine) {
      const us = Number(process.hrtime.bigint() - starts.pop()) / 1000;
      try {
        fs.writeSync(2, `${MARKER} ${String(Math.round(us)).padStart(9, ' ')} | ${file}:${line}-${endLine}\n`);
      } catch {
        // stderr closed: the function must still run.
      }
    },
  };
}

/** `source` of `filename` with its chosen statements timed; unchanged when none are chosen or the file changed. */
function instrument(source, filename) {
  const rel = path.relative(taskRoot, filename).split(path.sep).join('/');
  const file = wanted.get(rel);
  if (!file || file.length !== source.length) return source;
  install();
  let out = source;
  // From the end, so earlier offsets stay valid.
  for (const s of [...file.statements].sort((a, b) => b.start - a.start)) {
    out = `${out.slice(0, s.start)}${GLOBAL}.start();${out.slice(s.start, s.end)};${GLOBAL}.stop(${JSON.stringify(rel)},${s.line},${s.endLine});${out.slice(s.end)}`;
  }
  return out;
}

module.exports = { install, instrument, parseSpec, wanted };
