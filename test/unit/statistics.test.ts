import { describe, expect, it } from 'vitest';
import { median, statistics, tCritical95 } from '../../src/measure/statistics.js';

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

  it('gives the value itself for one value and NaN for none', () => {
    expect(median([42])).toBe(42);
    expect(median([])).toBeNaN();
  });
});

describe('statistics', () => {
  it('gives the mean and the sample standard deviation (n − 1): [2,4,4,4,5,5,7,9] → 5 and ≈ 2.138', () => {
    const stats = statistics([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.n).toBe(8);
    expect(stats.mean).toBe(5);
    expect(stats.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stats.stddev).toBeCloseTo(2.138, 3);
  });

  it('gives the median, the minimum and the maximum', () => {
    const stats = statistics([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.median).toBe(4.5);
    expect(stats.min).toBe(2);
    expect(stats.max).toBe(9);
  });

  it('gives the relative margin of error t(n−1)·sd/√n/mean·100, with t = 2.776 for n = 5', () => {
    const values = [10, 12, 11, 13, 14];
    const stats = statistics(values);
    const sd = Math.sqrt(10 / 4);
    expect(stats.stddev).toBeCloseTo(sd, 12);
    expect(stats.rme).toBeCloseTo(((2.776 * sd) / Math.sqrt(5) / 12) * 100, 10);
    expect(stats.rme).toBeCloseTo(16.358, 3);
  });

  it('uses t(7) = 2.365 for eight values', () => {
    const stats = statistics([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.rme).toBeCloseTo(((2.365 * Math.sqrt(32 / 7)) / Math.sqrt(8) / 5) * 100, 10);
  });

  it('gives a zero spread and a zero margin of error for a single value', () => {
    expect(statistics([1234])).toEqual({ n: 1, median: 1234, mean: 1234, stddev: 0, min: 1234, max: 1234, rme: 0 });
  });

  it('gives a zero margin of error for identical values', () => {
    const stats = statistics([7, 7, 7]);
    expect(stats.stddev).toBe(0);
    expect(stats.rme).toBe(0);
  });

  it('gives n = 0 and NaN for every other field when there are no values', () => {
    const stats = statistics([]);
    expect(stats.n).toBe(0);
    for (const field of ['median', 'mean', 'stddev', 'min', 'max', 'rme'] as const) expect(stats[field], field).toBeNaN();
  });

  it('does not reorder the input', () => {
    const values = [3, 1, 2];
    statistics(values);
    expect(values).toEqual([3, 1, 2]);
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
