/**
 * A static scan of the handler's source: what it imports at module level, what runs at module
 * level, which functions the handler reaches, and where it builds SDK clients or connections.
 * Line-based on purpose (no parser dependency for two languages); it reads the shapes handlers
 * are written in, and every finding carries its line so a reader can check it.
 */
import type { Language } from './group.ts';

export interface SourceLine {
  line: number;
  text: string;
}

export interface ModuleImport {
  /** The top-level package, e.g. `pandas` for `from pandas.io import x` or `@aws-sdk/client-sts` */
  package: string;
  /** Names the import binds in the module, e.g. `pd` for `import pandas as pd` */
  bound: string[];
  line: number;
}

export interface ClientConstruction extends SourceLine {
  /** The function whose body builds it */
  inFunction: string;
}

export interface SourceScan {
  imports: ModuleImport[];
  /** Module-level statements that do work at import (calls), imports and definitions excluded;
   * `clientSetup` when the line builds a client (directly or through a local helper): the reuse pattern */
  moduleWork: Array<SourceLine & { clientSetup: boolean }>;
  /** Functions reachable from the handler (itself first), by name */
  reachable: string[];
  /** Uses of each bound import name inside reachable functions or module-level work */
  uses: Map<string, SourceLine[]>;
  /** Clients or connections built inside a reachable function, so on every call */
  perCallClients: ClientConstruction[];
  /** Lines that read COLDBENCH_LAZY_IMPORTS: the fixture can lazy-import on request */
  readsLazyFlag: boolean;
  /** Packages the code names in a string next to COLDBENCH_LAZY_IMPORTS: those it can import lazily */
  lazyPackages: string[];
  /** Line numbers of the handler function's own body (not the helpers it calls) */
  handlerLines: number[];
  /** Reachable function each line of the handler's module belongs to; module-level lines are absent */
  functionOfLine: Map<number, string>;
}

/** Environment variable a fixture may read to import named packages lazily (the --verify contract). */
export const LAZY_IMPORTS_ENV = 'COLDBENCH_LAZY_IMPORTS';

