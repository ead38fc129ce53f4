import { describe, expect, it } from 'vitest';
import { buildRowsOf } from '../../src/result/sample-kinds.js';
import { summarize } from '../../src/result/summarize.js';
import type { BuildSummaryRow } from '../../src/result/types.js';
import { makeSample, smallRun } from './support/sample-factory.js';

/** The build rows of the summary (these samples are all builds). */
function buildSummary(samples: Parameters<typeof summarize>[0]): BuildSummaryRow[] {
  return buildRowsOf(summarize(samples));
}

function rowOf(rows: readonly BuildSummaryRow[], variant: string, phase: string): BuildSummaryRow {
  const row = rows.find((r) => r.variant === variant && r.phase === phase);
  if (row === undefined) throw new Error(`no summary row for ${variant} ${phase}`);
  return row;
}

describe('summarize', () => {
  it('makes one build row per (variant, builder, edit, phase), in the order the groups first appear', () => {
    const rows = buildSummary([...smallRun(), makeSample({ variant: 'naive', builder: 'buildkit', phase: 'warm', edit: 'code' })]);
    expect(rows.map((r) => [r.kind, r.variant, r.builder, r.edit, r.phase])).toEqual([
      ['build', 'naive', 'classic', 'none', 'cold'],
      ['build', 'optimized', 'classic', 'none', 'cold'],
      ['build', 'naive', 'classic', 'code', 'warm'],
      ['build', 'optimized', 'classic', 'code', 'warm'],
      ['build', 'naive', 'buildkit', 'code', 'warm'],
    ]);
  });

  it('keeps different edits of one variant apart', () => {
    const rows = buildSummary([makeSample({ edit: 'code' }), makeSample({ edit: 'model' }), makeSample({ edit: 'code' })]);
    expect(rows.map((r) => [r.edit, r.n])).toEqual([
      ['code', 2],
      ['model', 1],
    ]);
  });

  it('computes the timing statistics of each group', () => {
    const row = rowOf(buildSummary(smallRun()), 'naive', 'warm');
    expect(row.wallMs).toMatchObject({ n: 3, median: 30_000, mean: 30_000, stddev: 1_000, min: 29_000, max: 31_000 });
    expect(row.wallMs?.rme).toBeCloseTo(((4.303 * 1_000) / Math.sqrt(3) / 30_000) * 100, 10);
    expect(row.wallMs?.medianInterval).toEqual({ low: 29_000, high: 31_000, confidence: 0.75 });
  });

  it("leaves samples flagged 'no-step-missed' out of the statistics and counts them as excluded", () => {
    const row = rowOf(buildSummary(smallRun()), 'optimized', 'warm');
    expect(row.n).toBe(3);
    expect(row.excluded).toBe(1);
    expect(row.wallMs?.min).toBe(900);
    expect(row.wallMs?.median).toBe(1_000);
    expect(row.newBytes).toBe(14_400);
  });

  it("does not exclude samples that are only flagged 'layer-sizes-approximate'", () => {
    const [row] = buildSummary([makeSample({ wallMs: 10, flags: ['layer-sizes-approximate'] }), makeSample({ wallMs: 20 })]);
    expect(row).toMatchObject({ n: 2, excluded: 0 });
    expect(row?.wallMs?.median).toBe(15);
  });

  it('counts the checked and the healthy samples of the whole group, and the median time to healthy', () => {
    const samples = [
      makeSample({ healthy: true, timeToHealthyMs: 1_000 }),
      makeSample({ healthy: false }),
      makeSample({ healthy: true, timeToHealthyMs: 3_000, flags: ['no-step-missed'] }),
      makeSample({ healthy: null }),
    ];
    expect(buildSummary(samples)[0]?.health).toEqual({ checked: 3, healthy: 2, medianTimeToHealthyMs: 2_000 });
  });

  it('takes the median new bytes and the median image size', () => {
    const row = rowOf(buildSummary(smallRun()), 'naive', 'cold');
    expect(row.newBytes).toBe(286_000_000);
    expect(row.imageBytes).toBe(286_000_000);
  });

  it('gives n = 0 and null statistics (not NaN) when every sample of a group was excluded', () => {
    const [row] = buildSummary([makeSample({ flags: ['no-step-missed'] })]);
    expect(row?.n).toBe(0);
    expect(row?.excluded).toBe(1);
    expect(row?.wallMs).toBeNull();
    expect(row?.newBytes).toBeNull();
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });

  it('gives no rows for no samples', () => {
    expect(buildSummary([])).toEqual([]);
  });
});
