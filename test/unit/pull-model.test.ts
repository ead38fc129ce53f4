import { describe, expect, it } from 'vitest';
import {
  fitPullCase,
  fitPullModels,
  fixedCostForRatio,
  linkRateForRatio,
  twoPointReading,
  type PullLineFit,
  type PullPoint,
} from '../../src/result/pull-model.js';
import type { PullCase } from '../../src/result/types.js';
import { formatBitRate, pullModelLines } from '../../src/report/pull-model-lines.js';

const MBIT = 1e6;
const SWEEP = [10 * MBIT, 40 * MBIT, 100 * MBIT, 1000 * MBIT];

/** Points of one case on the line time = fixed + bytes ÷ (efficiency × link rate), each time scaled by its noise factor. */
function pointsOf(name: PullCase, line: { fixedMs: number; bytes: number; efficiency: number }, speeds: readonly (number | null)[], noise: readonly number[] = []): PullPoint[] {
  return speeds.map((bitsPerSecond, i) => {
    const linkMs = bitsPerSecond === null ? 0 : ((line.bytes * 8) / (line.efficiency * bitsPerSecond)) * 1000;
    return { case: name, bitsPerSecond, medianMs: (line.fixedMs + linkMs) * (noise[i] ?? 1), bytes: line.bytes, n: 3 };
  });
}

function fitted(points: readonly PullPoint[]): PullLineFit {
  const first = points[0];
  if (first === undefined) throw new Error('no points');
  const model = fitPullCase(first.case, points);
  if (model.fit === null) throw new Error(`refused: ${model.refusedBecause ?? ''}`);
  return model.fit;
}

const WITHOUT = { fixedMs: 4_100, bytes: 221e6, efficiency: 0.96 };
const WITH = { fixedMs: 1_000, bytes: 5e6, efficiency: 0.96 };

