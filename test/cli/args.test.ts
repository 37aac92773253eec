import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CommandSpec, closest, commandHint, type ParsedArgs, parseCommandArgs, usageOf } from '../../src/cli/args.ts';
import { defineCommand } from '../../src/cli/command.ts';
import { emulatorCommand } from '../../src/cli/commands/emulator.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { commandHelp, mainHelp } from '../../src/cli/help.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { COMMANDS, main } from '../../src/cli/main.ts';

const FORMATS = ['table', 'json'] as const;

/** A command with one flag of every kind, as the real ones declare them. */
const spec = {
  name: 'demo',
  describe: 'A command for the parser tests',
  positionals: [
    { name: 'run', required: true, describe: 'a run' },
    { name: 'other', describe: 'another run' },
  ],
  flags: {
    out: { type: 'string', describe: 'a file' },
    'cold-ratio': { type: 'string', default: '0.01', describe: 'a ratio' },
    cold: { type: 'number', describe: 'a count' },
    'logs-timeout': { type: 'number', default: 90, describe: 'seconds' },
    only: { type: 'string', array: true, describe: 'a glob (repeatable)' },
    format: { choices: FORMATS, default: 'table', describe: 'output format' },
    keep: { type: 'boolean', describe: 'keep it' },
    'print-suite': { type: 'string', bareValue: '-', describe: 'a file, or stdout' },
  },
} as const satisfies CommandSpec;

const variadic: CommandSpec = {
  name: 'files',
  describe: 'A command with a variadic positional',
  positionals: [{ name: 'files', required: true, variadic: true, describe: 'files' }],
  flags: { out: { type: 'string', describe: 'a file' } },
};

const parse = (words: string[], s: CommandSpec = spec) => parseCommandArgs(s, words);

