import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';

describe('coldbench CLI', () => {
  it('prints the version from package.json and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('lists every command of the design in --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const name of ['bench', 'report', 'compare', 'import', 'emulator', 'clean', 'profile']) {
      expect(run.stdout).toContain(`coldbench ${name}`);
    }
  });

  it('exits 2 with the message on stderr for an unknown command', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'Error: unknown command frobnicate; the commands are bench, report, compare, import, emulator, clean, profile, calibrate\nHint: Run `coldbench --help` for the commands and their flags.\n',
    );
  });

  it('exits 2 and names the missing command when none is given', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Error: Name a command; `coldbench --help` lists them.\nHint: Run `coldbench --help` for the commands and their flags.\n');
  });
});

/**
 * A loader hook (in NODE_OPTIONS, so it sees every module the real binary loads, tsx's included)
 * that appends each loaded file's URL to $COLDBENCH_TEST_LOADED.
 */
const LOAD_LOGGER = `import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(process.env.COLDBENCH_TEST_LOADED, url + '\\n'); return next(url, context); }`;
const REGISTER_LOGGER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(LOAD_LOGGER)}`)});`;

/** The modules that do a command's work: the report, the log readers, the harness, the emulator, the profiler, the calibration model. */
const IMPLEMENTATION =
  /\/src\/(probe\/|emulator\/|report\/(index|summarize|stats)\.ts|bench\/(run|calibrate)\.ts|profile\/run\.ts|calibration\/predict\.ts|cli\/calibration\.ts|cli\/commands\/(report-input|import-logs)\.ts)/;

describe('coldbench CLI › start-up', () => {
  const work = mkdtempSync(join(tmpdir(), 'coldbench-startup-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function loadedBy(args: string[]): Promise<string[]> {
    const log = join(work, `${args.join('-').replace(/[^\w-]/g, '_')}.txt`);
    const run = await runCli(args, { env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(REGISTER_LOGGER)}`, COLDBENCH_TEST_LOADED: log } });
    expect(run.code).toBe(0);
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(`file://${REPO_ROOT}src/`));
  }

  it('loads no command implementation for --version or --help', async () => {
    const forVersion = await loadedBy(['--version']);
    // The hook saw the CLI's own modules, so an empty list below means none of the implementation.
    expect(forVersion).toContain(`file://${REPO_ROOT}src/cli/main.ts`);
    expect(forVersion.filter((url) => IMPLEMENTATION.test(url))).toEqual([]);
    expect((await loadedBy(['report', '--help'])).filter((url) => IMPLEMENTATION.test(url))).toEqual([]);
  });

  it('loads the report when a report runs', async () => {
    const loaded = await loadedBy(['report', 'fixtures/runs/baseline']);
    expect(loaded).toContain(`file://${REPO_ROOT}src/report/summarize.ts`);
    expect(loaded).toContain(`file://${REPO_ROOT}src/cli/commands/report-input.ts`);
  });
});
