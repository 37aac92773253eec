import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CodePathError, type CodePathImport, nodeCodePath, pythonCodePath } from '../../src/profile/code-path.ts';
import { withImportMoved, withoutLines } from '../../src/profile/verify.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
/** try/except* (ast.TryStar) parses from Python 3.11 on. */
const hasTryStar = hasPython && spawnSync('python3', ['-c', 'import ast; ast.TryStar']).status === 0;
const py = (lines: string[], handler = 'handler') => pythonCodePath(`${lines.join('\n')}\n`, handler);
const js = (lines: string[], files: string[] = []) => nodeCodePath(`${lines.join('\n')}\n`, './index.js', 'handler', new Set(files));
/** package → [use lines in the code path, use lines elsewhere, branch arm line or null] */
const summary = (imports: CodePathImport[]) =>
  Object.fromEntries(imports.map((i) => [i.package, [i.uses.map((u) => u.line), i.unreachableUses.map((u) => u.line), i.branch?.armLine ?? null]]));

describe.skipIf(!hasPython)('pythonCodePath (ast)', () => {
  it('finds an import only a function the handler never reaches uses, following calls through helpers', () => {
    const path = py([
      'import json',
      'import slowmod as sm',
      '',
      'def export_report(rows):',
      '    return sm.summarise(rows)',
      '',
      'def body(event, sm=None):',
      '    return json.dumps(sm)',
      '',
      'def handler(event, context):',
      '    return body(event)',
    ]);
    expect(path.handlerFound).toBe(true);
    expect(path.reachable).toEqual(['handler', 'body']);
    expect(path.imports).toEqual([
      {
        module: 'json',
        package: 'json',
        bound: ['json'],
        line: 1,
        endLine: 1,
        removable: true,
        uses: [{ line: 8, function: 'body' }],
        unreachableUses: [],
        branch: null,
        namesUsed: ['dumps'],
        text: 'import json',
      },
      {
        module: 'slowmod',
        package: 'slowmod',
        bound: ['sm'],
        line: 2,
        endLine: 2,
        removable: true,
        // `sm` in body is its own parameter, not the module.
        uses: [],
        unreachableUses: [{ line: 5, function: 'export_report' }],
        branch: null,
        namesUsed: [],
        text: 'import slowmod as sm',
      },
    ]);
  });

  it('names the one arm of an if / elif that holds every use', () => {
    const path = py([
      'import json',
      'from slowmod import summarise, Report',
      '',
      'def handler(event, context):',
      '    if event.get("path") == "/health":',
      '        return 1',
      '    elif event.get("path") == "/report":',
      '        rows = summarise(event["rows"])',
      '        return Report(rows)',
      '    return json.dumps(event)',
    ]);
    expect(summary(path.imports)).toEqual({ json: [[10], [], null], slowmod: [[8, 9], [], 8] });
    expect(path.imports[1].branch).toEqual({ function: 'handler', ifLine: 7, armLine: 8, condition: 'if event.get("path") == "/report"', block: true });
    // An arm on the if's own line has no line of its own to put an import before.
    const oneLine = py(['import slowmod', '', 'def handler(event, context):', '    if event: return slowmod.f()', '    return 1']);
    expect(oneLine.imports[0].branch).toEqual({ function: 'handler', ifLine: 4, armLine: 4, condition: 'if event', block: false });
  });

  it('counts module-level code, decorators, defaults and decorated routes as the code path (no false positive)', () => {
    const path = py([
      'import boto3',
      'import pandas as pd',
      'import slowmod',
      'import yaml',
      'from app_framework import route',
      '',
      'TABLE = pd.DataFrame()',
      '',
      '@route("/a")',
      'def route_a(event, client=boto3.client("s3")):',
      '    return yaml.safe_dump(event)',
      '',
      'def handler(event, context):',
      '    import slowmod',
      '    return slowmod.work()',
    ]);
    expect(summary(path.imports)).toEqual({
      boto3: [[10], [], null],
      pandas: [[7], [], null],
      slowmod: [[14, 15], [], null],
      yaml: [[11], [], null],
      app_framework: [[9], [], null],
    });
  });

  it('reads imports in module-level try blocks, skips TYPE_CHECKING ones, and marks shared statements not removable', () => {
    const path = py([
      'from typing import TYPE_CHECKING',
      'import os, slowmod',
      'try:',
      '    import ujson as json',
      'except ImportError:',
      '    import json',
      'if TYPE_CHECKING:',
      '    import pandas',
      '',
      'def handler(event, context):',
      '    return json.dumps(os.environ.get("X"))',
    ]);
    expect(path.imports.map((i) => [i.module, i.line, i.removable, i.uses.length])).toEqual([
      ['typing', 1, true, 1],
      ['os', 2, false, 1],
      ['slowmod', 2, false, 0],
      ['ujson', 4, true, 1],
      ['json', 6, true, 1],
    ]);
  });

  it.skipIf(!hasTryStar)('finds the handler and the functions defined in a module-level try/except* block, and walks their bodies as theirs', () => {
    const path = py([
      'import json',
      'import slowmod',
      '',
      'try:',
      '    def handler(event, context):',
      '        return json.dumps(event)',
      '',
      '    def report(rows):',
      '        return slowmod.summarise(rows)',
      'except* ValueError:',
      '    pass',
    ]);
    expect(path.handlerFound).toBe(true);
    expect(path.reachable).toEqual(['handler']);
    expect(path.imports.map((i) => [i.module, i.uses, i.unreachableUses])).toEqual([
      ['json', [{ line: 6, function: 'handler' }], []],
      ['slowmod', [], [{ line: 9, function: 'report' }]],
    ]);
  });

  it('says when the handler is not a function of its module, and fails on a syntax error', () => {
    expect(py(['import slowmod', 'handler = slowmod.make()']).handlerFound).toBe(false);
    expect(() => py(['def handler(:'])).toThrow(CodePathError);
  });
});

