/**
 * report.html: one self-contained page (Chart.js and the data inlined; a Content Security
 * Policy that forbids any request) with the tables of report.md and four kinds of chart:
 * every sample's rebuild time per edit and variant (a strip plot on a log axis), new bytes per
 * edit, image size per variant, and one rebuild per variant as a waterfall of its steps,
 * cached and rebuilt told apart; for a pull experiment, over a sweep of link speeds each case's
 * pull time against the link's rate (log–log, the medians with their intervals), and one pull
 * per case as a waterfall of its layers' downloads and extractions. Colours differ in lightness
 * and points in shape, so the charts survive greyscale printing.
 *
 * The page is built from the files in html/: the template report.html (with charts.html for the
 * charts' section), report.css, and the browser scripts report-format.ts and report-script.ts,
 * typed against the DOM and Chart.js by tsconfig.browser.json. Everything is inlined.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Comparison } from '../result/comparison.js';
import { buildSamplesOf, pullRowsOf, pullSamplesOf } from '../result/sample-kinds.js';
import { median } from '../result/statistics.js';
import { isCounted } from '../result/summarize.js';
import type { BuildSample, PullCase, PullSample, PullSummaryRow, Statistics, SuiteResult } from '../result/types.js';
import { bytesCell, excludedNote, firstMissCell, healthCell, medianWithInterval, nCell, sectionTitle, speedupCell, stepsReusedCell } from './cells.js';
import { headlineLine } from './comparison-table.js';
import { CASE_LABELS, describeLink, pullTable } from './pull-table.js';
import { formatBytes, formatMs } from '../format.js';
import type { ChartData } from './html/chart-data.js';

export function htmlReport(result: SuiteResult, comparison: Comparison): string {
  const data = chartData(result, comparison);
  const hasBuilds = buildSamplesOf(result.samples).length > 0;
  const nameBuilder = new Set(comparison.sections.map((s) => s.builder)).size > 1;
  const title = `layerbench · ${result.scenario.name} · ${result.runId}`;
  return fillTemplate(pageFile('report.html'), {
    title: escapeHtml(title),
    style: pageFile('report.css'),
    summary: [
      result.complete ? '' : '<p class="note">Partial result: the run did not complete; the page shows what was measured.</p>',
      comparison.headlines.map((h) => `<p class="headline">${escapeHtml(headlineLine(h, nameBuilder))}</p>`).join('\n'),
      result.pull === undefined ? '' : `<h2>The pull experiment (seed 001)</h2><pre>${escapeHtml(pullTable(result))}</pre>${pullSweepHtml(data)}${pullWaterfallsHtml(data)}`,
    ].join('\n'),
    charts: hasBuilds ? buildCharts(data) : '',
    tables: comparison.sections.map((section) => sectionHtml(section, nameBuilder)).join('\n'),
    warnings: result.warnings.length === 0 ? '' : `<h2>Warnings</h2><ul>${result.warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code> ${escapeHtml(w.message)}</li>`).join('')}</ul>`,
    run: runItems(result),
    chartjs: inlineScript(chartJsSource()),
    data: JSON.stringify(data).replace(/</g, '\\u003c'),
    script: inlineScript(pageScript()),
  });
}

/** The list items of the Run section: the tool and times, each machine, each base image. */
function runItems(result: SuiteResult): string {
  return [
    `<li>layerbench ${escapeHtml(result.tool.version)} · ${escapeHtml(result.startedAt)} → ${escapeHtml(result.finishedAt)}</li>`,
    result.machines.map((m) => `<li>${m.cpus} cores, ${formatBytes(m.memoryBytes)} · Docker Engine ${escapeHtml(m.engineVersion)} (${escapeHtml(m.storageDriver)}) · ${escapeHtml(m.os)}</li>`).join('\n'),
    result.bases.map((b) => `<li>base ${escapeHtml(b.name)}: <code>${escapeHtml(b.image)}</code> (${b.source})</li>`).join('\n'),
  ].join('\n');
}

