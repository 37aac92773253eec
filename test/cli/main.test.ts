import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('coldbench CLI', () => {
  it('prints the version from package.json and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
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
    expect(run.stderr).toContain('Error: Unknown argument: frobnicate');
  });

  it('exits 2 and names the missing command when none is given', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Name a command');
  });
});
