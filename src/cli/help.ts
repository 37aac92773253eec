/**
 * `coldbench --help` and `coldbench <command> --help`, rendered from the commands' declarations
 * (args.ts): two-column lists whose descriptions wrap to the terminal's width, each flag followed
 * by its type, choices and default in brackets.
 */
import { type CommandSpec, type FlagSpec, type PositionalSpec, usageOf } from './args.ts';

/** The widest help: wider lines are hard to read even on a wide terminal. */
const MAX_HELP_WIDTH = 110;
/** The narrowest: below it the help would be a column of single words. */
const MIN_HELP_WIDTH = 40;

/** The help's width for a terminal of `columns` (none or 0, as a pipe or some TTYs report: the widest). */
export function helpWidth(columns: number | undefined): number {
  return Math.max(MIN_HELP_WIDTH, Math.min(MAX_HELP_WIDTH, columns || MAX_HELP_WIDTH));
}

const INDENT = '  ';
const GAP = '  ';
/** A description column narrower than this goes under its name instead of beside it. */
const MIN_DESCRIPTION_WIDTH = 30;

/**
 * A word (or bracketed note) longer than `width` → pieces that fit: a note breaks at its spaces
 * (`[choices: "a", "b"]`), and what is still too long after its last `/`, `-` or `,` within the
 * width (else at the width).
 */
function pieces(word: string, width: number): string[] {
  if (word.length <= width) return [word];
  if (word.includes(' ')) return word.split(' ').flatMap((piece) => pieces(piece, width));
  const out: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const at = Math.max(rest.lastIndexOf('/', width - 1), rest.lastIndexOf('-', width - 1), rest.lastIndexOf(',', width - 1));
    const end = at > 0 ? at + 1 : Math.max(width, 1);
    out.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return [...out, rest];
}

/** Words (and bracketed notes, kept whole when they fit on a line) → lines of at most `width` characters. */
function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words.flatMap((w) => pieces(w, width))) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const words = (text: string) => text.split(/ +/);

function paragraph(text: string, width: number): string {
  return wrap(words(text), width).join('\n');
}

/** Rows of name and description words, the descriptions aligned in one column and wrapped within `width`. */
function table(rows: ReadonlyArray<readonly [string, readonly string[]]>, width: number): string {
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const column = INDENT.length + nameWidth + GAP.length;
  const beside = width - column >= MIN_DESCRIPTION_WIDTH;
  const out: string[] = [];
  for (const [name, words] of rows) {
    if (beside) {
      const lines = wrap(words, width - column);
      out.push(`${INDENT}${name.padEnd(nameWidth)}${GAP}${lines[0] ?? ''}`.trimEnd(), ...lines.slice(1).map((l) => `${' '.repeat(column)}${l}`));
    } else {
      const under = `${INDENT}${INDENT}${INDENT}`;
      out.push(`${INDENT}${name}`, ...wrap(words, width - under.length).map((l) => `${under}${l}`));
    }
  }
  return out.join('\n');
}

const quoted = (value: string) => JSON.stringify(value);

/** A flag's bracketed notes: its type (or choices), then its default. */
function flagNotes(flag: FlagSpec): string[] {
  const defaultNote = (value: string | number | undefined) => (value === undefined ? [] : [`[default: ${typeof value === 'string' ? quoted(value) : value}]`]);
  if ('choices' in flag) return [`[choices: ${flag.choices.map(quoted).join(', ')}]`, ...defaultNote(flag.default)];
  switch (flag.type) {
    case 'boolean':
      return ['[boolean]', '[default: false]'];
    case 'number':
      return ['[number]', ...defaultNote(flag.default)];
    default:
      if (flag.array) return ['[array]'];
      return ['[string]', ...defaultNote(flag.default)];
  }
}

function positionalNotes(positional: PositionalSpec): string[] {
  return [positional.variadic ? '[array]' : '[string]', ...(positional.required ? ['[required]'] : [])];
}

/** `coldbench <command> --help`. */
export function commandHelp(spec: CommandSpec, width: number): string {
  const parts = [paragraph(`${usageOf(spec)} [options]`, width), paragraph(spec.describe, width)];
  if (spec.positionals.length > 0)
    parts.push(
      `Arguments:\n${table(
        spec.positionals.map((p) => [p.name, [...words(p.describe), ...positionalNotes(p)]]),
        width,
      )}`,
    );
  const flags: Array<readonly [string, string[]]> = Object.entries(spec.flags).map(([name, flag]) => [`--${name}`, [...words(flag.describe), ...flagNotes(flag)]]);
  flags.push(['--help', ['Show this help', '[boolean]']]);
  parts.push(`Options:\n${table(flags, width)}`);
  if (spec.epilogue) parts.push(paragraph(spec.epilogue, width));
  return `${parts.join('\n\n')}\n`;
}

/** `coldbench --help`: every command with its one-line description. */
export function mainHelp(commands: readonly CommandSpec[], width: number): string {
  return `${[
    'coldbench <command> [options]',
    paragraph('Benchmark and shrink serverless cold starts.', width),
    `Commands:\n${table(
      commands.map((c) => [usageOf(c), words(c.describe)]),
      width,
    )}`,
    `Options:\n${table(
      [
        ['--help', ['Show this help', '[boolean]']],
        ['--version', ['Show the version number', '[boolean]']],
      ],
      width,
    )}`,
    paragraph('`coldbench <command> --help` lists the arguments and flags of a command.', width),
  ].join('\n\n')}\n`;
}
