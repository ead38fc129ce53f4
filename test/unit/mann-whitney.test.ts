/** The U test against reference values (scipy.stats.mannwhitneyu, two-sided) and a hand count. */
import { describe, expect, it } from 'vitest';
import { mannWhitneyU, normalCdf } from '../../src/result/mann-whitney.js';

describe('mannWhitneyU', () => {
  it('gives the exact p of two fully separated samples of four: 2/70 (the smallest p at 4+4)', () => {
    const result = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]);
    expect(result).toMatchObject({ u: 0, n1: 4, n2: 4, method: 'exact' });
    expect(result.p).toBeCloseTo(2 / 70, 12);
  });

  it('cannot reach 0.05 with three samples a side, however separated: p = 2/20 = 0.1 (why benchstat wants 4)', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).p).toBeCloseTo(0.1, 12);
  });

  it('gives p = 0.690 for interleaved samples of five (scipy: 0.6904761904761905)', () => {
    const result = mannWhitneyU([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]);
    expect(result.u).toBe(10);
    expect(result.p).toBeCloseTo(0.6904761904761905, 12);
  });

  it('is symmetric in its two samples', () => {
    const a = [103.5, 108.2, 103.3, 87.0, 109.1];
    const b = [102.6, 108.4, 105.2, 116.0, 110.4, 107.1];
    expect(mannWhitneyU(a, b).p).toBeCloseTo(mannWhitneyU(b, a).p, 12);
  });

  it('matches scipy exactly on unequal samples without ties (12 + 9: p = 0.0584833123532814)', () => {
    const a = [103.5, 108.2, 103.3, 87.0, 109.1, 104.5, 94.6, 105.8, 103.6, 102.9, 100.3, 105.5];
    const b = [102.6, 108.4, 105.2, 116.0, 110.4, 107.1, 102.2, 107.4, 110.1];
    const result = mannWhitneyU(a, b);
    expect(result.method).toBe('exact');
    expect(result.p).toBeCloseTo(0.0584833123532814, 10);
  });

  it('uses the normal approximation with tie and continuity corrections when values tie (scipy: 0.034453637039471276)', () => {
    const result = mannWhitneyU([1, 2, 2, 3, 4], [3, 4, 5, 6, 6]);
    expect(result.method).toBe('normal');
    expect(result.p).toBeCloseTo(0.034453637039471276, 6);
  });

  it('uses the normal approximation for large samples (60 + 55: scipy 0.017466219103968242)', () => {
    const a = Array.from({ length: 60 }, (_, i) => i + 1);
    const b = Array.from({ length: 55 }, (_, i) => i + 11.5);
    const result = mannWhitneyU(a, b);
    expect(result.method).toBe('normal');
    expect(result.p).toBeCloseTo(0.017466219103968242, 6);
  });

  it('gives p = 1 for identical samples', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).p).toBe(1);
  });

  it('refuses an empty side', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/a value on each side/);
  });
});

describe('normalCdf', () => {
  it('gives Φ(0) = 0.5, Φ(1.96) ≈ 0.975, Φ(−1.96) ≈ 0.025', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
  });
});