/** The four kinds of chart of a run's builds (a pull experiment has none). */
function buildCharts(data: ChartData): string {
  const waterfalls = data.waterfalls
    .map((w, i) => `<h3>${escapeHtml(w.caption)}</h3><div class="chart" style="height:${Math.max(140, 26 * w.steps.length + 60)}px"><canvas id="chart-waterfall-${i}" class="waterfall" aria-label="${escapeHtml(w.caption)}" role="img"></canvas></div>`)
    .join('\n');
  return fillTemplate(pageFile('charts.html').trimEnd(), { waterfalls });
}

export function chartData(result: SuiteResult, comparison: Comparison): ChartData {
  const samples = buildSamplesOf(result.samples);
  const variants = result.scenario.variants.map((v) => v.name).filter((name) => samples.some((s) => s.variant === name));
  const builders = new Set(comparison.sections.map((s) => s.builder));
  const sections = comparison.sections.map((s) => (s.phase === 'cold' ? 'cold build' : `${s.edit} edit`) + (builders.size > 1 ? ` (${s.builder})` : ''));
  const inSection = (sample: BuildSample, i: number): boolean => {
    const section = comparison.sections[i];
    return section !== undefined && sample.builder === section.builder && sample.phase === section.phase && sample.edit === section.edit;
  };
  return {
    sections,
    variants,
    times: variants.map((variant) => ({
      variant,
      points: samples.flatMap((s) => {
        const i = comparison.sections.findIndex((_, index) => inSection(s, index));
        return s.variant === variant && i >= 0 ? [{ section: i, ms: s.wallMs, rep: s.rep, excluded: !isCounted(s) }] : [];
      }),
    })),
    newBytes: variants.map((variant) => ({
      variant,
      values: comparison.sections.map((section) => (section.phase === 'cold' ? null : (section.rows.find((r) => r.variant === variant)?.newBytes ?? null))),
    })),
    imageBytes: variants.map((variant) => ({ variant, value: median(samples.filter((s) => s.variant === variant).map((s) => s.image.sizeBytes)) })),
    waterfalls: variants.flatMap((variant) => {
      const sample = samples.find((s) => s.variant === variant && s.phase === 'warm' && isCounted(s)) ?? samples.find((s) => s.variant === variant);
      if (sample === undefined) return [];
      let clock = 0;
      const steps = sample.steps.map((step) => {
        const start = clock;
        clock += step.durationMs;
        return { label: `${step.index} ${step.instruction.length > 48 ? `${step.instruction.slice(0, 47)}…` : step.instruction}`, start, end: clock, cached: step.cached };
      });
      const what = sample.phase === 'cold' ? 'cold build' : `after edit "${sample.edit}", rep ${sample.rep}`;
      return [{ variant, caption: `${variant} · ${what} · ${formatMs(sample.wallMs)}`, steps }];
    }),
    pullWaterfalls: pullWaterfalls(result),
    pullSweep: pullSweep(result),
  };
}

/**
 * A sweep's median pull time per case at each shaped link rate, with the median's interval, from
 * the summary; null below two shaped rates, where there is no line to draw. Unlimited links have
 * no rate to put on the axis and are left out.
 */
