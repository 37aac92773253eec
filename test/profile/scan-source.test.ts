import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanSource } from '../../src/profile/scan-source.ts';

const pyConnection = new Map(
  ['identity', 'percall', 'reuse'].map((m) => [m, readFileSync(new URL(`../../fixtures/functions/python/connection/${m}.py`, import.meta.url), 'utf8')]),
);

describe('scanSource (Python)', () => {
  it('finds the per-call client built in a helper the handler calls, in another file', () => {
    const scan = scanSource(pyConnection, 'percall', 'handler', 'python');
    expect(scan.reachable).toEqual(['handler', 'identity.new_sts_client', 'identity.caller_identity']);
    expect(scan.perCallClients.map((c) => [c.inFunction, c.text])).toEqual([
      ['identity.new_sts_client', 'session = boto3.session.Session()'],
      ['identity.new_sts_client', 'return session.client("sts", region_name=region, config=config)'],
    ]);
  });

  it('does not flag the client the reuse handler builds once at module level', () => {
    const scan = scanSource(pyConnection, 'reuse', 'handler', 'python');
    expect(scan.perCallClients).toEqual([]);
    expect(scan.moduleWork).toEqual([{ line: 11, text: 'STS = new_sts_client()', clientSetup: true }]);
  });

  it('counts uses of each imported name in code the handler reaches', () => {
    const source = [
      'import json',
      'import pandas as pd',
      'from numpy import array, mean as avg',
      '',
      'TABLE = pd.read_csv("x.csv")',
      '',
      'def helper(x):',
      '    return avg(array(x))',
      '',
      'def unused():',
      '    return json.dumps({})',
      '',
      'def handler(event, context):',
      '    return helper(event["values"])',
    ].join('\n');
    const scan = scanSource(new Map([['app', source]]), 'app', 'handler', 'python');
    expect(scan.imports).toEqual([
      { package: 'json', bound: ['json'], line: 1 },
      { package: 'pandas', bound: ['pd'], line: 2 },
      { package: 'numpy', bound: ['array', 'avg'], line: 3 },
    ]);
    expect(scan.uses.get('json')).toEqual([]);
    expect(scan.uses.get('pd')?.map((l) => l.line)).toEqual([5]);
    expect(scan.uses.get('avg')?.map((l) => l.line)).toEqual([8]);
    expect(scan.moduleWork).toEqual([{ line: 5, text: 'TABLE = pd.read_csv("x.csv")', clientSetup: false }]);
  });

  it('reads imports inside module-level if blocks but not inside functions', () => {
    const source = 'import os\nif os.environ.get("X"):\n    import requests\n\ndef f():\n    import json\n    return requests.get\n\ndef handler(e, c):\n    return f()\n';
    const scan = scanSource(new Map([['app', source]]), 'app', 'handler', 'python');
    expect(scan.imports.map((i) => [i.package, i.line])).toEqual([
      ['os', 1],
      ['requests', 3],
    ]);
    expect(scan.uses.get('requests')?.map((l) => l.line)).toEqual([7]);
    expect(scan.handlerLines).toEqual([9, 10]);
  });

  it('ignores docstrings and names inside string literals', () => {
    const source = '"""Docs.\nimport this is prose\n"""\nimport requests\n\ndef handler(e, c):\n    if "requests" in e:\n        return 1\n';
    const scan = scanSource(new Map([['app', source]]), 'app', 'handler', 'python');
    expect(scan.imports.map((i) => i.package)).toEqual(['requests']);
    expect(scan.uses.get('requests')).toEqual([]);
  });

  it('treats a client cached behind `global` as built once', () => {
    const source = 'import boto3\n_s3 = None\n\ndef handler(e, c):\n    global _s3\n    if _s3 is None:\n        _s3 = boto3.client("s3")\n    return 1\n';
    expect(scanSource(new Map([['app', source]]), 'app', 'handler', 'python').perCallClients).toEqual([]);
  });

  it('notices a fixture that reads COLDBENCH_LAZY_IMPORTS', () => {
    const source = 'import os\nif "pandas" not in os.environ.get("COLDBENCH_LAZY_IMPORTS", ""):\n    import pandas\n\ndef handler(e, c):\n    return 1\n';
    expect(scanSource(new Map([['app', source]]), 'app', 'handler', 'python').readsLazyFlag).toBe(true);
  });
});

const nodeConnection = new Map(
  ['identity', 'percall', 'reuse'].map((m) => [`./${m}.js`, readFileSync(new URL(`../../fixtures/functions/node/connection/${m}.js`, import.meta.url), 'utf8')]),
);

describe('scanSource (Node)', () => {
  it('finds `new STSClient` in the helper the per-call handler calls', () => {
    const scan = scanSource(nodeConnection, './percall.js', 'handler', 'node');
    expect(scan.perCallClients.map((c) => [c.inFunction, c.text])).toEqual([['./identity.js.newStsClient', 'return new STSClient(options);']]);
  });

  it('sees the reuse handler build its client at module level instead', () => {
    const scan = scanSource(nodeConnection, './reuse.js', 'handler', 'node');
    expect(scan.perCallClients).toEqual([]);
    expect(scan.moduleWork).toEqual([{ line: 5, text: 'const sts = newStsClient();', clientSetup: true }]);
  });

  it('reads require and import bindings of packages', () => {
    const source = "const { STSClient } = require('@aws-sdk/client-sts');\nimport _ from 'lodash';\nexports.handler = async () => _.sum([1]);\n";
    const scan = scanSource(new Map([['./index.js', source]]), './index.js', 'handler', 'node');
    expect(scan.imports).toEqual([
      { package: '@aws-sdk/client-sts', bound: ['STSClient'], line: 1 },
      { package: 'lodash', bound: ['_'], line: 2 },
    ]);
    expect(scan.uses.get('STSClient')).toEqual([]);
    expect(scan.uses.get('_')?.map((l) => l.line)).toEqual([3]);
  });
});
