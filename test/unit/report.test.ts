import { describe, expect, it } from 'vitest';
import { comparisonTable, headlineRatio, renderRows } from '../../src/report/comparison-table.js';
import { formatBytes, formatElapsed, formatMs, formatRatio } from '../../src/report/format.js';
import type { Sample, SummaryRow } from '../../src/report/result-types.js';
import { summarize } from '../../src/report/summarize.js';
import { makeSample, makeSamples } from './support/sample-factory.js';

/**
 * A small run: naive and optimized, each built cold 3 times and rebuilt 3 times after a code
 * edit. naive's code edit misses the cache at the pip install (step 4), optimized's at
 * `COPY . .` (step 5); one extra optimized sample missed no step at all and is flagged.
 */
function run(): Sample[] {
  return [
    ...makeSamples({ variant: 'naive', phase: 'cold', firstMissStep: 1, newBytes: 286_000_000 }, [60_000, 62_000, 61_000]),
    ...makeSamples({ variant: 'optimized', phase: 'cold', firstMissStep: 1, newBytes: 200_000_000, imageBytes: 200_000_000 }, [40_000, 42_000, 41_000]),
    ...makeSamples({ variant: 'naive', phase: 'warm', edit: 'code', firstMissStep: 4, newBytes: 120_000_000 }, [30_000, 31_000, 29_000]),
    ...makeSamples({ variant: 'optimized', phase: 'warm', edit: 'code', firstMissStep: 5, imageBytes: 200_000_000 }, [1_000, 1_100, 900]),
    makeSample({ variant: 'optimized', phase: 'warm', edit: 'code', rep: 4, wallMs: 200, firstMissStep: null, newBytes: 0, imageBytes: 200_000_000, flags: ['no-step-missed'] }),
  ];
}

function rowOf(rows: readonly SummaryRow[], variant: string, phase: string): SummaryRow {
  const row = rows.find((r) => r.variant === variant && r.phase === phase);
  if (row === undefined) throw new Error(`no summary row for ${variant} ${phase}`);
  return row;
}

describe('summarize', () => {
  it('makes one row per (variant, builder, edit, phase), in the order the groups first appear', () => {
    const rows = summarize([...run(), makeSample({ variant: 'naive', builder: 'buildkit', phase: 'warm', edit: 'code' })]);
    expect(rows.map((r) => [r.variant, r.builder, r.edit, r.phase])).toEqual([
      ['naive', 'classic', 'none', 'cold'],
      ['optimized', 'classic', 'none', 'cold'],
      ['naive', 'classic', 'code', 'warm'],
      ['optimized', 'classic', 'code', 'warm'],
      ['naive', 'buildkit', 'code', 'warm'],
    ]);
  });

  it('keeps different edits of one variant apart', () => {
    const rows = summarize([makeSample({ edit: 'code' }), makeSample({ edit: 'model' }), makeSample({ edit: 'code' })]);
    expect(rows.map((r) => [r.edit, r.n])).toEqual([
      ['code', 2],
      ['model', 1],
    ]);
  });

  it('computes the timing statistics of each group', () => {
    const row = rowOf(summarize(run()), 'naive', 'warm');
    expect(row).toMatchObject({ n: 3, medianMs: 30_000, meanMs: 30_000, stddevMs: 1_000, minMs: 29_000, maxMs: 31_000 });
    expect(row.rme).toBeCloseTo(((4.303 * 1_000) / Math.sqrt(3) / 30_000) * 100, 10);
  });

  it("leaves samples flagged 'no-step-missed' out of the statistics and counts them as excluded", () => {
    const row = rowOf(summarize(run()), 'optimized', 'warm');
    expect(row.n).toBe(3);
    expect(row.excluded).toBe(1);
    expect(row.minMs).toBe(900);
    expect(row.medianMs).toBe(1_000);
    expect(row.medianNewBytes).toBe(14_400);
  });

  it("does not exclude samples that are only flagged 'layer-sizes-approximate'", () => {
    const [row] = summarize([makeSample({ wallMs: 10, flags: ['layer-sizes-approximate'] }), makeSample({ wallMs: 20 })]);
    expect(row).toMatchObject({ n: 2, excluded: 0, medianMs: 15 });
  });

  it('counts the healthy samples of the whole group', () => {
    const samples = [makeSample({ healthy: true }), makeSample({ healthy: false }), makeSample({ healthy: true, flags: ['no-step-missed'] })];
    expect(summarize(samples)[0]?.healthy).toBe(2);
  });

  it('takes the median new bytes and the median image size', () => {
    const row = rowOf(summarize(run()), 'naive', 'cold');
    expect(row.medianNewBytes).toBe(286_000_000);
    expect(row.medianImageBytes).toBe(286_000_000);
  });

  it('gives n = 0 and NaN timings when every sample of a group was excluded', () => {
    const [row] = summarize([makeSample({ flags: ['no-step-missed'] })]);
    expect(row?.n).toBe(0);
    expect(row?.excluded).toBe(1);
    expect(row?.medianMs).toBeNaN();
  });

  it('gives no rows for no samples', () => {
    expect(summarize([])).toEqual([]);
  });
});

