/**
 * The code path of one file, found with real parsers: which of its module-level imports the code
 * reached from its roots uses, and where, which names it uses from each imported module, and its
 * module-level statements that do work. Python runs code-path.py (the `ast` module) on the
 * runtime's interpreter; Node parses with acorn (ES modules and CommonJS). program-path.ts
 * follows the names used from the function's own modules into their files.
 *
 * The code path, the same in both languages: the root functions (the handler) and the
 * module-level functions and classes they reference, transitively (any reference, a call or not;
 * a reachable class brings all its methods), plus module-level code, which runs at init (and what
 * it references), plus (Python) decorated functions, which a framework registers and calls. A
 * name a function binds itself (parameter, variable) shadows the import there; importing the same
 * package again inside a function counts as a use.
 */
import { spawnSync } from 'node:child_process';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Node as AcornNode, parse } from 'acorn';
import { topLevelOf } from './group.ts';

export interface CodePathUse {
  line: number;
  /** The top-level function or class the use is in; `<module>` for module-level code */
  function: string;
}

/** The one arm of an `if` / `switch` / `match` that holds every use of an import. */
export interface BranchArm {
  function: string;
  /** Line of the `if` / `switch` / `match` */
  ifLine: number;
  /** First line of the arm: where a lazy import goes */
  armLine: number;
  /** `if event.get("report")`, `else of if x`, `case "/report"`, … (shortened) */
  condition: string;
  /** Node: the arm is a block or a case (a statement can be inserted at armLine); Python arms always are */
  block?: boolean;
  /** Node: the function around the arm is async (an `await import()` can go there) */
  async?: boolean;
}

/** A module-level statement that runs code at import (not an import or a definition). */
export interface ModuleStatement {
  line: number;
  endLine: number;
  /** Its first line, shortened */
  text: string;
  /** Node: character offsets in the source, where the statement timer puts its marks */
  start?: number;
  end?: number;
}

export interface CodePathImport {
  /** As written: `pandas.io`, `./slow`, `lodash/fp` */
  module: string;
  /** Top-level name to match against the import trace: `pandas`, `lodash`, `./slow.js` */
  package: string;
  /** Names the import binds */
  bound: string[];
  line: number;
  endLine: number;
  /** The statement imports only this module and sits alone on its lines: deleting them removes it */
  removable: boolean;
  /** Uses in the code path (module-level ones under `<module>`) */
  uses: CodePathUse[];
  /** Uses in functions the handler never reaches */
  unreachableUses: CodePathUse[];
  /** Set when every use in the code path is inside one arm of one branch of one function */
  branch: BranchArm | null;
  /** Names the code path uses from the imported module (`*`: the module as a whole), to follow it into a local file */
  namesUsed: string[];
  /** The statement as one line to insert where it is needed (Node: an ES import as `await import()`) */
  text: string;
}

export interface CodePath {
  /** Whether the handler is a function defined in its module (otherwise the rules do not run) */
  handlerFound: boolean;
  /** Top-level functions and classes the code path reaches, the handler first */
  reachable: string[];
  imports: CodePathImport[];
  /** Module-level statements that do work at import */
  moduleWork: ModuleStatement[];
}

/** The script that analyses Python sources (shipped beside this file, like trace-wrapper.sh). */
export const PYTHON_CODE_PATH_SCRIPT = fileURLToPath(new URL('./code-path.py', import.meta.url));

/** A parse that failed: the source rules skip the function and say why. */
export class CodePathError extends Error {}

/**
 * Python: runs code-path.py on `python` (the interpreter the emulator runs the runtime on, or python3).
 * @example pythonCodePath('import slowmod\n\ndef handler(e, c):\n    return 1\n', 'handler').imports[0]
 * // → { module: 'slowmod', package: 'slowmod', uses: [], branch: null, removable: true, … }
 */
export function pythonCodePath(source: string, handler: string, python = 'python3'): CodePath {
  const out = pythonCodePaths(new Map([['', { source, roots: [handler] }]]), python).get('') as CodePath | { error: string };
  if ('error' in out) throw new CodePathError(`the handler's source does not parse with ${python}: ${out.error}`);
  return out;
}

