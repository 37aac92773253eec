import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CodePathError } from '../../src/profile/code-path.ts';
import { type FileAnalyser, fileAnalyser, fileOfModule, localModuleOf, programCodePath } from '../../src/profile/program-path.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const src = (lines: string[]) => `${lines.join('\n')}\n`;
/** [file, module, uses in the code path] per import */
const uses = (path: ReturnType<typeof programCodePath>) => path.imports.map((i) => [i.file, i.module, i.uses.length]);

describe.skipIf(!hasPython)('programCodePath (Python)', () => {
  it('follows the handler into helper files: an import used there is used, one never used is not', () => {
    const sources = new Map([
      ['app', src(['import json', 'from helpers import render', '', 'def handler(event, context):', '    return json.dumps(render(event))'])],
      [
        'helpers',
        src([
          'import cpuheavy',
          'import slowlib',
          'from lib import util',
          '',
          'def render(rows):',
          '    return util.fmt(cpuheavy.summarise(rows))',
          '',
          'def legacy(rows):',
          '    return slowlib.chart(rows)',
        ]),
      ],
      ['lib.util', src(['import yaml', 'import time', 'time.sleep(0.1)', '', 'def fmt(x):', '    return yaml.dump(x)', '', 'def unused():', '    return 1'])],
      ['cpuheavy', src(['def summarise(rows):', '    return rows'])],
      ['slowlib', src(['def chart(rows):', '    return rows'])],
    ]);
    const path = programCodePath(sources, 'app', 'handler', 'python');
    expect(path.files).toEqual(['app', 'helpers', 'cpuheavy', 'slowlib', 'lib.util']);
    // `from lib import util` binds a module: all of it counts as used.
    expect(path.reachable).toEqual(['handler', 'helpers.render', 'cpuheavy.summarise', 'lib.util.fmt', 'lib.util.unused']);
    expect(uses(path)).toEqual([
      ['app', 'json', 1],
      ['app', 'helpers', 1],
      ['helpers', 'cpuheavy', 1],
      ['helpers', 'slowlib', 0],
      ['helpers', 'lib', 1],
      ['lib.util', 'yaml', 1],
      ['lib.util', 'time', 1],
    ]);
    expect(path.imports.find((i) => i.module === 'slowlib')).toMatchObject({ local: 'slowlib', unreachableUses: [{ line: 9, function: 'legacy' }] });
    expect(path.moduleWork).toEqual([{ file: 'lib.util', line: 3, endLine: 3, text: 'time.sleep(0.1)' }]);
  });

  it('names the file that does not parse', () => {
    const sources = new Map([
      ['app', src(['from helpers import render', 'def handler(e, c):', '    return render(e)'])],
      ['helpers', src(['def render(:'])],
    ]);
    expect(() => programCodePath(sources, 'app', 'handler', 'python')).toThrow(new CodePathError('helpers.py does not parse with python3: SyntaxError: line 1: invalid syntax'));
  });
});

