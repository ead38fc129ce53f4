#!/usr/bin/env node
/**
 * Renders one chart of a report.html to a PNG, in the Chromium the specs use (Debian's, driven
 * by playwright-core, launched as test/integration/html-report.test.ts launches it):
 *
 *   node scripts/render-chart.mjs <report.html> <canvas id> <out.png>
 *   e.g. node scripts/render-chart.mjs results/<run>/report.html chart-pull-sweep docs/pull-sweep.png
 *
 * Opens the page from disk (it fetches nothing), waits until Chart.js has drawn into the canvas,
 * and writes the canvas's box at twice the CSS pixels, on the page's white. A page error, a
 * canvas that is not there or never drawn, fails with the reason. CHROMIUM_PATH overrides
 * /usr/bin/chromium (scripts/setup-browser.sh installs it). Exit codes: 1 the page failed, 2 bad
 * input, 3 no Chromium.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// as the machine's probe found: without these, Chromium reaches for Google's hosts at every start
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DRAW_TIMEOUT_MS = 30_000;

function fail(code, message) {
  process.stderr.write(`render-chart: ${message}\n`);
  process.exit(code);
}

/** A problem found with the browser open: thrown, so that `finally` closes it before the exit. */
class RenderError extends Error {
  constructor(message, exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

const [page, canvasId, out, ...extra] = process.argv.slice(2);
if (page === undefined || canvasId === undefined || out === undefined || extra.length > 0) fail(2, 'usage: node scripts/render-chart.mjs <report.html> <canvas id> <out.png>');
if (!existsSync(page)) fail(2, `no such file: ${page}`);
if (!existsSync(CHROMIUM)) fail(3, `no Chromium at ${CHROMIUM} (bash scripts/setup-browser.sh installs Debian's as root, or set CHROMIUM_PATH)`);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  await render();
} catch (error) {
  process.exitCode = error instanceof RenderError ? error.exitCode : 1;
  process.stderr.write(`render-chart: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await browser.close();
}

async function render() {
  const tab = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 2 });
  const problems = [];
  tab.on('pageerror', (error) => problems.push(String(error)));
  tab.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await tab.goto(pathToFileURL(resolve(page)).href);
  await tab.waitForFunction(() => document.readyState === 'complete');
  if (problems.length > 0) throw new RenderError(`the page failed: ${problems.join('; ')}`, 1);

  const canvases = await tab.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => c.id));
  if (!canvases.includes(canvasId)) throw new RenderError(`${page} has no canvas #${canvasId}; it has: ${canvases.join(', ') || 'none'}`, 2);

  // drawn: Chart.js holds a chart for the canvas and has sized it; then two frames, for a resize's redraw
  await tab.waitForFunction(
    (id) => {
      const canvas = document.getElementById(id);
      const chart = window.Chart?.getChart(canvas);
      return chart !== undefined && canvas.width > 0 && canvas.height > 0;
    },
    canvasId,
    { timeout: DRAW_TIMEOUT_MS },
  ).catch(() => {
    throw new RenderError(`Chart.js drew nothing into #${canvasId} within ${DRAW_TIMEOUT_MS / 1000} s${problems.length > 0 ? `: ${problems.join('; ')}` : ''}`, 1);
  });
  await tab.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  if (problems.length > 0) throw new RenderError(`the page failed: ${problems.join('; ')}`, 1);

  mkdirSync(dirname(resolve(out)), { recursive: true });
  await tab.locator(`canvas[id="${canvasId}"]`).screenshot({ path: out });
  process.stderr.write(`render-chart: #${canvasId} of ${page} → ${out}\n`);
}
