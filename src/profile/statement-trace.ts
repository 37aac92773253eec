/**
 * Timing module-level statements: which ones the tracer should time (COLDBENCH_TRACE_STATEMENTS,
 * read by python-trace-shim.py and node-statement-timer.cjs) and the times it wrote back
 * (`coldbench line: <us> | <file>:<line>-<endLine>`).
 */
import type { Language } from './group.ts';
import { type FileStatement, fileOfModule } from './program-path.ts';

/** The marker of a timed statement's line in the function's log. */
export const LINE_MARKER = 'coldbench line:';
/** The environment variable the tracers read. */
export const TRACE_STATEMENTS_ENV = 'COLDBENCH_TRACE_STATEMENTS';
/** Lambda allows 4 KB for all variables together: leave room for the function's own. */
export const TRACE_STATEMENTS_MAX_CHARS = 2048;

export interface StatementTime {
  /** Relative to the function's folder: `app.py`, `lib/util.js` */
  file: string;
  line: number;
  endLine: number;
  ms: number;
}

/**
 * The variable's value: `app.py@:4-4,6-8` (Python), `index.js@LENGTH:line-endLine-start-end,…` (Node,
 * whose timer inserts marks at character offsets and only into a file of that length), files
 * joined by `;`. Statements past the size limit are left out (the rule then falls back to the file's own time).
 * @example statementSpec([{ file: 'app', line: 4, endLine: 4, text: 'time.sleep(1)' }], new Map([['app', '…']]), 'python') // → 'app.py@:4-4'
 */
export function statementSpec(statements: FileStatement[], sources: ReadonlyMap<string, string>, language: Language): string {
  const byFile = new Map<string, FileStatement[]>();
  for (const s of statements) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  const parts: string[] = [];
  let size = 0;
  for (const [module, list] of byFile) {
    const spans = list.map((s) => (language === 'python' ? `${s.line}-${s.endLine}` : `${s.line}-${s.endLine}-${s.start}-${s.end}`));
    const part = `${fileOfModule(module, language)}@${language === 'python' ? '' : (sources.get(module) ?? '').length}:${spans.join(',')}`;
    if (size + part.length + 1 > TRACE_STATEMENTS_MAX_CHARS) break;
    parts.push(part);
    size += part.length + 1;
  }
  return parts.join(';');
}

const LINE = /^\s*(\d+)\s*\|\s*(.+):(\d+)-(\d+)\s*$/;

/**
 * The statement times in a trace (other lines skipped); a statement timed twice (a module
 * imported again after a failure) keeps its first time.
 * @example parseStatementTimes('coldbench line:    400123 | app.py:4-4') // → [{ file: 'app.py', line: 4, endLine: 4, ms: 400.12 }]
 */
export function parseStatementTimes(text: string): StatementTime[] {
  const out: StatementTime[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const at = raw.indexOf(LINE_MARKER);
    if (at < 0) continue;
    const m = LINE.exec(raw.slice(at + LINE_MARKER.length));
    if (!m) continue;
    const key = `${m[2]}:${m[3]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: m[2], line: Number(m[3]), endLine: Number(m[4]), ms: Math.round(Number(m[1]) / 10) / 100 });
  }
  return out;
}