function pullSweep(result: SuiteResult): ChartData['pullSweep'] {
  const rows = result.pull === undefined ? [] : pullRowsOf(result.summary);
  const shaped = rows.filter((r): r is PullSummaryRow & { bitsPerSecond: number; wallMs: Statistics } => typeof r.bitsPerSecond === 'number' && r.bitsPerSecond > 0 && r.wallMs !== null);
  if (new Set(shaped.map((r) => r.bitsPerSecond)).size < 2) return null;
  const lines = (Object.keys(CASE_LABELS) as PullCase[]).flatMap((c) => {
    const points = shaped
      .filter((r) => r.case === c)
      .sort((a, b) => a.bitsPerSecond - b.bitsPerSecond)
      .map((r) => ({
        mbit: r.bitsPerSecond / 1e6,
        link: describeLink(r.bandwidth ?? `${r.bitsPerSecond / 1e6}mbit`),
        medianMs: r.wallMs.median,
        lowMs: r.wallMs.medianInterval.low,
        highMs: r.wallMs.medianInterval.high,
        confidence: r.wallMs.medianInterval.confidence,
        n: r.wallMs.n,
      }));
    return points.length === 0 ? [] : [{ label: CASE_LABELS[c], points }];
  });
  return { unlimitedLeftOut: rows.some((r) => r.bitsPerSecond === null), lines };
}

/** Per case, its median pull at the run's first link rate, each downloaded layer's two intervals. */
function pullWaterfalls(result: SuiteResult): ChartData['pullWaterfalls'] {
  const link = result.pull?.link.bandwidth;
  const timed = pullSamplesOf(result.samples).filter((s) => (s.bandwidth ?? link) === link && s.layers.some((l) => l.downloadStartMs != null));
  return [...new Set(timed.map((s) => s.case))].flatMap((c) => {
    const pulls = timed.filter((s) => s.case === c).sort((a, b) => a.wallMs - b.wallMs);
    const pull = pulls[Math.floor((pulls.length - 1) / 2)];
    return pull === undefined ? [] : [pullWaterfall(pull, link)];
  });
}

function pullWaterfall(pull: PullSample, link: string | undefined): ChartData['pullWaterfalls'][number] {
  const interval = (start: number | null | undefined, end: number | null | undefined): [number, number] | null => (start == null || end == null ? null : [start, end]);
  const downloaded = pull.layers.filter((l) => l.status === 'downloaded');
  const present = pull.layers.length - downloaded.length;
  const split = pull.lastByteMs == null || pull.extractTailMs == null ? '' : `: last byte at ${formatMs(pull.lastByteMs)}, extract tail ${formatMs(pull.extractTailMs)}`;
  return {
    caption: `${CASE_LABELS[pull.case]} · rep ${pull.rep}${link === undefined ? '' : ` at ${describeLink(link)}`} · ${formatMs(pull.wallMs)}${split}${present === 0 ? '' : ` · ${present} layer${present === 1 ? '' : 's'} already present`}`,
    layers: downloaded.map((l) => ({
      label: `${l.tier ?? '?'} ${l.digest.replace(/^sha256:/, '').slice(0, 12)} · ${l.compressedBytes === null ? '?' : formatBytes(l.compressedBytes)}`,
      download: interval(l.downloadStartMs, l.downloadEndMs),
      extract: interval(l.extractStartMs, l.extractEndMs),
    })),
  };
}

/** The sweep chart's canvas (report-script.ts draws into it; the README's PNG is rendered from it by scripts/render-chart.mjs). */
const PULL_SWEEP_CANVAS = 'chart-pull-sweep';

/** The sweep's chart, under the pull table: only when the pulls span two link rates or more. */
function pullSweepHtml(data: ChartData): string {
  if (data.pullSweep === null) return '';
  const unlimited = data.pullSweep.unlimitedLeftOut ? ' This run\'s pulls over an unlimited link are in the table above.' : '';
  return `<h3>Pull time against link speed</h3>
<p class="caption">Each point is the median pull of a case at one link rate; its bar, the median's 95 % interval (below 6 pulls, the range of the pulls: the tooltip says how much it covers). Both axes are logarithmic; the cases are set a little apart along the link axis so that their bars do not hide one another. Unlimited links have no rate to put on the axis and are left out of the chart.${unlimited}</p>
<div class="chart tall"><canvas id="${PULL_SWEEP_CANVAS}" aria-label="pull time against link speed" role="img"></canvas></div>`;
}