describe('a case fitted across link speeds: time = fixed + (bytes ÷ link rate) ÷ efficiency', () => {
  it('recovers the fixed cost and the throughput of points on a known line within 1 %', () => {
    const fit = fitted(pointsOf('without-base', WITHOUT, SWEEP));
    expect(fit.fixedMs).toBeGreaterThan(4_100 * 0.99);
    expect(fit.fixedMs).toBeLessThan(4_100 * 1.01);
    expect(fit.linkEfficiency).toBeCloseTo(0.96, 4);
    for (const reading of fit.atLinks) expect((reading.effectiveBitsPerSecond ?? 0) / (0.96 * reading.bitsPerSecond)).toBeCloseTo(1, 2);
    expect(fit).toMatchObject({ linkSpeeds: 4, points: 4, pulls: 12, residualDegreesOfFreedom: 2, fixedHeldAtZero: false, bytes: 221e6 });
    expect(fit.rSquared).toBeCloseTo(1, 9);
    expect(fit.largestRelativeResidual).toBeLessThan(1e-9);
    expect(fit.atLinks.map((r) => r.bitsPerSecond)).toEqual(SWEEP);
  });

  it('puts the knee where the bytes take as long as the fixed cost', () => {
    const fit = fitted(pointsOf('without-base', WITHOUT, SWEEP));
    // 221 MB ÷ (0.96 × R) = 4.1 s at R = 8 × 221e6 ÷ (0.96 × 4.1) ≈ 449 Mbit/s
    expect((fit.kneeBitsPerSecond ?? 0) / MBIT).toBeCloseTo((8 * 221e6) / (0.96 * 4.1) / MBIT, 3);
  });

  it('fits noisy points, within a few % of the line they came from, and says how well', () => {
    const fit = fitted(pointsOf('without-base', WITHOUT, SWEEP, [1.03, 0.98, 1.02, 0.97]));
    expect(Math.abs(fit.fixedMs / 4_100 - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.linkEfficiency / 0.96 - 1)).toBeLessThan(0.05);
    expect(fit.rSquared).toBeGreaterThan(0.99);
    expect(fit.rSquared).toBeLessThan(1);
    expect(fit.largestRelativeResidual).toBeGreaterThan(0.005);
    expect(fit.largestRelativeResidual).toBeLessThan(0.05);
  });

  it('weights each point by its relative error, so the slow links do not swamp the fixed cost', () => {
    // 5 % too slow at 10 Mbit/s is 9 s there; an unweighted fit would move the intercept by seconds
    const fit = fitted(pointsOf('without-base', WITHOUT, SWEEP, [1.05, 1, 1, 1]));
    expect(Math.abs(fit.fixedMs - 4_100)).toBeLessThan(200);
  });

  it('quotes the measured throughput at the fastest link where the bytes are still a quarter of the pull', () => {
    // App2 with the base: 5 MB is 0.42 s of a 1.4 s pull at 100 Mbit/s, 0.04 s at 1 Gbit/s — there, 1 % of noise on the fixed cost is the whole bytes term
    const fit = fitted(pointsOf('with-base', WITH, SWEEP, [1.01, 0.99, 1.01, 0.99]));
    expect(fit.throughput.atBitsPerSecond).toBe(100 * MBIT);
    expect(fit.throughput.fromLine).toBe(false);
    expect(fit.throughput.bitsPerSecond).toBe(fit.atLinks[2]?.effectiveBitsPerSecond);
    const big = fitted(pointsOf('without-base', WITHOUT, SWEEP));
    expect(big.throughput).toEqual({ atBitsPerSecond: 1000 * MBIT, bitsPerSecond: expect.closeTo(960 * MBIT, -3), fromLine: false });
  });

  it('refuses a case measured at one link speed only, with the reason', () => {
    const model = fitPullCase('base-alone', pointsOf('base-alone', WITHOUT, [100 * MBIT, 100 * MBIT]));
    expect(model.fit).toBeNull();
    expect(model.refusedBecause).toBe('measured at 1 link speed; a fit needs at least 2 distinct speeds');
    expect(model.linkSpeedsBitsPerSecond).toEqual([100 * MBIT]);
  });

  it('keeps unlimited links out of the fit and reads the host ceiling from them', () => {
    const points = [...pointsOf('without-base', WITHOUT, SWEEP), { case: 'without-base' as const, bitsPerSecond: null, medianMs: 5_100, bytes: 221e6, n: 3 }];
    const model = fitPullCase('without-base', points);
    expect(model.fit?.linkSpeeds).toBe(4);
    expect(model.fit?.fixedMs).toBeCloseTo(4_100, 3);
    // 221 MB in the 1 s beyond the fixed cost
    expect((model.unlimited?.ceilingBitsPerSecond ?? 0) / MBIT).toBeCloseTo(1768, 3);
  });

  it('refuses a case measured on unlimited links only: they have no rate to fit against', () => {
    const model = fitPullCase('with-base', [{ case: 'with-base', bitsPerSecond: null, medianMs: 1_000, bytes: 5e6, n: 3 }]);
    expect(model.fit).toBeNull();
    expect(model.refusedBecause).toMatch(/unlimited link has no rate/);
    expect(model.unlimited).toMatchObject({ medianMs: 1_000, ceilingBitsPerSecond: null });
  });

  it('refuses a case whose time does not grow as the link slows', () => {
    const model = fitPullCase('with-base', [
      { case: 'with-base', bitsPerSecond: 10 * MBIT, medianMs: 1_000, bytes: 1e3, n: 3 },
      { case: 'with-base', bitsPerSecond: 1000 * MBIT, medianMs: 1_100, bytes: 1e3, n: 3 },
    ]);
    expect(model.refusedBecause).toMatch(/not bound by the link/);
  });

  it('holds a negative fixed cost at zero and fits the slope alone', () => {
    const fit = fitted(pointsOf('without-base', { fixedMs: 0, bytes: 221e6, efficiency: 1 }, [10 * MBIT, 100 * MBIT], [1.0, 0.9]));
    expect(fit.fixedHeldAtZero).toBe(true);
    expect(fit.fixedMs).toBe(0);
    expect(fit.kneeBitsPerSecond).toBeNull();
    expect(fit.linkEfficiency).toBeGreaterThan(1);
    expect(fit.residualDegreesOfFreedom).toBe(1);
  });

  it('marks a line through two points as untested', () => {
    const fit = fitted(pointsOf('with-base', WITH, [10 * MBIT, 100 * MBIT], [1.02, 0.99]));
    expect(fit.residualDegreesOfFreedom).toBe(0);
    expect(fit.rSquared).toBeCloseTo(1, 9);
  });
});

