import { spawnSync } from 'node:child_process';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogResult, fetchLogLines, samplesFromLines } from '../../src/probe/index.ts';
import { createActive, type Harness, startHarness, stopHarness, zipOf } from '../emulator/api/helpers.ts';

const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;
const FUNCTION = 'probe-fetch';
/** Generous: the emulator's Python environments start on a shared, busy machine. */
const DEADLINE_MS = 30_000;

let h: Harness | undefined;

beforeAll(async () => {
  if (!HAS_PYTHON) return;
  h = await startHarness();
  await createActive(h, FUNCTION, {
    MemorySize: 256,
    Code: { ZipFile: zipOf({ 'app.py': 'print("module loaded")\n\ndef handler(event, context):\n    print("handling", event)\n    return {"ok": True}\n' }) },
  });
});
afterAll(() => stopHarness(h));

describe.skipIf(!HAS_PYTHON)('probe against the emulator’s real Lambda and CloudWatch Logs APIs (python3 needed)', () => {
  it('reads a cold then a warm invoke from LogResult and from FilterLogEvents, by request id', async () => {
    const harness = h as Harness;
    const startTime = Date.now() - 1000;
    const ids: string[] = [];
    const tails: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const out = await harness.lambda.send(new InvokeCommand({ FunctionName: FUNCTION, LogType: 'Tail', Payload: Buffer.from(JSON.stringify({ i })) }));
      ids.push(out.$metadata.requestId as string);
      tails.push(decodeLogResult(out.LogResult ?? ''));
    }
    const [coldTail] = samplesFromLines(tails[0], { variant: 'emu' });
    expect(coldTail).toMatchObject({ variant: 'emu', kind: 'cold', coldBy: 'init-duration', requestId: ids[0], memoryMB: 256, status: 'success' });
    expect(coldTail.initMs).toBeGreaterThan(0);

    const lines = await fetchLogLines(harness.logs, {
      logGroupName: `/aws/lambda/${FUNCTION}`,
      requestIds: ids,
      startTime,
      deadline: Date.now() + DEADLINE_MS,
      pollIntervalMs: 200,
    });
    const [cold] = samplesFromLines(lines.get(ids[0]) ?? [], { variant: 'emu' });
    const [warm] = samplesFromLines(lines.get(ids[1]) ?? [], { variant: 'emu' });
    expect(cold).toEqual(coldTail);
    expect(lines.get(ids[0])?.[0]).toMatch(/^INIT_START /);
    expect(warm).toMatchObject({ kind: 'warm', coldBy: 'none', initMs: null, requestId: ids[1], memoryMB: 256, status: 'success' });
  });
});
