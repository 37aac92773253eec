/**
 * Which variants had failed invocations, how many, and what the first one said: the lines
 * `bench` prints under its table (`boom@512: 5 of 5 invocations failed: ValueError: boom`).
 */
import type { Sample } from '../probe/sample.ts';

export interface VariantFailures {
  variant: string;
  failed: number;
  total: number;
  /** The first failed invocation's error, e.g. `ValueError: boom from the handler`. */
  first: string;
}

/** A sample failed when its status says so, or when the harness could not measure it (`error`). */
export function isFailedSample(s: Sample): boolean {
  return s.status !== 'success' || (typeof s.error === 'string' && s.error !== '');
}

/** `RequestId: <id> Error: ` before a platform message: the request id says nothing in a summary line. */
const REQUEST_ID_PREFIX = /^RequestId: \S+ Error: /;

function firstError(s: Sample): string {
  const type = s.errorType ?? null;
  const message = typeof s.errorMessage === 'string' && s.errorMessage !== '' ? s.errorMessage.replace(REQUEST_ID_PREFIX, '') : null;
  if (type !== null && message !== null) return `${type}: ${message}`;
  if (message !== null) return s.status === 'timeout' ? `timed out: ${message}` : message;
  if (type !== null) return s.status === 'timeout' ? `timed out (${type})` : type;
  if (typeof s.error === 'string' && s.error !== '') return s.error;
  return s.status === 'timeout' ? 'timed out' : 'the function returned an error';
}

/**
 * Per variant with at least one failed sample, in the order variants first appear.
 * @example failuresOf([{ variant: 'boom@512', status: 'error', errorType: 'ValueError', errorMessage: 'boom', … }]) // [{ variant: 'boom@512', failed: 1, total: 1, first: 'ValueError: boom' }]
 */
export function failuresOf(samples: Iterable<Sample>): VariantFailures[] {
  const byVariant = new Map<string, VariantFailures>();
  for (const s of samples) {
    let f = byVariant.get(s.variant);
    if (f === undefined) {
      f = { variant: s.variant, failed: 0, total: 0, first: '' };
      byVariant.set(s.variant, f);
    }
    f.total++;
    if (!isFailedSample(s)) continue;
    if (f.failed === 0) f.first = firstError(s);
    f.failed++;
  }
  return [...byVariant.values()].filter((f) => f.failed > 0);
}

/** Where a variant's event comes from, for the hint when every invoke failed. */
export type EventSource = 'suite' | 'serverless' | 'function';

const EVENT_HINTS: Record<EventSource, string> = {
  suite: 'check the sample event it is invoked with (`event:` / `events:` of the function in the suite)',
  serverless: "check the sample event it is invoked with (its trigger's event; `events:` of the function in serverless.yml)",
  function: 'check the sample event it is invoked with (--event FILE)',
};

/**
 * The summary lines: one per failing variant, with a hint when every invocation failed.
 * @example failureLines([{ variant: 'boom@512', failed: 5, total: 5, first: 'ValueError: boom' }], 'suite') // ['boom@512: 5 of 5 invocations failed: ValueError: boom', '  every invocation failed: check the sample event …']
 */
export function failureLines(failures: VariantFailures[], source: EventSource): string[] {
  const lines: string[] = [];
  for (const f of failures) {
    lines.push(`${f.variant}: ${f.failed} of ${f.total} invocation${f.total === 1 ? '' : 's'} failed: ${f.first}`);
    if (f.failed === f.total) lines.push(`  every invocation failed: ${EVENT_HINTS[source]}, and the handler`);
  }
  return lines;
}
