import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CodePathError, type CodePathImport, nodeCodePath, pythonCodePath } from '../../src/profile/code-path.ts';
import { withoutLines } from '../../src/profile/verify.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
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
      { module: 'json', package: 'json', bound: ['json'], line: 1, endLine: 1, removable: true, uses: [{ line: 8, function: 'body' }], unreachableUses: [], branch: null },
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
    expect(path.imports[1].branch).toEqual({ function: 'handler', ifLine: 7, armLine: 8, condition: 'if event.get("path") == "/report"' });
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

  it('says when the handler is not a function of its module, and fails on a syntax error', () => {
    expect(py(['import slowmod', 'handler = slowmod.make()']).handlerFound).toBe(false);
    expect(() => py(['def handler(:'])).toThrow(CodePathError);
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
      },
      { module: 'lodash', package: 'lodash', bound: ['sum'], line: 3, endLine: 3, removable: true, uses: [{ line: 8, function: 'total' }], unreachableUses: [], branch: null },
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
    expect(path.imports[0].branch).toEqual({ function: 'handler', ifLine: 9, armLine: 10, condition: 'if (event.big)' });
    expect(path.imports[1].branch).toEqual({ function: 'handler', ifLine: 5, armLine: 7, condition: "case '/yaml'" });
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

describe('withoutLines (--verify: remove an import)', () => {
  it('empties the lines, keeping line numbers and (Python) a valid block', () => {
    expect(withoutLines('import os\nif x:\n    import slowmod\ny = 1\n', 3, 3, 'python')).toBe('import os\nif x:\n    pass\ny = 1\n');
    expect(withoutLines("const slow = require(\n  './slow',\n);\nexports.handler = 1;\n", 1, 3, 'node')).toBe('\n\n\nexports.handler = 1;\n');
  });
});
