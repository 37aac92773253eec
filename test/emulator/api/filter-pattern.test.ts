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

  it('requires every plain term', () => {
    expect(matches('REPORT Init', REPORT)).toBe(true);
    expect(matches('REPORT Restore', REPORT)).toBe(false);
  });

  it('matches a quoted phrase as one string, spaces included', () => {
    expect(matches('"Init Duration"', REPORT)).toBe(true);
    expect(matches('"Duration Init"', REPORT)).toBe(false);
  });

  it('matches any of the ?terms', () => {
    expect(matches('?START ?REPORT', REPORT)).toBe(true);
    expect(matches('?START ?END', REPORT)).toBe(false);
  });

  it('excludes messages with a -term', () => {
    expect(matches('REPORT -Restore', REPORT)).toBe(true);
    expect(matches('REPORT -Init', REPORT)).toBe(false);
    expect(matches('REPORT -"Init Duration"', REPORT)).toBe(false);
  });

  it('is case-sensitive as CloudWatch is', () => {
    expect(matches('report', REPORT)).toBe(false);
  });

  it('matches %regex% patterns', () => {
    expect(matches('%Init Duration: \\d+\\.\\d+ ms%', REPORT)).toBe(true);
    expect(matches('%^START%', REPORT)).toBe(false);
  });

  it('compares JSON fields with = and != on strings', () => {
    expect(matches('{ $.type = "platform.report" }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.type = platform.report }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.type != "platform.report" }', JSON_REPORT)).toBe(false);
    expect(matches('{ $.type = "platform.*" }', JSON_REPORT)).toBe(true);
  });

  it('compares nested numbers with <, <=, >, >=', () => {
    expect(matches('{ $.record.metrics.durationMs > 12 }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.metrics.durationMs >= 12.5 }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.metrics.durationMs < 12.5 }', JSON_REPORT)).toBe(false);
    expect(matches('{ $.record.metrics.initDurationMs <= 300 }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.metrics.initDurationMs = 300 }', JSON_REPORT)).toBe(true);
  });

  it('combines with && and || and parentheses', () => {
    expect(matches('{ $.type = "platform.report" && $.record.status = "success" }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.type = "platform.start" || $.record.status = "success" }', JSON_REPORT)).toBe(true);
    expect(matches('{ ($.type = "platform.start" || $.type = "platform.report") && $.record.metrics.durationMs > 100 }', JSON_REPORT)).toBe(false);
  });

  it('reads array indexes, booleans, null and existence', () => {
    expect(matches('{ $.record.tags[1] = "b" }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.ok IS TRUE }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.none IS NULL }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.missing NOT EXISTS }', JSON_REPORT)).toBe(true);
    expect(matches('{ $.record.requestId EXISTS }', JSON_REPORT)).toBe(true);
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