describe.skipIf(!hasPython)('pythonCodePath: module-level work (ast)', () => {
  it('lists module-level statements that call or await, in if / try blocks too, and skips imports, definitions, constants and the __main__ guard', () => {
    const path = py([
      'import time',
      'LIMIT = 10',
      'time.sleep(0.4)',
      'MODEL = build(',
      '    size=3,',
      ')',
      'try:',
      '    DATA = open("big.json").read()',
      'except OSError:',
      '    DATA = None',
      'def handler(event, context):',
      '    return MODEL',
      'class Store:',
      '    cache = load()',
      'if __name__ == "__main__":',
      '    handler({}, None)',
    ]);
    expect(path.moduleWork).toEqual([
      { line: 3, endLine: 3, text: 'time.sleep(0.4)' },
      { line: 4, endLine: 6, text: 'MODEL = build(' },
      { line: 8, endLine: 8, text: 'DATA = open("big.json").read()' },
    ]);
  });

  it('says which names the code path uses from a module: attributes of `import m`, names of `from m import`', () => {
    const path = py(['import helpers', 'from tools import a as b, c', '', 'def handler(event, context):', '    return helpers.render(b(event))']);
    expect(path.imports.map((i) => [i.module, i.namesUsed])).toEqual([
      ['helpers', ['render']],
      ['tools', ['a']],
    ]);
  });
});

describe('nodeCodePath (acorn)', () => {
  it('CommonJS: an import used only in a function the handler never reaches, parameters shadowing it', () => {
    const path = js(
      [
        "'use strict';",
        "const slow = require('./slow');",
        "const { sum } = require('lodash');",
        "const fs = require('node:fs');",
        'function exportReport(rows) {',
        '  return slow.summarise(rows);',
        '}',
        'const total = (slow) => sum(slow);',
        'exports.exportReport = exportReport;',
        'exports.handler = async (event) => total(event.values);',
      ],
      ['./index.js', './slow.js'],
    );
    expect(path.reachable).toEqual(['handler', 'total']);
    expect(path.imports).toEqual([
      {
        module: './slow',
        package: './slow.js',
        bound: ['slow'],
        line: 2,
        endLine: 2,
        removable: true,
        uses: [],
        unreachableUses: [{ line: 6, function: 'exportReport' }],
        branch: null,
        namesUsed: [],
        text: "const slow = require('./slow');",
      },
      {
        module: 'lodash',
        package: 'lodash',
        bound: ['sum'],
        line: 3,
        endLine: 3,
        removable: true,
        uses: [{ line: 8, function: 'total' }],
        unreachableUses: [],
        branch: null,
        namesUsed: ['sum'],
        text: "const { sum } = require('lodash');",
      },
    ]);
  });

  it('ES modules: the one arm of an if or a switch case that holds every use', () => {
    const path = js([
      "import { Chart } from 'chart.js';",
      "import * as yaml from 'yaml';",
      "import _ from 'lodash';",
      'export const handler = async (event) => {',
      '  switch (event.path) {',
      "    case '/yaml':",
      '      return yaml.stringify(event);',
      "    case '/chart': {",
      '      if (event.big) {',
      '        const c = new Chart(event);',
      '        return c.render();',
      '      }',
      '      return null;',
      '    }',
      '  }',
      '  return _.sum([1]);',
      '};',
    ]);
    expect(summary(path.imports)).toEqual({ 'chart.js': [[10], [], 10], yaml: [[7], [], 7], lodash: [[16], [], null] });
    expect(path.imports[0].branch).toEqual({ function: 'handler', ifLine: 9, armLine: 10, condition: 'if (event.big)', block: true, async: true });
    expect(path.imports[1].branch).toEqual({ function: 'handler', ifLine: 5, armLine: 7, condition: "case '/yaml'", block: true, async: true });
    const oneLine = js(["const slow = require('./slow');", 'exports.handler = async (e) => {', '  if (e.x) { return slow.f(); }', '  return 1;', '};']);
    expect(oneLine.imports[0].branch).toMatchObject({ armLine: 3, ifLine: 3, block: false });
    // An ES import moves as the dynamic import that loads the same bindings.
    expect(path.imports.map((i) => i.text)).toEqual([
      'const { Chart } = await import("chart.js");',
      'const yaml = await import("yaml");',
      'const { default: _ } = await import("lodash");',
    ]);
  });

  it('follows module.exports aliases, classes and module-level code; a dynamic import() of the package is a use', () => {
    const path = js([
      "const pg = require('pg');",
      "const dayjs = require('dayjs');",
      "const ajv = require('ajv');",
      'const validator = new ajv.Ajv();',
      'class Store {',
      '  open() { return new pg.Pool(); }',
      '}',
      'async function main(event) {',
      '  const { default: d } = await import("dayjs");',
      '  return [new Store().open(), d()];',
      '}',
      'module.exports = { handler: main };',
    ]);
    expect(path.handlerFound).toBe(true);
    // `handler` is an alias of main, not a function of its own.
    expect(path.reachable).toEqual(['main', 'Store']);
    expect(summary(path.imports)).toEqual({ pg: [[6], [], null], dayjs: [[9], [], null], ajv: [[4], [], null] });
  });

  it('fails on a source acorn cannot parse', () => {
    expect(() => js(['exports.handler = async (event) => {'])).toThrow(CodePathError);
  });
});

