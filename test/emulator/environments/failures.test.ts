import { describe, expect, it } from 'vitest';
import type { LocalEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { json, makeSpec, request, stageFixture, usePool, withPool } from './helpers.ts';

const UUID = '[0-9a-f-]{36}';

describe('EnvironmentPool failures', () => {
  let pool: LocalEnvironmentPool;
  let py: string;
  let node: string;
  // A 1 s init limit instead of Lambda's 10 s keeps the init-timeout case short.
  const { sink, root } = usePool({ initTimeoutMs: 1000 }, (p) => {
    pool = p;
    py = stageFixture('python', root.dir);
    node = stageFixture('node', root.dir);
  });

  const lines = (group: string) => sink.messages(group);

  describe('function errors', () => {
    it('returns the Python error body (errorMessage, errorType, requestId, stackTrace) and keeps the environment', async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'raises.handler', codeDir: py });
      const req = request({ n: 7 });
      const out = await pool.invoke(spec, req);
      const body = json(out.payload);
      expect(out).toMatchObject({ status: 'error', functionError: 'Unhandled', errorType: 'ValueError', cold: true });
      expect(body).toMatchObject({ errorMessage: 'bad input: 7', errorType: 'ValueError', requestId: req.requestId });
      expect(body.stackTrace).toEqual([expect.stringMatching(/raises\.py", line 2, in handler\n/)]);
      expect(out.logText).toContain('[ERROR] ValueError: bad input: 7\rTraceback (most recent call last):\r');
      // A raised exception is the function's error, not a platform failure: REPORT has no Status.
      expect(out.logText).toMatch(/\tInit Duration: \d+\.\d\d ms\t\n$/);
      expect((await pool.invoke(spec, request({ n: 8 }))).cold).toBe(false);
    });

    it('returns the Node error body (errorType, errorMessage, trace)', async () => {
      const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'raises.handler', codeDir: node });
      const out = await pool.invoke(spec, request({ n: 7 }));
      const body = json(out.payload);
      expect(out.errorType).toBe('TypeError');
      expect(body.errorType).toBe('TypeError');
      expect(body.errorMessage).toBe('bad input: 7');
      expect(body.trace[0]).toBe('TypeError: bad input: 7');
      expect(out.logText).toMatch(new RegExp(`\\t${UUID}\\tERROR\\tInvoke Error \\{"errorType":"TypeError","errorMessage":"bad input: 7","stack":\\[`));
    });
  });

  describe('timeout', () => {
    it('kills the tree at the deadline and logs "Task timed out after N.NN seconds" with Status: timeout', async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'timeout.handler', codeDir: py, timeoutS: 1 });
      const req = request();
      const out = await pool.invoke(spec, req);
      const answer = json(out.payload);
      expect(out).toMatchObject({ status: 'timeout', functionError: 'Unhandled' });
      expect(answer.errorType).toBe('Sandbox.Timedout');
      expect(answer.errorMessage).toMatch(new RegExp(`^RequestId: ${req.requestId} Error: Task timed out after 1\\.0\\d seconds$`));
      const log = lines(spec.logGroupName);
      const end = log.indexOf(`END RequestId: ${req.requestId}\n`);
      expect(log[end - 1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${req.requestId} Task timed out after 1\\.0\\d seconds\\n$`));
      expect(log[end - 2]).toBe('sleeping\n');
      expect(log[end + 1]).toMatch(/\tInit Duration: [\d.]+ ms\tStatus: timeout\t\n$/);
      expect(out.durationMs).toBeGreaterThanOrEqual(1000);
      expect(pool.environmentCount(spec.functionName)).toBe(0);
    });
  });

  describe('crash', () => {
    for (const [runtime, dir] of [
      ['python3.11', () => py],
      ['nodejs20.x', () => node],
    ] as const) {
      it(`${runtime}: reports Runtime.ExitError with the exit status and discards the environment`, async () => {
        const spec = makeSpec({ runtime, handler: 'crash.handler', codeDir: dir() });
        const req = request();
        const out = await pool.invoke(spec, req);
        const expected = `RequestId: ${req.requestId} Error: Runtime exited with error: exit status 3`;
        expect(out).toMatchObject({ status: 'error', errorType: 'Runtime.ExitError', functionError: 'Unhandled' });
        expect(json(out.payload)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: expected });
        expect(out.logText).toContain(`${expected}\nEND RequestId: ${req.requestId}\n`);
        expect(out.logText).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError\t\n$/);
        expect(out.maxMemoryMB).toBeGreaterThan(0);
        expect((await pool.invoke(spec, request())).cold).toBe(true);
      });
    }
  });

  describe('out of memory', () => {
    for (const [runtime, dir] of [
      ['python3.11', () => py],
      ['nodejs20.x', () => node],
    ] as const) {
      it(`${runtime}: reports Runtime.OutOfMemory with Max Memory Used = Memory Size`, async () => {
        const spec = makeSpec({ runtime, handler: 'oom.handler', codeDir: dir(), memoryMB: 256, timeoutS: 30 });
        const req = request();
        const out = await pool.invoke(spec, req);
        expect(out).toMatchObject({ status: 'error', errorType: 'Runtime.OutOfMemory', maxMemoryMB: 256 });
        expect(json(out.payload)).toEqual({
          errorType: 'Runtime.OutOfMemory',
          errorMessage: `RequestId: ${req.requestId} Error: Runtime exited with error: signal: killed`,
        });
        expect(out.logText).toMatch(/\tMemory Size: 256 MB\tMax Memory Used: 256 MB\tInit Duration: [\d.]+ ms\tStatus: error\tError Type: Runtime\.OutOfMemory\t\n$/);
        expect(pool.environmentCount(spec.functionName)).toBe(0);
      });
    }
  });

  describe('init failures', () => {
    const cases = [
      ['python3.11', 'unpackaged.handler', 'Runtime.ImportModuleError', "Unable to import module 'unpackaged': No module named 'click'"],
      ['python3.11', 'syntax_error.handler', 'Runtime.UserCodeSyntaxError', "Syntax error in module 'syntax_error': expected ':' (syntax_error.py, line 1)"],
      ['python3.11', 'no_such_module.handler', 'Runtime.ImportModuleError', "Unable to import module 'no_such_module': No module named 'no_such_module'"],
      ['nodejs20.x', 'unpackaged.handler', 'Runtime.ImportModuleError', "Error: Cannot find module 'yaml'"],
      ['nodejs20.x', 'syntax_error.handler', 'Runtime.UserCodeSyntaxError', "SyntaxError: Unexpected token '}'"],
      ['nodejs20.x', 'missing_handler.handler', 'Runtime.HandlerNotFound', 'missing_handler.handler is undefined or not exported'],
    ] as const;
    for (const [runtime, handler, errorType, message] of cases) {
      it(`${runtime} ${handler}: INIT_REPORT phase init, retried as phase invoke, then ${errorType}`, async () => {
        const spec = makeSpec({ runtime, handler, codeDir: runtime === 'python3.11' ? py : node });
        const req = request();
        const out = await pool.invoke(spec, req);
        expect(out).toMatchObject({ status: 'error', errorType, functionError: 'Unhandled', cold: true, initMs: null });
        expect(json(out.payload).errorType).toBe(errorType);
        expect(json(out.payload).errorMessage.startsWith(message)).toBe(true);
        const log = lines(spec.logGroupName);
        const reports = log.filter((l) => l.startsWith('INIT_REPORT'));
        expect(reports).toEqual([
          expect.stringMatching(new RegExp(`^INIT_REPORT Init Duration: \\d+\\.\\d\\d ms\\tPhase: init\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}\\n$`)),
          expect.stringMatching(new RegExp(`^INIT_REPORT Init Duration: \\d+\\.\\d\\d ms\\tPhase: invoke\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}\\n$`)),
        ]);
        expect(log.indexOf(reports[1])).toBeLessThan(log.indexOf(`START RequestId: ${req.requestId} Version: $LATEST\n`));
        expect(log.at(-1)).toMatch(
          new RegExp(
            `^REPORT RequestId: ${req.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}\\t\\n$`,
          ),
        );
        expect(pool.environmentCount(spec.functionName)).toBe(0);
      });
    }

    it('python missing handler: fails each invoke with Runtime.HandlerNotFound and keeps the environment, as the official runtime does', async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'missing_handler.handler', codeDir: py });
      const first = await pool.invoke(spec, request());
      const second = await pool.invoke(spec, request());
      expect(json(first.payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: "Handler 'handler' missing on module 'missing_handler'" });
      expect([first.cold, second.cold]).toEqual([true, false]);
      expect(second.errorType).toBe('Runtime.HandlerNotFound');
    });

    it('a process that exits during init gives Runtime.ExitError with its output in the log', async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'init_crash.handler', codeDir: py });
      const req = request();
      const out = await pool.invoke(spec, req);
      expect(out.errorType).toBe('Runtime.ExitError');
      expect(json(out.payload).errorMessage).toBe(`RequestId: ${req.requestId} Error: Runtime exited with error: exit status 2`);
      const log = lines(spec.logGroupName);
      expect(log.filter((l) => l === 'dying during init\n')).toHaveLength(2);
      expect(log.filter((l) => l.startsWith('INIT_REPORT')).map((l) => l.split('\t').slice(1).join('\t'))).toEqual([
        'Phase: init\tStatus: error\tError Type: Runtime.ExitError\n',
        'Phase: invoke\tStatus: error\tError Type: Runtime.ExitError\n',
      ]);
    });

    it('an init past the init limit logs Status: timeout, and the retry is bounded by the function timeout', async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'slow_import.handler', codeDir: py, timeoutS: 1 });
      const req = request();
      const out = await pool.invoke(spec, req);
      expect(out.status).toBe('timeout');
      const log = lines(spec.logGroupName);
      expect(log.filter((l) => l.startsWith('INIT_REPORT')).map((l) => l.split('\t').slice(1).join('\t'))).toEqual([
        'Phase: init\tStatus: timeout\n',
        'Phase: invoke\tStatus: timeout\n',
      ]);
      expect(log.at(-1)).toMatch(/\tMax Memory Used: \d+ MB\tStatus: timeout\t\n$/);
      expect(json(out.payload).errorMessage).toMatch(new RegExp(`${req.requestId} Task timed out after 1\\.\\d\\d seconds$`));
    });

    it('a provided.al2023 package without a bootstrap fails with Runtime.InvalidEntrypoint', async () => {
      const spec = makeSpec({ runtime: 'provided.al2023', handler: 'x', codeDir: py });
      const out = await pool.invoke(spec, request());
      expect(out.errorType).toBe('Runtime.InvalidEntrypoint');
      expect(json(out.payload).errorMessage).toMatch(/^Couldn't find valid bootstrap\(s\): \[/);
    });

    it('an unknown runtime fails with Runtime.InvalidRuntime naming it', async () => {
      const spec = makeSpec({ runtime: 'java21', handler: 'x', codeDir: py });
      const out = await pool.invoke(spec, request());
      expect(json(out.payload)).toEqual({ errorType: 'Runtime.InvalidRuntime', errorMessage: 'The runtime java21 is not supported by the local emulator' });
    });
  });
});

describe('Suppressed init (the init limit passed, the retry in the invoke phase succeeds)', () => {
  it('answers the invoke, counts the retried init in Duration and reports no Init Duration', async () => {
    // 100 ms init limit against a module that sleeps 300 ms at import.
    await withPool({ initTimeoutMs: 100 }, async (pool, sink, root) => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'sleep_import.handler', codeDir: stageFixture('python', root.dir) });
      const req = request();
      const out = await pool.invoke(spec, req);
      expect(out).toMatchObject({ status: 'success', cold: true, initMs: null });
      expect(json(out.payload)).toEqual({ slept: 0.3 });
      expect(out.durationMs).toBeGreaterThanOrEqual(300);
      const log = sink.messages(spec.logGroupName);
      expect(log.filter((l) => l.startsWith('INIT_REPORT'))).toEqual([expect.stringMatching(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout\n$/)]);
      expect(log.at(-1)).toMatch(
        new RegExp(`^REPORT RequestId: ${req.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB\\t\\n$`),
      );
      expect((await pool.invoke(spec, request())).cold).toBe(false);
    });
  });
});
