import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, raw, startHarness, stopHarness } from './helpers.ts';

let h: Harness;
const G = '/aws/lambda/logs-test';
const T0 = 1_800_000_000_000;

beforeAll(async () => {
  h = await startHarness();
  await h.logs.send(new CreateLogGroupCommand({ logGroupName: G }));
  await h.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: '2026/11/28/[$LATEST]aaaa' }));
  await h.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: '2026/11/28/[$LATEST]bbbb' }));
  // Stream a: START/REPORT at even seconds; stream b: at odd seconds, so a merged read interleaves them.
  await h.logs.send(
    new PutLogEventsCommand({
      logGroupName: G,
      logStreamName: '2026/11/28/[$LATEST]aaaa',
      logEvents: [0, 2, 4, 6, 8].map((s) => ({
        timestamp: T0 + s * 1000,
        message: s % 4 === 0 ? `START RequestId: a${s} Version: $LATEST` : `REPORT RequestId: a${s}\tDuration: ${s}.00 ms`,
      })),
    }),
  );
  await h.logs.send(
    new PutLogEventsCommand({
      logGroupName: G,
      logStreamName: '2026/11/28/[$LATEST]bbbb',
      logEvents: [1, 3, 5].map((s) => ({ timestamp: T0 + s * 1000, message: JSON.stringify({ type: s === 3 ? 'platform.report' : 'platform.start', record: { n: s } }) })),
    }),
  );
});
afterAll(() => stopHarness(h));

describe('CloudWatch Logs: groups', () => {
  it('raises ResourceAlreadyExistsException for a second CreateLogGroup', async () => {
    const error = await h.logs.send(new CreateLogGroupCommand({ logGroupName: G })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(error.message).toBe('The specified log group already exists');
  });

  it('describes groups by prefix with nextToken paging', async () => {
    for (const n of ['/p/c', '/p/a', '/p/b']) await h.logs.send(new CreateLogGroupCommand({ logGroupName: n }));
    const first = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/p/', limit: 2 }));
    expect(first.logGroups!.map((g) => g.logGroupName)).toEqual(['/p/a', '/p/b']);
    expect(first.logGroups![0]).toMatchObject({ arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/p/a:*', storedBytes: 0, metricFilterCount: 0 });
    const second = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/p/', limit: 2, nextToken: first.nextToken }));
    expect(second.logGroups!.map((g) => g.logGroupName)).toEqual(['/p/c']);
    expect(second.nextToken).toBeUndefined();
  });

  it('deletes a group; reading it afterwards is ResourceNotFoundException', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/to/delete' }));
    await h.logs.send(new DeleteLogGroupCommand({ logGroupName: '/to/delete' }));
    const error = await h.logs.send(new DeleteLogGroupCommand({ logGroupName: '/to/delete' })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('The specified log group does not exist.');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('CloudWatch Logs: DescribeLogStreams', () => {
  it('orders by LastEventTime descending and reports first/last event times', async () => {
    const res = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, orderBy: 'LastEventTime', descending: true }));
    expect(res.logStreams!.map((s) => s.logStreamName)).toEqual(['2026/11/28/[$LATEST]aaaa', '2026/11/28/[$LATEST]bbbb']);
    expect(res.logStreams![0]).toMatchObject({ firstEventTimestamp: T0, lastEventTimestamp: T0 + 8000 });
  });

  it('pages by name with a prefix', async () => {
    const first = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, logStreamNamePrefix: '2026/', limit: 1 }));
    expect(first.logStreams!.map((s) => s.logStreamName)).toEqual(['2026/11/28/[$LATEST]aaaa']);
    const second = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, logStreamNamePrefix: '2026/', limit: 1, nextToken: first.nextToken }));
    expect(second.logStreams!.map((s) => s.logStreamName)).toEqual(['2026/11/28/[$LATEST]bbbb']);
    expect(second.nextToken).toBeUndefined();
  });

  it('refuses a prefix with orderBy LastEventTime as InvalidParameterException', async () => {
    const error = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, logStreamNamePrefix: 'x', orderBy: 'LastEventTime' })).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
  });
});

describe('CloudWatch Logs: GetLogEvents', () => {
  it('reads forward from the head and returns the same forward token at the end', async () => {
    const stream = '2026/11/28/[$LATEST]aaaa';
    const page1 = await h.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: stream, startFromHead: true, limit: 3 }));
    expect(page1.events!.map((e) => e.timestamp)).toEqual([T0, T0 + 2000, T0 + 4000]);
    const page2 = await h.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: stream, nextToken: page1.nextForwardToken, limit: 3 }));
    expect(page2.events!.map((e) => e.timestamp)).toEqual([T0 + 6000, T0 + 8000]);
    const page3 = await h.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: stream, nextToken: page2.nextForwardToken, limit: 3 }));
    expect(page3.events).toEqual([]);
    expect(page3.nextForwardToken).toBe(page2.nextForwardToken);
    expect(page1.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
  });

  it('returns the newest events without startFromHead and pages backward', async () => {
    const stream = '2026/11/28/[$LATEST]aaaa';
    const last = await h.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: stream, limit: 2 }));
    expect(last.events!.map((e) => e.timestamp)).toEqual([T0 + 6000, T0 + 8000]);
    const before = await h.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: stream, limit: 2, nextToken: last.nextBackwardToken }));
    expect(before.events!.map((e) => e.timestamp)).toEqual([T0 + 2000, T0 + 4000]);
  });

  it('limits by startTime (inclusive) and endTime (exclusive)', async () => {
    const res = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: G, logStreamName: '2026/11/28/[$LATEST]aaaa', startTime: T0 + 2000, endTime: T0 + 6000, startFromHead: true }),
    );
    expect(res.events!.map((e) => e.timestamp)).toEqual([T0 + 2000, T0 + 4000]);
  });

  it('raises ResourceNotFoundException for an unknown stream', async () => {
    const error = await h.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: 'nope' })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('The specified log stream does not exist.');
  });
});