describe('where without ÷ with base falls below 2×', () => {
  it('solves the two lines for the link rate at which the ratio is 2', () => {
    const withBase = { fixedMs: 3_000, bytes: 5e6, efficiency: 1 };
    const without = { fixedMs: 4_000, bytes: 221e6, efficiency: 1 };
    const model = fitPullModels([...pointsOf('with-base', withBase, SWEEP), ...pointsOf('without-base', without, SWEEP)]);
    const crossing = model.ratio?.crossingBitsPerSecond ?? 0;
    // (4 + 8·221e6 u) = 2 (3 + 8·5e6 u) at u = 2 ÷ (1.768e9 − 0.08e9)
    expect(crossing / MBIT).toBeCloseTo(1.688e9 / 2 / MBIT, 6);
    const at = (fixed: number, bytes: number): number => fixed / 1000 + (bytes * 8) / crossing;
    expect(at(4_000, 221e6) / at(3_000, 5e6)).toBeCloseTo(2, 9);
    expect(model.ratio).toMatchObject({ threshold: 2, shape: 'falls-below-above', crossingInsideSweep: true });
    expect(model.ratio?.slowLinkRatio).toBeCloseTo(221 / 5, 9);
    expect(model.ratio?.fastLinkRatio).toBeCloseTo(4 / 3, 9);
    expect(model.ratio?.atLinks.map((r) => r.measuredRatio / r.modelRatio)).toEqual(SWEEP.map(() => expect.closeTo(1, 9)));
  });

  it('says when the ratio stays above 2× at every link speed', () => {
    const model = fitPullModels([...pointsOf('with-base', WITH, SWEEP), ...pointsOf('without-base', WITHOUT, SWEEP)]);
    expect(model.ratio).toMatchObject({ crossingBitsPerSecond: null, shape: 'stays-above', crossingInsideSweep: null });
    expect(model.ratio?.fastLinkRatio).toBeCloseTo(4.1, 6);
  });

  it('has no ratio, with the reason, when a case has no fit', () => {
    const model = fitPullModels([...pointsOf('with-base', WITH, [100 * MBIT]), ...pointsOf('without-base', WITHOUT, SWEEP)]);
    expect(model.ratio).toBeNull();
    expect(model.ratioRefusedBecause).toBe('no fit for App2 with the base');
  });
});

