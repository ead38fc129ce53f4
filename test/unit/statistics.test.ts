import { describe, expect, it } from 'vitest';
import { median, medianInterval, statistics, tCritical95 } from '../../src/result/statistics.js';
import type { Statistics } from '../../src/result/types.js';

/** The statistics of values that are known to have some. */
function statsOf(values: number[]): Statistics {
  const stats = statistics(values);
  if (stats === null) throw new Error('no statistics');
  return stats;
}

describe('median', () => {
  it('takes the middle value of an odd number of values', () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it('takes the mean of the two middle values of an even number of values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sorts numerically, not as text', () => {
    expect(median([100, 9, 20])).toBe(20);
  });

  it('does not reorder the input', () => {
    const values = [5, 3, 9, 1];
    median(values);
    expect(values).toEqual([5, 3, 9, 1]);
  });

  it('gives the value itself for one value and null for none', () => {
    expect(median([42])).toBe(42);
    expect(median([])).toBeNull();
  });
});

describe('statistics', () => {
  it('gives the mean and the sample standard deviation (n − 1): [2,4,4,4,5,5,7,9] → 5 and ≈ 2.138', () => {
    const stats = statsOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.n).toBe(8);
    expect(stats.mean).toBe(5);
    expect(stats.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stats.stddev).toBeCloseTo(2.138, 3);
  });

  it('gives the median, the minimum and the maximum', () => {
    const stats = statsOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.median).toBe(4.5);
    expect(stats.min).toBe(2);
    expect(stats.max).toBe(9);
  });

  it('gives the relative margin of error t(n−1)·sd/√n/mean·100, with t = 2.776 for n = 5', () => {
    const values = [10, 12, 11, 13, 14];
    const stats = statsOf(values);
    const sd = Math.sqrt(10 / 4);
    expect(stats.stddev).toBeCloseTo(sd, 12);
    expect(stats.rme).toBeCloseTo(((2.776 * sd) / Math.sqrt(5) / 12) * 100, 10);
    expect(stats.rme).toBeCloseTo(16.358, 3);
  });

  it('uses t(7) = 2.365 for eight values', () => {
    const stats = statsOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.rme).toBeCloseTo(((2.365 * Math.sqrt(32 / 7)) / Math.sqrt(8) / 5) * 100, 10);
  });

  it('gives a zero spread and a zero margin of error for a single value', () => {
    expect(statsOf([1234])).toEqual({ n: 1, median: 1234, mean: 1234, stddev: 0, min: 1234, max: 1234, rme: 0, medianInterval: { low: 1234, high: 1234, confidence: 0 } });
  });

  it('gives a zero margin of error for identical values', () => {
    const stats = statsOf([7, 7, 7]);
    expect(stats.stddev).toBe(0);
    expect(stats.rme).toBe(0);
  });

  it('gives null, not numbers, when there are no values (a group whose samples were all left out)', () => {
    expect(statistics([])).toBeNull();
  });

  it('does not reorder the input', () => {
    const values = [3, 1, 2];
    statsOf(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('medianInterval: a distribution-free interval around the median from order statistics', () => {
  const sorted = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

  it('is [min, max] below six values, with the confidence it really has: 1 − 2·0.5^n', () => {
    expect(medianInterval(sorted(3))).toEqual({ low: 1, high: 3, confidence: 0.75 });
    expect(medianInterval(sorted(5))).toEqual({ low: 1, high: 5, confidence: 0.9375 });
  });

  it('reaches 95 % at six values with [min, max] (96.9 %)', () => {
    const interval = medianInterval(sorted(6));
    expect([interval.low, interval.high]).toEqual([1, 6]);
    expect(interval.confidence).toBeCloseTo(0.96875, 10);
  });

  it('narrows as n grows, keeping at least 95 %: n = 9 → [x(2), x(8)] at 96.1 %, n = 20 → [x(6), x(15)] at 95.9 %', () => {
    const nine = medianInterval(sorted(9));
    expect([nine.low, nine.high]).toEqual([2, 8]);
    expect(nine.confidence).toBeCloseTo(1 - (2 * 10) / 512, 10);
    const twenty = medianInterval(sorted(20));
    expect([twenty.low, twenty.high]).toEqual([6, 15]);
    expect(twenty.confidence).toBeGreaterThanOrEqual(0.95);
    expect(twenty.confidence).toBeCloseTo(0.9586, 4);
  });

  it('is part of the statistics of a group', () => {
    expect(statsOf([30, 10, 20]).medianInterval).toEqual({ low: 10, high: 30, confidence: 0.75 });
  });
});

describe('tCritical95', () => {
  it('follows the two-sided 95 % table: 12.706 for 1 dof, 2.776 for 4, 2.042 for 30', () => {
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(4)).toBe(2.776);
    expect(tCritical95(30)).toBe(2.042);
  });

  it('falls back on the normal value 1.96 beyond 30 degrees of freedom', () => {
    expect(tCritical95(31)).toBe(1.96);
    expect(tCritical95(1000)).toBe(1.96);
  });

  it('decreases as the degrees of freedom grow', () => {
    const values = Array.from({ length: 31 }, (_, i) => tCritical95(i + 1));
    for (let i = 1; i < values.length; i += 1) expect(values[i]).toBeLessThan(values[i - 1] ?? Number.POSITIVE_INFINITY);
  });

  it('is undefined (NaN) below one degree of freedom', () => {
    expect(tCritical95(0)).toBeNaN();
  });
});