describe('CloudWatch Logs: FilterLogEvents', () => {
  it('interleaves streams by timestamp and carries stream name, ingestion time and event id', async () => {
    const res = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G }));
    expect(res.events!.map((e) => e.timestamp! - T0)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 8000]);
    expect(res.events![1]).toMatchObject({ logStreamName: '2026/11/28/[$LATEST]bbbb' });
    expect(typeof res.events![0].ingestionTime).toBe('number');
    expect(new Set(res.events!.map((e) => e.eventId)).size).toBe(8);
    expect(res.nextToken).toBeUndefined();
  });

  it('applies a term pattern, a JSON pattern and a time window', async () => {
    const reports = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, filterPattern: 'REPORT' }));
    expect(reports.events!.map((e) => e.message)).toEqual(['REPORT RequestId: a2\tDuration: 2.00 ms', 'REPORT RequestId: a6\tDuration: 6.00 ms']);
    const json = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, filterPattern: '{ $.type = "platform.report" }' }));
    expect(json.events!.map((e) => e.timestamp)).toEqual([T0 + 3000]);
    const window = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, startTime: T0 + 2000, endTime: T0 + 4000 }));
    expect(window.events!.map((e) => e.timestamp! - T0)).toEqual([2000, 3000, 4000]);
  });

  it('restricts to logStreamNames or a logStreamNamePrefix', async () => {
    const byName = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, logStreamNames: ['2026/11/28/[$LATEST]bbbb'] }));
    expect(byName.events!.length).toBe(3);
    const byPrefix = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, logStreamNamePrefix: '2026/11/28/[$LATEST]a' }));
    expect(byPrefix.events!.length).toBe(5);
    const both = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, logStreamNames: ['x'], logStreamNamePrefix: 'y' })).catch((e) => e);
    expect(both).toBeInstanceOf(InvalidParameterException);
  });

  it('pages with limit and nextToken without losing or repeating events', async () => {
    const seen: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, limit: 3, nextToken }));
      seen.push(...page.events!.map((e) => e.timestamp! - T0));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(seen).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 8000]);
    expect(pages).toBe(3);
  });

  it('ends a page at 1 MB of messages and continues on the next', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/big' }));
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/big', logStreamName: 's' }));
    const big = 'y'.repeat(200_000);
    await h.logs.send(
      new PutLogEventsCommand({ logGroupName: '/big', logStreamName: 's', logEvents: [0, 1, 2, 3, 4, 5, 6].map((i) => ({ timestamp: T0 + i, message: `${i}${big}` })) }),
    );
    const first = await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/big' }));
    expect(first.events!.length).toBe(5);
    const second = await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/big', nextToken: first.nextToken }));
    expect(second.events!.map((e) => e.message![0])).toEqual(['5', '6']);
    expect(second.nextToken).toBeUndefined();
  });

  it('answers a malformed pattern with InvalidParameterException', async () => {
    const error = await h.logs.send(new FilterLogEventsCommand({ logGroupName: G, filterPattern: '{ $.a = }' })).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toContain('Invalid JSON filter pattern');
  });

  it('answers an unknown group with ResourceNotFoundException', async () => {
    await expect(h.logs.send(new FilterLogEventsCommand({ logGroupName: '/nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('CloudWatch Logs: wire shapes', () => {
  it('answers malformed JSON with SerializationException in the JSON 1.1 shape', async () => {
    const res = await raw(h, '/', {
      method: 'POST',
      headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups', 'content-type': 'application/x-amz-json-1.1' },
      body: '{"limit":',
    });
    expect(res.status).toBe(400);
    expect(res.json().__type).toBe('SerializationException');
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await raw(h, '/', { method: 'POST', headers: { 'x-amz-target': 'Logs_20140328.StartQuery', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ __type: 'UnknownOperationException', message: 'The operation StartQuery is not supported by the coldbench emulator.' });
  });

  it('refuses PutLogEvents out of chronological order', async () => {
    const error = await h.logs
      .send(
        new PutLogEventsCommand({
          logGroupName: G,
          logStreamName: '2026/11/28/[$LATEST]aaaa',
          logEvents: [
            { timestamp: T0 + 5, message: 'b' },
            { timestamp: T0, message: 'a' },
          ],
        }),
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('Log events in a single PutLogEvents request must be in chronological order.');
  });
});
