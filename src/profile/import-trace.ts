/**
 * Import traces → module trees. Two producers share one line format, so one parser reads both:
 * CPython's `-X importtime` (`import time: self [us] | cumulative | imported package`) and
 * coldbench's Node preload (src/profile/node-require-timer.cjs), which prints the same columns
 * behind its own marker. Both print a module when its import *finishes*, children before their
 * parent, with the depth as two spaces per level after `| `.
 */

/** One imported module with its own and inclusive import time. */
export interface ImportNode {
  name: string;
  /** Time spent in this module's own body, children excluded (microseconds, as traced). */
  selfUs: number;
  /** Time from the start of this import to its end, children included (microseconds). */
  cumulativeUs: number;
  children: ImportNode[];
}

/** The marker CPython writes in front of every `-X importtime` line. */
export const PYTHON_MARKER = 'import time:';
/** The marker the Node preload writes, distinct so a Python line is never read as Node's. */
export const NODE_MARKER = 'coldbench require:';

const LINE = /^\s*(\d+)\s*\|\s*(\d+)\s*\| (\s*)(\S.*?)\s*$/;

/**
 * Parses an import trace into a forest of top-level imports, in import order. Lines without the
 * marker (the function's other output, platform lines) and the header are skipped; the marker may
 * sit behind a prefix (a timestamp, a stream name), as in exported CloudWatch copies.
 *
 * @example
 * parseImportTrace([
 *   'import time: self [us] | cumulative | imported package',
 *   'import time:        39 |         39 |     _codecs',
 *   'import time:       230 |        269 |   codecs',
 *   'import time:       538 |       1129 | encodings',
 * ].join('\n'))
 * // → [{ name: 'encodings', selfUs: 538, cumulativeUs: 1129, children: [{ name: 'codecs', … }] }]
 */
export function parseImportTrace(text: string, marker: string = PYTHON_MARKER): ImportNode[] {
  // Pending subtrees waiting for their parent, with the depth they were printed at.
  const pending: Array<{ depth: number; node: ImportNode }> = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const at = rawLine.indexOf(marker);
    if (at < 0) continue;
    const match = LINE.exec(rawLine.slice(at + marker.length));
    if (!match) continue;
    const depth = Math.floor(match[3].length / 2);
    const node: ImportNode = { name: match[4], selfUs: Number(match[1]), cumulativeUs: Number(match[2]), children: [] };
    // Everything deeper printed since the last node of this depth are this node's children.
    let first = pending.length;
    while (first > 0 && pending[first - 1].depth > depth) first -= 1;
    node.children = pending.splice(first).map((p) => p.node);
    pending.push({ depth, node });
  }
  // A trace cut short (a crash mid-import) leaves deeper orphans: keep them as roots rather than drop time.
  return pending.map((p) => p.node);
}

/** Visits every node depth-first, parents before children, with the chain of ancestors. */
export function walkImports(roots: ImportNode[], visit: (node: ImportNode, ancestors: ImportNode[]) => void): void {
  const go = (node: ImportNode, ancestors: ImportNode[]): void => {
    visit(node, ancestors);
    const next = [...ancestors, node];
    for (const child of node.children) go(child, next);
  };
  for (const root of roots) go(root, []);
}
