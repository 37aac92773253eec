/**
 * Application Insights exports → rows: the classic schema (`timestamp`, `cloud_RoleInstance`,
 * `customDimensions`, …) and the workspace one (`TimeGenerated`, `AppRoleInstance`,
 * `Properties`, …), from the portal's CSV, `az monitor app-insights query` (`tables`), or
 * arrays / lines of row objects (`az monitor log-analytics query`).
 */
import { parseTimestamp } from './time.ts';

/** One exported row; a field the export does not have is null. */
export interface AppInsightsRow {
  ts: number | null;
  instance: string | null;
  message: string | null;
  name: string | null;
  durationMs: number | null;
  success: boolean | null;
  resultCode: string | null;
  /** The function invocation id (customDimensions.InvocationId = the `Id=` of the log lines), else the request id, else the operation id. */
  id: string | null;
}

/** Column names, reduced by `normalKey`, and the field each one fills. */
const COLUMNS: Record<string, keyof AppInsightsRow | 'custom' | 'operationId' | 'operationName' | 'requestId'> = {
  timestamp: 'ts',
  timegenerated: 'ts',
  cloudroleinstance: 'instance',
  approleinstance: 'instance',
  message: 'message',
  name: 'name',
  operationname: 'operationName',
  duration: 'durationMs',
  durationms: 'durationMs',
  success: 'success',
  resultcode: 'resultCode',
  id: 'requestId',
  operationid: 'operationId',
  customdimensions: 'custom',
  properties: 'custom',
};

/** `timestamp [UTC]` → `timestamp`, `cloud_RoleInstance` → `cloudroleinstance`. */
function normalKey(key: string): string {
  return key
    .replace(/\[utc\]/i, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/** True when CSV header fields name an Application Insights requests or traces export. */
export function isAppInsightsHeader(fields: string[]): boolean {
  const keys = new Set(fields.map((f) => COLUMNS[normalKey(f.replace(/^\uFEFF/, ''))]).filter(Boolean));
  return keys.has('ts') && (keys.has('message') || keys.has('durationMs'));
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Durations are ms as a number; some exports write a .NET timespan `00:00:01.2345678`. */
function durationOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const s = text(value)?.trim();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = /^(?:(\d+)\.)?(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(s);
  if (!m) return null;
  const ms = ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000;
  // Timespans carry 100 ns ticks; rounding to them drops the float noise of the multiplication.
  return Math.round(ms * 10_000) / 10_000;
}

function booleanOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const s = text(value)?.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return null;
}

function customOf(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === 'string' && value.trim().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // A truncated customDimensions cell is common in portal exports; the row's other columns still count.
    }
  }
  return {};
}

/** Reads a row object (any of the export schemas); never throws. */
export function readAppInsightsRow(record: Record<string, unknown>): AppInsightsRow {
  const row: AppInsightsRow = { ts: null, instance: null, message: null, name: null, durationMs: null, success: null, resultCode: null, id: null };
  let requestId: string | null = null;
  let operationId: string | null = null;
  let operationName: string | null = null;
  let custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const field = COLUMNS[normalKey(key)];
    if (field === 'ts') row.ts = text(value) === null ? null : parseTimestamp(String(value));
    else if (field === 'durationMs') row.durationMs = durationOf(value);
    else if (field === 'success') row.success = booleanOf(value);
    else if (field === 'custom') custom = customOf(value);
    else if (field === 'requestId') requestId = text(value);
    else if (field === 'operationId') operationId = text(value);
    else if (field === 'operationName') operationName = text(value);
    else if (field === 'instance' || field === 'message' || field === 'name' || field === 'resultCode') row[field] = text(value);
  }
  const invocationId = text(custom.InvocationId) ?? text(custom.prop__InvocationId);
  row.id = invocationId ?? requestId ?? operationId;
  row.instance ??= text(custom.HostInstanceId);
  // A request's own `name` wins; `operation_Name` (the same for Functions) only fills in.
  row.name ??= operationName;
  return row;
}

/** Rows of `az monitor app-insights query` output (`{ tables: [{ columns, rows }] }`), or null when `doc` is not that. */
export function rowsFromTables(doc: Record<string, unknown>): Array<Record<string, unknown>> | null {
  if (!Array.isArray(doc.tables)) return null;
  const out: Array<Record<string, unknown>> = [];
  for (const table of doc.tables as unknown[]) {
    const t = table as { columns?: unknown; rows?: unknown } | null;
    if (!t || !Array.isArray(t.columns) || !Array.isArray(t.rows)) continue;
    const names = t.columns.map((c: unknown) => (c && typeof c === 'object' ? String((c as { name?: unknown }).name ?? '') : String(c)));
    for (const r of t.rows) {
      if (!Array.isArray(r)) continue;
      const record: Record<string, unknown> = {};
      names.forEach((name, i) => {
        record[name] = r[i];
      });
      out.push(record);
    }
  }
  return out;
}

/** A CSV record as a row object keyed by the header. */
export function csvRecord(header: string[], fields: string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  header.forEach((name, i) => {
    record[name.replace(/^\uFEFF/, '')] = fields[i];
  });
  return record;
}
