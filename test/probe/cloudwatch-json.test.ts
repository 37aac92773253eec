import { describe, expect, it } from 'vitest';
import { CloudWatchJsonError, createCloudWatchJsonReader, type CloudWatchEvent } from '../../src/probe/cloudwatch-json.ts';

const DOC = `{
    "events": [
        {
            "logStreamName": "2026/10/08/[$LATEST]22be4c1d9e8f4a7b8c6d5e4f3a2b1c0d",
            "timestamp": 1791444629470,
            "message": "START RequestId: r1 Version: $LATEST\\n",
            "ingestionTime": 1791444629480,
            "eventId": "1"
        },
        {
            "logStreamName": "2026/10/08/[$LATEST]22be4c1d9e8f4a7b8c6d5e4f3a2b1c0d",
            "timestamp": 1791444629490,
            "message": "REPORT RequestId: r1\\tDuration: 1.00 ms\\tquote \\" slash \\\\ \\u00e9\\n",
            "ingestionTime": 1791444629500,
            "eventId": "2",
            "extra": {"nested": ["message", {"message": "not an event"}], "n": null, "t": true}
        }
    ],
    "searchedLogStreams": [],
    "nextToken": "abc"
}
{"events":[{"timestamp":1,"message":"END RequestId: r1\\n"}],"nextForwardToken":"f/1","nextBackwardToken":"b/1"}
`;

const EXPECTED: CloudWatchEvent[] = [
  { message: 'START RequestId: r1 Version: $LATEST\n', stream: '2026/10/08/[$LATEST]22be4c1d9e8f4a7b8c6d5e4f3a2b1c0d', line: 3 },
  { message: 'REPORT RequestId: r1\tDuration: 1.00 ms\tquote " slash \\ é\n', stream: '2026/10/08/[$LATEST]22be4c1d9e8f4a7b8c6d5e4f3a2b1c0d', line: 10 },
  { message: 'END RequestId: r1\n', stream: null, line: 22 },
];

function readInChunks(text: string, size: number): CloudWatchEvent[] {
  const reader = createCloudWatchJsonReader();
  const events: CloudWatchEvent[] = [];
  for (let i = 0; i < text.length; i += size) events.push(...reader.push(text.slice(i, i + size)));
  reader.end();
  return events;
}

describe('createCloudWatchJsonReader', () => {
  it('reads the events of filter-log-events and get-log-events documents, one after the other', () => {
    expect(readInChunks(DOC, DOC.length)).toEqual(EXPECTED);
  });

  it('gives the same events whatever the chunk size, escapes split across chunks included', () => {
    for (const size of [1, 2, 3, 7, 64]) expect(readInChunks(DOC, size)).toEqual(EXPECTED);
  });

  it('throws CloudWatchJsonError with the line when the document is cut short', () => {
    expect(() => readInChunks(DOC.slice(0, 300), 50)).toThrow(new CloudWatchJsonError('the document ends before it closes (truncated file?)', 10));
  });

  it('throws on a closing bracket that does not match', () => {
    expect(() => readInChunks('{"events": [}', 100)).toThrow('unexpected "}"');
  });
});
