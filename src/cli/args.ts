/**
 * coldbench's own argument parser: a command declares its positionals and flags as data, and
 * `parseCommandArgs` turns the words after the command's name into one object, camelCase keys
 * (`--cold-strategy` → `coldStrategy`), every value of its declared type. The types below infer
 * that object from the declaration, so a command's `resolve` reads typed flags without a cast.
 *
 * The rules, all a user sees: `--flag value` and `--flag=value`; a boolean flag alone is true,
 * `--no-flag` (which takes no value) or `--flag=false` false; an `array` flag takes one value each
 * time it is given (`--only a --only b`); any other flag takes one value and may be given once; a
 * number flag's value must be a number; a `choices` flag's one of its choices; only an array
 * flag's value may be empty (`--out=` is an error, not "no file"); `--` ends the flags (every word
 * after it is a positional, even one starting with -); a bare `-` is a positional (stdin). An
 * unknown flag, a missing value, a missing required positional or a surplus one is a UsageError
 * naming it, with `coldbench <command> --help` as the hint.
 */
import { UsageError } from './errors.ts';

/** A flag that takes text. `bareValue`: the value when given without one (`--print-suite` alone), instead of an error. */
export interface StringFlag {
  type: 'string';
  describe: string;
  default?: string;
  array?: false;
  bareValue?: string;
}
/** A flag that may be given several times, each time with one value; absent, it is undefined. It always takes a value. */
export interface ArrayFlag {
  type: 'string';
  describe: string;
  array: true;
  bareValue?: never;
}
export interface NumberFlag {
  type: 'number';
  describe: string;
  default?: number;
}
/** Present → true; absent, `--no-NAME` or `--NAME=false` → false. */
export interface BooleanFlag {
  type: 'boolean';
  describe: string;
}
/** A flag whose value is one of `choices`; its type is their union. `defineCommand` holds `default` to the choices (ChoiceDefaults). */
export interface ChoiceFlag<C extends string = string> {
  type?: 'string';
  describe: string;
  choices: readonly C[];
  default?: C;
}
export type FlagSpec = StringFlag | ArrayFlag | NumberFlag | BooleanFlag | ChoiceFlag;

/**
 * A declaration's flags as FlagSpec allows them, but each choice flag's `default` held to its own
 * `choices`: FlagSpec alone lets `{ choices: ['a', 'b'], default: 'c' }` through as a
 * ChoiceFlag<string>. `defineCommand` bounds its flags by this, so such a default is a compile
 * error at the default ('"c"' is not assignable to '"a" | "b" | undefined').
 */
export type ChoiceDefaults<F> = { [K in keyof F]: F[K] extends { choices: readonly (infer C extends string)[] } ? ChoiceFlag<C> : FlagSpec };

/** A positional argument, in order. `variadic` (last only) takes every remaining word, as string[]. */
export interface PositionalSpec {
  name: string;
  describe: string;
  required?: boolean;
  variadic?: boolean;
}

/** What the parser and the help read of a command. */
export interface CommandSpec {
  name: string;
  /** One line, shown in `coldbench --help` and atop the command's own help. */
  describe: string;
  positionals: readonly PositionalSpec[];
  flags: Readonly<Record<string, FlagSpec>>;
  /** Printed after the command's flags in its help. */
  epilogue?: string;
}

/** `cold-strategy` → `coldStrategy`, as a type. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type ValueOf<F> = F extends { choices: readonly (infer C)[] } ? C : F extends { type: 'number' } ? number : F extends { type: 'boolean' } ? boolean : string;
type FlagValue<F> = F extends { array: true }
  ? string[] | undefined
  : F extends { type: 'boolean' }
    ? boolean
    : F extends { default: unknown }
      ? ValueOf<F>
      : ValueOf<F> | undefined;
type PositionalValue<P> = P extends { variadic: true } ? string[] : P extends { required: true } ? string : string | undefined;

/** The parsed flags of a declaration: camelCase keys, each flag's value type (optional unless it has a default). */
export type FlagValues<F extends Readonly<Record<string, FlagSpec>>> = { [K in keyof F & string as CamelCase<K>]: FlagValue<F[K]> };
export type PositionalValues<P extends readonly PositionalSpec[]> = { [S in P[number] as CamelCase<S['name']>]: PositionalValue<S> };
/** What `resolve` receives: positionals and flags in one object. */
export type ParsedArgs<P extends readonly PositionalSpec[], F extends Readonly<Record<string, FlagSpec>>> = {
  [K in keyof (PositionalValues<P> & FlagValues<F>)]: (PositionalValues<P> & FlagValues<F>)[K];
};

function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `coldbench report <run>`: the command with its positionals, as usage lines and help show it. */
export function usageOf(spec: Pick<CommandSpec, 'name' | 'positionals'>): string {
  const words = spec.positionals.map((p) => {
    const name = p.variadic ? `${p.name}..` : p.name;
    return p.required ? `<${name}>` : `[${name}]`;
  });
  return ['coldbench', spec.name, ...words].join(' ');
}

