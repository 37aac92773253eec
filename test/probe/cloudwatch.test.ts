import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FILTER_PATTERN, fetchLogLines, LogFetchError, samplesFromLines } from '../../src/probe/index.ts';

const A = '3f1c2b7a-9d2e-4c1f-8a57-0e4b9c6d2f10';
const B = 'a8e0f3d4-1b2c-4d5e-9f60-7a8b9c0d1e2f';
const S1 = '2026/10/08/[$LATEST]11111111111111111111111111111111';
const S2 = '2026/10/08/[$LATEST]22222222222222222222222222222222';
const GROUP = '/aws/lambda/checkout';
const report = (id: string, init = '') => `REPORT RequestId: ${id}\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 57 MB\t${init}\n`;

let seq = 0;
const event = (stream: string, timestamp: number, message: string) => ({ logStreamName: stream, timestamp, message, ingestionTime: timestamp + 5, eventId: `e${seq++}` });

/** A fake clock that sleep advances, so polling and deadlines are exact and instant. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** fetchLogLines for these request ids of GROUP on a fake clock, giving up `withinMs` after it starts. */
function fetchWithin(clock: ReturnType<typeof fakeClock>, requestIds: string[], withinMs: number, pollIntervalMs?: number) {
  return fetchLogLines(new CloudWatchLogsClient({ region: 'us-east-1' }), {
    logGroupName: GROUP,
    requestIds,
    startTime: 0,
    deadline: clock.now() + withinMs,
    pollIntervalMs,
    ...clock,
  });
}

const logs = mockClient(CloudWatchLogsClient);
afterEach(() => logs.reset());

describe('fetchLogLines (mocked CloudWatch)', () => {
  it('follows nextToken through an empty page until it is absent, with the filter pattern', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(S1, 1, `START RequestId: ${A} Version: $LATEST\n`)], nextToken: 't1' })
      .resolvesOnce({ events: [], nextToken: 't2' })
      .resolvesOnce({ events: [event(S1, 2, `END RequestId: ${A}\n`), event(S1, 3, report(A))] });
    const clock = fakeClock();
    const lines = await fetchWithin(clock, [A], 10_000);
    expect(lines).toEqual(new Map([[A, [`START RequestId: ${A} Version: $LATEST`, `END RequestId: ${A}`, report(A).slice(0, -1)]]]));
    const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.nextToken)).toEqual([undefined, 't1', 't2']);
    expect(calls[0]).toMatchObject({ logGroupName: GROUP, startTime: 0, filterPattern: DEFAULT_FILTER_PATTERN });
    expect(clock.sleeps).toEqual([]);
  });

  it('polls again after the interval when a REPORT arrives late, and deduplicates events seen twice', async () => {
    const start = event(S1, 1, `START RequestId: ${A} Version: $LATEST\n`);
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [start] })
      .resolvesOnce({ events: [start, event(S1, 3, report(A))] });
    const clock = fakeClock();
    const lines = await fetchWithin(clock, [A], 10_000, 500);
    expect(lines.get(A)).toEqual([`START RequestId: ${A} Version: $LATEST`, report(A).slice(0, -1)]);
    expect(clock.sleeps).toEqual([500]);
  });

  it('returns what arrived when the deadline passes, an empty list for an id never seen', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [event(S1, 1, report(A))] });
    const clock = fakeClock();
    const lines = await fetchWithin(clock, [A, B], 2_500, 1_000);
    expect(lines).toEqual(
      new Map([
        [A, [report(A).slice(0, -1)]],
        [B, []],
      ]),
    );
    expect(clock.sleeps).toEqual([1_000, 1_000, 500]);
  });

  it('gives each request its own stream’s INIT_START and timeout line when streams interleave', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        event(S1, 1, 'INIT_START Runtime Version: python:3.13.v14\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n'),
        event(S2, 1, `START RequestId: ${B} Version: $LATEST\n`),
        event(S1, 2, `START RequestId: ${A} Version: $LATEST\n`),
        event(S2, 3, `2026-10-08T07:30:59.479Z ${B} Task timed out after 3.00 seconds\n`),
        event(S1, 4, report(A, 'Init Duration: 130.49 ms\t')),
        event(S2, 4, report(B)),
      ],
    });
    const clock = fakeClock();
    const lines = await fetchWithin(clock, [A, B], 0);
    expect(lines.get(A)?.[0]).toMatch(/^INIT_START /);
    expect(lines.get(B)).toEqual([`START RequestId: ${B} Version: $LATEST`, `2026-10-08T07:30:59.479Z ${B} Task timed out after 3.00 seconds`, report(B).slice(0, -1)]);
    expect(samplesFromLines(lines.get(B) ?? [], { variant: 'v' })[0]).toMatchObject({ status: 'timeout', kind: 'warm' });
    expect(samplesFromLines(lines.get(A) ?? [], { variant: 'v' })[0]).toMatchObject({ kind: 'cold', initMs: 130.49 });
  });

  it('stops paging at the deadline when every page hands out another nextToken', async () => {
    const clock = fakeClock();
    let page = 0;
    logs.on(FilterLogEventsCommand).callsFake(async () => {
      await clock.sleep(400); // each page takes 400 ms of the caller's time
      return { events: [], nextToken: `t${page++}` };
    });
    const lines = await fetchWithin(clock, [A], 1_000);
    expect(lines).toEqual(new Map([[A, []]]));
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(3);
  });

  it('keeps polling while the log group does not exist yet', async () => {
    logs
      .on(FilterLogEventsCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }))
      .resolves({ events: [event(S1, 1, report(A))] });
    const clock = fakeClock();
    const lines = await fetchWithin(clock, [A], 5_000);
    expect(lines.get(A)).toHaveLength(1);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('fails with LogFetchError naming the group for any other error', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: logs:FilterLogEvents'), { name: 'AccessDeniedException' });
    logs.on(FilterLogEventsCommand).rejects(denied);
    const clock = fakeClock();
    const fetching = fetchWithin(clock, [A], 5_000);
    await expect(fetching).rejects.toThrow(LogFetchError);
    await expect(fetching).rejects.toThrow(`FilterLogEvents on ${GROUP} failed: User is not authorized to perform: logs:FilterLogEvents`);
  });
});
