/**
 * report.html as html-report.ts assembles it from src/report/html/: the template filled, the
 * CSS, Chart.js, the data and the browser scripts inlined, nothing left to fetch; and the
 * page's own formatters, which label the axes, speak as src/format.ts does in the tables.
 * (test/integration/html-report.test.ts opens the page in Chromium.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs } from '../../src/format.js';
import { htmlReport } from '../../src/report/html-report.js';
import { buildComparison } from '../../src/result/comparison.js';
import { readResult } from '../../src/result/read-result.js';

const result = readResult(fileURLToPath(new URL('../fixtures/result-v2.json', import.meta.url)));
const page = htmlReport(result, buildComparison(result));
const scripts = [...page.matchAll(/<script( [^>]*)?>([\s\S]*?)<\/script>/g)].map((match) => ({ attributes: match[1] ?? '', text: match[2] ?? '' }));

describe('report.html', () => {
  it('fills every placeholder of the template and inlines the CSS', () => {
    expect(page.startsWith('<!doctype html>\n')).toBe(true);
    expect(page).not.toMatch(/\{\{\w+\}\}/);
    expect(page).toContain(`<title>layerbench · ${result.scenario.name} · ${result.runId}</title>`);
    expect(page).toContain('.chart.tall { height: 420px; }');
    expect(page).toContain('<canvas id="chart-waterfall-1"');
  });

  it('inlines Chart.js, the data and the page script, each in its own script element, with nothing to fetch', () => {
    expect(scripts.map((s) => s.attributes)).toEqual(['', ' type="application/json" id="layerbench-data"', '']);
    const [chartJs, data, pageScript] = scripts.map((s) => s.text);
    expect(chartJs).toContain('Chart');
    expect(JSON.parse(data ?? '')).toHaveProperty('waterfalls');
    expect(pageScript).toContain('function formatMs(');
    expect(pageScript).toContain('function drawCharts(');
    // plain JavaScript: the types are gone, and it is a classic script, not a module
    expect(pageScript).not.toMatch(/: (number|string|void)\b|\bas ReportData\b|^(export|import) /m);
    expect(page).not.toMatch(/<script[^>]* src=|<link |sourceMappingURL/);
  });
});

describe('the page script\'s formatters', () => {
  const source = readFileSync(fileURLToPath(new URL('../../src/report/html/report-format.ts', import.meta.url)), 'utf8');
  const compiled = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const browser = runInNewContext(`${compiled}\n({ formatMs, formatBytes })`) as { formatMs: (ms: number) => string; formatBytes: (bytes: number) => string };
  const values = [Number.NaN, Number.POSITIVE_INFINITY, 0, 0.4, 1, 2, 5, 20, 499.5, 999.4, 999.5, 1000, 1234, 9_994, 9_995, 20_000, 59_949, 59_950, 61_000, 3_600_000, 1e5, 2.5e8, 1e12, 5e15];

  it('print milliseconds as src/format.ts does', () => {
    expect(values.map(browser.formatMs)).toEqual(values.map(formatMs));
  });

  it('print bytes as src/format.ts does', () => {
    expect(values.map(browser.formatBytes)).toEqual(values.map(formatBytes));
  });
});
