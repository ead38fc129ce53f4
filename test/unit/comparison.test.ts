import { describe, expect, it } from 'vitest';
import { buildComparison, type Comparison, type ComparisonRow } from '../../src/result/comparison.js';
import { summarize } from '../../src/result/summarize.js';
import type { BuildSample } from '../../src/result/types.js';
import { makeSample, makeSamples, scenarioOf, smallRun } from './support/sample-factory.js';

function compare(samples: BuildSample[], variants = ['naive', 'optimized'], edits = ['code'], baseline?: string): Comparison {
  return buildComparison({ samples, summary: summarize(samples), scenario: scenarioOf(variants, edits, baseline) });
}

function rowOf(comparison: Comparison, edit: string, variant: string, builder = 'classic'): ComparisonRow {
  const row = comparison.sections.find((s) => s.edit === edit && s.builder === builder)?.rows.find((r) => r.variant === variant);
  if (row === undefined) throw new Error(`no row ${builder} ${edit} ${variant}`);
  return row;
}

describe('buildComparison: the model every renderer shows', () => {
  const comparison = compare(smallRun());

  it('has one section per builder and edit: the cold build first, then the edits in the scenario\'s order', () => {
    const samples = [...smallRun(), ...makeSamples({ variant: 'naive', edit: 'model' }, [5_000]), ...makeSamples({ variant: 'naive', edit: 'code', builder: 'buildkit' }, [9_000])];
    const sections = compare(samples, ['naive', 'optimized'], ['model', 'code']).sections;
    expect(sections.map((s) => [s.builder, s.phase, s.edit])).toEqual([
      ['classic', 'cold', 'none'],
      ['classic', 'warm', 'model'],
      ['classic', 'warm', 'code'],
      ['buildkit', 'warm', 'code'],
    ]);
  });

  it('lists the rows in the scenario\'s variant order, whatever order the samples came in', () => {
    const reversed = [...smallRun()].reverse();
    expect(compare(reversed).sections[0]?.rows.map((r) => r.variant)).toEqual(['naive', 'optimized']);
  });

  it('computes each speed-up once: the baseline\'s median over the row\'s median, null for the baseline itself being 1', () => {
    expect(rowOf(comparison, 'code', 'optimized').speedup).toBe(30);
    expect(rowOf(comparison, 'none', 'optimized').speedup).toBeCloseTo(61 / 41, 10);
    expect(rowOf(comparison, 'code', 'naive')).toMatchObject({ isBaseline: true, speedup: 1 });
  });

  it('measures against the scenario\'s baseline, not the first variant', () => {
    const other = compare(smallRun(), ['naive', 'optimized'], ['code'], 'optimized');
    expect(rowOf(other, 'code', 'optimized').isBaseline).toBe(true);
    expect(rowOf(other, 'code', 'naive').speedup).toBeCloseTo(1 / 30, 10);
  });

  it('has no speed-up when the baseline has no samples in that section', () => {
    const samples = makeSamples({ variant: 'optimized' }, [1_000]);
    expect(rowOf(compare(samples), 'code', 'optimized').speedup).toBeNull();
  });

  it('names the typical first miss: the most common first missed step of the counted samples', () => {
    expect(rowOf(comparison, 'code', 'optimized').firstMiss).toEqual({ step: 5, instruction: 'COPY . .', count: 3, of: 3 });
    const mixed = [...makeSamples({ firstMissStep: 4 }, [1, 2]), makeSample({ firstMissStep: 5 })];
    expect(rowOf(compare(mixed), 'code', 'naive').firstMiss).toMatchObject({ step: 4, count: 2, of: 3 });
  });

  it('says step null (all cached) when every sample of a row missed nothing', () => {
    const cached = makeSamples({ firstMissStep: null, flags: ['no-step-missed'] }, [100, 110]);
    expect(rowOf(compare(cached), 'code', 'naive').firstMiss).toMatchObject({ step: null, count: 2 });
  });

  it('counts the steps reused out of the total (median over the counted samples)', () => {
    expect(rowOf(comparison, 'code', 'optimized').stepsReused).toEqual({ reused: 4, total: 6 });
    expect(rowOf(comparison, 'code', 'naive').stepsReused).toEqual({ reused: 3, total: 6 });
  });

  it('carries the statistics, bytes and health of the summary row unchanged', () => {
    const row = rowOf(comparison, 'code', 'optimized');
    expect(row.wallMs?.median).toBe(1_000);
    expect(row.n).toBe(3);
    expect(row.excluded).toBe(1);
    expect(row.newBytes).toBe(14_400);
    expect(row.health).toEqual({ checked: 4, healthy: 4, medianTimeToHealthyMs: 1_200 });
  });

  describe('headlines', () => {
    it('give the first edit\'s rebuild ratio, baseline over the next variant, per builder', () => {
      const samples = [...smallRun(), ...makeSamples({ variant: 'naive', builder: 'buildkit' }, [20_000]), ...makeSamples({ variant: 'optimized', builder: 'buildkit' }, [500])];
      expect(compare(samples).headlines).toEqual([
        { builder: 'classic', edit: 'code', slow: 'naive', fast: 'optimized', slowMs: 30_000, fastMs: 1_000, ratio: 30, interval: null },
        { builder: 'buildkit', edit: 'code', slow: 'naive', fast: 'optimized', slowMs: 20_000, fastMs: 500, ratio: 40, interval: null },
      ]);
    });

    it('are missing when either side lacks a median for the first edit', () => {
      expect(compare(smallRun(), ['naive', 'multistage']).headlines).toEqual([]);
      expect(compare(smallRun(), ['naive', 'optimized'], ['model']).headlines).toEqual([]);
      const excluded = [makeSample({ variant: 'naive', wallMs: 1_000 }), makeSample({ variant: 'optimized', flags: ['no-step-missed'] })];
      expect(compare(excluded).headlines).toEqual([]);
    });

    it('need two variants', () => {
      expect(compare(smallRun(), ['naive']).headlines).toEqual([]);
    });
  });
});

describe('speed-up intervals from the rounds', () => {
  // round k of naive took 10 + k s; optimized took 1 s, except a slow round 3 (2 s)
  const naive = makeSamples({ variant: 'naive', edit: 'code' }, [11_000, 12_000, 13_000, 14_000, 15_000, 16_000]);
  const optimized = makeSamples({ variant: 'optimized', edit: 'code' }, [1_000, 1_000, 2_000, 1_000, 1_000, 1_000]);
  const samples = [...naive, ...optimized];
  const inRounds = (order: 'rounds' | 'blocked'): Comparison =>
    buildComparison({ samples, summary: summarize(samples), scenario: { ...scenarioOf(['naive', 'optimized'], ['code']), order: { kind: order } } });

  it('pairs repetition k of the baseline with repetition k of the row and takes the median\'s interval of those ratios', () => {
    const row = rowOf(inRounds('rounds'), 'code', 'optimized');
    // ratios 11, 12, 6.5, 14, 15, 16: with n = 6 the 95 % interval is [min, max]
    expect(row.speedupInterval).toEqual({ low: 6.5, high: 16, confidence: expect.closeTo(0.96875, 5) });
    expect(inRounds('rounds').headlines[0]?.interval).toEqual(row.speedupInterval);
  });

  it('gives no interval where the repetitions were not built side by side (blocked, or an older result)', () => {
    expect(rowOf(inRounds('blocked'), 'code', 'optimized').speedupInterval).toBeNull();
    expect(rowOf(compare(samples), 'code', 'optimized').speedupInterval).toBeNull();
    expect(rowOf(inRounds('rounds'), 'code', 'naive').speedupInterval).toBeNull();
  });
});
