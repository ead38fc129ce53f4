/** Warnings on crafted series: each fires on its shape, and stays quiet on a plain noisy series. */
import { describe, expect, it } from 'vitest';
import { modifiedZScores, seriesWarnings, spearmanWithOrder, warningsFor } from '../../src/result/warnings.js';
import { makeSample, makeSamples } from './support/sample-factory.js';

const codes = (times: number[]): string[] => seriesWarnings(times).map((w) => w.code);

describe('seriesWarnings', () => {
  it('is quiet on a tight series without shape', () => {
    expect(codes([1000, 1010, 995, 1005, 1002])).toEqual([]);
  });

  it('calls a first sample 1.5× slower than the median of the others slow', () => {
    expect(codes([1600, 1000, 1010, 1005, 990])).toContain('slow-first-sample');
    expect(codes([1400, 1000, 1010, 1005, 990])).not.toContain('slow-first-sample');
  });

  it("finds an outlier by hyperfine's modified Z-score (above 14.826), naming its rep, from five samples on", () => {
    const warnings = seriesWarnings([1000, 1010, 995, 1005, 3000, 1002]);
    const outliers = warnings.find((w) => w.code === 'outliers');
    expect(outliers?.message).toMatch(/1 outlier .*rep 5 \(3000 ms\)/);
    // ordinary noise of a pip step is not an outlier
    expect(codes([11300, 15400, 12100, 13900, 17100])).not.toContain('outliers');
    // with four samples, no call
    expect(codes([1000, 1010, 995, 3000])).not.toContain('outliers');
  });

  it('finds an outlier where more than half the samples are equal (a MAD of 0), but not a millisecond of timer resolution', () => {
    const outliers = seriesWarnings([274, 274, 274, 280, 2000]).find((w) => w.code === 'outliers');
    expect(outliers?.message).toMatch(/1 outlier .*rep 5 \(2000 ms\)/);
    expect(codes([230, 230, 230, 231, 232])).not.toContain('outliers');
    expect(codes([500, 500, 500, 500, 500])).not.toContain('outliers');
  });

  it('finds a monotonic drift across repetitions (rank correlation ≥ 0.8 from five reps)', () => {
    expect(codes([10.7, 12.5, 13.9, 15.1, 16.8].map((s) => s * 1000))).toContain('trend');
    expect(codes([10.7, 16.1, 11.5, 18.6, 12.0].map((s) => s * 1000))).not.toContain('trend');
  });

  it('with three or four reps, calls only a strict climb of more than a quarter of the median a drift (11.3 → 15.4 → 17.1 s)', () => {
    expect(codes([11300, 15400, 17100])).toContain('trend');
    expect(codes([11300, 11500, 11600])).not.toContain('trend');
    expect(codes([11300, 17100, 15400])).not.toContain('trend');
  });

  it('warns when the margin of error is above 5 %, from three samples on', () => {
    expect(codes([1000, 1400, 1800])).toContain('high-rme');
    expect(codes([1000, 1020, 1010])).not.toContain('high-rme');
    expect(codes([1000, 1800])).not.toContain('high-rme');
  });

  it('warns below three samples', () => {
    expect(codes([1000, 1010])).toEqual(['few-samples']);
    expect(codes([])).toEqual(['few-samples']);
  });
});

describe('warningsFor a result', () => {
  it('names the group of each warning, leaves cold builds (built once by design) and excluded samples out', () => {
    const samples = [
      makeSample({ phase: 'cold' }),
      ...makeSamples({ variant: 'naive' }, [11300, 15400, 17100]),
      makeSample({ variant: 'naive', rep: 4, wallMs: 90_000, flags: ['no-step-missed'], firstMissStep: null }),
    ];
    const warnings = warningsFor(samples, { loadAverageAtStart: 0.4, cpus: 2 });
    expect(warnings.map((w) => [w.code, w.variant, w.edit, w.phase])).toEqual([
      ['trend', 'naive', 'code', 'warm'],
      ['high-rme', 'naive', 'code', 'warm'],
    ]);
    expect(warnings[0]?.message).toMatch(/^naive · edit "code": the times rise across repetitions/);
  });

  it('warns once when the machine was busy at the start: load above the core count', () => {
    expect(warningsFor([], { loadAverageAtStart: 3.1, cpus: 2 })).toEqual([expect.objectContaining({ code: 'busy-machine' })]);
    expect(warningsFor([], { loadAverageAtStart: 1.9, cpus: 2 })).toEqual([]);
    expect(warningsFor([], { loadAverageAtStart: null, cpus: 2 })).toEqual([]);
  });
});

describe('the statistics behind them', () => {
  it('modifiedZScores: (x − median)/MAD as hyperfine computes it; a MAD of 0 floored at 1 % of the median', () => {
    expect(modifiedZScores([1, 2, 3, 4, 100])).toEqual([-2, -1, 0, 1, 97]);
    // median 5, MAD 0 → floor 0.05
    expect(modifiedZScores([5, 5, 5, 9]).map((z) => Math.round(z))).toEqual([0, 0, 0, 80]);
    expect(modifiedZScores([0, 0, 0])).toEqual([0, 0, 0]);
  });

  it('spearmanWithOrder: 1 for rising, −1 for falling, ties averaged', () => {
    expect(spearmanWithOrder([1, 2, 3, 4])).toBe(1);
    expect(spearmanWithOrder([4, 3, 2, 1])).toBe(-1);
    expect(spearmanWithOrder([1, 1, 2, 2])).toBeCloseTo(0.894, 3);
  });
});
