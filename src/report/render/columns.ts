/**
 * Borderless text columns (hyperfine's layout): each column as wide as its widest cell, two
 * spaces between columns, text left- and numbers right-aligned, trailing spaces dropped. Written
 * here instead of loading a table library: `coldbench report` starts in a third of the time
 * without cli-table3 and string-width, and this layout needs neither borders nor wrapping.
 */

export type Align = 'left' | 'right';

const COLUMN_GAP = '  ';
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Width of a cell as a terminal shows it: ANSI colour codes take no room and every code point
 * one column (coldbench's cells are ASCII plus single-width symbols such as … ± ─ † —).
 * @example displayWidth('\u001b[32m12.5 *\u001b[0m') // 6
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const _ of text.replace(ANSI, '')) width++;
  return width;
}

/**
 * Lays out rows of cells (the first row is usually the header) in aligned columns.
 * @example alignColumns([['Variant', 'n'], ['a', '10']], ['left', 'right']) // 'Variant   n\na        10'
 */
export function alignColumns(rows: string[][], aligns: Align[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i] - displayWidth(cell));
          return aligns[i] === 'right' ? pad + cell : cell + pad;
        })
        .join(COLUMN_GAP)
        .replace(/\s+$/, ''),
    )
    .join('\n');
}
