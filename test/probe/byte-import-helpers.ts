/** Runs the same bytes through the byte importer and through the string importer (the reference). */
import { ByteBatch, createByteFileImporter } from '../../src/probe/byte-import.ts';
import { createFileImporter, type FileImportOptions, type FileImportStats } from '../../src/probe/file-import.ts';

export const IMPORT_OPTIONS: FileImportOptions = { platform: 'auto', fallbackVariant: 'app' };

/** The byte importer over `bytes` cut into chunks of `chunk` bytes, with a small batch so flushes happen mid-file. */
export function viaBytes(bytes: Buffer, chunk: number, options = IMPORT_OPTIONS): { out: Buffer; stats: FileImportStats; lane: number } {
  const parts: Buffer[] = [];
  const batch = new ByteBatch((b) => parts.push(Buffer.from(b)), 4096);
  const importer = createByteFileImporter(options, batch);
  for (let i = 0; i < bytes.length; i += chunk) importer.push(bytes.subarray(i, i + chunk));
  importer.end();
  batch.flush();
  return { out: Buffer.concat(parts), stats: importer.stats(), lane: importer.laneLines() };
}

/** The reference: the string importer over the whole text, decoded at once. */
export function viaText(bytes: Buffer, options = IMPORT_OPTIONS): { out: Buffer; stats: FileImportStats } {
  const importer = createFileImporter(options);
  const text = importer.push(bytes.toString('utf8')) + importer.end();
  return { out: Buffer.from(text), stats: importer.stats() };
}
