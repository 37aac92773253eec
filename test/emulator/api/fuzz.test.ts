import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActive, harnessPerFile, raw } from './helpers.ts';

const h = harnessPerFile({}, (started) => createActive(started, 'fuzz-target'));

const PREFIXES = [
  '/2015-03-31/functions',
  '/2015-03-31/functions/fuzz-target',
  '/2015-03-31/functions/fuzz-target/invocations',
  '/2015-03-31/functions/fuzz-target/configuration',
  '/2015-03-31/functions/fuzz-target/code',
  '/2015-03-31/functions/fuzz-target/versions',
  '/2015-03-31/functions/fuzz-target/aliases',
  '/2017-10-31/functions/fuzz-target/concurrency',
  '/2018-10-31/layers/l/versions',
  '/2017-03-31/tags/arn:aws:lambda:us-east-1:123456789012:function:fuzz-target',
  '/',
  '/_coldbench/status',
];

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  prefix: fc.constantFrom(...PREFIXES),
  suffix: fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
    fc.constantFrom('/..', '/%2e%2e', '?Qualifier=%24LATEST', '?MaxItems=-1', '?Marker=zz'),
  ),
  target: fc.option(fc.constantFrom('Logs_20140328.FilterLogEvents', 'Logs_20140328.PutLogEvents', 'Logs_20140328.Nope', 'Other.Thing'), { nil: undefined }),
  invokeShape: fc.boolean(),
  body: fc.oneof(fc.json(), fc.string({ maxLength: 200 }), fc.constant('{"Code":{"ZipFile":"UEsDBA=="},"FunctionName":"x","Role":"r"}')),
});

describe('the emulator under arbitrary requests', () => {
  it('answers every request with an HTTP status and an AWS-shaped body, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, prefix, suffix, target, invokeShape, body }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (target) headers['x-amz-target'] = target;
        // Half the requests take the Invoke fast path with an arbitrary (possibly malformed) name.
        const path = invokeShape ? `/2015-03-31/functions/${suffix.replace(/[/?]/g, '') || '%'}/invocations` : `${prefix}${suffix}`;
        const res = await raw(h, path, { method: invokeShape ? 'POST' : method, headers, body: method === 'GET' && !invokeShape ? undefined : body });
        expect(res.status).toBeGreaterThanOrEqual(200);
        // 500 would mean an unexpected exception inside the emulator.
        expect(res.status).not.toBe(500);
      }),
      { numRuns: 300, seed: 20261128 },
    );
    expect((await raw(h, '/_coldbench/status')).status).toBe(200);
  });
});