describe('comparisonTable', () => {
  const samples = run();
  const table = comparisonTable({ summary: summarize(samples), samples }, 'naive');
  const sections = table.split('\n\n');
  const lineOf = (section: string | undefined, variant: string): string => section?.split('\n').find((l) => l.trimStart().startsWith(`${variant} `)) ?? '';

  it('has a cold-build section first, then one section per edit', () => {
    expect(sections).toHaveLength(2);
    expect(sections[0]?.split('\n')[0]).toBe('cold build (no cache), n=3');
    expect(sections[1]?.split('\n')[0]).toBe('edit "code": rebuild after the edit, n=3 per variant');
  });

  it('puts the cold section first even when the summary lists the edits first', () => {
    const summary = summarize(samples);
    const reordered = [...summary.filter((r) => r.phase === 'warm'), ...summary.filter((r) => r.phase === 'cold')];
    expect(comparisonTable({ summary: reordered, samples }, 'naive').split('\n')[0]).toBe('cold build (no cache), n=3');
  });

  it('has a header row with the column titles under each section title', () => {
    for (const section of sections) {
      const header = section.split('\n')[1] ?? '';
      for (const title of ['variant', 'median', '±rme', 'speed-up', 'first miss', 'new bytes', 'image', 'healthy']) expect(header).toContain(title);
    }
  });

  it('shows "baseline" for the baseline variant and the speed-up against it for the others (30×)', () => {
    expect(lineOf(sections[1], 'naive')).toContain('baseline');
    expect(lineOf(sections[1], 'optimized')).toContain('30×');
    expect(lineOf(sections[0], 'optimized')).toContain('1.5×');
  });

  it('shows the median in human units and the margin of error in percent', () => {
    expect(lineOf(sections[1], 'naive')).toContain('30.0 s');
    expect(lineOf(sections[1], 'optimized')).toContain('1.00 s');
    expect(lineOf(sections[0], 'naive')).toContain('1 min 1 s');
    expect(lineOf(sections[1], 'naive')).toMatch(/\d+\.\d%/);
  });

  it('shows the typical first-miss step with its number and (shortened) instruction', () => {
    expect(lineOf(sections[1], 'optimized')).toContain('5: COPY . .');
    expect(lineOf(sections[1], 'naive')).toContain('4: RUN pip install --no-cache-…');
    expect(lineOf(sections[0], 'naive')).toContain('1: FROM python:3.11-slim');
  });

  it('shows the new bytes, the image size and healthy/total with the typical time to healthy', () => {
    const line = lineOf(sections[1], 'optimized');
    expect(line).toContain('14.4 kB');
    expect(line).toContain('200 MB');
    expect(line).toContain('4/4 (1.20 s)');
  });

  it('notes the samples that missed no step and were left out', () => {
    expect(sections[1]).toMatch(/! optimized: 1 sample\(s\) missed no step at all and were left out/);
    expect(sections[0]).not.toContain('!');
  });

  it('shows "–" instead of a speed-up when the baseline variant has no row', () => {
    const other = comparisonTable({ summary: summarize(samples), samples }, 'multistage');
    expect(other).not.toContain('baseline');
    expect(other).not.toContain('×');
  });

  it('shows "–" instead of a margin of error for a single sample', () => {
    const one = [makeSample({ variant: 'naive', wallMs: 5_000 })];
    const line = lineOf(comparisonTable({ summary: summarize(one), samples: one }, 'naive'), 'naive');
    expect(line).toMatch(/^\s*naive\s+5\.00 s\s+–\s+baseline/);
  });

  it('says "none (all cached)" when the typical sample missed no step', () => {
    const cached = makeSamples({ firstMissStep: null }, [100, 110]);
    expect(comparisonTable({ summary: summarize(cached), samples: cached }, 'naive')).toContain('none (all cached)');
  });

  it('aligns the rows of a section: with the right-aligned "healthy" column last, header and rows have one width', () => {
    for (const section of sections) {
      const table = section.split('\n').filter((line) => line.startsWith('  ') && !line.startsWith('  !'));
      expect(table.length).toBeGreaterThan(1);
      expect(new Set(table.map((line) => line.length)).size).toBe(1);
    }
  });
});

