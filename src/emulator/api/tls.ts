/**
 * The certificate of the emulator's HTTPS listener. On Lambda every AWS call a function makes is
 * HTTPS, and a client created per call pays a TLS handshake (and, for boto3, loading a CA bundle)
 * every time — the bulk of what "create the client once" saves. Serving functions over plain
 * HTTP would hide that cost, so the emulator offers HTTPS to functions with a self-signed
 * certificate that their SDKs are told to trust.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coldbenchCacheDir } from '../../cache-dir.ts';
import { isNotFound, missingToolMessage } from '../../tools.ts';

/** Where the key, certificate and CA bundle are kept between runs (made once, reused). */
const TLS_DIR_NAME = 'tls-v1';
/** Ten years: the certificate only ever secures loopback traffic of this machine. */
const CERT_DAYS = '3650';
/** The system CA bundle, appended so boto3 loads a bundle of realistic size as it does on Lambda. */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  /** PEM of the emulator's certificate alone (trusted by the Node bootstrap) */
  certPath: string;
  /** The certificate plus the system CAs (AWS_CA_BUNDLE for botocore) */
  caBundlePath: string;
}

export type TlsResult = { ok: true; material: TlsMaterial } | { ok: false; reason: string };

/**
 * Loads the emulator's TLS material from the cache, creating it with openssl the first time.
 * @example const tls = ensureTlsMaterial(); if (tls.ok) https.createServer({ key: tls.material.key, cert: tls.material.cert })
 */
export function ensureTlsMaterial(cacheDir = coldbenchCacheDir()): TlsResult {
  const dir = join(cacheDir, TLS_DIR_NAME);
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const caBundlePath = join(dir, 'ca-bundle.pem');
  try {
    if (!existsSync(caBundlePath)) create(dir, keyPath, certPath, caBundlePath);
    return { ok: true, material: { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath, caBundlePath } };
  } catch (error) {
    if (isNotFound(error)) return { ok: false, reason: `no HTTPS for functions: ${missingToolMessage('openssl')}` };
    return {
      ok: false,
      reason: `no HTTPS for functions (${(error as Error).message.split('\n')[0]}); they call the emulator over HTTP, which leaves out the TLS handshake a per-call client pays on Lambda`,
    };
  }
}

function create(dir: string, keyPath: string, certPath: string, caBundlePath: string): void {
  mkdirSync(dir, { recursive: true });
  // Built in a private folder and renamed into place, so concurrent emulators never read half a key.
  const work = join(dir, `tmp-${process.pid}-${Date.now()}`);
  mkdirSync(work);
  try {
    const key = join(work, 'key.pem');
    const cert = join(work, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        CERT_DAYS,
        '-subj',
        '/CN=coldbench-emulator',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const system = existsSync(SYSTEM_CA_BUNDLE) ? readFileSync(SYSTEM_CA_BUNDLE, 'utf8') : '';
    writeFileSync(join(work, 'ca-bundle.pem'), `${readFileSync(cert, 'utf8')}${system}`);
    renameSync(key, keyPath);
    renameSync(cert, certPath);
    renameSync(join(work, 'ca-bundle.pem'), caBundlePath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