describe("the article's ≈ 4.5× on the same picture", () => {
  it("reads the article's own two points as ≈ 75 s fixed and ≈ 180 s per GB", () => {
    const estimate = fitPullModels([]).article.twoPointEstimate;
    expect(Math.abs(estimate.fixedMs / 75_000 - 1)).toBeLessThan(0.03);
    expect(Math.abs(estimate.msPerGB / 180_000 - 1)).toBeLessThan(0.03);
    expect(estimate.throughputBitsPerSecond / MBIT).toBeCloseTo(8e9 / 181.67 / MBIT, 1);
    expect(twoPointReading({ bytes: 1e9, ms: 10_000 }, { bytes: 3e9, ms: 30_000 })).toEqual({ fixedMs: 0, msPerGB: 10_000, throughputBitsPerSecond: 8e8 });
  });

  it('solves (F + 1.9 GB ÷ R) ÷ (F + 0.1 GB ÷ R) = 4.5 for the link, and for the fixed cost', () => {
    const ratio = 420 / 93;
    const rate = linkRateForRatio(ratio, 75_000, 1.9e9, 0.1e9) ?? 0;
    expect((75 + (8 * 1.9e9) / rate) / (75 + (8 * 0.1e9) / rate)).toBeCloseTo(ratio, 9);
    const fixed = fixedCostForRatio(ratio, 40 * MBIT, 1.9e9, 0.1e9) ?? 0;
    expect((fixed / 1000 + (8 * 1.9e9) / (40 * MBIT)) / (fixed / 1000 + (8 * 0.1e9) / (40 * MBIT))).toBeCloseTo(ratio, 9);
    expect(linkRateForRatio(ratio, 0, 1.9e9, 0.1e9)).toBeNull();
    expect(linkRateForRatio(20, 1_000, 1.9e9, 0.1e9)).toBeNull();
  });

  it("agrees with its own two-point reading: that fixed cost gives the ratio at the estimate's throughput", () => {
    const estimate = fitPullModels([]).article.twoPointEstimate;
    const rate = linkRateForRatio(420 / 93, estimate.fixedMs, 1.9e9, 0.1e9) ?? 0;
    expect(rate / estimate.throughputBitsPerSecond).toBeCloseTo(1, 9);
  });

  it("takes this run's fixed cost from App2 with the base, and gives the fixed cost at each speed of the sweep", () => {
    const model = fitPullModels([...pointsOf('with-base', WITH, SWEEP), ...pointsOf('without-base', WITHOUT, SWEEP)]);
    const { article } = model;
    expect(article.ratio).toBeCloseTo(4.516, 3);
    expect(article.linkForRatio?.fixedFrom).toBe('with-base');
    expect(article.linkForRatio?.fixedMs).toBeCloseTo(1_000, 3);
    expect((article.linkForRatio?.bitsPerSecond ?? 0) / 1e9).toBeCloseTo((8 * (1.9e9 - (420 / 93) * 0.1e9)) / ((420 / 93 - 1) * 1) / 1e9, 6);
    expect(article.articleLinkBitsPerSecond).toBeNull();
    expect(article.fixedCostForRatio.map((f) => f.bitsPerSecond)).toEqual(SWEEP);
  });

  it('says why, when there is no fit for App2 with the base', () => {
    expect(fitPullModels([]).article).toMatchObject({ linkForRatio: null, linkForRatioRefusedBecause: 'no fit for App2 with the base', fixedCostForRatio: [] });
  });
});

