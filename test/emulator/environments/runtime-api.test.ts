import { describe, expect, it } from 'vitest';
import { json, makeSpec, request, stageFixture, usePool } from './helpers.ts';

describe('Runtime API (2018-06-01) answers to protocol errors', () => {
  const { sink, root, pool } = usePool();

  it('answers 400 to an unknown request id, 403 to a late init error or a second response, 404 to an unknown path', async () => {
    const spec = makeSpec({ runtime: 'provided.al2', handler: 'x', codeDir: stageFixture('provided-protocol', root.dir) });
    const out = await pool().invoke(spec, request());
    expect(out.status).toBe('success');
    expect(json(out.payload)).toEqual({ bogus: [400, 'InvalidRequestID'], lateInit: [403, 'InvalidStateTransition'], unknown: 404 });
    const until = Date.now() + 3000;
    while (!sink.messages(spec.logGroupName).includes('first response: 202, second response: 403 InvalidStateTransition\n')) {
      if (Date.now() > until) throw new Error(`no report of the second response in ${JSON.stringify(sink.messages(spec.logGroupName))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('answers 413 to a response above 6 MB and fails the invoke with Function.ResponseSizeTooLarge', async () => {
    const spec = makeSpec({ runtime: 'python3.11', handler: 'big_response.handler', codeDir: stageFixture('python', root.dir) });
    const out = await pool().invoke(spec, request());
    expect(out).toMatchObject({ status: 'error', errorType: 'Function.ResponseSizeTooLarge', functionError: 'Unhandled' });
    expect(json(out.payload)).toEqual({
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
    expect(out.logText).toMatch(/\tStatus: error\tError Type: Function\.ResponseSizeTooLarge\t\n$/);
  });

  it('passes the client context and an absolute deadline to the runtime', async () => {
    const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'context_info.handler', codeDir: stageFixture('node', root.dir), timeoutS: 7 });
    const before = Date.now();
    const out = json((await pool().invoke(spec, request({}, Buffer.from('{"custom":{"k":1},"env":{}}').toString('base64')))).payload);
    expect(out.clientContext).toEqual({ custom: { k: 1 }, env: {} });
    expect(out.remainingBefore).toBeGreaterThan(6500);
    expect(out.remainingBefore).toBeLessThanOrEqual(7000 + (Date.now() - before));
  });
});
