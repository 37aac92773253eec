import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'fflate';
import { AwsError, invalidParameter } from './errors.ts';

/** Lambda's limit on a package plus its layers, unzipped. */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** AWS's own wording for code that is not a zip, so scripts matching on it keep working. */
export const NOT_A_ZIP_MESSAGE = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** The EOCD record is 22 bytes plus a comment of at most 65,535 bytes. */
const EOCD_SEARCH_BYTES = 22 + 0xffff;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

export interface ZipEntry {
  name: string;
  mode: number;
  isDirectory: boolean;
  data: () => Uint8Array;
}

export interface StoredCode {
  /** base64 SHA-256 of the zip, as Lambda's CodeSha256 */
  codeSha256: string;
  codeSize: number;
  /** Extracted, read-only folder */
  dir: string;
  /** The zip as uploaded, served back as GetFunction's Code.Location */
  zipPath: string;
}

/** Reads a zip's central directory; throws InvalidParameterValueException for anything Lambda would refuse. */
function readZip(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - EOCD_SEARCH_BYTES); i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalidParameter(NOT_A_ZIP_MESSAGE);
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) throw invalidParameter(NOT_A_ZIP_MESSAGE);
    const madeBy = view.getUint16(offset + 4, true) >> 8;
    const method = view.getUint16(offset + 10, true);
    const compressedSize = view.getUint32(offset + 20, true);
    const size = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const external = view.getUint32(offset + 38, true);
    const localOffset = view.getUint32(offset + 42, true);
    const name = new TextDecoder().decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
    // Unix hosts (3) keep st_mode in the high half of the external attributes.
    const mode = madeBy === 3 ? external >>> 16 : 0;
    checkEntryName(name);
    if ((mode & S_IFMT) === S_IFLNK) {
      throw invalidParameter(`Zip entry ${JSON.stringify(name)} is a symbolic link; Lambda packages may not contain links. Replace it with the file it points to.`);
    }
    const isDirectory = name.endsWith('/') || (mode & S_IFMT) === S_IFDIR;
    if (compressedSize === 0xffffffff || size === 0xffffffff) {
      throw invalidParameter(`Zip entry ${JSON.stringify(name)} uses ZIP64, which the emulator does not read. Repackage without ZIP64.`);
    }
    if (method !== 0 && method !== 8) {
      throw invalidParameter(`Zip entry ${JSON.stringify(name)} uses compression method ${method}; only stored and deflate are supported.`);
    }
    total += size;
    if (total > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    entries.push({
      name,
      mode,
      isDirectory,
      data: () => {
        if (view.getUint32(localOffset, true) !== LOCAL_SIGNATURE) throw invalidParameter(NOT_A_ZIP_MESSAGE);
        const start = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
        const raw = zip.subarray(start, start + compressedSize);
        try {
          return method === 0 ? raw : inflateSync(raw, { out: new Uint8Array(size) });
        } catch (error) {
          throw new AwsError('InvalidParameterValueException', 400, NOT_A_ZIP_MESSAGE, {}, { cause: error });
        }
      },
    });
  }
  return entries;
}

function checkEntryName(name: string): void {
  const escapes = name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0') || name.split(/[\\/]/).some((segment) => segment === '..');
  if (escapes) {
    throw invalidParameter(`Zip entry ${JSON.stringify(name)} would be extracted outside the function's folder (absolute path or '..'). Repackage with relative paths.`);
  }
}

/** Extracted code versions, one read-only folder per CodeSha256, all under one temp root. */
export class CodeStore {
  private readonly byHash = new Map<string, Promise<StoredCode>>();
  private constructor(readonly root: string) {}

  static async create(): Promise<CodeStore> {
    return new CodeStore(await mkdtemp(path.join(tmpdir(), 'coldbench-emulator-')));
  }

  /** Stores and extracts a zip once per content hash; later calls with the same bytes reuse it. */
  async put(zip: Uint8Array): Promise<StoredCode> {
    const { ready } = this.accept(zip);
    return ready;
  }

  /**
   * Validates a zip and starts storing it: `code` names where it will be (known at once from the hash), `ready` settles
   * when it is extracted. A zip Lambda refuses throws here, before anything is cached; an entry that fails to inflate
   * rejects `ready`. Later calls with the same bytes share the first one's work.
   */
  accept(zip: Uint8Array): { code: StoredCode; ready: Promise<StoredCode> } {
    const digest = createHash('sha256').update(zip).digest();
    const codeSha256 = digest.toString('base64');
    const hex = digest.toString('hex');
    const code: StoredCode = { codeSha256, codeSize: zip.length, dir: path.join(this.root, hex), zipPath: path.join(this.root, `${hex}.zip`) };
    const existing = this.byHash.get(codeSha256);
    if (existing) return { code, ready: existing };
    const entries = readZip(zip);
    const ready = this.extract(entries, zip, code);
    this.byHash.set(codeSha256, ready);
    ready.catch(() => this.byHash.delete(codeSha256));
    return { code, ready };
  }

  private async extract(entries: ZipEntry[], zip: Uint8Array, code: StoredCode): Promise<StoredCode> {
    const { dir, zipPath } = code;
    await mkdir(dir, { recursive: true });
    await writeFile(zipPath, zip);
    const dirs = new Set<string>([dir]);
    for (const entry of entries) {
      const target = path.join(dir, entry.name);
      if (!target.startsWith(dir + path.sep) && target !== dir) throw invalidParameter(`Zip entry ${JSON.stringify(entry.name)} escapes the function's folder.`);
      if (entry.isDirectory) {
        await mkdir(target, { recursive: true });
        dirs.add(target);
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      dirs.add(path.dirname(target));
      await writeFile(target, entry.data());
      // Read-only like /var/task; keep the owner's execute bit so bootstraps and binaries run.
      await chmod(target, entry.mode & 0o100 ? 0o555 : 0o444);
    }
    for (const d of dirs) await chmod(d, 0o555);
    return code;
  }

  /** Removes every extracted folder (restoring write permission first so removal works for non-root users too). */
  async destroy(): Promise<void> {
    await Promise.allSettled([...this.byHash.values()]);
    await makeWritable(this.root);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The same removal, synchronously, for a process that is exiting without having called stop(). */
export function destroyCodeRootSync(root: string): void {
  const writable = (dir: string): void => {
    try {
      chmodSync(dir, 0o755);
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) writable(path.join(dir, entry.name));
    } catch {
      // Already gone: nothing to restore.
    }
  };
  writable(root);
  rmSync(root, { recursive: true, force: true });
}

async function makeWritable(dir: string): Promise<void> {
  try {
    await chmod(dir, 0o755);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
    }
  } catch {
    // Already gone or never created: nothing to restore.
  }
}
