/** Summary statistics of one group of measurements. Pure; the t-table is two-sided 95 %. */
import type { Statistics } from './types.js';

// Student's t critical values, two-sided 95 %, for 1..30 degrees of freedom.
const T_95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tCritical95(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.NaN;
  return T_95[degreesOfFreedom - 1] ?? 1.96;
}

/** The median, or null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return medianOfSorted(sorted);
}

function medianOfSorted(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Null for no values: a group whose samples were all excluded has no statistics. */
export function statistics(values: readonly number[]): Statistics | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const stddev = Math.sqrt(variance);
  const rme = n > 1 && mean !== 0 ? ((tCritical95(n - 1) * stddev) / Math.sqrt(n) / mean) * 100 : 0;
  return {
    n,
    median: medianOfSorted(sorted),
    mean,
    stddev,
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    rme,
    medianInterval: medianInterval(sorted),
  };
}

/**
 * The order-statistic interval [x(k), x(n−k+1)] around the median with the largest k whose
 * coverage (1 − 2·P(Binomial(n, ½) < k)) is still at least 95 %. Needs no assumption about
 * the distribution, which suits build times (skewed, with outliers). With n < 6 not even
 * [min, max] reaches 95 %: it is returned with the confidence it has.
 */
export function medianInterval(sorted: readonly number[]): Statistics['medianInterval'] {
  const n = sorted.length;
  let best = { k: 1, confidence: coverage(n, 1) };
  for (let k = 2; k <= Math.floor((n + 1) / 2); k += 1) {
    const confidence = coverage(n, k);
    if (confidence < 0.95) break;
    best = { k, confidence };
  }
  return { low: sorted[best.k - 1] as number, high: sorted[n - best.k] as number, confidence: best.confidence };
}

/** P(x(k) ≤ median ≤ x(n−k+1)) for a continuous distribution. */
function coverage(n: number, k: number): number {
  let below = 0;
  for (let i = 0; i < k; i += 1) below += binomialHalf(n, i);
  return Math.max(0, 1 - 2 * below);
}

/** P(Binomial(n, ½) = i). */
function binomialHalf(n: number, i: number): number {
  let logChoose = 0;
  for (let j = 1; j <= i; j += 1) logChoose += Math.log(n - i + j) - Math.log(j);
  return Math.exp(logChoose - n * Math.LN2);
}