describe('headlineRatio', () => {
  const summary = summarize(run());

  it("states the warm rebuild ratio of an edit, slow over fast, with both medians", () => {
    expect(headlineRatio(summary, 'code', 'naive', 'optimized')).toBe('code-edit rebuild naive/optimized = 30.0x (median 30.0 s vs 1.00 s)');
  });

  it('is undefined when either side has no row for that edit', () => {
    expect(headlineRatio(summary, 'code', 'naive', 'multistage')).toBeUndefined();
    expect(headlineRatio(summary, 'code', 'multistage', 'optimized')).toBeUndefined();
    expect(headlineRatio(summary, 'model', 'naive', 'optimized')).toBeUndefined();
  });

  it('ignores cold rows', () => {
    expect(headlineRatio(summary, 'none', 'naive', 'optimized')).toBeUndefined();
  });

  it('is undefined when the fast side has no usable median (all its samples excluded)', () => {
    const samples = [makeSample({ variant: 'naive', wallMs: 1_000 }), makeSample({ variant: 'optimized', flags: ['no-step-missed'] })];
    expect(headlineRatio(summarize(samples), 'code', 'naive', 'optimized')).toBeUndefined();
  });
});

describe('renderRows', () => {
  const columns: Parameters<typeof renderRows>[0] = [
    { title: 'a', align: 'left' },
    { title: 'num', align: 'right' },
  ];

  it('pads each column to its widest cell, left or right aligned, two spaces apart', () => {
    expect(renderRows(columns, [['long', '1'], ['x', '12345']])).toEqual(['a       num', 'long      1', 'x     12345']);
  });

  it('trims trailing spaces of a left-aligned last column', () => {
    expect(renderRows([{ title: 'name', align: 'left' }], [['ab']])).toEqual(['name', 'ab']);
  });

  it('gives the header alone for no rows', () => {
    expect(renderRows(columns, [])).toEqual(['a  num']);
  });
});

describe('formatMs', () => {
  it('writes less than a second in whole milliseconds: 950 → "950 ms"', () => {
    expect(formatMs(950)).toBe('950 ms');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(12.4)).toBe('12 ms');
  });

  it('writes seconds with two decimals below 10 s and one decimal below a minute: 1234 → "1.23 s", 15800 → "15.8 s"', () => {
    expect(formatMs(1_234)).toBe('1.23 s');
    expect(formatMs(15_800)).toBe('15.8 s');
  });

  it('writes a minute or more as minutes and seconds: 61000 → "1 min 1 s"', () => {
    expect(formatMs(61_000)).toBe('1 min 1 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });

  it('writes "–" for NaN and infinities', () => {
    expect(formatMs(Number.NaN)).toBe('–');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('–');
  });

  // Regression: the seconds are rounded after the minutes are taken.
  it('never writes 60 seconds: 119700 → "2 min 0 s"', () => {
    expect(formatMs(119_700)).toBe('2 min 0 s');
  });
});

describe('formatBytes', () => {
  it('writes decimal units with three significant digits: 286e6 → "286 MB", 14400 → "14.4 kB"', () => {
    expect(formatBytes(286e6)).toBe('286 MB');
    expect(formatBytes(14_400)).toBe('14.4 kB');
    expect(formatBytes(1.5e9)).toBe('1.5 GB');
  });

  it('writes whole bytes below 1 kB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('stops at TB', () => {
    expect(formatBytes(2e15)).toBe('2000 TB');
  });

  it('writes "–" for NaN', () => {
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('formatRatio', () => {
  it('writes ratios of 10 or more without decimals and smaller ones with one: 30 → "30×", 1.49 → "1.5×"', () => {
    expect(formatRatio(30)).toBe('30×');
    expect(formatRatio(31.4)).toBe('31×');
    expect(formatRatio(1.49)).toBe('1.5×');
    expect(formatRatio(0.5)).toBe('0.5×');
  });

  it('writes "–" for a ratio that is not finite', () => {
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatRatio(Number.NaN)).toBe('–');
  });
});

describe('formatElapsed', () => {
  it('writes mm:ss, counting minutes past an hour', () => {
    expect(formatElapsed(0)).toBe('00:00');
    expect(formatElapsed(65_400)).toBe('01:05');
    expect(formatElapsed(3_600_000)).toBe('60:00');
  });
});
