/**
 * Why a log gave no samples: finds the first line that looks like a platform's execution record
 * (a Lambda `REPORT`, a Google `Function execution`, an Azure `Executed '…'`) and says why it was
 * not read and which supported form is nearest. Pure: lines in, text out.
 */
import { parseLine } from '../parse-line.ts';
import { parseAzureMessage } from '../azure.ts';
import { parseGcpMessage } from '../gcp.ts';
import { splitLeadingPrefix } from './prefix.ts';

export type LookalikeKind = 'aws' | 'gcp' | 'azure';

/** An execution's end record (a Google start line alone is read, so it is not one). */
const LOOKS = /\bREPORT\b|Function\s+execution\b(?!\s+started\s*$)|Executed\s+'/;

/** The supported form nearest to each kind of line (docs/other-platforms.md lists them all). */
export const NEAREST_FORM: Record<LookalikeKind, string> = {
  aws: 'REPORT RequestId: <id>  Duration: <n> ms  Billed Duration: <n> ms  Memory Size: <n> MB  Max Memory Used: <n> MB (tab- or space-separated)',
  gcp: "Function execution took <n> ms. Finished with status: ok (or `…, finished with status: 'ok'`, `… status code: 200`)",
  azure: "Executed 'Functions.<name>' (Succeeded|Failed, Id=<invocation id>, Duration=<n>ms)",
};

const PLATFORM_NAMES: Record<LookalikeKind, string> = { aws: 'AWS Lambda', gcp: 'Google Cloud', azure: 'Azure' };

/** Which platform a line looks like it came from, or null. */
export function lookalikeKind(line: string): LookalikeKind | null {
  const m = LOOKS.exec(line);
  if (m === null) return null;
  if (m[0] === 'REPORT') return 'aws';
  return m[0].startsWith('Function') ? 'gcp' : 'azure';
}

/** Whether the reader of `kind` takes this line as one of its records. */
function readsAs(kind: LookalikeKind, line: string): boolean {
  if (kind === 'aws') return parseLine(line.slice(Math.max(0, line.indexOf('REPORT')))) !== null;
  if (kind === 'gcp') {
    const at = /Function\s+execution\s/.exec(line);
    const m = at === null ? null : parseGcpMessage(line.slice(at.index));
    return m !== null && !('malformed' in m);
  }
  const m = parseAzureMessage(splitLeadingPrefix(line).text);
  return m !== null && !('malformed' in m);
}

/** Finds the first lookalike line in text pushed in chunks; stops looking (and costs nothing) once found. */
export class FirstLookalike {
  found: { line: number; text: string; kind: LookalikeKind } | null = null;
  private carry = '';
  private lineNumber = 0;

  push(chunk: string): void {
    if (this.found !== null) return;
    const text = this.carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (this.check(text.slice(start, nl))) return;
      start = nl + 1;
    }
    // A line longer than this is not a platform line worth quoting whole.
    this.carry = text.slice(start, start + 64 * 1024);
  }

  end(): void {
    if (this.found === null && this.carry !== '') this.check(this.carry);
    this.carry = '';
  }

  private check(line: string): boolean {
    this.lineNumber++;
    const kind = lookalikeKind(line);
    if (kind === null) return false;
    this.found = { line: this.lineNumber, text: line.replace(/\r$/, ''), kind };
    return true;
  }
}

/**
 * Why the lookalike line gave no sample, and the nearest supported form.
 * @param platform the platform the file was read as
 * @param malformedReason what the reader said about that line, if it called it malformed
 * @param forced whether `platform` was given by --platform rather than recognised
 */
export function explainLookalike(
  found: { text: string; kind: LookalikeKind },
  platform: string | null,
  malformedReason: string | null,
  forced = false,
): { why: string; nearest: string } {
  const nearest = NEAREST_FORM[found.kind];
  if (malformedReason !== null) return { why: malformedReason, nearest };
  if (platform !== null && platform !== found.kind && readsAs(found.kind, found.text)) {
    return {
      why: `the file was read as ${PLATFORM_NAMES[platform as LookalikeKind] ?? platform}${forced ? ' (--platform)' : ' (recognised from its first lines)'}, but this line is ${PLATFORM_NAMES[found.kind]}'s: import it with --platform ${found.kind}`,
      nearest,
    };
  }
  if (readsAs(found.kind, found.text)) return { why: 'it is a platform record, but its execution never completed in this log (no matching start or end)', nearest };
  return { why: `it looks like ${PLATFORM_NAMES[found.kind]}'s but is in no form coldbench reads`, nearest };
}

/** A line shortened for a one-line message. */
export function excerpt(line: string, max = 120): string {
  const flat = line.replace(/\t/g, '\\t').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
