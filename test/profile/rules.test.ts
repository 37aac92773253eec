import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupByPackage } from '../../src/profile/group.ts';
import { parseImportTrace } from '../../src/profile/import-trace.ts';
import type { PackageScan } from '../../src/profile/package-scan.ts';
import type { FileImport } from '../../src/profile/program-path.ts';
import { type RuleInput, rankRecommendations, recommend } from '../../src/profile/rules.ts';
import { scanSource } from '../../src/profile/scan-source.ts';
import type { Recommendation } from '../../src/profile/types.ts';

const trace = readFileSync(new URL('./fixtures/importtime-small.txt', import.meta.url), 'utf8');
const roots = parseImportTrace(trace);
const pkg = (name: string, over: Partial<PackageScan> = {}): PackageScan => ({
  name,
  paths: [name],
  bytes: 10_000_000,
  removable: [],
  removableBytes: 0,
  pyFiles: 10,
  pyFilesWithoutPyc: 0,
  ...over,
});

function input(source: string, packages: PackageScan[] = [], extra: Partial<RuleInput> = {}): RuleInput {
  const sizes = new Map(packages.map((p) => [p.name, p.bytes]));
  return {
    language: 'python',
    handlerModule: 'app',
    handlerFunction: 'handler',
    initMs: 20,
    roots,
    modules: groupByPackage(roots, { language: 'python', initMs: 20, handlerModule: 'app', sizes }),
    packages: new Map(packages.map((p) => [p.name, p])),
    source: scanSource(new Map([['app', source]]), 'app', 'handler', 'python'),
    ...extra,
  };
}

