/**
 * The Mann–Whitney U (Wilcoxon rank-sum) test, two-sided: exact when there are no ties and at
 * most EXACT_MAX_TOTAL values in all, otherwise the normal approximation with tie and
 * continuity corrections. So scipy's `mannwhitneyu(a, b, method='exact')` gives the same
 * p-values in the first case and `method='asymptotic'` (use_continuity=True) in the second.
 * scipy's default `method='auto'` chooses differently: asymptotic whenever there are ties or
 * both samples have more than 8 values, else exact. Its p-values then differ from these, e.g.
 * 10 vs 10 values without ties (here exact, there asymptotic) or 5 vs 50 (here normal, there exact).
 */
import type { MaybeNumber } from './types.ts';

/** Below this combined size without ties the exact distribution is cheap (C(40,20) < 2^53). */
export const EXACT_MAX_TOTAL = 40;

export interface MannWhitney {
  /** U of the first sample: the number of (a, b) pairs with a > b, ties counting one half. */
  u: number;
  p: MaybeNumber;
  method: 'exact' | 'normal' | null;
}

/**
 * U and the two-sided p-value of two sorted ascending samples, in linear time (a merge).
 * @example mannWhitney([1, 2, 3], [4, 5, 6]) // { u: 0, p: 0.1, method: 'exact' }
 */
export function mannWhitney(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, p: null, method: null };
  // Walk both sorted arrays in tie groups, giving every member of a group its mid-rank.
  let i = 0;
  let j = 0;
  let rank = 0;
  let rankSumA = 0;
  let tieTerm = 0;
  while (i < n1 || j < n2) {
    const v = i < n1 && (j >= n2 || a[i] <= b[j]) ? a[i] : b[j];
    let ca = 0;
    let cb = 0;
    while (i < n1 && a[i] === v) {
      i++;
      ca++;
    }
    while (j < n2 && b[j] === v) {
      j++;
      cb++;
    }
    const t = ca + cb;
    rankSumA += ca * (rank + (t + 1) / 2);
    rank += t;
    if (t > 1) tieTerm += t * t * t - t;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  if (tieTerm === 0 && n <= EXACT_MAX_TOTAL) return { u, p: exactP(u, n1, n2), method: 'exact' };
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const big = Math.max(u, n1 * n2 - u);
  const z = (big - mu - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * normalSf(z)), method: 'normal' };
}

/** Two-sided exact p: twice the lower tail of the U distribution at min(U, n1·n2 − U). */
function exactP(u: number, n1: number, n2: number): number {
  const counts = uDistribution(n1, n2);
  let total = 0;
  for (const c of counts) total += c;
  const low = Math.min(u, n1 * n2 - u);
  let tail = 0;
  for (let k = 0; k <= Math.floor(low); k++) tail += counts[k];
  return Math.min(1, (2 * tail) / total);
}

/** counts[k] = arrangements of n1 a's and n2 b's with U = k (f(m,n) = f(m−1,n)·q^n + f(m,n−1)). */
function uDistribution(n1: number, n2: number): number[] {
  // prev[j] holds f(i−1, j); built row by row over i.
  let prev: number[][] = [];
  for (let j = 0; j <= n2; j++) prev.push([1]);
  for (let i = 1; i <= n1; i++) {
    const row: number[][] = [[1]];
    for (let j = 1; j <= n2; j++) {
      const up = prev[j];
      const left = row[j - 1];
      const out = new Array<number>(i * j + 1).fill(0);
      for (let k = 0; k < up.length; k++) out[k + j] += up[k];
      for (let k = 0; k < left.length; k++) out[k] += left[k];
      row.push(out);
    }
    prev = row;
  }
  return prev[n2];
}

/** Upper tail of the standard normal, via erfc (Numerical Recipes' erfcc, |ε| < 1.2e-7 relative). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
