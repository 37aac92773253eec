import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTlsMaterial } from '../../../src/emulator/api/tls.ts';
import { startEmulator } from '../../../src/emulator/index.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'coldbench-tls-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ensureTlsMaterial', () => {
  it('creates a loopback certificate once and returns the same one afterwards', (ctx) => {
    const dir = tempDir();
    const first = ensureTlsMaterial(dir);
    if (!first.ok) return ctx.skip(`openssl unavailable here: ${first.reason}`);
    const second = ensureTlsMaterial(dir);
    expect(second.ok && second.material.cert.equals(first.material.cert)).toBe(true);
    const bundle = readFileSync(first.material.caBundlePath, 'utf8');
    // The bundle starts with the emulator's certificate, then the system CAs botocore would load on Lambda.
    expect(bundle.startsWith(first.material.cert.toString('utf8'))).toBe(true);
  });

  it('says what needs openssl, how to install it and what happens without it when it is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const result = ensureTlsMaterial(tempDir());
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(
        /^no HTTPS for functions: openssl not found: the emulator's HTTPS endpoint .* needs it .*; install OpenSSL \(apt install openssl \/ brew install openssl\); without it functions call the emulator over plain HTTP/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('startEmulator functionEndpoint', () => {
  it('is the HTTP URL itself when functionTls is off', async () => {
    const emulator = await startEmulator({ functionTls: false, poolTuning: { skipSdkBuild: true } });
    try {
      expect(emulator.functionEndpoint).toBe(emulator.url);
      const status = (await (await fetch(`${emulator.url}/_coldbench/status`)).json()) as { functionEndpoint: string; functionTls: string };
      expect(status).toMatchObject({ functionEndpoint: emulator.url, functionTls: 'off (functionTls: false)' });
    } finally {
      await emulator.stop();
    }
  });

  it('is an HTTPS listener serving the same APIs when TLS material exists', async (ctx) => {
    const emulator = await startEmulator({ poolTuning: { skipSdkBuild: true } });
    try {
      if (emulator.functionEndpoint === emulator.url) return ctx.skip('openssl unavailable here: functions use HTTP');
      expect(emulator.functionEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { request } = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${emulator.functionEndpoint}/`,
          { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          (res) => {
            let text = '';
            res
              .setEncoding('utf8')
              .on('data', (d: string) => (text += d))
              .on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end('Action=GetCallerIdentity&Version=2011-06-15');
      });
      expect(body).toContain('<Account>123456789012</Account>');
    } finally {
      await emulator.stop();
    }
  });
});