/** Several Python files in one run of code-path.py: module name → its code path from `roots` (`*`: every function), or its parse error. */
export function pythonCodePaths(files: ReadonlyMap<string, { source: string; roots: string[] | '*' }>, python = 'python3'): Map<string, CodePath | { error: string }> {
  const input = JSON.stringify({ files: Object.fromEntries(files) });
  const run = spawnSync(python, ['-I', '-B', PYTHON_CODE_PATH_SCRIPT], { input, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw new CodePathError(`${python} did not run: ${run.error.message}`);
  if (run.status !== 0) throw new CodePathError(`${python} code-path.py failed: ${run.stderr.trim().split('\n').pop()}`);
  return new Map(Object.entries((JSON.parse(run.stdout) as { files: Record<string, CodePath | { error: string }> }).files));
}

// ---- Node, with acorn ----------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: ESTree nodes are walked generically, by their keys
type N = AcornNode & Record<string, any>;

interface Ref {
  kind: 'name' | 'import';
  ref: string;
  line: number;
  owner: string;
  arms: Array<{ node: N; arm: number; armLine: number; condition: string; block: boolean; async: boolean }>;
  /** `x.attr`: the property of an imported module the code reads */
  attr?: string;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const CONDITION_CHARS = 60;
const isNode = (x: unknown): x is N => typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string';

function children(node: N): Array<[string, N]> {
  const out: Array<[string, N]> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    if (Array.isArray(value)) for (const v of value) isNode(v) && out.push([key, v]);
    else if (isNode(value)) out.push([key, value]);
  }
  return out;
}

function patternNames(pattern: N | null | undefined, into: Set<string>): void {
  if (!pattern) return;
  if (pattern.type === 'Identifier') into.add(pattern.name);
  else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties) patternNames(p.type === 'RestElement' ? p.argument : p.value, into);
  else if (pattern.type === 'ArrayPattern') for (const e of pattern.elements) patternNames(e, into);
  else if (pattern.type === 'AssignmentPattern') patternNames(pattern.left, into);
  else if (pattern.type === 'RestElement') patternNames(pattern.argument, into);
}

/** `require('x')` or `require('x').y` → 'x' */
function requiredSpec(init: N | null | undefined): string | null {
  let call = init;
  while (call?.type === 'MemberExpression') call = call.object;
  if (call?.type !== 'CallExpression' || call.callee.type !== 'Identifier' || call.callee.name !== 'require') return null;
  const [arg] = call.arguments;
  return arg?.type === 'Literal' && typeof arg.value === 'string' ? arg.value : null;
}

function nodePackage(spec: string, entry: string, files: ReadonlySet<string>): string | null {
  if (spec.startsWith('node:')) return null;
  if (!spec.startsWith('.')) return topLevelOf(spec, 'node');
  const joined = `./${posix.normalize(posix.join(posix.dirname(entry), spec))}`;
  const found = [joined, `${joined}.js`, `${joined}.cjs`, `${joined}.mjs`, `${joined}/index.js`].find((c) => files.has(c));
  return topLevelOf(found ?? (/\.(c|m)?js$/.test(joined) ? joined : `${joined}.js`), 'node');
}

/** Names a function binds in its own scope (params, declarations not inside nested functions). */
function functionLocals(fn: N, packageOf: (spec: string) => string | null, packages: ReadonlySet<string>): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params) patternNames(p, names);
  if (fn.type === 'FunctionExpression' && fn.id) names.add(fn.id.name);
  const visit = (node: N): void => {
    for (const [, child] of children(node)) {
      if (FUNCTION_TYPES.has(child.type)) {
        if (child.type === 'FunctionDeclaration' && child.id) names.add(child.id.name);
        continue;
      }
      if (child.type === 'VariableDeclarator') {
        const spec = requiredSpec(child.init);
        const pkg = spec === null ? null : packageOf(spec);
        // Requiring the same package again is a use of it, not a new local name.
        if (pkg === null || !packages.has(pkg)) patternNames(child.id, names);
      } else if (child.type === 'ClassDeclaration' && child.id) names.add(child.id.name);
      else if (child.type === 'CatchClause') patternNames(child.param, names);
      visit(child);
    }
  };
  if (fn.body.type === 'BlockStatement') visit(fn.body);
  return names;
}

