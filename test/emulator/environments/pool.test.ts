import { describe, expect, it } from 'vitest';
import type { LocalEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { json, makeSpec, request, stageFixture, usePool } from './helpers.ts';

const REPORT_COLD =
  /^REPORT RequestId: ([0-9a-f-]{36})\tDuration: \d+\.\d\d ms\tBilled Duration: (\d+) ms\tMemory Size: 512 MB\tMax Memory Used: (\d+) MB\tInit Duration: (\d+\.\d\d) ms\t\n$/;
const REPORT_WARM = /^REPORT RequestId: ([0-9a-f-]{36})\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: 512 MB\tMax Memory Used: (\d+) MB\t\n$/;

describe('EnvironmentPool', () => {
  let pool: LocalEnvironmentPool;
  let pyDir: string;
  let nodeDir: string;
  const { sink, root } = usePool({}, (p) => {
    pool = p;
    pyDir = stageFixture('python', root.dir);
    nodeDir = stageFixture('node', root.dir);
  });

  for (const [runtime, label] of [
    ['python3.11', 'Python'],
    ['nodejs20.x', 'Node'],
  ] as const) {
    describe(`${label} no-op handler`, () => {
      it('starts cold with Init Duration, then answers warm from the same environment', async () => {
        const spec = makeSpec({ runtime, handler: 'noop.handler', codeDir: runtime === 'python3.11' ? pyDir : nodeDir });
        const first = await pool.invoke(spec, request());
        const second = await pool.invoke(spec, request());

        expect(first.status).toBe('success');
        expect(json(first.payload)).toEqual({ ok: true });
        expect(first.cold).toBe(true);
        expect(first.initMs).toBeGreaterThan(0);
        expect(first.billedMs).toBe(Math.ceil(Math.round((first.durationMs + first.initMs!) * 1000) / 1000));
        expect(second.cold).toBe(false);
        expect(second.initMs).toBeNull();
        expect(json(second.payload)).toEqual({ ok: true });
        expect(pool.environmentCount(spec.functionName)).toBe(1);

        const streams = sink.streamNames(spec.logGroupName);
        expect(streams).toHaveLength(1);
        expect(streams[0]).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
        const lines = sink.messages(spec.logGroupName);
        expect(lines[0]).toMatch(/^INIT_START Runtime Version: (python:3\.11|nodejs:20)\.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$/);
        expect(lines.slice(1)).toEqual([
          `START RequestId: ${lines[1].slice(17, 53)} Version: $LATEST\n`,
          `END RequestId: ${lines[1].slice(17, 53)}\n`,
          expect.stringMatching(REPORT_COLD),
          `START RequestId: ${lines[4].slice(17, 53)} Version: $LATEST\n`,
          `END RequestId: ${lines[4].slice(17, 53)}\n`,
          expect.stringMatching(REPORT_WARM),
        ]);
        expect(first.logText).toBe(lines.slice(1, 4).join(''));
        const [, , billed, maxMem, init] = REPORT_COLD.exec(lines[3])!;
        expect(Number(billed)).toBe(first.billedMs);
        expect(Number(maxMem)).toBe(first.maxMemoryMB);
        expect(Number(maxMem)).toBeGreaterThan(5);
        expect(init).toBe(first.initMs!.toFixed(2));
      });
    });
  }
});
