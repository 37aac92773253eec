import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LOCAL_RUNTIMES } from '../../../src/vocabulary.ts';
import { createActive, harnessPerFile, raw, withHarness, zipOf } from './helpers.ts';

const h = harnessPerFile({}, (started) => createActive(started, 'robust'));

const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

async function statusOk(): Promise<boolean> {
  return (await raw(h, '/_coldbench/status')).status === 200;
}

describe('bad input over raw HTTP', () => {
  it('answers a malformed CreateFunction body with 400 InvalidRequestContentException', async () => {
    const res = await raw(h, '/2015-03-31/functions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"FunctionName": "x",' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(res.json().Type).toBe('User');
    expect(res.json().message).toMatch(/^Could not parse request body into json: /);
  });

  it('answers a JSON array body with 400 InvalidRequestContentException', async () => {
    const res = await raw(h, '/2015-03-31/functions', { method: 'POST', body: '[1,2]' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ Type: 'User', message: 'The request body must be a JSON object.' });
  });

  it.each([
    ['%E0%A4%A', 400, 'InvalidParameterValueException'],
    ['..%2F..%2Fetc%2Fpasswd', 400, 'ValidationException'],
    ['a'.repeat(200), 400, 'ValidationException'],
    ['name%00with-nul', 400, 'ValidationException'],
  ])('answers the function name %s with %i %s', async (name, status, type) => {
    const res = await raw(h, `/2015-03-31/functions/${name}/configuration`);
    expect(res.status).toBe(status);
    expect(res.headers.get('x-amzn-errortype')).toBe(type);
  });

  it('answers a control-plane body above 70 MB with 413 and keeps serving', async () => {
    const res = await raw(h, '/2015-03-31/functions', { method: 'POST', body: new Uint8Array(71 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(await statusOk()).toBe(true);
  });

  it('answers a malformed percent-encoding in an Invoke path with 400, not 500', async () => {
    const res = await raw(h, '/2015-03-31/functions/%E0%A4%A/invocations', { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
  });

  it('answers a wrong method on a known path with 405', async () => {
    const res = await raw(h, '/2015-03-31/functions/robust/code', { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('answers an Invoke with an unknown X-Amz-Invocation-Type with 400', async () => {
    const res = await raw(h, '/2015-03-31/functions/robust/invocations', { method: 'POST', headers: { 'x-amz-invocation-type': 'Sometimes' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.json().message).toBe('X-Amz-Invocation-Type: Sometimes is not one of RequestResponse, Event, DryRun.');
  });

  it('answers bytes that are not HTTP with 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      let got = '';
      const socket = connect(h.emulator.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      socket.setEncoding('utf8').on('data', (d: string) => (got += d));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
    });
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(await statusOk()).toBe(true);
  });

  it('keeps serving after a client hangs up in the middle of an Invoke body', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(h.emulator.port, '127.0.0.1', () => {
        socket.write('POST /2015-03-31/functions/robust/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"partial":');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    expect(await statusOk()).toBe(true);
  });
});

describe('STS GetCallerIdentity', () => {
  it('answers the JS SDK with the emulator account', async () => {
    const sts = new STSClient({ endpoint: h.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    expect(me).toMatchObject({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/coldbench-emulator', UserId: 'AIDACOLDBENCHEMULATOR' });
  });

  it('answers an unknown Action with the query protocol ErrorResponse', async () => {
    const res = await raw(h, '/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=AssumeRole&Version=2011-06-15' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(res.text).toContain('<Code>InvalidAction</Code>');
  });
});

describe.skipIf(!hasBoto3)('another official SDK (boto3) against the same responses', () => {
  it("raises botocore's typed exceptions and reads STS, Lambda and Logs", async () => {
    const script = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='a', aws_secret_access_key='b')
out = {}
out['account'] = boto3.client('sts', **kw).get_caller_identity()['Account']
lam = boto3.client('lambda', **kw)
try:
    lam.get_function(FunctionName='missing-for-boto3')
except lam.exceptions.ResourceNotFoundException as e:
    out['lambda'] = e.response['Error']['Code']
out['runtime'] = lam.get_function_configuration(FunctionName='robust')['Runtime']
logs = boto3.client('logs', **kw)
try:
    logs.filter_log_events(logGroupName='/missing')
except logs.exceptions.ResourceNotFoundException as e:
    out['logs'] = e.response['Error']['Code']
print(json.dumps(out))
`;
    // Asynchronous on purpose: the emulator serves boto3 from this same event loop.
    const run = await promisify(execFile)('python3', ['-c', script, h.emulator.url], {
      encoding: 'utf8',
      env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ account: '123456789012', lambda: 'ResourceNotFoundException', runtime: 'python3.11', logs: 'ResourceNotFoundException' });
  });
});

describe('GetFunction over raw HTTP', () => {
  it('adds a Coldbench field with the CPU mode and the local interpreter behind the runtime', async () => {
    const body = (await raw(h, '/2015-03-31/functions/robust')).json();
    const status = (await raw(h, '/_coldbench/status')).json();
    expect(body.Coldbench).toEqual({
      CpuThrottled: status.cpuMode.throttled,
      CpuReason: status.cpuMode.reason,
      LocalRuntime: status.runtimeMapping['python3.11'],
      SdkAvailable: false,
    });
  });
});

describe('GET /_coldbench/status', () => {
  it('reports CPU mode, runtime mapping, SDK availability and environment counts', async () => {
    const status = (await raw(h, '/_coldbench/status')).json();
    expect(typeof status.cpuMode.throttled).toBe('boolean');
    expect(status.cpuMode.reason.length).toBeGreaterThan(0);
    expect(Object.keys(status.runtimeMapping)).toContain('python3.11');
    expect(status.sdkAvailable).toBeTypeOf('object');
    expect(status.environments).toBe(0);
    expect(status.functions.robust).toEqual({ environments: 0, inFlight: 0 });
    await raw(h, '/2015-03-31/functions/robust/configuration');
    const later = (await raw(h, '/_coldbench/status')).json();
    expect(later.requests.byOperation['lambda:GetFunctionConfiguration']).toBe((status.requests.byOperation['lambda:GetFunctionConfiguration'] ?? 0) + 1);
  });

  it('records the interpreter behind each runtime and whether it is exact; the function log stays START / END / REPORT', async () => {
    // A PATH with this machine's python as python3, and a pyenv-style shim for another python3.X that exits 127.
    const [version, executable] = execFileSync('python3', ['-c', "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)"], { encoding: 'utf8' })
      .trim()
      .split('\n');
    const minor = Number(version.split('.')[1]);
    const other = minor === 12 ? 13 : 12;
    const dir = mkdtempSync(join(tmpdir(), 'coldbench-status-path-'));
    try {
      symlinkSync(executable, join(dir, 'python3'));
      writeFileSync(join(dir, `python3.${other}`), `#!/bin/sh\necho 'pyenv: python3.${other}: command not found' >&2\nexit 127\n`);
      chmodSync(join(dir, `python3.${other}`), 0o755);
      const poolTuning = { skipSdkBuild: true, nodeBinaries: [], interpreterEnv: { PATH: dir, COLDBENCH_CACHE_DIR: join(dir, 'cache') } };
      await withHarness({ poolTuning }, async (p) => {
        const status = (await raw(p, '/_coldbench/status')).json();
        const python3 = join(dir, 'python3');
        expect(status.interpreters[`python3.${minor}`]).toEqual({ command: 'python3', path: python3, version, exact: true });
        expect(status.interpreters[`python3.${other}`]).toEqual({ command: 'python3', path: python3, version, exact: false });
        expect(status.interpreters['nodejs18.x']).toEqual({
          command: 'node',
          path: process.execPath,
          version: process.version.slice(1),
          exact: process.version.startsWith('v18.'),
        });
        expect(status.interpreters['provided.al2023']).toEqual({ command: null, path: null, version: null, exact: true });
        expect(Object.keys(status.interpreters)).toEqual(LOCAL_RUNTIMES);
        expect(status.runtimeMapping[`python3.${other}`]).toBe(`python3 ${version} (${python3})`);

        // The function runs on the closest interpreter, and its own log says nothing about it.
        await createActive(p, 'other-python', {
          Runtime: `python3.${other}`,
          Code: { ZipFile: zipOf({ 'app.py': "import sys\ndef handler(event, context):\n    return '%d.%d' % sys.version_info[:2]\n" }) },
        });
        const res = await p.lambda.send(new InvokeCommand({ FunctionName: 'other-python', Payload: '{}', LogType: 'Tail' }));
        expect(new TextDecoder().decode(res.Payload)).toBe(JSON.stringify(version.split('.').slice(0, 2).join('.')));
        const lines = Buffer.from(res.LogResult!, 'base64').toString('utf8').trim().split('\n');
        expect(lines.map((l) => l.split(' ')[0])).toEqual(['START', 'END', 'REPORT']);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