describe('recommend', () => {
  const slowTrace = parseImportTrace(
    [
      'import time:      5000 |       5000 |     numpy',
      'import time:     25000 |      30000 |   pandas',
      'import time:       400 |        400 |   json',
      'import time:      1500 |      31900 | app',
    ].join('\n'),
  );
  const imp = (over: Partial<FileImport>): FileImport => ({
    file: 'app',
    local: null,
    namesUsed: [],
    text: 'import pandas as pd',
    module: 'pandas',
    package: 'pandas',
    bound: ['pd'],
    line: 1,
    endLine: 1,
    removable: true,
    uses: [],
    unreachableUses: [],
    branch: null,
    ...over,
  });
  const withPath = (imports: FileImport[], extra: Partial<RuleInput> = {}): RuleInput => ({
    ...input('import pandas as pd\n\ndef handler(e, c):\n    return 1\n'),
    roots: slowTrace,
    initMs: 400,
    codePath: { handlerFound: true, reachable: ['handler'], imports, moduleWork: [], files: ['app'] },
    ...extra,
  });

  it('flags a module-level import the code path never uses, with its init share and the remove-import fix', () => {
    const recs = recommend(withPath([imp({ unreachableUses: [{ line: 7, function: 'export_report' }] })]));
    expect(recs).toEqual([
      {
        rule: 'unused-import',
        target: 'pandas',
        action: "Remove the module-level import of `pandas` (app.py:1), or import it lazily where it is needed: the handler's code path never uses it.",
        savingMs: 30,
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence:
          'importing pandas took 30 ms of init (8 % of Init Duration, packages the handler also imports excluded); `pd` is never used in the code path of handler (handler, module-level code); it is used only in export_report (line 7), which the handler never reaches',
        verified: false,
        fix: { kind: 'remove-import', package: 'pandas', file: 'app.py', line: 1, endLine: 1 },
      },
    ]);
  });

  it('subtracts dependencies the handler imports itself from the estimate', () => {
    const recs = recommend(withPath([imp({}), imp({ module: 'numpy', package: 'numpy', bound: ['np'], line: 2, endLine: 2, uses: [{ line: 5, function: 'handler' }] })]));
    // pandas 30 ms cumulative minus numpy (5 ms) loaded inside it, which `np` needs anyway.
    expect(recs.map((r) => [r.rule, r.target, r.savingMs])).toEqual([['unused-import', 'pandas', 25]]);
  });

  it('needs at least 20 ms and 5 % of Init Duration', () => {
    // 30 ms is under 5 % of 700 ms; json (0.4 ms) is under 20 ms.
    expect(recommend(withPath([imp({})], { initMs: 700 }))).toEqual([]);
    expect(recommend(withPath([imp({ module: 'json', package: 'json', bound: ['json'] })]))).toEqual([]);
    expect(recommend(withPath([imp({})], { initMs: 600 })).map((r) => r.rule)).toEqual(['unused-import']);
  });

  it('says "not measured" for an import it cannot remove mechanically, and runs no parser rule without the handler', () => {
    const [rec] = recommend(withPath([imp({ removable: false })]));
    expect(rec.fix).toBeUndefined();
    expect(rec.unverifiedReason).toBe('not measured: the import shares its statement or line with other code, so it is not removed mechanically');
    expect(recommend({ ...withPath([imp({})]), codePath: { handlerFound: false, reachable: [], imports: [imp({})], moduleWork: [], files: ['app'] } })).toEqual([]);
  });

  it('recommends a lazy import inside the one branch that uses a module, with the move-import fix', () => {
    const branch = { function: 'handler', ifLine: 4, armLine: 5, condition: 'if e.get("path") == "/report"' };
    const recs = recommend(withPath([imp({ uses: [{ line: 5, function: 'handler' }], branch })]));
    expect(recs).toEqual([
      {
        rule: 'branch-only-import',
        target: 'pandas',
        action:
          'Import `pandas` inside the branch that uses it (handler in app.py, line 5, under `if e.get("path") == "/report"`) instead of at module level (app.py:1), so cold starts whose invocation takes another path do not pay for it.',
        savingMs: 30,
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence:
          'importing pandas took 30 ms of init (8 % of Init Duration, packages the handler also imports excluded); every use of `pd` in the code path (line 5 of app.py) is inside `if e.get("path") == "/report"` (line 4 of handler); an invocation that takes that branch pays the import then instead',
        verified: false,
        fix: { kind: 'move-import', package: 'pandas', file: 'app.py', line: 1, endLine: 1, into: 5, statement: 'import pandas as pd' },
      },
    ]);
  });

  it('says why a branch-only import is not moved: two import sites, a shared line, a brace-less arm, an ES import outside an async function', () => {
    const branch = { function: 'handler', ifLine: 4, armLine: 5, condition: 'if x' };
    const used = imp({ uses: [{ line: 5, function: 'handler' }], branch });
    const reason = (imports: FileImport[]) => recommend(withPath(imports))[0].unverifiedReason;
    expect(reason([used, imp({ file: 'helpers', line: 3 })])).toBe('not measured: pandas is imported at module level in 2 places, so moving one import changes nothing');
    expect(reason([{ ...used, removable: false }])).toBe('not measured: the import shares its statement or line with other code, so it is not moved mechanically');
    expect(reason([{ ...used, branch: { ...branch, block: false } }])).toBe(
      'not measured: the branch has no line of its own to put an import on (a one-line or brace-less arm), so it is not moved mechanically',
    );
    expect(reason([{ ...used, text: 'const { a } = await import("pandas");', branch: { ...branch, async: false } }])).toBe(
      'not measured: an ES import moves as `await import()`, which needs an async function',
    );
  });

  it('names an unused import in a helper file by its file and line, and its unreachable uses by module', () => {
    const helper = imp({ file: 'helpers', line: 4, endLine: 4, unreachableUses: [{ line: 13, function: 'legacy_chart' }] });
    const [rec] = recommend(withPath([helper]));
    expect(rec.action).toBe("Remove the module-level import of `pandas` (helpers.py:4), or import it lazily where it is needed: the handler's code path never uses it.");
    expect(rec.evidence).toMatch(/it is used only in helpers\.legacy_chart \(line 13\), which the handler never reaches$/);
    expect(rec.fix).toEqual({ kind: 'remove-import', package: 'pandas', file: 'helpers.py', line: 4, endLine: 4 });
  });

  it('leaves a package the parser flagged out of the line-scan barely-used rule', () => {
    const source =
      'import pandas as pd\n\ndef report(rows):\n    return pd.DataFrame(rows)\n\ndef handler(e, c):\n    if e.get("report"):\n        return report(e)\n    return 1\n';
    const scanned = { ...withPath([]), source: scanSource(new Map([['app', source]]), 'app', 'handler', 'python') };
    expect(recommend(scanned).map((r) => r.rule)).toEqual(['barely-used-import']);
    const branch = { function: 'report', ifLine: 3, armLine: 4, condition: 'if x' };
    expect(
      recommend({
        ...scanned,
        codePath: { handlerFound: true, reachable: ['handler', 'report'], imports: [imp({ uses: [{ line: 4, function: 'report' }], branch })], moduleWork: [], files: ['app'] },
      }).map((r) => r.rule),
    ).toEqual(['branch-only-import']);
  });

  it('calls a package used once or twice outside the handler body barely used, with the lazy-import fix the fixture offers', () => {
    const source = [
      'import os',
      'if "pandas" not in os.environ.get("COLDBENCH_LAZY_IMPORTS", ""):',
      '    import pandas as pd',
      '',
      'def report(rows):',
      '    return pd.DataFrame(rows)',
      '',
      'def handler(e, c):',
      '    return report(e["rows"]) if e.get("report") else 1',
    ].join('\n');
    const [rec] = recommend(input(source));
    expect(rec).toMatchObject({ rule: 'barely-used-import', target: 'pandas', savingMs: 12, fix: { kind: 'lazy-import', package: 'pandas' } });
    expect(rec.action).toBe('Import `pandas` inside the code that uses it (line 6) instead of at module level, so invocations that skip it do not pay for it.');
    expect(rec.evidence).toBe(
      "importing pandas took 12 ms of init (60 %, packages the handler also imports excluded); `pd` is used on 1 line, outside handler's own body (report, line 6)",
    );
  });

  it('leaves a package alone that module-level code uses: init needs it anyway', () => {
    const source = 'import logging\nLOG = logging.getLogger()\n\ndef f():\n    return logging.DEBUG\n\ndef handler(e, c):\n    return f()\n';
    const big = parseImportTrace('import time:     20000 |      20000 | logging');
    expect(recommend({ ...input(source), roots: big })).toEqual([]);
  });

  it('leaves a package alone that the handler body itself uses', () => {
    expect(recommend(input('import pandas as pd\n\ndef handler(e, c):\n    return pd.DataFrame()\n'))).toEqual([]);
  });

  it('offers no lazy-import fix when the flag does not name the package', () => {
    const source = 'import os\nimport pandas as pd\nX = os.environ.get("COLDBENCH_LAZY_IMPORTS")\n\ndef f():\n    return pd.A()\n\ndef handler(e, c):\n    return f()\n';
    expect(recommend(input(source))[0].fix).toBeUndefined();
  });

  it('leaves a package alone that the handler uses often', () => {
    const source = 'import pandas as pd\n\ndef handler(e, c):\n    a = pd.A()\n    b = pd.B()\n    return pd.C(a, b)\n';
    expect(recommend(input(source))).toEqual([]);
  });

  it('does not call module-level client setup work to move', () => {
    const source = 'import boto3\n\nS3 = boto3.client("s3")\n\ndef handler(e, c):\n    return S3.list_buckets()\n';
    expect(recommend(input(source)).map((r) => r.rule)).toEqual([]);
  });

  it('flags a client built on every call, with the line, and no saving until measured', () => {
    const source = 'import boto3\n\ndef handler(e, c):\n    s3 = boto3.client("s3")\n    return s3.list_buckets()\n';
    const [rec] = recommend(input(source, [], { reuseTwin: 'reuse.handler' }));
    expect(rec).toMatchObject({ rule: 'per-call-client', target: 'handler', savingMs: null, per: 'invocation', basis: 'not estimated', verified: false });
    expect(rec.evidence).toBe(
      'handler reaches `s3 = boto3.client("s3")` (handler, line 4) on every invocation; reuse.handler builds it once and can be benchmarked against it with --verify',
    );
    expect(rec.fix).toEqual({ kind: 'compare-handler', handler: 'reuse.handler' });
  });

  it('names strippable folders with sizes and bytecode missing for the runtime', () => {
    const packages = [
      pkg('pandas', { bytes: 50 * 1024 * 1024, removable: [{ path: 'pandas/tests', bytes: 20 * 1024 * 1024 }], removableBytes: 20 * 1024 * 1024, pyFilesWithoutPyc: 4 }),
    ];
    const recs = recommend(input('import pandas\n\ndef handler(e, c):\n    a = pandas.a()\n    b = pandas.b()\n    return pandas.c(a, b)\n', packages));
    expect(recs.map((r) => r.rule)).toEqual(['missing-bytecode', 'strip-package']);
    expect(recs[1].evidence).toBe("20.0 MB of pandas's 50.0 MB is never imported (pandas/tests 20.0 MB); a smaller package downloads and unpacks faster on Lambda");
    expect(recs[0].evidence).toBe('4 of 10 .py files in pandas have no bytecode for this runtime; importing pandas took 12 ms, compilation included');
  });
});

