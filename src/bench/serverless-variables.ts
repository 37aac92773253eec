/**
 * `${…}` variables of a serverless.yml (opt, self, env, sls:stage, aws:region, with defaults),
 * resolved on demand against the raw document, so fields coldbench never reads may use any source.
 */
import { SuiteError } from './errors.ts';
import type { ServerlessOptions } from './serverless.ts';

/** A `${…}` variable that has no value, loops, or uses a source coldbench cannot read offline. */
export class ServerlessVariableError extends SuiteError {}

/** Serverless Framework v3's own defaults when neither provider nor function sets them. */
const SLS_DEFAULT_STAGE = 'dev';
const SLS_DEFAULT_REGION = 'us-east-1';
/** Deeper than this is a variable chain gone wrong, not a configuration. */
const MAX_VARIABLE_DEPTH = 20;
/** The sources Variables reads, named in its messages. */
const SUPPORTED_VARIABLES = "${opt:…}, ${self:…}, ${env:…}, ${sls:stage}, ${aws:region}, with defaults such as ${opt:stage, 'dev'}";

export type Path = Array<string | number>;

export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Resolves `${…}` variables on demand against the raw document. */
export class Variables {
  private readonly resolving = new Set<string>();
  private stageValue: string | null = null;

  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly options: ServerlessOptions,
  ) {}

  /** The raw value at `path`, variables resolved, or undefined when absent. */
  get(path: Path): unknown {
    let node: unknown = this.raw;
    for (let i = 0; i < path.length; i++) {
      // A variable may stand for a whole subtree (`environment: ${self:custom.env}`).
      if (typeof node === 'string' && node.includes('${')) node = this.value(node, path.slice(0, i), 0);
      if (Array.isArray(node) && typeof path[i] === 'number') node = node[path[i] as number];
      else if (isMap(node)) node = node[path[i]];
      else return undefined;
    }
    return this.deep(node, path, 0);
  }

  stage(): string {
    if (this.stageValue === null) {
      const given = this.options.stage ?? this.options.opt?.stage;
      if (given !== undefined) {
        this.stageValue = given;
        return given;
      }
      if (this.resolving.has('(stage)'))
        this.fail(['provider', 'stage'], "the stage refers to itself (${sls:stage} inside provider.stage); give it a value, e.g. ${opt:stage, 'dev'}");
      this.resolving.add('(stage)');
      try {
        this.stageValue = String(this.get(['provider', 'stage']) ?? SLS_DEFAULT_STAGE);
      } finally {
        this.resolving.delete('(stage)');
      }
    }
    return this.stageValue;
  }

  private deep(value: unknown, path: Path, depth: number): unknown {
    if (typeof value === 'string') return value.includes('${') ? this.value(value, path, depth) : value;
    if (Array.isArray(value)) return value.map((v, i) => this.deep(v, [...path, i], depth));
    if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v, [...path, k], depth)]));
    return value;
  }

  private fail(path: Path, message: string): never {
    throw new ServerlessVariableError(`${this.options.file}: ${formatPath(path)}: ${message}`);
  }

  /** A string with variables: one variable alone keeps its value's type; mixed text makes a string. */
  private value(text: string, path: Path, depth: number): unknown {
    if (depth > MAX_VARIABLE_DEPTH) this.fail(path, `variables nest deeper than ${MAX_VARIABLE_DEPTH} levels in ${JSON.stringify(text)}`);
    const parts: unknown[] = [];
    let i = 0;
    while (i < text.length) {
      const start = text.indexOf('${', i);
      if (start < 0) {
        parts.push(text.slice(i));
        break;
      }
      if (start > i) parts.push(text.slice(i, start));
      const end = closingBrace(text, start + 2);
      if (end < 0) this.fail(path, `${JSON.stringify(text)} has a \${ without its closing }`);
      const variable = text.slice(start, end + 1);
      const found = this.variable(text.slice(start + 2, end), variable, path, depth);
      if (found === undefined)
        this.fail(
          path,
          `${variable} has no value and no default; set it, or give a default: \${${text
            .slice(start + 2, end)
            .split(',')[0]
            .trim()}, 'value'}`,
        );
      parts.push(found);
      i = end + 1;
    }
    if (parts.length === 1) return parts[0];
    return parts
      .map((p) => {
        if (isMap(p) || Array.isArray(p)) this.fail(path, `${JSON.stringify(text)} puts a map or list inside text`);
        return String(p);
      })
      .join('');
  }

  /** `source:address, fallback, …`: the first candidate with a value. */
  private variable(inner: string, whole: string, path: Path, depth: number): unknown {
    for (const candidate of splitTopLevel(inner)) {
      const c = candidate.trim();
      let found: unknown;
      const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(c);
      if (quoted) found = this.deep(quoted[1] ?? quoted[2], path, depth + 1);
      else if (/^-?\d+(\.\d+)?$/.test(c)) found = Number(c);
      else if (c === 'true' || c === 'false') found = c === 'true';
      else if (c.startsWith('${')) {
        const end = closingBrace(c, 2);
        found = end === c.length - 1 ? this.variable(c.slice(2, -1), c, path, depth + 1) : this.value(c, path, depth + 1);
      } else found = this.source(String(this.deep(c, path, depth + 1)), whole, path);
      if (found !== undefined && found !== null) return found;
    }
    return undefined;
  }

  private source(reference: string, whole: string, path: Path): unknown {
    const m = /^([A-Za-z][\w-]*)(\([^)]*\))?:(.*)$/s.exec(reference);
    if (!m) this.fail(path, `${whole}: ${JSON.stringify(reference)} is not a variable coldbench reads; supported: ${SUPPORTED_VARIABLES}`);
    const [, source, args, address] = m;
    const key = address.trim();
    if (source === 'opt' && !args) return this.options.opt?.[key] ?? (key === 'stage' ? this.options.stage : undefined);
    if (source === 'env' && !args) return this.options.env?.[key];
    if (source === 'sls' && key === 'stage') return this.stage();
    if (source === 'aws' && key === 'region') return this.options.opt?.region ?? this.get(['provider', 'region']) ?? SLS_DEFAULT_REGION;
    if (source === 'self' && !args) {
      const target = key === '' ? [] : key.split('.');
      const id = target.join('.');
      if (target.length === 0) this.fail(path, `${whole}: a reference to the whole file is not supported; name a field, e.g. \${self:custom.bucket}`);
      if (this.resolving.has(id)) this.fail(path, `${whole} refers to itself through self:${id}; break the loop`);
      this.resolving.add(id);
      try {
        const found = this.get(target);
        // Without provider.stage / provider.region in the file, the Framework fills them in with
        // the stage and region in effect (--stage, else dev; --region, else us-east-1).
        if (found === undefined && id === 'provider.stage') return this.stage();
        if (found === undefined && id === 'provider.region') return this.options.opt?.region ?? SLS_DEFAULT_REGION;
        return found;
      } finally {
        this.resolving.delete(id);
      }
    }
    const name = args ? `${source}(…)` : `${source}:${source === 'sls' || source === 'aws' ? key : '…'}`;
    throw new ServerlessVariableError(
      `${this.options.file}: ${formatPath(path)}: ${whole}: the ${name} variable source is not supported (coldbench reads serverless.yml offline, without AWS or other files); supported: ${SUPPORTED_VARIABLES}. Replace it with a literal or \${env:…} for the benchmark`,
    );
  }
}

/** Index of the `}` closing a `${` whose content starts at `from` (nested variables and quotes skipped), or -1. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '{') depth += 1;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits `opt:stage, ${env:X, 'a,b'}, 'dev'` at its top-level commas. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '{') depth += 1;
    else if (c === '}') depth -= 1;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
