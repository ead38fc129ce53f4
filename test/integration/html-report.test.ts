/**
 * report.html in a real browser (Debian's Chromium, driven by playwright-core): it opens from
 * disk, makes no network request at all, logs no error, and draws its four kinds of chart.
 * A screenshot is kept in test-artifacts/ for a human to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write-reports.js';
import { readResult } from '../../src/result/read-result.js';

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

describe('report.html', () => {
  it('opens offline in Chromium with its charts, no console error and no network request', async () => {
    if (browser === undefined) {
      console.warn(`report.html spec skipped: no Chromium at ${CHROMIUM} (npm test installs Debian's chromium when it runs as root)`);
      return;
    }
    const result = readResult(fileURLToPath(new URL('../fixtures/result-v2.json', import.meta.url)));
    writeReports(scratch, result);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${join(scratch, 'report.html')}`);
    await page.waitForFunction(() => document.readyState === 'complete');

    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${join(scratch, 'report.html')}`]);
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
});