describe('nodeCodePath: module-level work and the names used (acorn)', () => {
  it('lists top-level statements that call, construct or await, not requires, exports or function definitions', () => {
    const source = [
      "const fs = require('node:fs');",
      'const LIMIT = 10;',
      "const TABLE = JSON.parse(fs.readFileSync('t.json'));",
      'const build = () => new Map();',
      'await fetch("https://example.com");',
      'exports.handler = async () => TABLE;',
      'module.exports.other = function () { return build(); };',
    ].join('\n');
    const path = nodeCodePath(`${source}\n`, './index.mjs', 'handler');
    expect(path.moduleWork.map(({ line, endLine, text }) => ({ line, endLine, text }))).toEqual([
      { line: 3, endLine: 3, text: "const TABLE = JSON.parse(fs.readFileSync('t.json'));" },
      { line: 5, endLine: 5, text: 'await fetch("https://example.com");' },
    ]);
    // Offsets are the statement's, for the statement timer's marks.
    const [first] = path.moduleWork;
    expect(source.slice(first.start, first.end)).toBe("const TABLE = JSON.parse(fs.readFileSync('t.json'));");
  });

  it('says which names the code path uses: properties of a required module, destructured names, imported bindings', () => {
    const path = js([
      "const helpers = require('./helpers');",
      "const { a: b } = require('./tools');",
      "import { render as r } from './view.mjs';",
      'exports.handler = async (e) => helpers.wrap(b(r(e)));',
    ]);
    expect(path.imports.map((i) => [i.module, i.namesUsed])).toEqual([
      ['./helpers', ['wrap']],
      ['./tools', ['a']],
      ['./view.mjs', ['render']],
    ]);
  });

  it('starts the code path at several roots, or at every function with *', () => {
    const source = "const x = require('x');\nfunction a() { return x.one(); }\nfunction b() { return 2; }\nexports.a = a;\nexports.b = b;\n";
    expect(nodeCodePath(source, './lib.js', ['b']).imports[0].uses).toEqual([]);
    expect(nodeCodePath(source, './lib.js', '*').imports[0].uses).toEqual([{ line: 2, function: 'a' }]);
  });
});

describe('withImportMoved (--verify: move an import into its branch)', () => {
  it('empties the import and inserts it at the first line of the arm, with that line’s indentation', () => {
    const py = 'import json\nimport slowmod\n\ndef handler(e, c):\n    if e:\n        return slowmod.f()\n    return 1\n';
    expect(withImportMoved(py, 2, 2, 6, 'import slowmod', 'python')).toBe(
      'import json\npass\n\ndef handler(e, c):\n    if e:\n        import slowmod\n        return slowmod.f()\n    return 1\n',
    );
    const mjs = "import { f } from './heavy.mjs';\nexport const handler = async (e) => {\n  if (e.x) {\n    return f();\n  }\n};\n";
    expect(withImportMoved(mjs, 1, 1, 4, 'const { f } = await import("./heavy.mjs");', 'node')).toBe(
      '\nexport const handler = async (e) => {\n  if (e.x) {\n    const { f } = await import("./heavy.mjs");\n    return f();\n  }\n};\n',
    );
  });
});

describe('withoutLines (--verify: remove an import)', () => {
  it('empties the lines, keeping line numbers and (Python) a valid block', () => {
    expect(withoutLines('import os\nif x:\n    import slowmod\ny = 1\n', 3, 3, 'python')).toBe('import os\nif x:\n    pass\ny = 1\n');
    expect(withoutLines("const slow = require(\n  './slow',\n);\nexports.handler = 1;\n", 1, 3, 'node')).toBe('\n\n\nexports.handler = 1;\n');
  });
});