/** The hint of every parse error inside a command. */
export function commandHint(name: string): string {
  return `Run \`coldbench ${name} --help\` for its arguments and flags.`;
}

/** What a flag's value must be, as the end of "expected …". */
function expected(flag: FlagSpec): string {
  if ('choices' in flag) return `one of ${flag.choices.join(', ')}`;
  return flag.type === 'number' ? 'a number' : 'a value';
}

function isBoolean(flag: FlagSpec | undefined): boolean {
  return flag !== undefined && 'type' in flag && flag.type === 'boolean';
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The candidate a mistyped word most likely meant (same letters in other case or punctuation, or one or two edits away), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const same = candidates.find((c) => plain(c) === plain(word));
  if (same !== undefined) return same;
  const limit = word.length <= 4 ? 1 : 2;
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d <= limit && (best === undefined || d < best.d)) best = { candidate, d };
  }
  return best?.candidate;
}

function unknownFlag(token: string, spec: CommandSpec): string {
  const name = token.replace(/^-+/, '').split('=')[0];
  const guess = closest(name, Object.keys(spec.flags));
  return `unknown flag ${token.split('=')[0]}${guess === undefined ? '' : `; did you mean --${guess}?`}`;
}

/** A flag's text as its type: a number for a number flag; a choice checked against the choices. */
function convert(name: string, flag: FlagSpec, raw: string, fail: (message: string) => UsageError): string | number {
  const given = `--${name} ${raw === '' ? '""' : raw}`;
  if ('choices' in flag) {
    if (!flag.choices.includes(raw)) throw fail(`${given}: expected ${expected(flag)}`);
    return raw;
  }
  if (flag.type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw fail(`${given}: expected a number`);
    return n;
  }
  if (raw === '' && !('array' in flag && flag.array)) throw fail(`${given}: expected ${expected(flag)}`);
  return raw;
}

/**
 * The words after a command's name → its positionals and flags, camelCase keys. Flags that are
 * absent take their default (booleans false); absent flags without one, and absent optional
 * positionals, are left out. Throws UsageError for anything the declaration does not allow.
 */
export function parseCommandArgs(spec: CommandSpec, words: readonly string[]): Record<string, unknown> {
  const fail = (message: string) => new UsageError(message, { hint: commandHint(spec.name) });
  const values: Record<string, unknown> = {};
  const given = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') {
      positionals.push(...words.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    if (!word.startsWith('--')) throw fail(unknownFlag(word, spec));
    const eq = word.indexOf('=');
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const inline = eq < 0 ? undefined : word.slice(eq + 1);
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (flag === undefined) {
      const negated = name.startsWith('no-') ? name.slice(3) : undefined;
      if (negated !== undefined && Object.hasOwn(spec.flags, negated) && isBoolean(spec.flags[negated])) {
        if (inline !== undefined) throw fail(`--${name} takes no value`);
        values[camelCase(negated)] = false;
        continue;
      }
      throw fail(unknownFlag(word, spec));
    }
    const key = camelCase(name);
    if (isBoolean(flag)) {
      if (inline !== undefined && inline !== 'true' && inline !== 'false')
        throw fail(`--${name}=${inline}: expected true or false (or --${name} alone for true, --no-${name} for false)`);
      values[key] = inline !== 'false';
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = words[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        raw = next;
        i++;
      } else if ('bareValue' in flag && flag.bareValue !== undefined) {
        raw = flag.bareValue;
      } else {
        throw fail(`--${name}: no value given; expected ${expected(flag)}`);
      }
    }
    const value = convert(name, flag, raw, fail);
    if ('array' in flag && flag.array) {
      const list = (values[key] as (string | number)[] | undefined) ?? [];
      list.push(value);
      values[key] = list;
      continue;
    }
    const before = given.get(name);
    if (before !== undefined) throw fail(`--${name} given more than once (${before}, then ${raw}); it takes one value`);
    given.set(name, raw);
    values[key] = value;
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const key = camelCase(name);
    if (key in values) continue;
    if (isBoolean(flag)) values[key] = false;
    else if ('default' in flag && flag.default !== undefined) values[key] = flag.default;
  }
  let next = 0;
  for (const positional of spec.positionals) {
    const key = camelCase(positional.name);
    if (positional.variadic) {
      values[key] = positionals.slice(next);
      next = positionals.length;
    } else if (next < positionals.length) {
      values[key] = positionals[next++];
    }
    const missing = positional.variadic ? (values[key] as string[]).length === 0 : !(key in values);
    if (positional.required && missing) throw fail(`missing argument <${positional.name}${positional.variadic ? '..' : ''}>; usage: ${usageOf(spec)} [options]`);
  }
  if (next < positionals.length) throw fail(`unexpected argument ${positionals[next]}; usage: ${usageOf(spec)} [options]`);
  return values;
}
