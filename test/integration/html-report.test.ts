/**
 * report.html in a real browser (Debian's Chromium, driven by playwright-core): it opens from
 * disk, makes no network request at all, logs no error, and draws its four kinds of chart.
 * A screenshot is kept in test-artifacts/ for a human to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Chart as ChartJs } from 'chart.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write-reports.js';
import { CASE_LABELS } from '../../src/report/pull-table.js';
import { readResult } from '../../src/result/read-result.js';
import { pullRowsOf, pullSamplesOf } from '../../src/result/sample-kinds.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-html-'));
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // as the machine's probe found: without these, Chromium reaches for Google's hosts at every start
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The reports of a fixture result written to `folder`, its report.html opened: it loaded with no console error and no request beyond itself. */
async function openReport(open: Browser, fixture: string, folder: string): Promise<Page> {
  writeReports(folder, readResult(fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url))));
  const page = await open.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${join(folder, 'report.html')}`);
  await page.waitForFunction(() => document.readyState === 'complete');
  expect(problems).toEqual([]);
  expect(requests).toEqual([`file://${join(folder, 'report.html')}`]);
  return page;
}

describe('report.html', () => {
  it('opens offline in Chromium with its charts, no console error and no network request', async () => {
    if (browser === undefined) {
      console.warn(`report.html spec skipped: no Chromium at ${CHROMIUM} (npm test installs Debian's chromium when it runs as root)`);
      return;
    }
    const page = await openReport(browser, 'result-v2.json', scratch);
    const charts = await page.evaluate(() => {
      const instances = Object.values((window as unknown as { Chart: { instances: Record<string, { canvas: HTMLCanvasElement; config: { type: string }; data: { datasets: unknown[] } }> } }).Chart.instances);
      return instances.map((chart) => ({ id: chart.canvas.id, type: chart.config.type, datasets: chart.data.datasets.length, drawn: chart.canvas.width > 0 && chart.canvas.height > 0 }));
    });
    expect(charts.map((c) => c.id).sort()).toEqual(['chart-image-size', 'chart-new-bytes', 'chart-times', 'chart-waterfall-0', 'chart-waterfall-1']);
    expect(charts.every((c) => c.drawn && c.datasets > 0)).toBe(true);
    // the axes speak human units
    const ticks = await page.evaluate(() => {
      const chart = Object.values((window as unknown as { Chart: { instances: Record<string, { canvas: HTMLCanvasElement; scales: Record<string, { ticks: { label: string }[] }> }> } }).Chart.instances).find((c) => c.canvas.id === 'chart-times');
      return (chart?.scales['y']?.ticks ?? []).map((t) => t.label).filter((label) => label !== '');
    });
    expect(ticks.some((label) => / (ms|s)$/.test(label))).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
  });

  it('draws a pull sweep log–log, a line per case through its medians with their intervals, and waterfalls whose downloads overlap', async () => {
    if (browser === undefined) {
      console.warn(`report.html spec skipped: no Chromium at ${CHROMIUM} (npm test installs Debian's chromium when it runs as root)`);
      return;
    }
    const result = readResult(fileURLToPath(new URL('../fixtures/result-pull-sweep.json', import.meta.url)));
    const folder = join(scratch, 'pull-sweep');
    mkdirSync(folder);
    const page = await openReport(browser, 'result-pull-sweep.json', folder);

    // what the chart must show, from the result itself: per case, its median and the median's interval at each link rate
    const rows = pullRowsOf(result.summary);
    const cases = [...new Set(rows.map((r) => r.case))];
    const rates = [...new Set(rows.map((r) => r.bitsPerSecond ?? 0))].sort((a, b) => a - b);
    const expected = cases.map((c) => ({
      label: CASE_LABELS[c],
      points: rows
        .filter((r) => r.case === c)
        .sort((a, b) => (a.bitsPerSecond ?? 0) - (b.bitsPerSecond ?? 0))
        .map((r) => ({ bitsPerSecond: r.bitsPerSecond ?? 0, median: r.wallMs?.median, low: r.wallMs?.medianInterval.low, high: r.wallMs?.medianInterval.high })),
    }));
    expect(cases).toHaveLength(4);
    expect(rates).toEqual([20e6, 100e6, 1e9]);

    const sweep = await page.evaluate(() => {
      const chart = Object.values((window as unknown as { Chart: typeof ChartJs }).Chart.instances).find((c) => c.canvas.id === 'chart-pull-sweep');
      if (chart === undefined) return null;
      // the intervals are strokes a plugin draws, not data of a dataset: record the vertical strokes of one redraw
      const context = chart.ctx;
      const strokes: { x: number; top: number; bottom: number }[] = [];
      let pen = { x: Number.NaN, y: Number.NaN };
      context.moveTo = (x: number, y: number) => {
        pen = { x, y };
        CanvasRenderingContext2D.prototype.moveTo.call(context, x, y);
      };
      context.lineTo = (x: number, y: number) => {
        if (x === pen.x) strokes.push({ x, top: Math.min(y, pen.y), bottom: Math.max(y, pen.y) });
        pen = { x, y };
        CanvasRenderingContext2D.prototype.lineTo.call(context, x, y);
      };
      chart.draw();
      Reflect.deleteProperty(context, 'moveTo');
      Reflect.deleteProperty(context, 'lineTo');
      const yScale = chart.scales['y'];
      return {
        type: 'type' in chart.config ? chart.config.type : undefined,
        xScale: chart.scales['x']?.type,
        yScale: yScale?.type,
        xTicks: (chart.scales['x']?.ticks ?? []).map((t) => t.value),
        drawn: chart.canvas.width > 0 && chart.canvas.height > 0,
        lines: chart.data.datasets.map((dataset, d) => ({
          label: dataset.label,
          points: chart.getDatasetMeta(d).data.map((element, i) => {
            const point = dataset.data[i] as { x: number; y: number };
            // the shortest vertical stroke through the point's own pixel: its bar (a grid line would be longer)
            const bar = strokes
              .filter((s) => Math.abs(s.x - element.x) < 0.01 && s.top <= element.y + 0.01 && element.y - 0.01 <= s.bottom)
              .sort((a, b) => a.bottom - a.top - (b.bottom - b.top))[0];
            return { x: point.x, y: point.y, low: bar === undefined ? null : (yScale?.getValueForPixel(bar.bottom) ?? null), high: bar === undefined ? null : (yScale?.getValueForPixel(bar.top) ?? null) };
          }),
        })),
      };
    });
    expect(sweep).not.toBeNull();
    if (sweep === null) return;
    expect(sweep.type).toBe('line');
    expect(sweep.xScale).toBe('logarithmic');
    expect(sweep.yScale).toBe('logarithmic');
    expect(sweep.drawn).toBe(true);
    // the link axis is in Mbit/s, a tick at each rate of the sweep
    expect(sweep.xTicks).toEqual(rates.map((bps) => bps / 1e6));
    expect(sweep.lines.map((line) => line.label).sort()).toEqual(expected.map((line) => line.label).sort());
    const toThousandths = (value: number | null | undefined): number | null => (value == null ? null : Math.round(value * 1000) / 1000);
    for (const line of expected) {
      const drawn = sweep.lines.find((l) => l.label === line.label)?.points ?? [];
      expect(drawn.map((p) => ({ y: p.y, low: toThousandths(p.low), high: toThousandths(p.high) })), line.label).toEqual(line.points.map((p) => ({ y: p.median, low: p.low, high: p.high })));
      drawn.forEach((p, i) => {
        // the cases are set a few per cent apart along the link axis, never as far as another rate
        const ratio = p.x / ((line.points[i]?.bitsPerSecond ?? Number.NaN) / 1e6);
        expect(ratio, `${line.label}, point ${i}`).toBeGreaterThan(1 / 1.1);
        expect(ratio, `${line.label}, point ${i}`).toBeLessThan(1.1);
        expect(p.low ?? Number.NaN).toBeLessThanOrEqual(p.y + 1e-6);
        expect(p.y).toBeLessThanOrEqual((p.high ?? Number.NaN) + 1e-6);
      });
    }

    const waterfalls = await page.evaluate(() =>
      Object.values((window as unknown as { Chart: typeof ChartJs }).Chart.instances)
        .filter((c) => c.canvas.id.startsWith('chart-pull-waterfall-'))
        .map((c) => ({ id: c.canvas.id, drawn: c.canvas.width > 0 && c.canvas.height > 0, datasets: c.data.datasets.map((dataset) => dataset.data as unknown[]) })),
    );
    // one pull per case
    expect(waterfalls.map((w) => w.id).sort()).toEqual(cases.map((_, i) => `chart-pull-waterfall-${i}`).sort());
    const layerIntervals = new Set(
      pullSamplesOf(result.samples).flatMap((s) =>
        s.layers.flatMap((l) => [
          [l.downloadStartMs, l.downloadEndMs],
          [l.extractStartMs, l.extractEndMs],
        ]).flatMap(([start, end]) => (start == null || end == null ? [] : [`${start}–${Math.max(end, start + 1)}`])),
      ),
    );
    const isInterval = (bar: unknown): bar is [number, number] => Array.isArray(bar) && bar.length === 2 && typeof bar[0] === 'number' && typeof bar[1] === 'number' && bar[0] < bar[1];
    for (const waterfall of waterfalls) {
      expect(waterfall.drawn, waterfall.id).toBe(true);
      expect(waterfall.datasets.length, waterfall.id).toBeGreaterThan(0);
      // floating bars: each layer an interval [start, end] in time, or nothing
      expect(waterfall.datasets.every((data) => data.length > 0 && data.every((bar) => bar === null || isInterval(bar))), waterfall.id).toBe(true);
      // …and each the timeline of a layer of the result (an instant stretched to 1 ms, so that it shows)
      const unknown = waterfall.datasets.flat().filter(isInterval).filter(([start, end]) => !layerIntervals.has(`${start}–${end}`));
      expect(unknown, waterfall.id).toEqual([]);
    }
    // downloads run three at a time: somewhere two bars of one kind share a stretch of time
    const overlaps = (data: unknown[]): boolean => {
      const bars = data.filter(isInterval);
      return bars.some(([start, end], i) => bars.some(([otherStart, otherEnd], j) => i !== j && start < otherEnd && otherStart < end));
    };
    expect(waterfalls.some((w) => w.datasets.some(overlaps))).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#chart-pull-sweep').screenshot({ path: join(ARTIFACTS, 'pull-sweep.png') });
    expect(existsSync(join(ARTIFACTS, 'pull-sweep.png'))).toBe(true);
  });
});
