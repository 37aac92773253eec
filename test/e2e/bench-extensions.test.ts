import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchEnv, readRun } from '../bench/helpers.ts';
import { runCli } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'coldbench-e2e-ext-'));
const env = benchEnv(join(work, 'cache'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HELLO = resolve('fixtures/functions/edge/py-hello');
/** The fixture agent warms up this long before its first /next (fixtures/layers/agent/agent/config.json). */
const AGENT_WARMUP_MS = 150;

/** A one-function suite in the work folder, with the given extra keys for the function. */
function suite(name: string, extra: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\ndefaults: { runtime: python3.11, memory: [128], cold: 1, warm: 0, seed: 7 }\nfunctions:\n  hello:\n    code: ${HELLO}\n    handler: app.handler\n${extra}`,
  );
  return file;
}

describe('coldbench bench with the extensions axis', () => {
  it("runs my-fn@128 and my-fn@128-agent on the emulator, the agent's init work in the -agent variant's Init Duration and its memory in Max Memory Used", async () => {
    const out = join(work, 'axis');
    const run = await runCli(['bench', 'fixtures/suites/e2e-extensions.yaml', '--out', out, '--quiet'], { env });
    expect(run.stderr).toContain(`Results: ${out} (completed)`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/hello@128-agent\s+cold\s+2\s/);
    expect(run.stdout).toMatch(/hello@128\s+cold\s+2\s/);
    const { info, samples } = readRun(out);
    expect(info.plan?.order?.slice().sort()).toEqual(['hello@128', 'hello@128-agent']);
    expect(info.plan?.variants?.find((v) => v.name === 'hello@128-agent')).toMatchObject({
      extension: 'agent',
      layers: [{ kind: 'folder', path: resolve('fixtures/layers/agent'), name: 'agent' }],
    });
    expect(info.plan?.variants?.find((v) => v.name === 'hello@128')).not.toHaveProperty('layers');
    expect(samples).toHaveLength(6);
    for (const s of samples) expect(s.status).toBe('success');
    const cold = (variant: string) => samples.filter((s) => s.variant === variant && s.phase === 'cold');
    const bare = cold('hello@128');
    const agent = cold('hello@128-agent');
    expect(agent).toHaveLength(2);
    for (const s of agent) {
      expect(s.kind).toBe('cold');
      expect(s.initMs).toBeGreaterThanOrEqual(AGENT_WARMUP_MS);
    }
    expect(Math.min(...agent.map((s) => s.initMs ?? 0))).toBeGreaterThan(Math.min(...bare.map((s) => s.initMs ?? Infinity)));
    // The agent is a second Python process in the environment.
    expect(Math.min(...agent.map((s) => s.maxMemoryMB ?? 0))).toBeGreaterThanOrEqual(Math.max(...bare.map((s) => s.maxMemoryMB ?? 0)) + 5);
  });

  it('attaches `layers` folders to every variant: an exec wrapper from the layer (an internal extension) starts the runtime', async () => {
    const layer = join(work, 'wrapper-layer');
    mkdirSync(layer, { recursive: true });
    // Without the layer at /opt, AWS_LAMBDA_EXEC_WRAPPER names no file and every init fails with Runtime.InvalidEntrypoint.
    writeFileSync(join(layer, 'wrapper'), '#!/bin/sh\nexport MODE=wrapped\nexec "$@"\n', { mode: 0o755 });
    const out = join(work, 'layers');
    const run = await runCli(['bench', suite('e2e-layers', `    layers: [${layer}]\n    environment: { AWS_LAMBDA_EXEC_WRAPPER: /opt/wrapper }\n`), '--out', out, '--quiet'], {
      env,
    });
    expect(run.code).toBe(0);
    const { info, samples } = readRun(out);
    expect(samples.map((s) => `${s.variant}:${s.status}`)).toEqual(['hello@128:success']);
    expect(info.plan?.variants?.[0]).toMatchObject({ name: 'hello@128', layers: [{ kind: 'folder', path: layer, name: 'wrapper-layer' }] });
  });

  it('refuses a layer version ARN off AWS, naming the function, the layer and what to do, before anything runs', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:layer:datadog-agent:42';
    const file = suite('e2e-arn', `    extensions: [none, ${arn}]\n`);
    const run = await runCli(['bench', file, '--out', join(work, 'arn'), '--quiet'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}: functions.hello: the layer ${arn} is in an AWS account, which the local emulator cannot fetch (variant hello@128-datadog-agent). Use a local folder laid out as /opt instead (layers: [../layers/my-agent]), or run with --target aws.`,
    );
  });

  it('refuses an extensions entry whose folder has no executable in extensions/', async () => {
    const empty = join(work, 'not-an-extension');
    mkdirSync(join(empty, 'extensions'), { recursive: true });
    writeFileSync(join(empty, 'extensions', 'agent'), '#!/bin/sh\n');
    const file = suite('e2e-noexec', `    extensions: [none, ${empty}]\n`);
    const run = await runCli(['bench', file, '--out', join(work, 'noexec'), '--quiet'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}: functions.hello.extensions[1]: ${JSON.stringify(empty)} has no executable in extensions/ (${join(empty, 'extensions')}); an extension layer holds its executables there, as /opt/extensions; chmod +x them`,
    );
  });
});
