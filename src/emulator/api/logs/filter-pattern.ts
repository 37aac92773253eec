/**
 * CloudWatch Logs filter patterns, the subset benchmarks use: terms (all must match),
 * "quoted phrases", `?a ?b` (any of), `-term` (exclude), `%regex%`, and JSON patterns
 * `{ $.a.b = "x" && ($.n > 5 || $.c != 3) }` with `IS NULL`, `IS TRUE`, `NOT EXISTS`, `EXISTS`.
 */

export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

export type Matcher = (message: string) => boolean;

/** Compiles a pattern once into a predicate over event messages; throws FilterPatternError. */
export function compileFilterPattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[')) throw new FilterPatternError('Space-delimited filter patterns ([a, b, …]) are not supported by the emulator; use terms or a JSON pattern.');
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%')) {
    let re: RegExp;
    try {
      re = new RegExp(text.slice(1, -1));
    } catch (error) {
      throw new FilterPatternError(`Invalid regular expression in filter pattern: ${(error as Error).message}`);
    }
    return (message) => re.test(message);
  }
  return compileTermPattern(text);
}

function compileTermPattern(text: string): Matcher {
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  const tokenRe = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  let consumed = 0;
  for (const m of text.matchAll(tokenRe)) {
    const between = text.slice(consumed, m.index);
    if (between.trim() !== '') throw new FilterPatternError(`Invalid character(s) in term '${between.trim()}'`);
    consumed = (m.index ?? 0) + m[0].length;
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    if (m[3]?.includes('"')) throw new FilterPatternError(`Unbalanced quote in filter pattern term ${m[3]}`);
    if (term === '') continue;
    (m[1] === '?' ? optional : m[1] === '-' ? excluded : required).push(term);
  }
  return (message) => {
    for (const t of required) if (!message.includes(t)) return false;
    for (const t of excluded) if (message.includes(t)) return false;
    if (optional.length === 0) return true;
    for (const t of optional) if (message.includes(t)) return true;
    return false;
  };
}

// ---- JSON patterns ----

type Expr =
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'cmp'; path: PathStep[]; op: string; value: unknown; wildcard?: RegExp }
  | { kind: 'is'; path: PathStep[]; test: 'NULL' | 'TRUE' | 'FALSE' | 'NOT EXISTS' | 'EXISTS' };
type PathStep = string | number;

const MISSING = Symbol('missing');

function compileJsonPattern(text: string): Matcher {
  if (!text.endsWith('}')) throw new FilterPatternError('JSON filter pattern must end with }');
  const parser = new JsonPatternParser(text.slice(1, -1));
  const expr = parser.parseOr();
  parser.expectEnd();
  return (message) => {
    const trimmed = message.trimStart();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return evaluate(expr, doc);
  };
}

function lookup(doc: unknown, path: PathStep[]): unknown {
  let cur: unknown = doc;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return MISSING;
    const next = (cur as Record<string | number, unknown>)[step];
    if (next === undefined) return MISSING;
    cur = next;
  }
  return cur;
}

function evaluate(expr: Expr, doc: unknown): boolean {
  if (expr.kind === 'and' || expr.kind === 'or') {
    return expr.kind === 'and' ? evaluate(expr.left, doc) && evaluate(expr.right, doc) : evaluate(expr.left, doc) || evaluate(expr.right, doc);
  }
  const found = lookup(doc, expr.path);
  if (expr.kind === 'is') {
    if (expr.test === 'NOT EXISTS') return found === MISSING;
    if (expr.test === 'EXISTS') return found !== MISSING;
    if (expr.test === 'NULL') return found === null;
    return found === (expr.test === 'TRUE');
  }
  if (found === MISSING) return false;
  const { op, value } = expr;
  if (typeof value === 'number') {
    if (typeof found !== 'number') return op === '!=';
    switch (op) {
      case '=':
        return found === value;
      case '!=':
        return found !== value;
      case '<':
        return found < value;
      case '<=':
        return found <= value;
      case '>':
        return found > value;
      default:
        return found >= value;
    }
  }
  const equal = expr.wildcard ? typeof found === 'string' && expr.wildcard.test(found) : found === value || (typeof found !== 'object' && String(found) === value);
  return op === '=' ? equal : !equal;
}

class JsonPatternParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseOr(): Expr {
    let left = this.parseAnd();
    while (this.eat('||')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parsePrimary();
    while (this.eat('&&')) left = { kind: 'and', left, right: this.parsePrimary() };
    return left;
  }

  private parsePrimary(): Expr {
    if (this.eat('(')) {
      const inner = this.parseOr();
      if (!this.eat(')')) this.fail('expected )');
      return inner;
    }
    const path = this.parsePath();
    this.skip();
    const rest = this.src.slice(this.pos);
    const is = /^IS\s+(NULL|TRUE|FALSE)\b/i.exec(rest) ?? /^(NOT\s+EXISTS|EXISTS)\b/i.exec(rest);
    if (is) {
      this.pos += is[0].length;
      return { kind: 'is', path, test: is[1].toUpperCase().replace(/\s+/, ' ') as 'NULL' };
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(rest)?.[1];
    if (!op) this.fail('expected a comparison operator (=, !=, <, <=, >, >=)');
    this.pos += op.length;
    const value = this.parseValue();
    if (typeof value === 'string' && (op === '<' || op === '>' || op === '<=' || op === '>=')) this.fail(`${op} needs a number`);
    const wildcard =
      typeof value === 'string' && value.includes('*')
        ? new RegExp(
            `^${value
              .split('*')
              .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*')}$`,
          )
        : undefined;
    return { kind: 'cmp', path, op, value, wildcard };
  }

  private parsePath(): PathStep[] {
    this.skip();
    if (!this.src.startsWith('$', this.pos)) this.fail('expected a selector starting with $');
    this.pos++;
    const steps: PathStep[] = [];
    for (;;) {
      const m = /^\.([A-Za-z0-9_@-]+)|^\[(\d+)\]/.exec(this.src.slice(this.pos));
      if (!m) break;
      steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
      this.pos += m[0].length;
    }
    if (steps.length === 0) this.fail('expected a field after $');
    return steps;
  }

  private parseValue(): unknown {
    this.skip();
    const rest = this.src.slice(this.pos);
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (quoted) {
      this.pos += quoted[0].length;
      return quoted[1].replace(/\\(.)/g, '$1');
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w*])/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return Number(num[0]);
    }
    const bare = /^[^\s()&|]+/.exec(rest);
    if (!bare) this.fail('expected a value');
    this.pos += bare[0].length;
    if (bare[0] === 'true') return true;
    if (bare[0] === 'false') return false;
    if (bare[0] === 'null') return null;
    return bare[0];
  }

  private eat(token: string): boolean {
    this.skip();
    if (this.src.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  private skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  expectEnd(): void {
    this.skip();
    if (this.pos !== this.src.length) this.fail('unexpected text');
  }

  private fail(what: string): never {
    throw new FilterPatternError(`Invalid JSON filter pattern at character ${this.pos + 1}: ${what}`);
  }
}