describe('recommend (module-level work, Node bundling)', () => {
  it('points at module-level work with its lines and the handler module’s own time', () => {
    const source = 'import json\nTABLE = json.loads(open("t.json").read())\n\ndef handler(e, c):\n    return TABLE\n';
    const own = parseImportTrace('import time:     15000 |      15000 | app');
    const recs = recommend({ ...input(source), roots: own, modules: groupByPackage(own, { language: 'python', initMs: 20, handlerModule: 'app', sizes: new Map() }) });
    expect(recs).toEqual([
      {
        rule: 'module-level-work',
        target: 'app',
        action: 'Move module-level work in app into a lazily initialised function, so only invocations that need it pay for it.',
        savingMs: 15,
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence:
          'app runs 15 ms of its own code at import (75 % of Init Duration, imports excluded): line 2 `TABLE = json.loads(open("t.json").read())`. Deferred work still runs on the first invocation that needs it.',
        verified: false,
      },
    ]);
  });

  describe('module-level work found by the parser', () => {
    const trace = parseImportTrace(['import time:    100000 |     100000 |   helpers', 'import time:    402000 |     502000 | app'].join('\n'));
    const work = (over: Partial<RuleInput> = {}): RuleInput => ({
      ...input('import json\n\ndef handler(e, c):\n    return 1\n'),
      roots: trace,
      initMs: 520,
      unattributedMs: 18,
      codePath: {
        handlerFound: true,
        reachable: ['handler'],
        imports: [],
        moduleWork: [
          { file: 'app', line: 7, endLine: 7, text: 'MODEL = build_model(400)' },
          { file: 'app', line: 8, endLine: 8, text: 'S3 = boto3.client("s3")' },
          { file: 'helpers', line: 3, endLine: 3, text: 'time.sleep(0.1)' },
        ],
        files: ['app', 'helpers'],
      },
      statementTimes: [
        { file: 'app.py', line: 7, endLine: 7, ms: 400.2 },
        { file: 'app.py', line: 8, endLine: 8, ms: 90 },
      ],
      ...over,
    });

    it('names each timed statement with its file, line, text and share, and leaves client setup alone', () => {
      const recs = recommend(work()).filter((r) => r.rule === 'module-level-work');
      expect(recs.map((r) => [r.target, r.savingMs])).toEqual([
        ['app.py:7', 400.2],
        ['helpers.py:3', 100],
      ]);
      expect(recs[0]).toEqual({
        rule: 'module-level-work',
        target: 'app.py:7',
        action:
          'Move `MODEL = build_model(400)` (app.py:7) out of module level: run it inside the handler when an invocation first needs it and keep the result in a global (or cache it in the package), so cold starts that do not need it skip it.',
        savingMs: 400.2,
        per: 'cold-start',
        basis: 'estimated from the import trace',
        evidence:
          'app.py:7 `MODEL = build_model(400)` ran for 400.2 ms at init (77 % of Init Duration), timed by the tracer; 18 ms of init is outside any traced import; 1 client setup statement left out (building clients once at init is the pattern to keep). Deferred work still runs on the first invocation that needs it.',
        verified: false,
      });
      // helpers.py's statement was not timed: its file's own time is attributed to its one working statement.
      expect(recs[1].evidence).toBe(
        'helpers.py ran 100 ms of its own code at import (19 % of Init Duration, imports excluded), and `time.sleep(0.1)` is its one module-level statement that does work; 18 ms of init is outside any traced import. Deferred work still runs on the first invocation that needs it.',
      );
    });

    it('needs 20 ms and 5 % of Init Duration, and skips a local module whose import is already advised against', () => {
      const cheap = work({ statementTimes: [{ file: 'app.py', line: 7, endLine: 7, ms: 19 }], roots: parseImportTrace('import time:      1000 |       1000 | app') });
      expect(recommend(cheap).filter((r) => r.rule === 'module-level-work')).toEqual([]);
      const helperImport = {
        file: 'app',
        local: 'helpers',
        namesUsed: [],
        text: 'import helpers',
        module: 'helpers',
        package: 'helpers',
        bound: ['helpers'],
        line: 2,
        endLine: 2,
        removable: true,
        uses: [],
        unreachableUses: [],
        branch: null,
      };
      const base = work();
      const flagged = recommend({ ...base, codePath: { ...(base.codePath as NonNullable<RuleInput['codePath']>), imports: [helperImport] } });
      expect(flagged.map((r) => [r.rule, r.target])).toEqual([
        ['module-level-work', 'app.py:7'],
        ['unused-import', 'helpers'],
      ]);
    });
  });

  it('offers an esbuild bundle when init loads many files from node_modules', () => {
    const lines = ['coldbench require:      1000 |       1000 |       lodash/a.js'];
    for (let i = 0; i < 10; i++) lines.push(`coldbench require:       100 |        100 |     pkg/f${i}.js`);
    lines.push('coldbench require:      1000 |       3000 |   ./index.js', 'coldbench require:       500 |       3500 | (runtime)/bootstrap.cjs');
    const roots = parseImportTrace(lines.join('\n'), 'coldbench require:');
    const source = "const _ = require('lodash');\nexports.handler = async () => _.a(_.b(_.c()));\n";
    const recs = recommend({
      language: 'node',
      handlerModule: './index.js',
      handlerFunction: 'handler',
      initMs: 10,
      roots,
      modules: groupByPackage(roots, { language: 'node', initMs: 10, handlerModule: './index.js', sizes: new Map() }),
      packages: new Map(),
      source: scanSource(new Map([['./index.js', source]]), './index.js', 'handler', 'node'),
    });
    expect(recs.map((r) => [r.rule, r.evidence, r.fix])).toEqual([
      ['node-bundle', 'init loaded 11 files from node_modules, taking 1 ms cumulative; resolving and reading each file is part of that time', { kind: 'esbuild' }],
    ]);
  });
});