describe('programCodePath (Node)', () => {
  it('follows relative requires and imports into the function’s files, with the names used as roots', () => {
    const sources = new Map([
      ['./app.js', src(["const { render } = require('./lib/render');", 'exports.handler = async (e) => render(e);'])],
      [
        './lib/render.js',
        src(["const slow = require('../slow');", "const fmt = require('./fmt');", 'exports.render = (e) => fmt.json(e);', 'exports.legacy = (r) => slow.chart(r);']),
      ],
      ['./lib/fmt.js', src(['Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);', 'exports.json = (v) => JSON.stringify(v);'])],
      ['./slow.js', src(['exports.chart = (r) => r;'])],
    ]);
    const path = programCodePath(sources, './app.js', 'handler', 'node');
    expect(path.files).toEqual(['./app.js', './lib/render.js', './slow.js', './lib/fmt.js']);
    expect(path.reachable).toEqual(['handler', 'lib/render.render', 'lib/fmt.json']);
    expect(uses(path)).toEqual([
      ['./app.js', './lib/render', 1],
      ['./lib/render.js', '../slow', 0],
      ['./lib/render.js', './fmt', 1],
    ]);
    expect(path.imports[1]).toMatchObject({ package: './slow.js', local: './slow.js', unreachableUses: [{ line: 4, function: 'legacy' }] });
    expect(path.moduleWork.map((w) => [w.file, w.line, w.text])).toEqual([['./lib/fmt.js', 1, 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);']]);
  });
});

/** The real analyser, recording the modules (and their roots) each call is asked for. */
function counted(sources: ReadonlyMap<string, string>, language: 'python' | 'node'): { analyse: FileAnalyser; calls: Array<Array<[string, string[] | '*']>> } {
  const real = fileAnalyser(sources, language);
  const calls: Array<Array<[string, string[] | '*']>> = [];
  return {
    calls,
    analyse: (request) => {
      calls.push([...request].map(([m, r]) => [m, r.roots]));
      return real(request);
    },
  };
}

describe('programCodePath (analysis reuse)', () => {
  it('analyses each module once when its roots do not change, with the same result as before', () => {
    const sources = new Map([
      ['./app.js', src(["const { render } = require('./lib/render');", 'exports.handler = async (e) => render(e);'])],
      ['./lib/render.js', src(["const slow = require('../slow');", "const fmt = require('./fmt');", 'exports.render = (e) => fmt.json(e);'])],
      ['./lib/fmt.js', src(['exports.json = (v) => JSON.stringify(v);'])],
      ['./slow.js', src(['exports.chart = (r) => r;'])],
    ]);
    const { analyse, calls } = counted(sources, 'node');
    const path = programCodePath(sources, './app.js', 'handler', 'node', undefined, analyse);
    // Four rounds (the last finds nothing new), one analysis per module, none in the last round.
    expect(calls).toEqual([
      [['./app.js', ['handler']]],
      [['./lib/render.js', ['render']]],
      [
        ['./slow.js', []],
        ['./lib/fmt.js', ['json']],
      ],
    ]);
    expect(path.files).toEqual(['./app.js', './lib/render.js', './slow.js', './lib/fmt.js']);
    expect(path.reachable).toEqual(['handler', 'lib/render.render', 'lib/fmt.json']);
  });

  it('analyses a module again only when a later round gives it new roots', () => {
    const sources = new Map([
      ['./app.js', src(["const a = require('./a');", "const b = require('./b');", 'exports.handler = async (e) => a.f(b.x(e));'])],
      ['./a.js', src(["const b = require('./b');", 'exports.f = (v) => b.y(v);'])],
      ['./b.js', src(["const heavy = require('heavy');", 'exports.x = (v) => v;', 'exports.y = (v) => heavy(v);', 'exports.z = (v) => v;'])],
    ]);
    const { analyse, calls } = counted(sources, 'node');
    const path = programCodePath(sources, './app.js', 'handler', 'node', undefined, analyse);
    expect(calls).toEqual([
      [['./app.js', ['handler']]],
      [
        ['./a.js', ['f']],
        ['./b.js', ['x']],
      ],
      [['./b.js', ['x', 'y']]],
    ]);
    expect(path.reachable).toEqual(['handler', 'a.f', 'b.x', 'b.y']);
    expect(path.imports.find((i) => i.module === 'heavy')?.uses.length).toBe(1);
  });
});

describe('localModuleOf / fileOfModule', () => {
  it('resolves imports to the function’s own modules and names their files', () => {
    const sources = new Map([
      ['pkg.__init__', ''],
      ['util', ''],
      ['./lib/index.js', ''],
    ]);
    expect(localModuleOf({ module: 'pkg' }, 'app', 'python', sources)).toBe('pkg.__init__');
    expect(localModuleOf({ module: 'numpy' }, 'app', 'python', sources)).toBeNull();
    expect(localModuleOf({ module: '../lib' }, './src/app.js', 'node', sources)).toBe('./lib/index.js');
    expect(localModuleOf({ module: 'lodash' }, './app.js', 'node', sources)).toBeNull();
    expect(fileOfModule('lib.util', 'python')).toBe('lib/util.py');
    expect(fileOfModule('./lib/x.mjs', 'node')).toBe('lib/x.mjs');
  });
});