/** Calls that build an SDK client, a session or a network connection. */
export const CLIENT_CALLS: Record<Language, RegExp> = {
  python:
    /\b(boto3\.(client|resource|Session|session\.Session)|session\.(client|resource)|botocore\.session\.get_session|requests\.Session|urllib3\.PoolManager|HTTPS?Connection|psycopg2?\.connect|pymysql\.connect|redis\.(Redis|StrictRedis)|MongoClient|create_engine)\s*\(/,
  node: /\bnew\s+(\w*Client|AWS\.\w+|Pool|MongoClient|Redis|Agent)\s*\(|\b(createPool|createConnection|createClient)\s*\(/,
};

interface FunctionBody {
  name: string;
  lines: SourceLine[];
}

/** An import statement: naming a package there is not a use of it. */
const IMPORT_LINE = /^\s*(import\s|from\s+\S+\s+import\s|(const|let|var)\s.*=\s*require\()/;
const uses = (text: string, name: string): boolean => new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, '\\$')}\\b`).test(text);

function stripComment(text: string, language: Language): string {
  const marker = language === 'python' ? '#' : '//';
  const at = text.indexOf(marker);
  return at >= 0 ? text.slice(0, at) : text;
}

function pythonImports(lines: SourceLine[]): ModuleImport[] {
  const imports: ModuleImport[] = [];
  for (const { line, text } of lines) {
    let m = /^import\s+(.+)$/.exec(text);
    if (m) {
      for (const part of m[1].split(',')) {
        const [mod, alias] = part.trim().split(/\s+as\s+/);
        if (!mod) continue;
        imports.push({ package: mod.split('.')[0], bound: [alias ?? mod.split('.')[0]], line });
      }
      continue;
    }
    m = /^from\s+([\w.]+)\s+import\s+\(?([^)]*)\)?/.exec(text);
    if (m && !m[1].startsWith('.')) {
      const bound = m[2]
        .split(',')
        .map(
          (p) =>
            p
              .trim()
              .split(/\s+as\s+/)
              .pop() ?? '',
        )
        .filter((n) => /^\w+$/.test(n));
      imports.push({ package: m[1].split('.')[0], bound, line });
    }
  }
  return imports;
}

function nodeImports(lines: SourceLine[]): ModuleImport[] {
  const imports: ModuleImport[] = [];
  const pkgOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  for (const { line, text } of lines) {
    const req = /^(?:const|let|var)\s+(\{[^}]*\}|\w+)\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)/.exec(text);
    const imp = /^import\s+(.+?)\s+from\s+['"]([^'"]+)['"]/.exec(text);
    const found = req ?? imp;
    if (!found || found[2].startsWith('.') || found[2].startsWith('node:')) continue;
    const bound = found[1]
      .replace(/[{}*]/g, ' ')
      .split(/[,\s]+/)
      .filter((n) => n && n !== 'as' && /^[\w$]+$/.test(n));
    // `{ a: b }` and `{ a as b }` bind the last name of each pair; keeping both only over-counts uses.
    imports.push({ package: pkgOf(found[2]), bound, line });
  }
  return imports;
}

function pythonFunctions(lines: SourceLine[]): FunctionBody[] {
  const fns: FunctionBody[] = [];
  let current: FunctionBody | undefined;
  for (const l of lines) {
    const def = /^(?:async\s+)?def\s+(\w+)\s*\(/.exec(l.text);
    if (def) {
      current = { name: def[1], lines: [l] };
      fns.push(current);
    } else if (/^\S/.test(l.text) && !l.text.startsWith('#') && !l.text.startsWith(')')) current = undefined;
    else if (current) current.lines.push(l);
  }
  // Blank lines after a body belong to no one.
  for (const f of fns) while (f.lines.length > 1 && f.lines[f.lines.length - 1].text.trim() === '') f.lines.pop();
  return fns;
}

function nodeFunctions(lines: SourceLine[]): FunctionBody[] {
  const fns: FunctionBody[] = [];
  const start =
    /^(?:export\s+)?(?:async\s+)?function\s*\*?\s*([\w$]+)|^(?:export\s+)?(?:const|let|var)\s+([\w$]+)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)|^(?:module\.)?exports\.([\w$]+)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)/;
  for (let i = 0; i < lines.length; i += 1) {
    const m = start.exec(lines[i].text);
    if (!m) continue;
    const body: SourceLine[] = [];
    let depth = 0;
    let opened = false;
    for (let j = i; j < lines.length; j += 1) {
      body.push(lines[j]);
      for (const ch of lines[j].text) {
        if (ch === '{') {
          depth += 1;
          opened = true;
        } else if (ch === '}') depth -= 1;
      }
      if ((opened && depth <= 0) || (!opened && lines[j].text.endsWith(';'))) break;
    }
    // The head line's code after the signature is body too (one-line arrow functions).
    const head = lines[i].text;
    const at = Math.max(head.indexOf('=>') + 2, head.indexOf('{') + 1, m[0].length);
    body[0] = { line: lines[i].line, text: head.slice(at) };
    fns.push({ name: m[1] ?? m[2] ?? m[3], lines: [lines[i], ...body] });
  }
  return fns;
}

const calls = (text: string, name: string): boolean => new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, '\\$')}\\s*\\(`).test(text);

interface FileFacts {
  imports: ModuleImport[];
  /** Local names bound to another file's function: `new_sts_client` → identity:new_sts_client */
  local: Map<string, { module: string; name: string }>;
  functions: Map<string, FunctionBody>;
  moduleWork: SourceLine[];
}

function localImports(topLevel: SourceLine[], language: Language, files: ReadonlyMap<string, string>): Map<string, { module: string; name: string }> {
  const local = new Map<string, { module: string; name: string }>();
  for (const { text } of topLevel) {
    if (language === 'python') {
      const m = /^from\s+\.?([\w.]+)\s+import\s+\(?([^)]*)\)?/.exec(text);
      if (!m || !files.has(m[1])) continue;
      for (const part of m[2].split(',')) {
        const [name, alias] = part.trim().split(/\s+as\s+/);
        if (name) local.set(alias ?? name, { module: m[1], name });
      }
    } else {
      const m = /^(?:const|let|var)\s+\{([^}]*)\}\s*=\s*require\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s+\{([^}]*)\}\s+from\s+['"](\.[^'"]+)['"]/.exec(text);
      if (!m) continue;
      const spec = m[2] ?? m[4];
      const module = [spec, `${spec}.js`, `${spec}.mjs`, `${spec}.cjs`].find((c) => files.has(c));
      if (!module) continue;
      for (const part of (m[1] ?? m[3]).split(',')) {
        const [name, alias] = part.trim().split(/\s*(?::|\s+as\s+)\s*/);
        if (name) local.set(alias ?? name, { module, name });
      }
    }
  }
  return local;
}

