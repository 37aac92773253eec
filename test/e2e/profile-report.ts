import { expect } from 'vitest';
import type { ProfileReport } from '../../src/profile/types.ts';
import { runCli } from '../helpers/cli.ts';

/** Runs `coldbench profile ARGS --format json --quiet`, expects it to succeed and returns the report it printed. */
export async function profileReport(args: string[]): Promise<ProfileReport> {
  const run = await runCli(['profile', ...args, '--format', 'json', '--quiet']);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ProfileReport;
}