function parseJs(source: string): N {
  const options = { ecmaVersion: 'latest' as const, locations: true, allowHashBang: true };
  try {
    return parse(source, { ...options, sourceType: 'module', allowAwaitOutsideFunction: true }) as N;
  } catch {
    try {
      return parse(source, { ...options, sourceType: 'script', allowReturnOutsideFunction: true }) as N;
    } catch (error) {
      throw new CodePathError(`the handler's source does not parse with acorn: ${(error as Error).message}`);
    }
  }
}

/** The statement sits alone on its lines (comments after it aside). */
function alone(source: string, node: N): boolean {
  const lineStart = source.lastIndexOf('\n', node.start - 1) + 1;
  const lineEnd = source.indexOf('\n', node.end);
  const after = source.slice(node.end, lineEnd < 0 ? source.length : lineEnd).trim();
  return source.slice(lineStart, node.start).trim() === '' && (after === '' || after.startsWith('//'));
}

/** Module-level work is named by its first line, cut to this many characters. */
const WORK_TEXT_CHARS = 80;
const shorten = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The statement calls, constructs or awaits something when it runs (function bodies, which do not run at import, aside). */
function runsCode(node: N): boolean {
  if (/^(CallExpression|NewExpression|AwaitExpression|TaggedTemplateExpression)$/.test(node.type)) return !(node.type === 'CallExpression' && requiredSpec(node) !== null);
  if (FUNCTION_TYPES.has(node.type) || node.type === 'ClassBody') return false;
  return children(node).some(([, child]) => runsCode(child));
}

/** `const { a: b } = require('m')` → [['a', 'b']]; null when the module object itself is bound. */
function requiredNames(d: N): Array<[string, string]> | null {
  if (d.id.type !== 'ObjectPattern' || d.init?.type !== 'CallExpression') return null;
  const out: Array<[string, string]> = [];
  for (const p of d.id.properties as N[]) {
    if (p.type !== 'Property' || p.computed || p.value.type !== 'Identifier') return null;
    out.push([p.key.name ?? p.key.value, p.value.name]);
  }
  return out;
}

/** An ES import as the statement that loads it lazily: `import { a as b } from 'm'` → `const { a: b } = await import('m');` */
function dynamicImportText(stmt: N): string {
  const spec = JSON.stringify(stmt.source.value);
  const parts: string[] = [];
  let ns: string | null = null;
  for (const s of stmt.specifiers as N[]) {
    if (s.type === 'ImportNamespaceSpecifier') ns = s.local.name;
    else if (s.type === 'ImportDefaultSpecifier') parts.push(`default: ${s.local.name}`);
    else {
      const imported = s.imported.name ?? JSON.stringify(s.imported.value);
      parts.push(imported === s.local.name ? imported : `${imported}: ${s.local.name}`);
    }
  }
  if (ns !== null && parts.length === 0) return `const ${ns} = await import(${spec});`;
  return `const { ${parts.join(', ')} } = await import(${spec});`;
}

const exportTarget = (left: N): string | null => {
  // exports.X / module.exports.X
  if (left.type !== 'MemberExpression' || left.computed || left.property.type !== 'Identifier') return null;
  const obj = left.object;
  const isExports = (obj.type === 'Identifier' && obj.name === 'exports') || (obj.type === 'MemberExpression' && obj.object.name === 'module' && obj.property.name === 'exports');
  return isExports ? left.property.name : null;
};
const isModuleExports = (left: N): boolean =>
  left.type === 'MemberExpression' && left.object.type === 'Identifier' && left.object.name === 'module' && left.property.name === 'exports';

/**
 * Node: parses `source` (the module `entry`, e.g. `./index.js`) with acorn, ES module or CommonJS.
 * `files`: the function's other source files, to name local imports as the trace does (`./slow.js`).
 * @example nodeCodePath("const slow = require('./slow');\nexports.handler = async () => 1;\n", './index.js', 'handler', new Set(['./slow.js'])).imports[0]
 * // → { module: './slow', package: './slow.js', uses: [], branch: null, removable: true, … }
 */
