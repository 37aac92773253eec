import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { LOCAL_CREDENTIALS } from '../../../src/emulator/environments/launch.ts';
import { FIXTURES, json, makeSpec, request, stageFixture, usePool, writeTree } from './helpers.ts';

describe('Execution environment contents', () => {
  let pool: LocalEnvironmentPool;
  let py: string;
  let node: string;
  const { sink, root } = usePool({ endpointUrl: 'http://127.0.0.1:4566' }, (p) => {
    pool = p;
    py = stageFixture('python', root.dir);
    node = stageFixture('node', root.dir);
  });

  describe('Python', () => {
    it('builds sys.path as Lambda does: task root, layer site-packages, layer python/, then the standard library only', async () => {
      const layers = [join(FIXTURES, 'layers', 'py-first'), join(FIXTURES, 'layers', 'py-second')];
      const spec = makeSpec({ runtime: 'python3.11', handler: 'paths.handler', codeDir: py, layerDirs: layers });
      const { sys_path: path, layered } = json((await pool.invoke(spec, request())).payload);
      expect(path.slice(0, 5)).toEqual([
        py,
        join(layers[1], 'python/lib/python3.11/site-packages'),
        join(layers[0], 'python/lib/python3.11/site-packages'),
        join(layers[1], 'python'),
        join(layers[0], 'python'),
      ]);
      // The later layer wins, as when layers are extracted over each other into /opt.
      expect(layered).toBe('py-second site-packages');
      expect(path.some((p: string) => p.includes('site-packages') && !p.startsWith(FIXTURES))).toBe(false);
    });

    it("cannot import the host's site-packages (click is installed on the host)", async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'unpackaged.handler', codeDir: py });
      const out = await pool.invoke(spec, request());
      expect(json(out.payload).errorMessage).toBe("Unable to import module 'unpackaged': No module named 'click'");
    });

    it("gives the handler Lambda's context object and environment variables", async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'context_info.handler', codeDir: py, memoryMB: 256, environment: { MY_VAR: 'mine', AWS_REGION: 'overridden?' } });
      const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64');
      const req = request({ a: 1 }, clientContext);
      const c = json((await pool.invoke(spec, req)).payload);
      const stream = sink.streamNames(spec.logGroupName)[0];
      expect(c).toMatchObject({
        function_name: spec.functionName,
        function_version: '$LATEST',
        invoked_function_arn: spec.functionArn,
        memory_limit_in_mb: '256',
        aws_request_id: req.requestId,
        log_group_name: spec.logGroupName,
        log_stream_name: stream,
        client_context: { custom: { k: 'v' } },
        event: { a: 1 },
      });
      expect(c.remaining_before).toBeGreaterThan(2900);
      expect(c.remaining_before).toBeLessThanOrEqual(3000);
      expect(c.remaining_after).toBeLessThan(c.remaining_before);
      expect(c.trace_id).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      expect(c.env).toEqual({
        _HANDLER: 'context_info.handler',
        AWS_REGION: 'us-east-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_python3.11',
        AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
        AWS_LAMBDA_LOG_STREAM_NAME: stream,
        AWS_LAMBDA_RUNTIME_API: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        LAMBDA_TASK_ROOT: py,
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
        MY_VAR: 'mine',
      });
    });

    it('runs a handler in a sub-folder (dir/module.function)', async () => {
      const spec = makeSpec({ runtime: 'python3.11', handler: 'nested/deep.handler', codeDir: py });
      expect(json((await pool.invoke(spec, request())).payload)).toBe('deep');
    });
  });

  describe('Node', () => {
    it('resolves layer modules through NODE_PATH (nodejs/node20/node_modules before nodejs/node_modules)', async () => {
      const first = writeTree(join(root.dir, 'node-first'), { 'nodejs/node_modules/layered/index.js': 'module.exports = "first nodejs/node_modules";' });
      const second = writeTree(join(root.dir, 'node-second'), {
        'nodejs/node20/node_modules/layered/index.js': 'module.exports = "second nodejs/node20/node_modules";',
        'nodejs/node_modules/layered/index.js': 'module.exports = "second nodejs/node_modules";',
        'nodejs/node_modules/only_in_second/index.js': 'module.exports = "second only";',
      });
      const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'paths.handler', codeDir: node, layerDirs: [first, second] });
      expect(json((await pool.invoke(spec, request())).payload)).toEqual({ layered: 'second nodejs/node20/node_modules', only_in_second: 'second only' });
      const other = makeSpec({ runtime: 'nodejs20.x', handler: 'context_info.handler', codeDir: node, layerDirs: [first, second] });
      const ctx = json((await pool.invoke(other, request())).payload);
      expect(ctx.nodePath).toBe(
        [join(second, 'nodejs/node20/node_modules'), join(first, 'nodejs/node20/node_modules'), join(second, 'nodejs/node_modules'), join(first, 'nodejs/node_modules')].join(':'),
      );
    });

    it("cannot require the host's node_modules (yaml is in the checkout)", async () => {
      const spec = makeSpec({ runtime: 'nodejs20.x', handler: 'unpackaged.handler', codeDir: node });
      const out = await pool.invoke(spec, request());
      expect(json(out.payload).errorMessage).toMatch(/^Error: Cannot find module 'yaml'\nRequire stack:/);
    });

    it("gives the handler Lambda's context object", async () => {
      const spec = makeSpec({ runtime: 'nodejs22.x', handler: 'context_info.handler', codeDir: node, memoryMB: 1024 });
      const req = request({ b: 2 });
      const c = json((await pool.invoke(spec, req)).payload);
      expect(c).toMatchObject({
        functionName: spec.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: spec.functionArn,
        memoryLimitInMB: '1024',
        awsRequestId: req.requestId,
        logGroupName: spec.logGroupName,
        logStreamName: sink.streamNames(spec.logGroupName)[0],
        event: { b: 2 },
      });
      expect(c.remainingAfter).toBeLessThan(c.remainingBefore);
    });

    it("starts node with the flags of Lambda's bootstrap: --expose-gc, a tenth of the memory for the young generation, the rest for the old", async () => {
      const code = writeTree(join(root.dir, 'node-flags'), {
        'flags.js': 'exports.handler = async () => ({ gc: typeof gc, execArgv: process.execArgv });',
      });
      const flagsAt = async (memoryMB: number) =>
        json((await pool.invoke(makeSpec({ runtime: 'nodejs20.x', handler: 'flags.handler', codeDir: code, memoryMB }), request())).payload);
      expect(await flagsAt(128)).toEqual({
        gc: 'function',
        execArgv: ['--expose-gc', '--max-http-header-size=81920', '--max-semi-space-size=6', '--max-old-space-size=116'],
      });
      expect((await flagsAt(1024)).execArgv).toEqual(['--expose-gc', '--max-http-header-size=81920', '--max-semi-space-size=51', '--max-old-space-size=922']);
    });

    it('runs ES module (.mjs), callback-style and sub-folder handlers', async () => {
      const base = { runtime: 'nodejs20.x', codeDir: node };
      expect(json((await pool.invoke(makeSpec({ ...base, handler: 'esm.handler' }), request({ x: 1 }))).payload)).toEqual({ esm: true, event: { x: 1 } });
      expect(json((await pool.invoke(makeSpec({ ...base, handler: 'callback.handler' }), request({ n: 5 }))).payload)).toEqual({ callback: true, n: 5 });
      expect(json((await pool.invoke(makeSpec({ ...base, handler: 'nested/deep.handler' }), request())).payload)).toBe('deep');
    });
  });

  describe('provided.al2023', () => {
    it("runs the package's own bootstrap against the Runtime API", async () => {
      const dir = stageFixture('provided', root.dir);
      const spec = makeSpec({ runtime: 'provided.al2023', handler: 'my.handler', codeDir: dir });
      const req = request({ p: 1 });
      const out = await pool.invoke(spec, req);
      expect(json(out.payload)).toEqual({ provided: true, handler: 'my.handler', event: { p: 1 } });
      expect(out.logText).toContain(`custom runtime got ${req.requestId}\n`);
      expect(sink.messages(spec.logGroupName)[0]).toMatch(/^INIT_START Runtime Version: provided:al2023\.v1\t/);
      expect((await pool.invoke(spec, request())).cold).toBe(false);
    });
  });

  describe('runtimeMapping', () => {
    it('maps every python3.x and nodejs18.x–24.x to a local interpreter: python3.X when it runs, else python3', () => {
      expect(pool.runtimeMapping['python3.13']).toMatch(/^python3(\.13)? 3\.\d+\.\d+ \(\/.+\)$/);
      expect(pool.runtimeMapping['python3.13']).toBe(
        `${pool.runtimeInterpreters['python3.13'].command} ${pool.runtimeInterpreters['python3.13'].version} (${pool.runtimeInterpreters['python3.13'].path})`,
      );
      expect(pool.runtimeMapping['nodejs24.x']).toBe(`node ${process.version} (${process.execPath})`);
      expect(pool.runtimeMapping['provided.al2023']).toBe("the package's own bootstrap (or a layer's)");
    });
  });
});
