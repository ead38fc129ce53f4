/**
 * The U test against reference values (scipy.stats.mannwhitneyu, two-sided), a hand count, and,
 * where values tie, an enumeration written here apart from the code: every way of taking the
 * first sample from the pooled values, as benchstat's exact test with ties counts them.
 */
import { describe, expect, it } from 'vitest';
import { mannWhitneyU, normalCdf, smallestReachableP } from '../../src/result/mann-whitney.js';

/** 2·P(U₁ ≤ min(U₁, U₂)) over every subset of the pooled values: slow, plain, independent. */
function enumeratedP(a: readonly number[], b: readonly number[]): number {
  const u1Of = (x: readonly number[], y: readonly number[]): number => x.reduce((sum, v) => sum + y.reduce((s, w) => s + (v > w ? 1 : v === w ? 0.5 : 0), 0), 0);
  const u1 = u1Of(a, b);
  const u = Math.min(u1, a.length * b.length - u1);
  if (u1 === a.length * b.length - u1) return 1;
  const pooled = [...a, ...b];
  let atMost = 0;
  let all = 0;
  const pick = (from: number, chosen: number[]): void => {
    if (chosen.length === a.length) {
      const first = chosen.map((i) => pooled[i] as number);
      const second = pooled.filter((_, i) => !chosen.includes(i));
      all += 1;
      if (u1Of(first, second) <= u) atMost += 1;
      return;
    }
    for (let i = from; i <= pooled.length - (a.length - chosen.length); i += 1) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return Math.min(1, (2 * atMost) / all);
}

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

  it('counts the exact distribution when values tie (whole milliseconds): [1,2,2,3,4] vs [3,4,5,6,6] is 5/126, not the normal 0.034', () => {
    const result = mannWhitneyU([1, 2, 2, 3, 4], [3, 4, 5, 6, 6]);
    expect(result.method).toBe('exact');
    expect(result.p).toBeCloseTo(5 / 126, 12);
  });

  it('does not call a tie at the boundary of 4 vs 4 a change: [10..13] vs [13..16] and [270..300] vs [300..350] give 2/35 = 0.057', () => {
    expect(mannWhitneyU([10, 11, 12, 13], [13, 14, 15, 16]).p).toBeCloseTo(2 / 35, 12);
    expect(mannWhitneyU([270, 280, 290, 300], [300, 330, 340, 350]).p).toBeCloseTo(2 / 35, 12);
  });

  it('reaches p = 2/286 = 0.007 with 3 against 10, fully separated', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).p).toBeCloseTo(2 / 286, 12);
  });

  it('agrees with the enumeration on samples with ties of every shape', () => {
    const cases: [number[], number[]][] = [
      [[274, 274, 274, 280, 2000], [274, 275, 280, 280, 281]],
      [[5, 5, 6, 6, 7], [6, 7, 7, 8, 8, 8]],
      [[1, 1, 1], [1, 1, 2, 2]],
      [[3, 3, 3, 3, 3, 4], [3, 4, 4]],
      [[10, 20, 20, 30], [20, 20, 30, 30, 40, 40, 40]],
    ];
    // and pseudo-random ones: small integers tie often
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647) % 6;
    for (let i = 0; i < 25; i += 1) cases.push([Array.from({ length: 2 + (i % 5) }, next), Array.from({ length: 2 + ((i * 3) % 6) }, next)]);
    for (const [a, b] of cases) {
      if (new Set([...a, ...b]).size === 1) continue;
      expect(mannWhitneyU(a, b).p, `${a.join(',')} vs ${b.join(',')}`).toBeCloseTo(enumeratedP(a, b), 12);
    }
  });

  it('gives p = 1 where the two U are equal, as benchstat does', () => {
    expect(mannWhitneyU([1, 4], [2, 3]).p).toBe(1);
  });

  it('goes to the normal approximation beyond 25 a side when values tie (benchstat\'s limit)', () => {
    const a = Array.from({ length: 26 }, (_, i) => Math.floor(i / 2));
    const b = Array.from({ length: 26 }, (_, i) => Math.floor(i / 2) + 3);
    expect(mannWhitneyU(a, b).method).toBe('normal');
    expect(mannWhitneyU(a.slice(0, 25), b.slice(0, 25)).method).toBe('exact');
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

describe('smallestReachableP', () => {
  it('is 2 / C(n1 + n2, n1): 0.1 at 3 + 3, 2/70 at 4 + 4, 2/286 at 3 + 10, 1 with an empty side', () => {
    expect(smallestReachableP(3, 3)).toBeCloseTo(0.1, 12);
    expect(smallestReachableP(4, 4)).toBeCloseTo(2 / 70, 12);
    expect(smallestReachableP(3, 10)).toBeCloseTo(2 / 286, 12);
    expect(smallestReachableP(10, 3)).toBeCloseTo(2 / 286, 12);
    expect(smallestReachableP(1, 1)).toBe(1);
    expect(smallestReachableP(0, 5)).toBe(1);
  });
});

describe('normalCdf', () => {
  it('gives Φ(0) = 0.5, Φ(1.96) ≈ 0.975, Φ(−1.96) ≈ 0.025', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
  });
});
