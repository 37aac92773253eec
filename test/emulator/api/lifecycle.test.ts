import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.ts';
import { createActive, startHarness, stopHarness } from './helpers.ts';

describe('emulator lifecycle', () => {
  it('removes its temp folder when the process exits without stop()', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'coldbench-lifecycle-test-'));
    const script = join(tmp, 'exit-without-stop.mts');
    writeFileSync(
      script,
      `import { startEmulator } from ${JSON.stringify(join(REPO_ROOT, 'src/emulator/index.ts'))};\n` +
        `const emu = await startEmulator({ poolTuning: { skipSdkBuild: true } });\n` +
        `const { readdirSync } = await import('node:fs');\n` +
        `console.log(readdirSync(process.env.TMPDIR!).filter((n) => n.startsWith('coldbench-emulator-')).length);\n` +
        `process.exit(0);\n`,
    );
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp } });
    expect(run.stdout.trim()).toBe('1');
    expect(readdirSync(tmp).filter((n) => n.startsWith('coldbench-emulator-'))).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('stops twice without error and answers no more requests', async () => {
    const h = await startHarness();
    await createActive(h, 'lifecycle');
    const url = h.emulator.url;
    await Promise.all([h.emulator.stop(), stopHarness(h)]);
    await expect(fetch(`${url}/_coldbench/status`)).rejects.toThrow();
  });
});
