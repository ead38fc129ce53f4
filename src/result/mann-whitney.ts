/**
 * The Mann–Whitney U test (two-sided), as benchstat computes it (golang.org/x/perf's
 * MannWhitneyUTest) to tell a real change from noise: no assumption about the distribution of
 * build times, only their order. Exact p-values for small samples, ties included (whole
 * milliseconds tie often): the U distribution given the tie groups, counted over every way of
 * drawing the first sample from them. Beyond benchstat's limits (50 a side, 25 where values
 * tie), the normal approximation with tie and continuity corrections. Pure.
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

/** benchstat's MannWhitneyExactLimit and MannWhitneyTiesExactLimit */
const EXACT_LIMIT = 50;
const TIES_EXACT_LIMIT = 25;

export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('the Mann–Whitney U test needs a value on each side');
  const { rankSumA, groups } = ranks(a, b);
  const u1 = rankSumA - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.min(u1, u2);
  const ties = groups.some((g) => g.size > 1);
  const limit = ties ? TIES_EXACT_LIMIT : EXACT_LIMIT;
  if (n1 <= limit && n2 <= limit) {
    // all values equal, or the two U equal: the whole distribution is as extreme (benchstat: p = 1)
    if (groups.length === 1 || u1 === u2) return { u, p: 1, n1, n2, method: 'exact' };
    return { u, p: Math.min(1, 2 * exactCdf(n1, groups, u)), n1, n2, method: 'exact' };
  }
  const n = n1 + n2;
  const tieTerm = groups.reduce((sum, g) => sum + g.size ** 3 - g.size, 0);
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, n1, n2, method: 'normal' };
  const z = Math.max(0, Math.abs(u1 - mean) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - normalCdf(z))), n1, n2, method: 'normal' };
}

/**
 * The smallest two-sided p that samples of these sizes can give (fully separated, no tie):
 * 2 / C(n1 + n2, n1). Where it is above α, no data could show a change.
 */
export function smallestReachableP(n1: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  return Math.min(1, 2 / binomial(n1 + n2, Math.min(n1, n2)));
}

interface TieGroup {
  /** values in the group, both samples */
  size: number;
}

/** Rank sum of `a` in the pooled sample (ties get the mean rank), and the tie groups in rising order. */
function ranks(a: readonly number[], b: readonly number[]): { rankSumA: number; groups: TieGroup[] } {
  const pooled = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  const groups: TieGroup[] = [];
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end + 1 < pooled.length && pooled[end + 1]?.value === pooled[start]?.value) end += 1;
    const meanRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i += 1) if (pooled[i]?.fromA === true) rankSumA += meanRank;
    groups.push({ size: end - start + 1 });
    start = end + 1;
  }
  return { rankSumA, groups };
}

/**
 * P(U₁ ≤ u) when both samples come from one distribution, given the tie groups: every way of
 * taking n1 of the pooled values is equally likely. Taking k of a group of t, with `below`
 * second-sample values in the groups under it, adds k·below + k·(t − k)/2 to U₁, in
 * C(t, k) ways; counted group by group, in half-units so that every U is a whole number.
 */
function exactCdf(n1: number, groups: readonly TieGroup[], u: number): number {
  const total = groups.reduce((sum, g) => sum + g.size, 0);
  const n2 = total - n1;
  const maxHalfU = 2 * n1 * n2;
  // ways[k][h]: ways to take k first-sample values from the groups so far with 2·U₁ = h
  let ways: Float64Array[] = Array.from({ length: n1 + 1 }, (_, k) => {
    const row = new Float64Array(maxHalfU + 1);
    if (k === 0) row[0] = 1;
    return row;
  });
  let seen = 0;
  for (const { size } of groups) {
    const next = Array.from({ length: n1 + 1 }, () => new Float64Array(maxHalfU + 1));
    for (let taken = 0; taken <= Math.min(n1, seen); taken += 1) {
      const row = ways[taken] as Float64Array;
      const below = seen - taken;
      // taken values above all `below` others: the largest 2·U₁ this row can hold so far
      const reachable = 2 * taken * below;
      for (let k = 0; k <= size && taken + k <= n1; k += 1) {
        const choose = binomial(size, k);
        const adds = 2 * k * below + k * (size - k);
        const target = next[taken + k] as Float64Array;
        for (let h = 0; h <= reachable && h + adds <= maxHalfU; h += 1) {
          const count = row[h] as number;
          if (count !== 0) target[h + adds] = (target[h + adds] as number) + count * choose;
        }
      }
    }
    ways = next;
    seen += size;
  }
  const distribution = ways[n1] as Float64Array;
  const halfU = Math.round(2 * u);
  let all = 0;
  let atMost = 0;
  for (let h = 0; h <= maxHalfU; h += 1) {
    const count = distribution[h] as number;
    all += count;
    if (h <= halfU) atMost += count;
  }
  return atMost / all;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i += 1) result = (result * (n - k + i)) / i;
  return result;
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
