import { describe, expect, it } from 'vitest';
import { ColdStartGate } from '../../../src/emulator/environments/cold-gate.ts';

describe('ColdStartGate', () => {
  it('admits as many cold starts as it has slots and queues the rest in arrival order', async () => {
    const gate = new ColdStartGate(2);
    const admitted: number[] = [];
    const all = [1, 2, 3, 4].map((n) => gate.acquire().then(() => admitted.push(n)));
    await Promise.resolve();
    expect(admitted).toEqual([1, 2]);
    expect(gate.queued).toBe(2);
    gate.release();
    await Promise.resolve();
    expect(admitted).toEqual([1, 2, 3]);
    gate.release();
    await Promise.all(all);
    expect(admitted).toEqual([1, 2, 3, 4]);
    expect(gate.queued).toBe(0);
  });

  it('frees a slot for a later cold start once every holder released', async () => {
    const gate = new ColdStartGate(1);
    await gate.acquire();
    gate.release();
    let admitted = false;
    void gate.acquire().then(() => (admitted = true));
    await Promise.resolve();
    expect(admitted).toBe(true);
  });

  it('lets everything through with Infinity slots', async () => {
    const gate = new ColdStartGate(Number.POSITIVE_INFINITY);
    await Promise.all(Array.from({ length: 50 }, () => gate.acquire()));
    expect(gate.queued).toBe(0);
  });
});

describe('EnvironmentPool cold-start slots', () => {
  it('starts a second concurrent cold start only after the first finished when it has one slot', async () => {
    const { createEnvironmentPool } = await import('../../../src/emulator/environments/index.ts');
    const { json, makeSpec, MemorySink, request, stageFixture, tempRoot } = await import('./helpers.ts');
    const sink = new MemorySink();
    const root = tempRoot();
    const pool = await createEnvironmentPool({ logSink: sink, endpointUrl: 'http://127.0.0.1:9', skipSdkBuild: true, coldStartSlots: 1 });
    try {
      expect(pool.coldStartSlots).toBe(1);
      const spec = makeSpec({ runtime: 'python3.11', handler: 'sleepy.handler', codeDir: stageFixture('python', root.dir) });
      const outcomes = await Promise.all([pool.invoke(spec, request({ ms: 200 })), pool.invoke(spec, request({ ms: 200 }))]);
      // Two environments, both cold: the slot delays the second spawn, it does not share an environment.
      expect(outcomes.map((o) => o.cold)).toEqual([true, true]);
      expect(new Set(outcomes.map((o) => json(o.payload).pid)).size).toBe(2);
      const streams = [...sink.streams.values()].map((events) => ({
        initStart: events.find((e) => e.message.startsWith('INIT_START'))!.timestamp,
        report: events.find((e) => e.message.startsWith('REPORT'))!.timestamp,
      }));
      streams.sort((a, b) => a.initStart - b.initStart);
      expect(streams[1].initStart).toBeGreaterThanOrEqual(streams[0].report);
    } finally {
      await pool.shutdown();
      root.remove();
    }
  });
});