describe('the model as the result records it', () => {
  it('survives JSON unchanged (no Infinity, NaN or undefined)', () => {
    const points = [
      ...pointsOf('with-base', { fixedMs: 0, bytes: 5e6, efficiency: 1 }, [...SWEEP, null]),
      ...pointsOf('without-base', WITHOUT, SWEEP),
      ...pointsOf('base-alone', WITHOUT, [100 * MBIT]),
    ];
    const model = fitPullModels(points);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});

describe('the lines for the terminal and report.md', () => {
  const model = fitPullModels([
    ...pointsOf('with-base', { fixedMs: 3_000, bytes: 6e6, efficiency: 1 }, SWEEP),
    ...pointsOf('without-base', { fixedMs: 4_000, bytes: 221e6, efficiency: 0.96 }, SWEEP, [1.01, 0.99, 1, 1]),
    ...pointsOf('base-alone', WITHOUT, [100 * MBIT]),
  ]);
  const lines = pullModelLines(model);

  it('gives one line per case, the 2× crossing and the two article lines', () => {
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(
      'model (fit over 4 link speeds, 12 pulls): App2 with base — fixed 3.00 s, throughput 40 Mbit/s at 40 Mbit/s (100 % of the link), R² 1.000, worst point 0.0 % off the line; the bytes outweigh the fixed cost below ≈ 16 Mbit/s',
    );
    expect(lines[1]).toBe(
      'model (fit over 4 link speeds, 12 pulls): App2 without base — fixed 3.99 s, throughput 957 Mbit/s at 1 Gbit/s (96 % of the link), R² 1.000, worst point 1.0 % off the line; the bytes outweigh the fixed cost below ≈ 461 Mbit/s',
    );
    expect(lines[2]).toBe('model: base tiers alone — no fit (100 Mbit/s): measured at 1 link speed; a fit needs at least 2 distinct speeds');
    expect(lines[3]).toMatch(/^without ÷ with base falls below 2\.0× above ≈ \d+ Mbit\/s \(from the fits, inside the sweep; 3\d× as the link slows, 1\.\d× as it grows without bound\)$/);
  });

  it("words the article's ratio and its two-point estimate, labelled as one", () => {
    expect(lines[4]).toBe(
      "the article's 4.5× (1.9 GB against 100 MB at one fixed cost): at this run's fixed cost of 3.00 s (App2 with base) it takes a ≈ 1.1 Gbit/s link; at this sweep's speeds it takes a fixed cost of 5 min 30 s (10 Mbit/s), 1 min 22 s (40 Mbit/s), 33.0 s (100 Mbit/s), 3.30 s (1 Gbit/s) — the article names no link",
    );
    expect(lines[5]).toBe(
      `the article's own two points (estimate: a line through 100 MB in 1 min 33 s and 1.9 GB in > 7 min): ≈ 75 s fixed + ≈ 180 s per GB (≈ 44 Mbit/s); "> 7 min" is a lower bound, and so is the cost per GB`,
    );
  });

  it('says when the ratio stays above 2×, and why there is no ratio', () => {
    const above = pullModelLines(fitPullModels([...pointsOf('with-base', WITH, SWEEP), ...pointsOf('without-base', WITHOUT, SWEEP)]));
    expect(above[2]).toBe('without ÷ with base stays above 2.0× at every link speed (from the fits: 44× as the link slows, 4.1× as it grows without bound)');
    expect(pullModelLines(fitPullModels([]))[0]).toBe('without ÷ with base against 2×: no model (no fit for App2 with the base nor App2 without the base)');
  });

  it('writes link rates as tc does', () => {
    expect([formatBitRate(96.2e6), formatBitRate(2.76e9), formatBitRate(512e3), formatBitRate(4.4e6)]).toEqual(['96 Mbit/s', '2.8 Gbit/s', '512 kbit/s', '4.4 Mbit/s']);
  });
});

describe('the download alone: the line through the last bytes, and the extract tail after them', () => {
  // a pull that downloads at 96 % of the link after 50 ms of set-up, then extracts for 18 s;
  // on a slow link most of the extraction overlaps the download, on a fast one it follows it
  const speeds = [20 * MBIT, 100 * MBIT, 1000 * MBIT];
  const overlapped = [0.95, 0.2, 0];
  const points: PullPoint[] = speeds.map((bitsPerSecond, i) => {
    const lastByteMs = 50 + ((221e6 * 8) / (0.96 * bitsPerSecond)) * 1000;
    return { case: 'without-base', bitsPerSecond, medianMs: lastByteMs + 18_000 * (1 - (overlapped[i] ?? 0)), bytes: 221e6, n: 3, lastByteMs };
  });

  it('reads the rate the bytes came at from the last bytes, not from the whole pull', () => {
    const model = fitPullCase('without-base', points);
    expect(model.download?.linkEfficiency).toBeCloseTo(0.96, 6);
    expect(model.download?.fixedMs).toBeCloseTo(50, 3);
    expect(model.download?.rSquared).toBeCloseTo(1, 9);
    expect(model.download?.tailAtFastest).toEqual({ bitsPerSecond: 1000 * MBIT, ms: 18_000 });
    // the whole pull's line folds the tail into its fixed cost, and reads the link as faster than it is
    expect(model.fit?.linkEfficiency).toBeGreaterThan(1);
  });

  it('says so under the case: the download near the link, the tail the fixed cost is made of', () => {
    const lines = pullModelLines(fitPullModels(points));
    expect(lines[1]).toBe(
      "  download alone (last byte): fixed 50 ms, the bytes at 96 % of the link, R² 1.000; extract tail 18.0 s after the last byte at 1 Gbit/s: the fixed cost above is mostly that tail, which overlaps the download on a slower link — hence a throughput above the link's",
    );
  });

  it('is left out without last bytes at two link speeds', () => {
    const one = points.map((p, i) => ({ ...p, lastByteMs: i === 0 ? (p.lastByteMs ?? null) : null }));
    expect(fitPullCase('without-base', one).download).toBeNull();
    expect(pullModelLines(fitPullModels(one)).some((line) => line.includes('download alone'))).toBe(false);
  });
});
