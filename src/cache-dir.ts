/**
 * coldbench's one cache root, shared by every layer (package builds, the emulator's runtime SDKs,
 * its TLS certificate, interpreter probes, calibration): COLDBENCH_CACHE_DIR, else
 * $XDG_CACHE_HOME/coldbench, else ~/.cache/coldbench. Each user of the cache keeps to its own
 * sub-folder of it (builds/, deps/, runtimes/, tls-v1/, interpreters.json, …).
 *
 * Pure but for reading the environment and the home folder: any layer may import it (cli, bench,
 * emulator, profile), none of them owns it.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The cache root for this environment.
 * @example coldbenchCacheDir({ COLDBENCH_CACHE_DIR: '/tmp/cb' }) // → '/tmp/cb'
 * @example coldbenchCacheDir({ XDG_CACHE_HOME: '/home/me/.xdg' }) // → '/home/me/.xdg/coldbench'
 * @example coldbenchCacheDir({}) // → '<home>/.cache/coldbench'
 */
export function coldbenchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COLDBENCH_CACHE_DIR) return resolve(env.COLDBENCH_CACHE_DIR);
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'coldbench');
  return join(homedir(), '.cache', 'coldbench');
}

/** A named sub-folder (or file) of the cache root, e.g. `cachePath('runtimes')`. */
export function cachePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(coldbenchCacheDir(env), name);
}
