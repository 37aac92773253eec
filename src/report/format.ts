/** Number formatting shared by the sentences and every text renderer. */
import type { MaybeNumber } from './types.ts';

/** What a statistic the sample size cannot support, or a missing value, prints as. */
export const DASH = '—';

/** A fixed number of decimals, or `—` for null. */
export function fixed(value: MaybeNumber, decimals: number): string {
  return value === null || !Number.isFinite(value) ? DASH : value.toFixed(decimals);
}

/** Milliseconds with one decimal (platform durations have two; one is what a reader compares). */
export function ms(value: MaybeNumber): string {
  return fixed(value, 1);
}

/** A ratio as hyperfine prints relative speed: two decimals below 10×, one above. */
export function ratio(value: number): string {
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A ratio as a signed percentage change, one decimal: 1.234 → "+23.4", 0.9 → "−10.0". */
export function percentChange(r: number): string {
  return `${r >= 1 ? '+' : '−'}${Math.abs((r - 1) * 100).toFixed(1)}`;
}

/** "p < 0.001" or "p = 0.034". */
export function pValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** USD per 1 M invocations, to the cent. */
export function usd(value: MaybeNumber): string {
  return value === null ? DASH : `$${value.toFixed(2)}`;
}

/** FNV-1a: a stable 32-bit hash so each statistic's PRNG stream depends only on its own name. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
