import { describe, expect, it } from 'vitest';
import { alignColumns, displayWidth } from '../../src/report/render/columns.ts';

describe('displayWidth', () => {
  it('returns the code points a terminal shows, ANSI colour codes taking no room', () => {
    expect(displayWidth('')).toBe(0);
    expect(displayWidth('12.5 ± 0.3')).toBe(10);
    expect(displayWidth('\u001b[1;32m12.5 *\u001b[0m')).toBe(6);
    expect(displayWidth('py312@128 †')).toBe(11);
  });
});

describe('alignColumns', () => {
  it('pads each column to its widest cell, text left and numbers right, two spaces apart, trailing spaces dropped', () => {
    expect(
      alignColumns(
        [
          ['Variant', 'n', 'Note'],
          ['a', '10', ''],
          ['longer', '2', 'x'],
        ],
        ['left', 'right', 'left'],
      ),
    ).toBe('Variant   n  Note\na        10\nlonger    2  x');
  });

  it('aligns coloured cells by what they show', () => {
    expect(alignColumns([['x'], ['\u001b[32m123\u001b[0m']], ['right'])).toBe('  x\n\u001b[32m123\u001b[0m');
  });

  it('returns an empty string for no rows', () => {
    expect(alignColumns([], [])).toBe('');
  });
});
