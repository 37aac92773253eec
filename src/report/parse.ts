/** Reading the report's inputs from text: samples.jsonl lines and exported summaries. Pure. */
import type { Sample } from '../probe/sample.ts';
import type { RunSummary } from './types.ts';
import { SummaryFormatError } from './errors.ts';

/**
 * One line of samples.jsonl → Sample, or null for a blank line. Needs `variant` and `kind`;
 * missing measurement fields read as null so older or imported files still report.
 * @example parseSampleLine('{"variant":"reuse@512","kind":"cold","initMs":210.5,"durationMs":21.4,"status":"success"}', 1, 'samples.jsonl')
 * @throws SummaryFormatError naming the file and line
 */
export function parseSampleLine(line: string, lineNo: number, file: string): Sample | null {
  const text = line.trim();
  if (text === '') return null;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (error) {
    throw new SummaryFormatError(`${file}:${lineNo}: not a JSON object (${(error as Error).message}); each line of a samples file is one JSON sample`, { cause: error });
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new SummaryFormatError(`${file}:${lineNo}: expected a JSON object per line, found ${Array.isArray(obj) ? 'an array' : typeof obj}`);
  const s = obj as Record<string, unknown>;
  if (typeof s.variant !== 'string' || s.variant === '')
    throw new SummaryFormatError(`${file}:${lineNo}: field "variant" is missing or not a string; every sample names its variant`);
  if (s.kind !== 'cold' && s.kind !== 'warm') throw new SummaryFormatError(`${file}:${lineNo}: field "kind" is ${JSON.stringify(s.kind)}; expected "cold" or "warm"`);
  // Normalised in place: the parsed object is ours, and copying a million of them costs seconds.
  s.status = s.status === 'error' || s.status === 'timeout' ? s.status : s.status === undefined || s.status === 'success' ? 'success' : 'error';
  if (typeof s.coldBy !== 'string') s.coldBy = s.kind === 'cold' ? 'init-duration' : 'none';
  if (typeof s.requestId !== 'string') s.requestId = null;
  if (typeof s.errorType !== 'string') s.errorType = null;
  for (const key of NUMERIC_FIELDS) if (typeof s[key] !== 'number' || !Number.isFinite(s[key])) s[key] = null;
  return s as Sample;
}

/** Measurement fields that read as null when absent or not a finite number. */
const NUMERIC_FIELDS = ['initMs', 'restoreMs', 'billedRestoreMs', 'durationMs', 'billedMs', 'memoryMB', 'maxMemoryMB', 'clientMs'] as const;

/** True for an object written by the json renderer (`format: "coldbench-summary"`). */
export function isRunSummary(value: unknown): value is RunSummary {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === 'coldbench-summary' && Array.isArray((value as { variants?: unknown }).variants);
}
