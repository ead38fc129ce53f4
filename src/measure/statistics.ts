/** Summary statistics of one group of timings. Pure; the t-table is two-sided 95 %. */

export interface Statistics {
  n: number;
  median: number;
  mean: number;
  /** sample standard deviation (n − 1); 0 for a single value */
  stddev: number;
  min: number;
  max: number;
  /** relative margin of error of the mean at 95 % confidence, in percent (0 for n < 2) */
  rme: number;
}

// Student's t critical values, two-sided 95 %, for 1..30 degrees of freedom.
const T_95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tCritical95(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.NaN;
  return T_95[degreesOfFreedom - 1] ?? 1.96;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function statistics(values: readonly number[]): Statistics {
  const n = values.length;
  if (n === 0) return { n: 0, median: Number.NaN, mean: Number.NaN, stddev: Number.NaN, min: Number.NaN, max: Number.NaN, rme: Number.NaN };
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const stddev = Math.sqrt(variance);
  const rme = n > 1 && mean !== 0 ? ((tCritical95(n - 1) * stddev) / Math.sqrt(n) / mean) * 100 : 0;
  return { n, median: median(values), mean, stddev, min: Math.min(...values), max: Math.max(...values), rme };
}