/** Blanks Python triple-quoted strings (docstrings) and JS block comments, keeping line numbers. */
function blankBlocks(source: string, language: Language): string[] {
  const pattern = language === 'python' ? /("""|''')[\s\S]*?\1/g : /\/\*[\s\S]*?\*\//g;
  return source.replace(pattern, (block) => block.replace(/[^\n]/g, ' ')).split(/\r?\n/);
}

/** A line without its string literals: a name inside quotes is not a use of it. */
const stripStrings = (text: string): string => text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');

function factsOf(source: string, language: Language, files: ReadonlyMap<string, string>): FileFacts {
  const lines: SourceLine[] = blankBlocks(source, language).map((text, i) => ({ line: i + 1, text: stripComment(text, language).replace(/\s+$/, '') }));
  const topLevel = lines.filter((l) => /^\S/.test(l.text));
  const fns = language === 'python' ? pythonFunctions(lines) : nodeFunctions(lines);
  const inFunction = new Set(fns.flatMap((f) => f.lines.map((l) => l.line)));
  // Python runs `if`/`try` blocks at module level too: an import there is still paid at init.
  const moduleLevel =
    language === 'python'
      ? lines.filter((l) => l.text.trim() && !inFunction.has(l.line) && !/^\s+(def|class)\s/.test(l.text)).map((l) => ({ ...l, text: l.text.trim() }))
      : topLevel;
  const imports = language === 'python' ? pythonImports(moduleLevel) : nodeImports(topLevel);
  const importLines = new Set(imports.map((i) => i.line));
  const moduleWork = topLevel
    .filter(
      (l) =>
        !inFunction.has(l.line) &&
        !importLines.has(l.line) &&
        /\w\s*\(/.test(l.text) &&
        !/^(class|@|if __name__|import|from|module\.exports\s*=\s*\{|export\s*\{|exports\.\w+\s*=\s*\w+;?$|(const|let|var)\s+.*require\()/.test(l.text),
    )
    .map((l) => ({ line: l.line, text: l.text.trim() }));
  return { imports, local: localImports(topLevel, language, files), functions: new Map(fns.map((f) => [f.name, f])), moduleWork };
}

/**
 * Scans a handler's code for the facts the rules need, following calls from the handler into the
 * function's other files (`files`: module name → source, e.g. `identity` → identity.py for Python,
 * `./identity.js` for Node).
 *
 * @example
 * scanSource(new Map([['app', 'import boto3\n\ndef handler(event, context):\n    sts = boto3.client("sts")\n']]), 'app', 'handler', 'python')
 * // → { imports: [{ package: 'boto3', bound: ['boto3'], line: 1 }], perCallClients: [{ line: 4, inFunction: 'handler', … }], … }
 */
export function scanSource(files: ReadonlyMap<string, string>, entry: string, handlerFunction: string, language: Language): SourceScan {
  const facts = new Map<string, FileFacts>();
  const factsFor = (module: string): FileFacts | undefined => {
    if (!facts.has(module)) {
      const source = files.get(module);
      if (source === undefined) return undefined;
      facts.set(module, factsOf(source, language, files));
    }
    return facts.get(module);
  };
  const main = factsFor(entry);
  if (!main) throw new Error(`scanSource: no source for the handler module ${entry}`);

  // Functions the handler reaches, following calls by name through its files (module:function).
  const reachable: string[] = [];
  const queue: Array<[string, string]> = main.functions.has(handlerFunction) ? [[entry, handlerFunction]] : [];
  const perCallClients: ClientConstruction[] = [];
  const reachableLines: SourceLine[] = [];
  const functionOfLine = new Map<number, string>();
  while (queue.length > 0) {
    const [module, name] = queue.shift() as [string, string];
    const key = module === entry ? name : `${module}.${name}`;
    if (reachable.includes(key)) continue;
    const file = factsFor(module);
    const body = file?.functions.get(name);
    if (!file || !body) continue;
    reachable.push(key);
    if (module === entry) {
      reachableLines.push(...body.lines.slice(1));
      for (const l of body.lines) functionOfLine.set(l.line, key);
    }
    // `global x` or a cache check means the client is built once per environment, not per call.
    const cached = body.lines.some((l) => /^\s+global\s/.test(l.text) || /\bis None\b|=== undefined|\?\?=|\|\|=/.test(l.text));
    for (const l of body.lines.slice(1)) {
      if (!cached && CLIENT_CALLS[language].test(l.text)) perCallClients.push({ line: l.line, text: l.text.trim(), inFunction: key });
      for (const other of file.functions.keys()) if (other !== name && calls(l.text, other)) queue.push([module, other]);
      for (const [bound, target] of file.local) if (calls(l.text, bound)) queue.push([target.module, target.name]);
    }
  }
  const useMap = new Map<string, SourceLine[]>();
  for (const imp of main.imports) {
    for (const bound of imp.bound)
      useMap.set(
        bound,
        [...reachableLines, ...main.moduleWork].filter((l) => !IMPORT_LINE.test(l.text) && uses(stripStrings(l.text), bound)),
      );
  }
  const buildsClient = (module: string, name: string): boolean =>
    factsFor(module)
      ?.functions.get(name)
      ?.lines.some((l) => CLIENT_CALLS[language].test(l.text)) ?? false;
  const moduleWork = main.moduleWork.map((l) => ({
    ...l,
    clientSetup:
      CLIENT_CALLS[language].test(l.text) ||
      [...main.functions.keys()].some((f) => calls(l.text, f) && buildsClient(entry, f)) ||
      [...main.local].some(([bound, t]) => calls(l.text, bound) && buildsClient(t.module, t.name)),
  }));
  return {
    imports: main.imports,
    moduleWork,
    reachable,
    uses: useMap,
    perCallClients,
    readsLazyFlag: [...files.values()].some((s) => s.includes(LAZY_IMPORTS_ENV)),
    lazyPackages: lazyPackagesOf(
      [...files.values()],
      main.imports.map((i) => i.package),
    ),
    handlerLines: (main.functions.get(handlerFunction)?.lines ?? []).map((l) => l.line),
    functionOfLine,
  };
}

/** Packages whose name appears as a string literal in a file that reads the lazy-imports flag. */
function lazyPackagesOf(sources: string[], packages: string[]): string[] {
  const readers = sources.filter((s) => s.includes(LAZY_IMPORTS_ENV));
  return [...new Set(packages)].filter((p) => readers.some((s) => s.includes(`"${p}"`) || s.includes(`'${p}'`)));
}