describe('recommend (memory size)', () => {
  const source = 'def handler(e, c):\n    return sum(range(10 ** 6))\n';
  it('proposes twice the memory, up to one vCPU, for a CPU-heavy warm invocation, to be measured', () => {
    const [rec] = recommend({ ...input(source), roots: [], modules: [], memoryMB: 1024, warmMedianMs: 85.25 });
    expect(rec).toMatchObject({ rule: 'memory-size', target: '1024 MB', savingMs: null, per: 'invocation', basis: 'not estimated', fix: { kind: 'memory', memoryMB: 1769 } });
    expect(rec.evidence).toBe('warm Duration median 85.3 ms at 1024 MB (58 % of a vCPU); whether it is CPU-bound only a measurement at 1769 MB shows');
  });
  it('stays quiet for short invocations and from one vCPU up', () => {
    expect(recommend({ ...input(source), roots: [], modules: [], memoryMB: 512, warmMedianMs: 5 })).toEqual([]);
    expect(recommend({ ...input(source), roots: [], modules: [], memoryMB: 1769, warmMedianMs: 500 })).toEqual([]);
  });
});

describe('rankRecommendations', () => {
  const rec = (rule: Recommendation['rule'], savingMs: number | null, target = 'x'): Recommendation => ({
    rule,
    target,
    action: '',
    savingMs,
    per: 'cold-start',
    basis: 'not estimated',
    evidence: '',
    verified: false,
  });
  it('puts the largest saving first and unknown savings last, in rule order', () => {
    const ranked = rankRecommendations([rec('strip-package', null), rec('unused-import', 5), rec('per-call-client', null), rec('module-level-work', 40)]);
    expect(ranked.map((r) => r.rule)).toEqual(['module-level-work', 'unused-import', 'per-call-client', 'strip-package']);
  });
});
