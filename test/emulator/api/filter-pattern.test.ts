import { describe, expect, it } from 'vitest';
import { compileFilterPattern, FilterPatternError } from '../../../src/emulator/api/logs/filter-pattern.ts';

const REPORT = 'REPORT RequestId: 8f5e\tDuration: 1.20 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 90.10 ms\t';
const JSON_REPORT = JSON.stringify({
  time: 't',
  type: 'platform.report',
  record: { requestId: 'r1', status: 'success', metrics: { durationMs: 12.5, initDurationMs: 300 }, tags: ['a', 'b'], ok: true, none: null },
});

function matches(pattern: string, message: string): boolean {
  return compileFilterPattern(pattern)(message);
}

describe('compileFilterPattern', () => {
  it('matches everything for an empty or blank pattern', () => {
    expect(matches('', 'anything')).toBe(true);
    expect(matches('   ', '')).toBe(true);
  });

  it.each([
    { rule: 'requires every plain term', message: REPORT, match: ['REPORT Init'], noMatch: ['REPORT Restore'] },
    { rule: 'matches a quoted phrase as one string, spaces included', message: REPORT, match: ['"Init Duration"'], noMatch: ['"Duration Init"'] },
    { rule: 'matches any of the ?terms', message: REPORT, match: ['?START ?REPORT'], noMatch: ['?START ?END'] },
    { rule: 'excludes messages with a -term', message: REPORT, match: ['REPORT -Restore'], noMatch: ['REPORT -Init', 'REPORT -"Init Duration"'] },
    { rule: 'is case-sensitive as CloudWatch is', message: REPORT, match: [], noMatch: ['report'] },
    { rule: 'matches %regex% patterns', message: REPORT, match: ['%Init Duration: \\d+\\.\\d+ ms%'], noMatch: ['%^START%'] },
    {
      rule: 'compares JSON fields with = and != on strings',
      message: JSON_REPORT,
      match: ['{ $.type = "platform.report" }', '{ $.type = platform.report }', '{ $.type = "platform.*" }'],
      noMatch: ['{ $.type != "platform.report" }'],
    },
    {
      rule: 'compares nested numbers with <, <=, >, >=',
      message: JSON_REPORT,
      match: [
        '{ $.record.metrics.durationMs > 12 }',
        '{ $.record.metrics.durationMs >= 12.5 }',
        '{ $.record.metrics.initDurationMs <= 300 }',
        '{ $.record.metrics.initDurationMs = 300 }',
      ],
      noMatch: ['{ $.record.metrics.durationMs < 12.5 }'],
    },
    {
      rule: 'combines with && and || and parentheses',
      message: JSON_REPORT,
      match: ['{ $.type = "platform.report" && $.record.status = "success" }', '{ $.type = "platform.start" || $.record.status = "success" }'],
      noMatch: ['{ ($.type = "platform.start" || $.type = "platform.report") && $.record.metrics.durationMs > 100 }'],
    },
    {
      rule: 'reads array indexes, booleans, null and existence',
      message: JSON_REPORT,
      match: ['{ $.record.tags[1] = "b" }', '{ $.record.ok IS TRUE }', '{ $.record.none IS NULL }', '{ $.record.missing NOT EXISTS }', '{ $.record.requestId EXISTS }'],
      noMatch: [],
    },
  ])('$rule', ({ message, match, noMatch }) => {
    for (const pattern of match) expect(matches(pattern, message)).toBe(true);
    for (const pattern of noMatch) expect(matches(pattern, message)).toBe(false);
  });

  it('never matches a JSON pattern against a message that is not JSON', () => {
    expect(matches('{ $.type = "platform.report" }', REPORT)).toBe(false);
    expect(matches('{ $.type = "x" }', '{not json')).toBe(false);
  });

  it('throws FilterPatternError naming the problem for malformed patterns', () => {
    expect(() => compileFilterPattern('{ $.a = }')).toThrow(FilterPatternError);
    expect(() => compileFilterPattern('{ type = 1 }')).toThrow('expected a selector starting with $');
    expect(() => compileFilterPattern('{ $.a > "x" }')).toThrow('> needs a number');
    expect(() => compileFilterPattern('{ $.a = 1')).toThrow('JSON filter pattern must end with }');
    expect(() => compileFilterPattern('%(%')).toThrow('Invalid regular expression');
  });
});
