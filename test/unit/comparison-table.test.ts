import { describe, expect, it } from 'vitest';
import { comparisonTable, headlineLine, renderRows } from '../../src/report/comparison-table.js';
import { buildComparison } from '../../src/result/comparison.js';
import { summarize } from '../../src/result/summarize.js';
import type { BuildSample } from '../../src/result/types.js';
import { makeSample, makeSamples, scenarioOf, smallRun } from './support/sample-factory.js';

function table(samples: BuildSample[], baseline = 'naive', variants = ['naive', 'optimized']): string {
  return comparisonTable(buildComparison({ samples, summary: summarize(samples), scenario: scenarioOf(variants, ['code'], baseline) }));
}

describe('comparisonTable', () => {
  const sections = table(smallRun()).split('\n\n');
  const lineOf = (section: string | undefined, variant: string): string => section?.split('\n').find((l) => l.trimStart().startsWith(`${variant} `)) ?? '';

  it('has a cold-build section first, then one section per edit', () => {
    expect(sections).toHaveLength(2);
    expect(sections[0]?.split('\n')[0]).toBe('cold build (no cache), n=3');
    expect(sections[1]?.split('\n')[0]).toBe('edit "code": rebuild after the edit, n=3 per variant');
  });

  it('has a header row with the column titles under each section title', () => {
    for (const section of sections) {
      const header = section.split('\n')[1] ?? '';
      for (const title of ['variant', 'median', "median's 95 % CI", 'speed-up', 'first miss', 'new bytes', 'image', 'healthy']) expect(header).toContain(title);
      expect(header).not.toContain('rme');
    }
  });

  it('shows "baseline" for the baseline variant and the speed-up against it for the others (30×)', () => {
    expect(lineOf(sections[1], 'naive')).toContain('baseline');
    expect(lineOf(sections[1], 'optimized')).toContain('30×');
    expect(lineOf(sections[0], 'optimized')).toContain('1.5×');
  });

  it("shows the median in human units and beside it the median's interval, with its confidence where n is too small for 95 %", () => {
    expect(lineOf(sections[1], 'naive')).toMatch(/^\s*naive\s+30\.0 s\s+29\.0 s – 31\.0 s \(75 %\)\s+baseline/);
    expect(lineOf(sections[1], 'optimized')).toContain('1.00 s  900 ms – 1.10 s (75 %)');
    expect(lineOf(sections[0], 'naive')).toContain('1 min 1 s');
  });

  it("shows the median's interval, not the mean's margin of error: one slow sample of five gives no ±123 %", () => {
    const line = lineOf(table(makeSamples({}, [1_000, 1_000, 1_000, 1_000, 5_000])), 'naive');
    expect(line).toMatch(/^\s*naive\s+1\.00 s\s+1\.00 s – 5\.00 s \(94 %\)\s+baseline/);
    expect(line).not.toMatch(/±|123/);
    const twelve = lineOf(table(makeSamples({}, [900, 950, 980, 990, 1_000, 1_000, 1_010, 1_020, 1_050, 1_100, 1_200, 5_000])), 'naive');
    expect(twelve).toMatch(/^\s*naive\s+1\.00 s\s+980 ms – 1\.10 s\s+baseline/);
  });

  it('shows the typical first-miss step with its number and (shortened) instruction', () => {
    expect(lineOf(sections[1], 'optimized')).toContain('5: COPY . .');
    expect(lineOf(sections[1], 'naive')).toContain('4: RUN pip install --no-cache-…');
    expect(lineOf(sections[0], 'naive')).toContain('1: FROM python:3.11-slim');
  });

  it('shows the new bytes, the image size and healthy/checked with the typical time to healthy', () => {
    const line = lineOf(sections[1], 'optimized');
    expect(line).toContain('14.4 kB');
    expect(line).toContain('200 MB');
    expect(line).toContain('4/4 (1.20 s)');
  });

  it('says "not checked" when no image of the row was health-checked', () => {
    expect(lineOf(table(makeSamples({ healthy: null }, [1_000])), 'naive')).toContain('not checked');
  });

  it('notes the samples that missed no step and were left out', () => {
    expect(sections[1]).toMatch(/! optimized: 1 sample\(s\) missed no step at all and were left out/);
    expect(sections[0]).not.toContain('!');
  });

  it('shows "–" instead of a speed-up when the baseline variant has no row', () => {
    const other = table(smallRun(), 'multistage', ['naive', 'optimized', 'multistage']);
    expect(other).not.toContain('baseline');
    expect(other).not.toContain('×');
  });

  it('shows "–" instead of an interval for a single sample', () => {
    const line = lineOf(table([makeSample({ variant: 'naive', wallMs: 5_000 })]), 'naive');
    expect(line).toMatch(/^\s*naive\s+5\.00 s\s+–\s+baseline/);
  });

  it('shows "–" for the statistics of a row whose samples were all left out', () => {
    const line = lineOf(table([makeSample({ variant: 'naive', flags: ['no-step-missed'], firstMissStep: null })]), 'naive');
    expect(line).toMatch(/^\s*naive\s+–\s+–\s+baseline\s+none \(all cached\)\s+–/);
  });

  it('puts both builders in one table per edit, with a builder column, when a result holds more than one', () => {
    const both = table([
      ...makeSamples({}, [1_000]),
      ...makeSamples({ builder: 'buildkit' }, [800]),
      ...makeSamples({ variant: 'optimized' }, [100]),
      ...makeSamples({ variant: 'optimized', builder: 'buildkit' }, [90]),
    ]);
    const code = both.split('\n\n').filter((section) => section.startsWith('edit "code"'));
    expect(code).toHaveLength(1);
    const lines = code[0]?.split('\n') ?? [];
    expect(lines[0]).toBe('edit "code": rebuild after the edit, n=1 per variant and builder');
    expect(lines[1]).toMatch(/^ {2}variant +builder +median/);
    const rows = lines.slice(2).filter((line) => !line.startsWith('  why'));
    expect(rows.map((line) => line.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['naive classic', 'naive buildkit', 'optimized classic', 'optimized buildkit']);
  });

  it('aligns the rows of a section: with the right-aligned "healthy" column last, header and rows have one width', () => {
    for (const section of sections) {
      const rows = section.split('\n').filter((line) => line.startsWith('  ') && !line.startsWith('  !'));
      expect(rows.length).toBeGreaterThan(1);
      expect(new Set(rows.map((line) => line.length)).size).toBe(1);
    }
  });
});

describe('headlineLine', () => {
  const headline = { builder: 'classic' as const, edit: 'code', slow: 'naive', fast: 'optimized', slowMs: 30_000, fastMs: 1_000, ratio: 30, interval: null };

  it('states the rebuild ratio of an edit, slow over fast, with both medians', () => {
    expect(headlineLine(headline, false)).toBe('code-edit rebuild naive/optimized = 30.0x (median 30.0 s vs 1.00 s)');
  });

  it('names the builder when there are several', () => {
    expect(headlineLine({ ...headline, builder: 'buildkit' }, true)).toBe('code-edit rebuild naive/optimized = 30.0x [buildkit] (median 30.0 s vs 1.00 s)');
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


describe('speed-up intervals in words', () => {
  it('put the per-round interval beside the headline ratio, with its confidence below 95 %', () => {
    const withInterval = { builder: 'classic' as const, edit: 'code', slow: 'naive', fast: 'optimized', slowMs: 30_000, fastMs: 1_000, ratio: 30, interval: { low: 26, high: 34.4, confidence: 0.9375 } };
    expect(headlineLine(withInterval, false)).toBe('code-edit rebuild naive/optimized = 30.0x (median 30.0 s vs 1.00 s; per-round ratios 26×–34×, 94 %)');
    expect(headlineLine({ ...withInterval, interval: { low: 26, high: 34.4, confidence: 0.97 } }, false)).toContain('per-round ratios 26×–34×)');
  });
});