/** The UsageError a parse throws: its message and hint. */
function failure(words: string[], s: CommandSpec = spec): { message: string; hint: string | undefined } {
  try {
    parse(words, s);
  } catch (error) {
    if (error instanceof UsageError) return { message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error(`parsed without an error: ${words.join(' ')}`);
}

const DEFAULTS = { coldRatio: '0.01', logsTimeout: 90, format: 'table', keep: false };

describe('parseCommandArgs', () => {
  it('gives defaults, camelCase keys and no key for an absent optional flag or positional', () => {
    expect(parse(['r1'])).toEqual({ run: 'r1', ...DEFAULTS });
  });

  it('reads --flag value and --flag=value, typed as declared', () => {
    expect(parse(['r1', '--cold', '3', '--out=x.json', '--cold-ratio', '5%', '--logs-timeout=1.5', '--format', 'json'])).toEqual({
      ...DEFAULTS,
      run: 'r1',
      cold: 3,
      out: 'x.json',
      coldRatio: '5%',
      logsTimeout: 1.5,
      format: 'json',
    });
  });

  it('reads numbers as Number() does: negative, exponent, hex', () => {
    expect(parse(['r1', '--cold', '-1']).cold).toBe(-1);
    expect(parse(['r1', '--cold', '1e3']).cold).toBe(1000);
    expect(parse(['r1', '--cold=0x10']).cold).toBe(16);
  });

  it('sets a boolean alone, with =true/=false and with --no-', () => {
    expect(parse(['r1', '--keep']).keep).toBe(true);
    expect(parse(['r1', '--keep=true']).keep).toBe(true);
    expect(parse(['r1', '--keep=false']).keep).toBe(false);
    expect(parse(['r1', '--keep', '--no-keep']).keep).toBe(false);
    // A boolean takes no value from the next word: that word is a positional.
    expect(parse(['--keep', 'r1'])).toEqual({ ...DEFAULTS, keep: true, run: 'r1' });
  });

  it('accumulates a repeated array flag, one value each time', () => {
    expect(parse(['r1', '--only', 'a*', '--only=b*']).only).toEqual(['a*', 'b*']);
    // The word after the value is a positional, not a second value.
    expect(parse(['--only', 'a*', 'r1', 'r2'])).toEqual({ ...DEFAULTS, only: ['a*'], run: 'r1', other: 'r2' });
  });

  it('takes - as a positional and as a value', () => {
    expect(parse(['-', '--out', '-'])).toEqual({ ...DEFAULTS, run: '-', out: '-' });
    expect(parse(['a', '-', '-'], variadic)).toEqual({ files: ['a', '-', '-'] });
  });

  it('gives a bareValue flag its bare value when no value follows', () => {
    expect(parse(['r1', '--print-suite']).printSuite).toBe('-');
    expect(parse(['r1', '--print-suite', '--keep'])).toMatchObject({ printSuite: '-', keep: true });
    expect(parse(['r1', '--print-suite', 'suite.yaml']).printSuite).toBe('suite.yaml');
  });

  it('takes every word after -- as a positional', () => {
    expect(parse(['--', '--keep', '-x'])).toEqual({ ...DEFAULTS, run: '--keep', other: '-x' });
    expect(parse(['--out', 'o', '--', '--weird.log', '-'], variadic)).toEqual({ out: 'o', files: ['--weird.log', '-'] });
  });

  it('collects a variadic positional', () => {
    expect(parse(['a.log', 'b.log', '--out', 'o', 'c.log'], variadic)).toEqual({ files: ['a.log', 'b.log', 'c.log'], out: 'o' });
  });

  it('names the flag, the value and what is expected', () => {
    const hint = 'Run `coldbench demo --help` for its arguments and flags.';
    expect(failure(['r1', '--format', 'xml'])).toEqual({ message: '--format xml: expected one of table, json', hint });
    expect(failure(['r1', '--cold', 'abc'])).toEqual({ message: '--cold abc: expected a number', hint });
    expect(failure(['r1', '--cold='])).toEqual({ message: '--cold "": expected a number', hint });
    expect(failure(['r1', '--cold'])).toEqual({ message: '--cold: no value given; expected a number', hint });
    expect(failure(['r1', '--out', '--keep'])).toEqual({ message: '--out: no value given; expected a value', hint });
    expect(failure(['r1', '--format'])).toEqual({ message: '--format: no value given; expected one of table, json', hint });
    expect(failure(['r1', '--keep=yes'])).toEqual({ message: '--keep=yes: expected true or false (or --keep alone for true, --no-keep for false)', hint });
    expect(failure(['r1', '--cold', '1', '--cold', '2'])).toEqual({ message: '--cold given more than once (1, then 2); it takes one value', hint });
  });

  it('refuses an empty value for a single-value string flag, as for a number or choice flag; a bareValue flag alone still takes its bare value', () => {
    const hint = 'Run `coldbench demo --help` for its arguments and flags.';
    expect(failure(['r1', '--out='])).toEqual({ message: '--out "": expected a value', hint });
    expect(failure(['r1', '--out', ''])).toEqual({ message: '--out "": expected a value', hint });
    expect(failure(['r1', '--cold-ratio='])).toEqual({ message: '--cold-ratio "": expected a value', hint });
    expect(failure(['r1', '--print-suite='])).toEqual({ message: '--print-suite "": expected a value', hint });
    expect(failure(['r1', '--format='])).toEqual({ message: '--format "": expected one of table, json', hint });
    expect(parse(['r1', '--print-suite']).printSuite).toBe('-');
  });

  it('says a --no- flag takes no value', () => {
    const hint = 'Run `coldbench demo --help` for its arguments and flags.';
    expect(failure(['r1', '--no-keep=true'])).toEqual({ message: '--no-keep takes no value', hint });
    expect(failure(['r1', '--no-keep=false'])).toEqual({ message: '--no-keep takes no value', hint });
    expect(failure(['r1', '--no-keep='])).toEqual({ message: '--no-keep takes no value', hint });
    // Not a boolean flag: --no-out is no flag at all.
    expect(failure(['r1', '--no-out=x']).message).toBe('unknown flag --no-out');
  });

  it('refuses an unknown flag, suggesting the flag it most likely meant', () => {
    expect(failure(['r1', '--frob']).message).toBe('unknown flag --frob');
    expect(failure(['r1', '--outt', 'x']).message).toBe('unknown flag --outt; did you mean --out?');
    expect(failure(['r1', '--coldRatio=1']).message).toBe('unknown flag --coldRatio; did you mean --cold-ratio?');
    expect(failure(['r1', '-x']).message).toBe('unknown flag -x');
    expect(failure(['r1', '--no-out']).message).toBe('unknown flag --no-out');
    expect(failure(['r1', '--constructor']).message).toBe('unknown flag --constructor');
  });

  it('names a missing required positional and a surplus one, with the usage', () => {
    expect(failure([]).message).toBe('missing argument <run>; usage: coldbench demo <run> [other] [options]');
    expect(failure(['a', 'b', 'c']).message).toBe('unexpected argument c; usage: coldbench demo <run> [other] [options]');
    expect(failure(['--out', 'o'], variadic).message).toBe('missing argument <files..>; usage: coldbench files <files..> [options]');
  });

  it('infers resolve’s argument type from the declaration', () => {
    expectTypeOf<ParsedArgs<typeof spec.positionals, typeof spec.flags>>().toEqualTypeOf<{
      run: string;
      other: string | undefined;
      out: string | undefined;
      coldRatio: string;
      cold: number | undefined;
      logsTimeout: number;
      only: string[] | undefined;
      format: 'table' | 'json';
      keep: boolean;
      printSuite: string | undefined;
    }>();
    const command = defineCommand({
      name: 'typed',
      describe: 'd',
      positionals: [{ name: 'files', variadic: true, describe: 'f' }],
      flags: {
        'dry-run': { type: 'boolean', describe: 'b' },
        metric: { choices: ['a', 'b'], describe: 'm' },
        order: { choices: ['x', 'y'], default: 'y', describe: 'o' },
      },
      resolve: (args) => args,
      run: async () => 0,
    });
    expectTypeOf(command.resolve).returns.toEqualTypeOf<{ files: string[]; dryRun: boolean; metric: 'a' | 'b' | undefined; order: 'x' | 'y' }>();
  });

  it('refuses, at compile time, a choice default outside its choices and a bareValue on an array flag', () => {
    const choices = defineCommand({
      name: 'typed',
      describe: 'd',
      flags: {
        good: { choices: ['a', 'b'], default: 'b', describe: 'm' },
        // @ts-expect-error: 'c' is not one of the choices.
        bad: { choices: ['a', 'b'], default: 'c', describe: 'm' },
      },
      resolve: (args) => args,
      run: async () => 0,
    });
    // Compile-time only: the @ts-expect-error lines fail `npm run typecheck` (run by .ci/run) if the holes reopen.
    void choices;
    const array = defineCommand({
      name: 'typed',
      describe: 'd',
      flags: {
        // @ts-expect-error: an array flag has no value when given alone.
        only: { type: 'string', array: true, bareValue: '-', describe: 'a glob' },
      },
      resolve: (args) => args,
      run: async () => 0,
    });
    void array;
  });
});

describe('defineCommand', () => {
  const io: CliIO = { stdout: () => {}, stderr: () => {}, color: false, env: {}, stdin: process.stdin, isTTY: false };
  const failing = (error: Error) =>
    defineCommand({
      name: 'demo',
      describe: 'd',
      flags: {},
      resolve: () => {
        throw error;
      },
      run: async () => 0,
    });

  it('gives a UsageError from resolve the command’s hint when it has none of its own', async () => {
    await expect(failing(new UsageError('--cold 1.5: allowed: a whole number ≥ 0')).execute([], io)).rejects.toMatchObject({
      message: '--cold 1.5: allowed: a whole number ≥ 0',
      hint: commandHint('demo'),
    });
  });

  it('keeps the hint of a UsageError that has one, and any other error as it is', async () => {
    const own = new UsageError('--port: 70000 is not a port number', { hint: 'Pass an integer from 0 to 65535.' });
    await expect(failing(own).execute([], io)).rejects.toBe(own);
    const bug = new TypeError('x is undefined');
    await expect(failing(bug).execute([], io)).rejects.toBe(bug);
  });
});

describe('closest', () => {
  it('finds a case or punctuation variant, or a word one or two edits away; nothing further', () => {
    expect(closest('coldStrategy', ['cold', 'cold-strategy'])).toBe('cold-strategy');
    expect(closest('reprot', ['report', 'compare'])).toBe('report');
    expect(closest('frobnicate', ['report', 'compare'])).toBeUndefined();
    expect(closest('ot', ['out', 'only'])).toBe('out');
  });
});

describe('usageOf', () => {
  it('writes required positionals in <>, optional ones in [], a variadic one with ..', () => {
    expect(usageOf(spec)).toBe('coldbench demo <run> [other]');
    expect(usageOf(variadic)).toBe('coldbench files <files..>');
    expect(usageOf({ name: 'clean', positionals: [] })).toBe('coldbench clean');
  });
});

describe('help', () => {
  it('renders a command’s flags with their types and defaults, wrapped to the width', () => {
    expect(commandHelp(emulatorCommand, 110)).toBe(
      [
        'coldbench emulator [options]',
        '',
        'Run the local Lambda emulator; prints its URL when ready, stops cleanly on SIGINT/SIGTERM',
        '',
        'Options:',
        '  --port  port to listen on (0 = a free port) [number] [default: 0]',
        '  --host  address to bind (anything but loopback prints a warning) [string] [default: "127.0.0.1"]',
        '  --node  node binary for the nodejsNN.x runtime of its major (repeatable; default: COLDBENCH_NODE, else this',
        '          node for every nodejsNN.x) [array]',
        '  --help  Show this help [boolean]',
        '',
      ].join('\n'),
    );
    expect(commandHelp(emulatorCommand, 60)).toBe(
      [
        'coldbench emulator [options]',
        '',
        'Run the local Lambda emulator; prints its URL when ready,',
        'stops cleanly on SIGINT/SIGTERM',
        '',
        'Options:',
        '  --port  port to listen on (0 = a free port) [number]',
        '          [default: 0]',
        '  --host  address to bind (anything but loopback prints a',
        '          warning) [string] [default: "127.0.0.1"]',
        '  --node  node binary for the nodejsNN.x runtime of its',
        '          major (repeatable; default: COLDBENCH_NODE, else',
        '          this node for every nodejsNN.x) [array]',
        '  --help  Show this help [boolean]',
        '',
      ].join('\n'),
    );
  });

  it('lists positionals, choices, booleans and the epilogue; puts descriptions under the names when the column is too narrow', () => {
    const small: CommandSpec = {
      name: 'small',
      describe: 'Small',
      positionals: [{ name: 'files', required: true, variadic: true, describe: 'log files' }],
      flags: {
        'requests-per-second-limit': { type: 'number', describe: 'a rate' },
        format: { choices: ['table', 'json'], default: 'table', describe: 'output format' },
        quiet: { type: 'boolean', describe: 'no progress' },
      },
      epilogue: 'Exit codes: 0 ok, 2 bad flag.',
    };
    expect(commandHelp(small, 80)).toBe(
      [
        'coldbench small <files..> [options]',
        '',
        'Small',
        '',
        'Arguments:',
        '  files  log files [array] [required]',
        '',
        'Options:',
        '  --requests-per-second-limit  a rate [number]',
        '  --format                     output format [choices: "table", "json"]',
        '                               [default: "table"]',
        '  --quiet                      no progress [boolean] [default: false]',
        '  --help                       Show this help [boolean]',
        '',
        'Exit codes: 0 ok, 2 bad flag.',
        '',
      ].join('\n'),
    );
    expect(commandHelp(small, 50).split('\n').slice(7, 11)).toEqual(['Options:', '  --requests-per-second-limit', '      a rate [number]', '  --format']);
  });

  it('lists every command with its usage and description', () => {
    const text = mainHelp([spec, variadic], 110);
    expect(text).toBe(
      [
        'coldbench <command> [options]',
        '',
        'Benchmark and shrink serverless cold starts.',
        '',
        'Commands:',
        '  coldbench demo <run> [other]  A command for the parser tests',
        '  coldbench files <files..>     A command with a variadic positional',
        '',
        'Options:',
        '  --help     Show this help [boolean]',
        '  --version  Show the version number [boolean]',
        '',
        '`coldbench <command> --help` lists the arguments and flags of a command.',
        '',
      ].join('\n'),
    );
  });
});

describe('help › width', () => {
  it('keeps every line of every command’s help and of the main help within the width, breaking a long choices note', () => {
    for (const width of [60, 40]) {
      for (const command of COMMANDS)
        expect(
          commandHelp(command, width)
            .split('\n')
            .filter((line) => line.length > width),
        ).toEqual([]);
      expect(
        mainHelp(COMMANDS, width)
          .split('\n')
          .filter((line) => line.length > width),
      ).toEqual([]);
    }
  });

  it('breaks a choices note longer than the column at its spaces, and an over-long word after a / or -', () => {
    const long: CommandSpec = {
      name: 'long',
      describe: 'Long',
      positionals: [],
      flags: {
        metric: { choices: ['cold.median', 'cold.p90', 'warm.median', 'cost'], describe: 'the metric' },
        api: { type: 'string', describe: 'which of `filter-log-events`/`get-log-events`/`describe-log-streams` to call' },
      },
    };
    // A description column of 50 - 12 = 38: the note breaks at its spaces; the word after its last / within 38; [string] fits whole, on the next line.
    expect(commandHelp(long, 50).split('\n').slice(4)).toEqual([
      'Options:',
      '  --metric  the metric [choices: "cold.median",',
      '            "cold.p90", "warm.median", "cost"]',
      '  --api     which of',
      '            `filter-log-events`/`get-log-events`/',
      '            `describe-log-streams` to call',
      '            [string]',
      '  --help    Show this help [boolean]',
      '',
    ]);
  });
});

describe('main', () => {
  async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      color: false,
      env: {},
      stdin: process.stdin,
      isTTY: false,
    };
    const code = await main(argv, io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('prints a command’s help wherever --help stands, even without its required arguments or with a bad flag', async () => {
    for (const argv of [
      ['report', '--help'],
      ['report', '--frob', '--help'],
      ['report', 'r', '--format', 'xml', '--help'],
    ]) {
      const run = await cli(argv);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout.split('\n')[0]).toBe('coldbench report <run> [options]');
    }
    expect((await cli(['--help', 'report'])).stdout.split('\n')[0]).toBe('coldbench report <run> [options]');
    expect((await cli(['--help'])).stdout.split('\n')[0]).toBe('coldbench <command> [options]');
  });

  it('prints the version before or after the command', async () => {
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+.*\n$/);
    expect((await cli(['report', '--version'])).stdout).toMatch(/^\d+\.\d+\.\d+.*\n$/);
  });

  it('does not treat --help after -- as the flag', async () => {
    const run = await cli(['import', '--', '--help']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'Error: --help: no such file\nHint: Check the path; - reads stdin.\n' });
  });

  it('suggests the command a typo meant, and refuses flags before the command', async () => {
    expect(await cli(['reprot', 'r'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: unknown command reprot; did you mean report?\nHint: Run `coldbench --help` for the commands and their flags.\n',
    });
    expect(await cli(['--format', 'json', 'report', 'r'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "Error: unknown flag --format before the command; a command's flags go after its name\nHint: Run `coldbench --help` for the commands and their flags.\n",
    });
  });

  it('refuses an empty value of a string flag instead of ignoring it', async () => {
    const hint = 'Hint: Run `coldbench report --help` for its arguments and flags.\n';
    expect(await cli(['report', 'r', '--out='])).toEqual({ code: 2, stdout: '', stderr: `Error: --out "": expected a value\n${hint}` });
    expect(await cli(['report', 'r', '--region='])).toEqual({ code: 2, stdout: '', stderr: `Error: --region "": expected a value\n${hint}` });
    expect(await cli(['report', 'r', '--cold-ratio='])).toEqual({ code: 2, stdout: '', stderr: `Error: --cold-ratio "": expected a value\n${hint}` });
  });

  it('gives a value the command refuses the command’s hint', async () => {
    expect(await cli(['bench', '--cold', '1.5'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: --cold 1.5: allowed: a whole number ≥ 0\nHint: Run `coldbench bench --help` for its arguments and flags.\n',
    });
  });

  it('wraps the help to the terminal’s width, between 40 and 110 columns; a terminal of 0 columns gets 110', async () => {
    const saved = Object.getOwnPropertyDescriptor(process.stdout, 'columns');
    const helpAt = async (columns: number | undefined, argv: string[]) => {
      Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true, writable: true });
      try {
        return (await cli(argv)).stdout;
      } finally {
        if (saved) Object.defineProperty(process.stdout, 'columns', saved);
        else delete (process.stdout as { columns?: number }).columns;
      }
    };
    for (const argv of [['--help'], ['report', '--help']]) {
      expect(await helpAt(0, argv)).toBe(await helpAt(undefined, argv));
      expect(await helpAt(500, argv)).toBe(await helpAt(110, argv));
      expect(await helpAt(20, argv)).toBe(await helpAt(40, argv));
      expect(await helpAt(40, argv)).not.toBe(await helpAt(110, argv));
    }
  });

  it('exits 2 with the parser’s message for a bad flag of a command', async () => {
    expect(await cli(['report', 'r', '--seed', 'abc'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: --seed abc: expected a number\nHint: Run `coldbench report --help` for its arguments and flags.\n',
    });
  });
});
