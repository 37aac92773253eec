import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_MARKER, parseImportTrace } from '../../src/profile/import-trace.ts';

// Shared by both Node timers at run time, so it is plain CommonJS; its task root is read when it loads (here: the cwd).
const { displayName, traceLine } = createRequire(import.meta.url)('../../src/profile/node-trace-line.cjs') as {
  displayName: (filename: string) => string;
  traceLine: (selfUs: number, cumulativeUs: number, depth: number, name: string) => string;
};

describe('displayName', () => {
  it('names a package file from node_modules, a task-root file with ./, and anything else as (runtime)', () => {
    expect(displayName('/var/task/node_modules/dep/node_modules/@scope/pkg/index.js')).toBe('@scope/pkg/index.js');
    expect(displayName(join(process.cwd(), 'lib', 'util.js'))).toBe('./lib/util.js');
    expect(displayName('/var/runtime/index.mjs')).toBe('(runtime)/index.mjs');
  });
});

describe('traceLine', () => {
  it('writes the -X importtime columns import-trace.ts reads, rounded to µs and indented by depth, with the name as given', () => {
    const inner = traceLine(5, 5, 1, displayName('/x/node_modules/dep/inner.js'));
    expect(inner).toBe('coldbench require:         5 |          5 |   dep/inner.js\n');
    expect(parseImportTrace(`${inner}${traceLine(12.4, 1500.6, 0, 'dep/main.js')}`, NODE_MARKER)).toMatchObject([
      { name: 'dep/main.js', selfUs: 12, cumulativeUs: 1501, children: [{ name: 'dep/inner.js', selfUs: 5 }] },
    ]);
  });
});
