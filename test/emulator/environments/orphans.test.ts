import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempRoot } from './helpers.ts';

const HOST = fileURLToPath(new URL('./orphan-host.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Starts a process hosting a pool with one warm environment; resolves with both pids. */
async function startHost(dir: string, mode: 'spawner' | 'direct'): Promise<{ host: ReturnType<typeof spawn>; envPid: number }> {
  const host = spawn(process.execPath, ['--import', 'tsx', HOST, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const envPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    host.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    host.once('exit', (code) => reject(new Error(`pool host exited early (${code})`)));
  });
  return { host, envPid };
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('No orphan environments', () => {
  for (const mode of ['spawner', 'direct'] as const) {
    it(`kills the environments when the emulator process gets SIGTERM (${mode} launcher)`, async () => {
      const root = tempRoot();
      try {
        const { host, envPid } = await startHost(root.dir, mode);
        expect(alive(envPid)).toBe(true);
        host.kill('SIGTERM');
        expect(await gone(envPid)).toBe(true);
      } finally {
        root.remove();
      }
    });
  }

  it('kills the environments even when the emulator process is SIGKILLed (the spawner helper sees its stdin close)', async () => {
    const root = tempRoot();
    try {
      const { host, envPid } = await startHost(root.dir, 'spawner');
      host.kill('SIGKILL');
      expect(await gone(envPid)).toBe(true);
    } finally {
      root.remove();
    }
  });
});
