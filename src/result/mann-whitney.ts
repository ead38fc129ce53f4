/**
 * The Mann–Whitney U test (two-sided), as benchstat uses it to tell a real change from noise:
 * no assumption about the distribution of build times, only their order. Exact p-values for
 * small samples without ties (counting the U distribution); otherwise the normal
 * approximation with tie and continuity corrections. Pure.
 */

export interface MannWhitney {
  /** the smaller of U₁ and U₂ */
  u: number;
  /** two-sided */
  p: number;
  n1: number;
  n2: number;
  method: 'exact' | 'normal';
}

/** Beyond this many in either sample, the normal approximation is close enough. */
const EXACT_LIMIT = 50;

export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('the Mann–Whitney U test needs a value on each side');
  const { rankSumA, tieTerm } = ranks(a, b);
  const u1 = rankSumA - (n1 * (n1 + 1)) / 2;
  const u = Math.min(u1, n1 * n2 - u1);
  if (tieTerm === 0 && n1 <= EXACT_LIMIT && n2 <= EXACT_LIMIT) {
    return { u, p: Math.min(1, 2 * exactCdf(n1, n2, u)), n1, n2, method: 'exact' };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, n1, n2, method: 'normal' };
  const z = Math.max(0, Math.abs(u1 - mean) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - normalCdf(z))), n1, n2, method: 'normal' };
}

/** Rank sum of `a` in the pooled sample (ties get the mean rank), and Σ(t³ − t) over tie groups. */
function ranks(a: readonly number[], b: readonly number[]): { rankSumA: number; tieTerm: number } {
  const pooled = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end + 1 < pooled.length && pooled[end + 1]?.value === pooled[start]?.value) end += 1;
    const meanRank = (start + end) / 2 + 1;
    const tied = end - start + 1;
    if (tied > 1) tieTerm += tied ** 3 - tied;
    for (let i = start; i <= end; i += 1) if (pooled[i]?.fromA === true) rankSumA += meanRank;
    start = end + 1;
  }
  return { rankSumA, tieTerm };
}

/** P(U ≤ u) when the two samples come from one distribution, by counting arrangements. */
function exactCdf(n1: number, n2: number, u: number): number {
  // counts[j][k]: arrangements of i values of the first sample among j of the second with U = k,
  // built up one first-sample value at a time.
  const max = n1 * n2;
  let counts: number[][] = Array.from({ length: n2 + 1 }, () => [1, ...new Array<number>(max).fill(0)]);
  for (let i = 1; i <= n1; i += 1) {
    const next: number[][] = Array.from({ length: n2 + 1 }, () => new Array<number>(max + 1).fill(0));
    for (let j = 0; j <= n2; j += 1) {
      for (let k = 0; k <= max; k += 1) {
        // the largest value is from the first sample (it beats all j) or from the second
        const firstLargest = k - j >= 0 ? (counts[j]?.[k - j] ?? 0) : 0;
        const secondLargest = j > 0 ? (next[j - 1]?.[k] ?? 0) : 0;
        (next[j] as number[])[k] = firstLargest + secondLargest;
      }
    }
    counts = next;
  }
  const distribution = counts[n2] as number[];
  const total = distribution.reduce((sum, c) => sum + c, 0);
  let below = 0;
  for (let k = 0; k <= Math.floor(u); k += 1) below += distribution[k] ?? 0;
  return below / total;
}

/** Φ(z), the standard normal distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** erfc with fractional error below 1.2e-7 (Numerical Recipes, erfcc). */
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
