/**
 * Deterministic zips of a folder (fixed timestamps, sorted entries, Unix modes) so the same
 * inputs give the same bytes — and on a real account the same CodeSha256, so no re-upload.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Zippable, zipSync } from 'fflate';

/** The zip epoch (1980-01-01) for every entry, so rebuilds are byte-identical. */
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');
/** PKZIP "made by" value for Unix, so Lambda keeps the file modes (exec bits for bootstrap). */
const OS_UNIX = 3;

export interface ZipResult {
  bytes: Uint8Array;
  /** base64 SHA-256 of the zip, as Lambda reports CodeSha256 */
  sha256: string;
  unzippedBytes: number;
  files: number;
}

/** Every regular file under `root` (symlinks skipped: Lambda packages cannot rely on them). */
export function listFiles(root: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(root);
  return out;
}

/** Zips the folder `root` (entries relative to it) with fixed timestamps and Unix modes. */
export function zipFolder(root: string): ZipResult {
  const files = listFiles(root);
  const entries: Zippable = {};
  let unzippedBytes = 0;
  for (const rel of files) {
    const full = join(root, rel);
    const data = readFileSync(full);
    unzippedBytes += data.length;
    const executable = (lstatSync(full).mode & 0o111) !== 0;
    entries[rel] = [new Uint8Array(data.buffer, data.byteOffset, data.length), { mtime: FIXED_MTIME, os: OS_UNIX, attrs: (executable ? 0o100755 : 0o100644) << 16 }];
  }
  const bytes = zipSync(entries, { level: 6 });
  return { bytes, sha256: createHash('sha256').update(bytes).digest('base64'), unzippedBytes, files: files.length };
}