/** The pulls' waterfalls, under the pull table. */
function pullWaterfallsHtml(data: ChartData): string {
  if (data.pullWaterfalls.length === 0) return '';
  const charts = data.pullWaterfalls
    .map((w, i) => `<h3>${escapeHtml(w.caption)}</h3><div class="chart" style="height:${Math.max(140, 34 * w.layers.length + 80)}px"><canvas id="chart-pull-waterfall-${i}" class="waterfall" aria-label="${escapeHtml(w.caption)}" role="img"></canvas></div>`)
    .join('\n');
  return `<h3>One pull per case, layer by layer</h3>\n<p class="caption">Blue (dark): the layer's download; orange (light): its extraction; in time from the pull's request. Downloads run three at a time and overlap; extraction follows the image's order.</p>\n${charts}`;
}

function sectionHtml(section: Comparison['sections'][number], nameBuilder: boolean): string {
  const rows = section.rows
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.variant)}</td><td class="num">${escapeHtml(medianWithInterval(row.wallMs))}</td><td class="num">${escapeHtml(nCell(row))}</td><td class="num">${escapeHtml(speedupCell(row))}</td><td class="num">${escapeHtml(stepsReusedCell(row))}</td><td><code>${escapeHtml(firstMissCell(row))}</code></td><td class="num">${escapeHtml(bytesCell(row.newBytes))}</td><td class="num">${escapeHtml(bytesCell(row.contextBytes))}</td><td class="num">${escapeHtml(bytesCell(row.imageBytes))}</td><td class="num">${escapeHtml(healthCell(row))}</td></tr>`,
    )
    .join('');
  const notes = section.rows.flatMap((row) => excludedNote(row) ?? []).map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('');
  return `<h3>${escapeHtml(sectionTitle(section, nameBuilder))}</h3>
<table><thead><tr><th>variant</th><th>median (95 % interval)</th><th>n</th><th>speed-up</th><th>steps reused</th><th>first miss</th><th>new bytes</th><th>context sent</th><th>image</th><th>healthy</th></tr></thead><tbody>${rows}</tbody></table>${notes}`;
}

/** Chart.js's UMD build: it defines the global `Chart` the page script draws with. */
function chartJsSource(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
}

/** A script as an inline <script> can hold it: no source-map comment (a browser could try to fetch it), no early end tag. */
function inlineScript(source: string): string {
  return source.replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\/script/gi, '<\\/script');
}

/** The template with each {{name}} replaced in one pass, so braces inside a value stay as they are. */
function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the report template asks for {{${name}}}, which html-report.ts does not fill`);
    return value;
  });
}

/** The page's files, beside this module: src/report/html/ in the sources, dist/report/html/ once built. */
const PAGE_FILES = new URL('./html/', import.meta.url);

function pageFile(name: string): string {
  return readFileSync(new URL(name, PAGE_FILES), 'utf8');
}

/** The browser scripts in the order the page runs them: the formatters, then the charts that use them. */
const PAGE_SCRIPTS = ['report-format', 'report-script'];
let pageScriptText: string | undefined;

/**
 * The browser scripts as JavaScript. Built, this module finds them compiled beside it (the build
 * transpiles them into dist/report/html/). Run from the TypeScript sources, as vitest runs it,
 * there is nothing compiled beside it, so it strips their types itself: no spec depends on a build.
 */
function pageScript(): string {
  const fromSources = import.meta.url.endsWith('.ts');
  pageScriptText ??= PAGE_SCRIPTS.map((name) => (fromSources ? withoutTypes(name) : pageFile(`${name}.js`))).join('\n');
  return pageScriptText;
}

/** A browser script's TypeScript source transpiled as scripts/build-report-page.mjs does it (types and comments stripped, ES2022 kept). */
function withoutTypes(name: string): string {
  // typescript is a devDependency: only the sources load it, never the built package
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, removeComments: true };
  return ts.transpileModule(pageFile(`${name}.ts`), { compilerOptions, fileName: `${name}.ts` }).outputText;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