export function nodeCodePath(source: string, entry: string, roots: string | string[] | '*', files: ReadonlySet<string> = new Set()): CodePath {
  const program = parseJs(source);
  const packageOf = (spec: string) => nodePackage(spec, entry, files);
  const imports: Array<Omit<CodePathImport, 'uses' | 'unreachableUses' | 'branch' | 'namesUsed'> & { names: Array<[string, string]> | null }> = [];
  const moduleWork: ModuleStatement[] = [];
  const work = (stmt: N) => {
    if (!runsCode(stmt)) return;
    const first = source.slice(stmt.start, stmt.end).split('\n')[0].trim();
    moduleWork.push({ line: lineOf(stmt), endLine: stmt.loc?.end.line ?? 0, text: shorten(first, WORK_TEXT_CHARS), start: stmt.start, end: stmt.end });
  };
  const defs = new Map<string, N>();
  const aliases = new Map<string, string>();
  const moduleCode: N[] = [];
  const lineOf = (n: N): number => n.loc?.start.line ?? 0;

  const addDef = (name: string, node: N) => defs.set(name, node);
  for (const raw of program.body as N[]) {
    let stmt = raw;
    if (stmt.type === 'ImportDeclaration') {
      const pkg = packageOf(stmt.source.value);
      const bound = stmt.specifiers.map((s: N) => s.local.name);
      const named = stmt.specifiers.every((s: N) => s.type === 'ImportSpecifier');
      const names: Array<[string, string]> | null = named ? stmt.specifiers.map((s: N) => [s.imported.name ?? s.imported.value, s.local.name]) : null;
      if (pkg !== null && bound.length > 0)
        imports.push({
          module: stmt.source.value,
          package: pkg,
          bound,
          names,
          line: lineOf(stmt),
          endLine: stmt.loc?.end.line ?? 0,
          removable: alone(source, stmt),
          text: dynamicImportText(stmt),
        });
      continue;
    }
    if (stmt.type === 'ExportNamedDeclaration' && !stmt.declaration) {
      if (!stmt.source) for (const s of stmt.specifiers) aliases.set(s.exported.name ?? s.exported.value, s.local.name);
      continue;
    }
    if ((stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration') && stmt.declaration) stmt = stmt.declaration;
    if ((stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') && stmt.id) {
      addDef(stmt.id.name, stmt);
      if (stmt.type === 'ClassDeclaration' && stmt.superClass) moduleCode.push(stmt.superClass);
      continue;
    }
    if (stmt.type === 'VariableDeclaration') {
      for (const d of stmt.declarations as N[]) {
        const spec = requiredSpec(d.init);
        const pkg = spec === null ? null : packageOf(spec);
        if (spec !== null) {
          const bound = new Set<string>();
          patternNames(d.id, bound);
          if (pkg !== null && bound.size > 0)
            imports.push({
              module: spec,
              package: pkg,
              bound: [...bound],
              names: requiredNames(d),
              line: lineOf(d),
              endLine: d.loc?.end.line ?? 0,
              removable: stmt.declarations.length === 1 && alone(source, stmt),
              text: `${stmt.kind} ${source.slice(d.start, d.end).replace(/\s+/g, ' ')};`,
            });
          continue;
        }
        if (d.id.type === 'Identifier' && d.init && (FUNCTION_TYPES.has(d.init.type) || d.init.type === 'ClassExpression')) addDef(d.id.name, d.init);
        else {
          moduleCode.push(d);
          work(raw);
        }
      }
      continue;
    }
    if (stmt.type === 'ExpressionStatement' && stmt.expression.type === 'AssignmentExpression') {
      const { left, right } = stmt.expression;
      const name = exportTarget(left);
      if (name !== null && (FUNCTION_TYPES.has(right.type) || right.type === 'Identifier')) {
        if (right.type === 'Identifier') aliases.set(name, right.name);
        else addDef(name, right);
        continue;
      }
      if (isModuleExports(left) && right.type === 'ObjectExpression') {
        for (const p of right.properties as N[]) {
          const key = p.key?.type === 'Identifier' ? p.key.name : p.key?.value;
          if (p.type === 'Property' && !p.computed && p.value.type === 'Identifier') aliases.set(key, p.value.name);
          else if (p.type === 'Property' && !p.computed && FUNCTION_TYPES.has(p.value.type)) addDef(key, p.value);
          else moduleCode.push(p);
        }
        work(raw);
        continue;
      }
    }
    moduleCode.push(stmt);
    work(raw);
  }

  const packages = new Set(imports.map((i) => i.package));
  const names = new Set([...imports.flatMap((i) => i.bound), ...defs.keys(), ...aliases.keys()]);
  const refs: Ref[] = [];
  const asyncStack: boolean[] = [true];
  const walk = (node: N, parent: N | null, key: string, owner: string, shadow: ReadonlySet<string>, arms: Ref['arms']): void => {
    if (FUNCTION_TYPES.has(node.type)) {
      const inner = new Set([...shadow, ...functionLocals(node, packageOf, packages)]);
      for (const p of node.params) walkPattern(p, owner, inner, arms);
      asyncStack.push(node.async === true);
      walk(node.body, node, 'body', owner, inner, arms);
      asyncStack.pop();
      return;
    }
    if (node.type === 'Identifier') {
      const isProperty =
        (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
        (/^(Property|MethodDefinition|PropertyDefinition)$/.test(parent?.type ?? '') && key === 'key' && !parent?.computed);
      const isLabel = key === 'label';
      const attr = parent?.type === 'MemberExpression' && key === 'object' && !parent.computed ? parent.property.name : undefined;
      if (!isProperty && !isLabel && names.has(node.name) && !shadow.has(node.name)) refs.push({ kind: 'name', ref: node.name, line: lineOf(node), owner, arms, attr });
      return;
    }
    if (node.type === 'VariableDeclarator') {
      walkPattern(node.id, owner, shadow, arms);
      if (node.init) walk(node.init, node, 'init', owner, shadow, arms);
      return;
    }
    if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.id) {
      if (node.superClass) walk(node.superClass, node, 'superClass', owner, shadow, arms);
      walk(node.body, node, 'body', owner, shadow, arms);
      return;
    }
    if (node.type === 'CatchClause') {
      const inner = new Set(shadow);
      patternNames(node.param, inner);
      walk(node.body, node, 'body', owner, inner, arms);
      return;
    }
    const required = node.type === 'CallExpression' ? requiredSpec(node) : node.type === 'ImportExpression' && node.source.type === 'Literal' ? node.source.value : null;
    if (typeof required === 'string') {
      const pkg = packageOf(required);
      if (pkg !== null && packages.has(pkg)) refs.push({ kind: 'import', ref: pkg, line: lineOf(node), owner, arms });
    }
    const text = (n: N) => {
      const s = source.slice(n.start, n.end).replace(/\s+/g, ' ');
      return s.length <= CONDITION_CHARS ? s : `${s.slice(0, CONDITION_CHARS - 1)}…`;
    };
    // An arm's line is its first statement's: where a lazy import goes.
    const firstLine = (arm: N): number => lineOf(arm.type === 'BlockStatement' && arm.body.length > 0 ? arm.body[0] : arm);
    if (node.type === 'IfStatement') {
      walk(node.test, node, 'test', owner, shadow, arms);
      const isAsync = asyncStack[asyncStack.length - 1];
      // A statement can go before the arm's first line only when that line is inside the arm's own block.
      const isBlock = (arm: N) => arm.type === 'BlockStatement' && arm.body.length > 0 && firstLine(arm) > lineOf(node);
      walk(node.consequent, node, 'consequent', owner, shadow, [
        ...arms,
        { node, arm: 0, armLine: firstLine(node.consequent), condition: `if (${text(node.test)})`, block: isBlock(node.consequent), async: isAsync },
      ]);
      if (node.alternate)
        walk(node.alternate, node, 'alternate', owner, shadow, [
          ...arms,
          { node, arm: 1, armLine: firstLine(node.alternate), condition: `else of if (${text(node.test)})`, block: isBlock(node.alternate), async: isAsync },
        ]);
      return;
    }
    if (node.type === 'SwitchStatement') {
      walk(node.discriminant, node, 'discriminant', owner, shadow, arms);
      (node.cases as N[]).forEach((c, i) => {
        const arm = {
          node,
          arm: i,
          armLine: c.consequent.length > 0 ? firstLine(c.consequent[0]) : lineOf(c),
          condition: c.test ? `case ${text(c.test)}` : 'default',
          block: c.consequent.length > 0 && firstLine(c.consequent[0]) > lineOf(c),
          async: asyncStack[asyncStack.length - 1],
        };
        for (const [k, child] of children(c)) walk(child, c, k, owner, shadow, [...arms, arm]);
      });
      return;
    }
    for (const [k, child] of children(node)) walk(child, node, k, owner, shadow, arms);
  };
  // Binding positions: only default values and computed keys are references.
  const walkPattern = (p: N | null, owner: string, shadow: ReadonlySet<string>, arms: Ref['arms']): void => {
    if (!p) return;
    if (p.type === 'AssignmentPattern') {
      walkPattern(p.left, owner, shadow, arms);
      walk(p.right, p, 'right', owner, shadow, arms);
    } else if (p.type === 'ObjectPattern') {
      for (const prop of p.properties) {
        if (prop.type === 'RestElement') walkPattern(prop.argument, owner, shadow, arms);
        else {
          if (prop.computed) walk(prop.key, prop, 'key', owner, shadow, arms);
          walkPattern(prop.value, owner, shadow, arms);
        }
      }
    } else if (p.type === 'ArrayPattern') for (const e of p.elements) walkPattern(e, owner, shadow, arms);
    else if (p.type === 'RestElement') walkPattern(p.argument, owner, shadow, arms);
    else if (p.type !== 'Identifier') walk(p, null, '', owner, shadow, arms); // member expressions in assignment targets
  };

  for (const node of moduleCode) walk(node, null, '', '<module>', new Set(), []);
  for (const [name, node] of defs) walk(node, null, '', name, new Set(), []);

  const edges = new Map<string, Set<string>>();
  const link = (from: string, to: string) => edges.set(from, (edges.get(from) ?? new Set()).add(to));
  for (const r of refs) if (r.kind === 'name' && (defs.has(r.ref) || aliases.has(r.ref))) link(r.owner, r.ref);
  for (const [from, to] of aliases) link(from, to);
  const known = (name: string) => defs.has(name) || (aliases.has(name) && defs.has(aliases.get(name) as string));
  const wanted = roots === '*' ? [...defs.keys(), ...aliases.keys()] : typeof roots === 'string' ? [roots] : roots;
  const found = wanted.filter(known);
  const handlerFound = found.length > 0;
  const reachable: string[] = [];
  const queue = [...found, '<module>'];
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    if (reachable.includes(cur)) continue;
    reachable.push(cur);
    queue.push(...[...(edges.get(cur) ?? [])].sort());
  }

  return {
    handlerFound,
    reachable: reachable.filter((r) => r !== '<module>' && defs.has(r)),
    imports: imports.map(({ names, ...imp }) => {
      const hits = refs.filter((r) => (r.kind === 'name' && imp.bound.includes(r.ref)) || (r.kind === 'import' && r.ref === imp.package));
      const uses = hits.filter((r) => reachable.includes(r.owner));
      const namesUsed = new Set<string>();
      for (const r of uses) {
        if (r.kind === 'import' || names === null) namesUsed.add(r.kind === 'name' && r.attr ? r.attr : '*');
        else for (const [orig, bound] of names) if (bound === r.ref) namesUsed.add(orig);
      }
      return {
        ...imp,
        uses: uses.map((r) => ({ line: r.line, function: r.owner })),
        unreachableUses: hits.filter((r) => !reachable.includes(r.owner)).map((r) => ({ line: r.line, function: r.owner })),
        branch: commonArm(uses),
        namesUsed: [...namesUsed].sort(),
      };
    }),
    moduleWork,
  };
}

/** The innermost arm shared by every use, when they are all in one function (not module level). */
function commonArm(uses: Ref[]): BranchArm | null {
  if (uses.length === 0 || uses.some((u) => u.owner !== uses[0].owner || u.owner === '<module>')) return null;
  let common = uses[0].arms;
  for (const u of uses.slice(1)) {
    let n = 0;
    while (n < common.length && n < u.arms.length && common[n].node === u.arms[n].node && common[n].arm === u.arms[n].arm) n += 1;
    common = common.slice(0, n);
  }
  const arm = common.at(-1);
  return arm ? { function: uses[0].owner, ifLine: lineOf0(arm.node), armLine: arm.armLine, condition: arm.condition, block: arm.block, async: arm.async } : null;
}
const lineOf0 = (n: N): number => n.loc?.start.line ?? 0;
