import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchEnv, readRun } from '../bench/helpers.ts';
import { runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-failures-'));
const env = benchEnv(join(work, 'cache'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TIMED_OUT = /^RequestId: \S+ Error: Task timed out after 1\.\d\d seconds$/;

describe('coldbench bench › failed invocations (real handlers on the embedded emulator)', () => {
  it('records each failure with its status, errorType and errorMessage, names the failing variants and exits 1', async () => {
    const out = join(work, 'failures');
    const run = await runCli(['bench', 'fixtures/suites/e2e-failures.yaml', '--out', out, '--quiet'], { env });
    expect(run.code).toBe(1);
    const { info, samples } = readRun(out);
    expect(info.status).toBe('completed');
    const of = (variant: string) => samples.filter((s) => s.variant === variant).map((s) => [s.phase, s.status, s.errorType, s.errorMessage]);
    /** What `of` gives for a variant whose two cold samples both failed with `errorType` and `message`. */
    const bothColdFailed = (errorType: string, message: string) => Array.from({ length: 2 }, () => ['cold', 'error', errorType, message]);

    // A handler exception: the text REPORT has no Status; X-Amz-Function-Error and the payload say error.
    expect(of('pyraise@128')).toEqual(bothColdFailed('ValueError', 'boom from the handler'));
    expect(of('noderaise@128')).toEqual(bothColdFailed('TypeError', "Cannot read properties of undefined (reading 'body')"));
    // The callback style's handled error (callback(err) instead of a throw) fails the same way.
    expect(of('nodecallback@128')).toEqual(bothColdFailed('Error', 'bad request body: Unexpected end of JSON input'));
    expect(of('pyimport@128')).toEqual(bothColdFailed('Runtime.ImportModuleError', "Unable to import module 'app': No module named 'coldbench_module_that_is_not_packaged'"));
    // The init failed, and Lambda re-ran it inside the invoke (INIT_REPORT phase invoke): a cold start.
    expect(samples.filter((s) => s.variant === 'pyimport@128').map((s) => [s.kind, s.coldBy, s.initPhase, typeof s.initMs])).toEqual([
      ['cold', 'init-duration', 'invoke', 'number'],
      ['cold', 'init-duration', 'invoke', 'number'],
    ]);
    const slow = samples.filter((s) => s.variant === 'slow@128');
    expect(slow.map((s) => [s.status, s.errorType])).toEqual([
      ['timeout', 'Sandbox.Timedout'],
      ['timeout', 'Sandbox.Timedout'],
    ]);
    for (const s of slow) expect(s.errorMessage).toMatch(TIMED_OUT);
    const hello = samples.filter((s) => s.variant === 'hello@128');
    expect(hello.map((s) => [s.phase, s.status, s.errorType, 'errorMessage' in s])).toEqual([
      ['cold', 'success', null, false],
      ['cold', 'success', null, false],
      ['warm', 'success', null, false],
    ]);
    // Failed invocations are still measured (and billed): their REPORT numbers are kept.
    for (const s of samples.filter((x) => x.variant === 'pyraise@128')) expect(s.billedMs).toBeGreaterThan(0);

    const stderr = run.stderr.split('\n');
    const hint = '  every invocation failed: check the sample event it is invoked with (`event:` / `events:` of the function in the suite), and the handler';
    expect(stderr).toContain('pyraise@128: 2 of 2 invocations failed: ValueError: boom from the handler');
    expect(stderr).toContain("noderaise@128: 2 of 2 invocations failed: TypeError: Cannot read properties of undefined (reading 'body')");
    expect(stderr).toContain(
      "pyimport@128: 2 of 2 invocations failed: Runtime.ImportModuleError: Unable to import module 'app': No module named 'coldbench_module_that_is_not_packaged'",
    );
    expect(stderr.find((l) => l.startsWith('slow@128:'))).toMatch(/^slow@128: 2 of 2 invocations failed: Sandbox\.Timedout: Task timed out after 1\.\d\d seconds$/);
    expect(stderr).toContain('nodecallback@128: 2 of 2 invocations failed: Error: bad request body: Unexpected end of JSON input');
    expect(stderr.filter((l) => l === hint)).toHaveLength(5);
    expect(stderr.some((l) => l.startsWith('hello@128'))).toBe(false);
    expect(info.variantResults?.['hello@128']?.state).toBe('measured');
    for (const name of ['pyraise@128', 'noderaise@128', 'nodecallback@128', 'pyimport@128', 'slow@128']) expect(info.variantResults?.[name]?.state).toBe('failed');

    // The table counts them as failed and still prices them: AWS bills failed invocations.
    expect(run.stdout).toMatch(/pyraise@128\s+cold\s+0\s.*\s2\n/);
    expect(run.stdout).toMatch(/\n\s*pyraise@128\s+x86_64\s+128\s+0\.\d{5}\s/);
  });
});

describe('coldbench profile › a handler that fails', () => {
  it('exits 1 quoting the error instead of reporting durations of failed invokes', async () => {
    const run = await runCli(['profile', 'fixtures/functions/edge/py-raise', '--handler', 'app.handler', '--warm', '2'], { env });
    // The first cold start failed, so the warm invokes were skipped: no duration of a failed invoke is reported.
    expect(run.stderr).toMatch(
      /\nError: py-raise@1024: the handler failed on every invoke \(1 of 1\) on http:\/\/127\.0\.0\.1:\d+: ValueError: boom from the handler; fix the handler \(or the event it gets\) before profiling it\n$/,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
  });
});

describe('coldbench profile › a handler that fails only warm', () => {
  it('exits 1 naming how many invokes failed, and reports no warm duration', async () => {
    const run = await runCli(['profile', 'fixtures/functions/edge/py-fails-warm', '--handler', 'app.handler', '--warm', '2'], { env });
    expect(run.stderr).toContain(
      'Error: py-fails-warm@1024: the handler failed on 2 of 3 invokes: RuntimeError: warm invokes fail: state left over from the first call; fix the handler (or the event it gets) before profiling it\n',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
  });
});
