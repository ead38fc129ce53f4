/**
 * report.html over a sweep of link speeds: pull time against link speed on log–log axes, one
 * line per case through its medians at each shaped rate, each with the median's interval.
 * Unlimited links have no rate to put on the axis and are left out; a run at one rate has no
 * such chart. (scripts/render-chart.mjs renders the canvas to a PNG in Chromium.)
 */
import { describe, expect, it } from 'vitest';
import { chartData, htmlReport } from '../../src/report/html-report.js';
import { CASE_LABELS } from '../../src/report/pull-table.js';
import { buildComparison } from '../../src/result/comparison.js';
import { summarize } from '../../src/result/summarize.js';
import type { PullCase, PullSample, PullSetup, SuiteResult } from '../../src/result/types.js';
import { resultOf } from './support/sample-factory.js';

const LINKS: Record<string, number | null> = { '20mbit': 20e6, '100mbit': 100e6, '1gbit': 1e9, unlimited: null };

/** Bytes per case, roughly as at default scale: the time is a fixed cost plus the bytes over the link. */
const BYTES: Record<PullCase, number> = { 'with-base': 2e6, 'without-base': 221e6, 'base-alone': 219e6, 'monolithic-with-app1': 110e6 };

function pull(c: PullCase, bandwidth: string, rep: number): PullSample {
  const bitsPerSecond = LINKS[bandwidth] ?? null;
  const linkMs = bitsPerSecond === null ? 0 : (BYTES[c] * 8 * 1000) / bitsPerSecond;
  const wallMs = Math.round(1000 + linkMs * 1.1 + (BYTES[c] / 1e6) * 40 + rep * 100);
  return {
    kind: 'pull', case: c, image: c === 'base-alone' ? 'tiers' : c === 'monolithic-with-app1' ? 'app2-monolithic' : 'app2', rep, wallMs,
    lastByteMs: Math.round(wallMs * 0.7), extractTailMs: wallMs - Math.round(wallMs * 0.7),
    layers: [], downloadedBytes: BYTES[c], bytesOverLink: null, bandwidth, bitsPerSecond, health: null, startedAt: '2026-11-25T10:00:00.000Z', machine: 'engine-1',
  };
}

function sweepResult(bandwidths: readonly string[]): SuiteResult {
  const cases = Object.keys(CASE_LABELS) as PullCase[];
  const samples = bandwidths.flatMap((bandwidth) => [1, 2, 3].flatMap((rep) => cases.map((c) => pull(c, bandwidth, rep))));
  const first = bandwidths[0] ?? '100mbit';
  const pullSetup: PullSetup = {
    scale: 'default',
    link: { bandwidth: first, bitsPerSecond: LINKS[first] ?? null, latency: 'not shaped' },
    bandwidths: [...bandwidths],
    freshHostMode: 'capabilities',
    images: [],
  };
  return { ...resultOf([]), samples, summary: summarize(samples), pull: pullSetup };
}

const sweepOf = (result: SuiteResult): ReturnType<typeof chartData>['pullSweep'] => chartData(result, buildComparison(result)).pullSweep;

describe('the sweep chart\'s data', () => {
  const result = sweepResult(['100mbit', '20mbit', '1gbit', 'unlimited']);
  const sweep = sweepOf(result);

  it('has one line per case, labelled as the pull table labels it, in the table\'s order', () => {
    expect(sweep?.lines.map((line) => line.label)).toEqual([CASE_LABELS['with-base'], CASE_LABELS['without-base'], CASE_LABELS['base-alone'], CASE_LABELS['monolithic-with-app1']]);
  });

  it('puts a point at each shaped rate, in Mbit/s and slowest first, whatever order the rates were given in', () => {
    for (const line of sweep?.lines ?? []) {
      expect(line.points.map((p) => p.mbit)).toEqual([20, 100, 1000]);
      expect(line.points.map((p) => p.link)).toEqual(['20 Mbit/s', '100 Mbit/s', '1 Gbit/s']);
    }
  });

  it('each point is the summary\'s median with its interval, its confidence and its n', () => {
    const withoutBase = sweep?.lines[1]?.points[0];
    const times = [1, 2, 3].map((rep) => pull('without-base', '20mbit', rep).wallMs);
    // three pulls: the interval is their range, which covers the median with 75 %
    expect(withoutBase).toEqual({ mbit: 20, link: '20 Mbit/s', medianMs: times[1], lowMs: times[0], highMs: times[2], confidence: 0.75, n: 3 });
    expect(sweep?.lines.every((line) => line.points.every((p) => p.lowMs <= p.medianMs && p.medianMs <= p.highMs))).toBe(true);
  });

  it('leaves the unlimited link out, and says that it did', () => {
    expect(sweep?.unlimitedLeftOut).toBe(true);
    expect(sweep?.lines.flatMap((line) => line.points).some((p) => !Number.isFinite(p.mbit))).toBe(false);
    expect(sweepOf(sweepResult(['20mbit', '1gbit']))?.unlimitedLeftOut).toBe(false);
  });

  it('is null for a run at one rate, even beside an unlimited link, and for builds', () => {
    expect(sweepOf(sweepResult(['100mbit']))).toBeNull();
    expect(sweepOf(sweepResult(['100mbit', 'unlimited']))).toBeNull();
    const builds = resultOf([]);
    expect(sweepOf(builds)).toBeNull();
  });
});

describe('report.html', () => {
  it('holds the sweep\'s canvas under the pull table, and the script that draws it, for a sweep', () => {
    const result = sweepResult(['20mbit', '100mbit', '1gbit', 'unlimited']);
    const page = htmlReport(result, buildComparison(result));
    expect(page).toContain('<h3>Pull time against link speed</h3>');
    expect(page).toContain('<canvas id="chart-pull-sweep"');
    expect(page).toMatch(/Unlimited links have no rate to put on the axis and are left out of the chart\. This run's pulls over an unlimited link are in the table above\./);
    expect(page.indexOf('</pre>')).toBeLessThan(page.indexOf('chart-pull-sweep'));
    expect(page).toContain('function drawPullSweep(');
    expect(page).toContain('function intervalBars(');
  });

  it('holds no such canvas for a run at one rate', () => {
    const result = sweepResult(['100mbit']);
    expect(htmlReport(result, buildComparison(result))).not.toContain('<canvas id="chart-pull-sweep"');
  });
});
