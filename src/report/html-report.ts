/**
 * report.html: one self-contained page (Chart.js and the data inlined; a Content Security
 * Policy that forbids any request) with the tables of report.md and four kinds of chart:
 * every sample's rebuild time per edit and variant (a strip plot on a log axis), new bytes per
 * edit, image size per variant, and one rebuild per variant as a waterfall of its steps,
 * cached and rebuilt told apart. Colours differ in lightness and points in shape, so the
 * charts survive greyscale printing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Comparison } from '../result/comparison.js';
import { buildSamplesOf } from '../result/sample-kinds.js';
import { median } from '../result/statistics.js';
import { isCounted } from '../result/summarize.js';
import type { BuildSample, SuiteResult } from '../result/types.js';
import { bytesCell, excludedNote, firstMissCell, healthCell, medianWithInterval, nCell, sectionTitle, speedupCell, stepsReusedCell } from './cells.js';
import { headlineLine } from './comparison-table.js';
import { pullTable } from './pull-table.js';
import { formatBytes, formatMs } from './format.js';

/** The chart data the page script draws from: plain JSON. */
export interface ChartData {
  /** x categories of the time and bytes charts: the cold build and each edit (per builder) */
  sections: string[];
  variants: string[];
  times: { variant: string; points: { section: number; ms: number; rep: number; excluded: boolean }[] }[];
  newBytes: { variant: string; values: (number | null)[] }[];
  imageBytes: { variant: string; value: number | null }[];
  waterfalls: { variant: string; caption: string; steps: { label: string; start: number; end: number; cached: boolean }[] }[];
}

export function htmlReport(result: SuiteResult, comparison: Comparison): string {
  const data = chartData(result, comparison);
  const hasBuilds = buildSamplesOf(result.samples).length > 0;
  const builders = new Set(comparison.sections.map((s) => s.builder));
  const title = `layerbench · ${result.scenario.name} · ${result.runId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${result.complete ? '' : '<p class="note">Partial result: the run did not complete; the page shows what was measured.</p>'}
${comparison.headlines.map((h) => `<p class="headline">${escapeHtml(headlineLine(h, builders.size > 1))}</p>`).join('\n')}
${result.pull === undefined ? '' : `<h2>The pull experiment (seed 001)</h2><pre>${escapeHtml(pullTable(result))}</pre>`}
${hasBuilds ? buildCharts(data) : ''}
<h2>Tables</h2>
${comparison.sections.map((section) => sectionHtml(section, builders.size > 1)).join('\n')}
${result.warnings.length === 0 ? '' : `<h2>Warnings</h2><ul>${result.warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code> ${escapeHtml(w.message)}</li>`).join('')}</ul>`}
<h2>Run</h2>
<ul>
<li>layerbench ${escapeHtml(result.tool.version)} · ${escapeHtml(result.startedAt)} → ${escapeHtml(result.finishedAt)}</li>
${result.machines.map((m) => `<li>${m.cpus} cores, ${formatBytes(m.memoryBytes)} · Docker Engine ${escapeHtml(m.engineVersion)} (${escapeHtml(m.storageDriver)}) · ${escapeHtml(m.os)}</li>`).join('\n')}
${result.bases.map((b) => `<li>base ${escapeHtml(b.name)}: <code>${escapeHtml(b.image)}</code> (${b.source})</li>`).join('\n')}
</ul>
<script>${chartJsSource()}</script>
<script type="application/json" id="layerbench-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>
const formatMs = ${formatMs.toString()};
const formatBytes = ${formatBytes.toString()};
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
}

/** The four kinds of chart of a run's builds (a pull experiment has none). */
function buildCharts(data: ChartData): string {
  const waterfalls = data.waterfalls
    .map((w, i) => `<h3>${escapeHtml(w.caption)}</h3><div class="chart" style="height:${Math.max(140, 26 * w.steps.length + 60)}px"><canvas id="chart-waterfall-${i}" class="waterfall" aria-label="${escapeHtml(w.caption)}" role="img"></canvas></div>`)
    .join('\n');
  return `<h2>Rebuild time of every sample</h2>
<p class="caption">Each point is one build (log axis); the bar is the median. Hollow points were left out of the statistics: nothing missed the cache.</p>
<div class="chart tall"><canvas id="chart-times" aria-label="rebuild time of every sample" role="img"></canvas></div>
<h2>New bytes per edit</h2>
<p class="caption">What a push after the edit would send: the layers the image before the edit lacked (median, log axis).</p>
<div class="chart"><canvas id="chart-new-bytes" aria-label="new bytes per edit" role="img"></canvas></div>
<h2>Image size per variant</h2>
<div class="chart short"><canvas id="chart-image-size" aria-label="image size per variant" role="img"></canvas></div>
<h2>One rebuild per variant, step by step</h2>
<p class="caption">Dark: the step ran. Light: the step came from the cache.</p>
<div id="waterfalls">${waterfalls}</div>`;
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
  };
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

/** Chart.js's UMD build, without its source-map comment (which a browser could try to fetch). */
function chartJsSource(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const source = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  return source.replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\/script/gi, '<\\/script');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; } h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.headline { font-size: 1.15rem; font-weight: 600; }
.caption, .note { color: #444; font-size: .9rem; }
.chart { position: relative; height: 320px; } .chart.tall { height: 420px; } .chart.short { height: 240px; }
table { border-collapse: collapse; margin: .3rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
code { font-size: .85rem; }
`;

/**
 * The page script: draws the four kinds of chart from the embedded data. Colours are
 * Okabe–Ito, ordered so that neighbours differ in lightness; each variant also has its own
 * point shape.
 */
const PAGE_SCRIPT = String.raw`
const data = JSON.parse(document.getElementById('layerbench-data').textContent);
const hasCharts = document.getElementById('chart-times') !== null;
const COLOURS = ['#000000', '#E69F00', '#0072B2', '#CC79A7', '#009E73', '#56B4E9', '#D55E00', '#F0E442'];
const SHAPES = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot', 'rectRounded', 'cross'];
Chart.defaults.font.size = 13;
Chart.defaults.color = '#222';
Chart.defaults.animation = false;
const colour = (i) => COLOURS[i % COLOURS.length];
const shape = (i) => SHAPES[i % SHAPES.length];
const logTicks = (format) => ({ callback: (value) => { const exponent = Math.log10(value); return Math.abs(exponent - Math.round(exponent)) < 1e-9 || [2, 5].includes(Math.round(value / Math.pow(10, Math.floor(exponent)))) ? format(value) : ''; } });

// Strip plot: x is the section, each variant a little to the side, repetitions spread a touch.
const width = 0.8 / Math.max(1, data.variants.length);
const offset = (v) => -0.4 + width * (v + 0.5);
if (hasCharts) new Chart(document.getElementById('chart-times'), {
  type: 'scatter',
  data: {
    datasets: data.times.flatMap((series, v) => [
      {
        label: series.variant,
        data: series.points.map((p) => ({ x: p.section + offset(v) + ((p.rep % 5) - 2) * width * 0.08, y: Math.max(1, p.ms), rep: p.rep, excluded: p.excluded })),
        backgroundColor: series.points.map((p) => (p.excluded ? 'rgba(0,0,0,0)' : colour(v))),
        borderColor: colour(v),
        pointStyle: shape(v),
        pointRadius: 5,
      },
      {
        label: series.variant + ' median',
        type: 'line',
        showLine: false,
        data: data.sections.map((_, s) => {
          const values = series.points.filter((p) => p.section === s && !p.excluded).map((p) => p.ms).sort((a, b) => a - b);
          if (values.length === 0) return null;
          const m = values.length % 2 ? values[(values.length - 1) / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
          return { x: s + offset(v), y: Math.max(1, m) };
        }).filter((p) => p !== null),
        pointStyle: 'line',
        pointRadius: 14,
        borderWidth: 3,
        borderColor: colour(v),
      },
    ]),
  },
  options: {
    maintainAspectRatio: false,
    scales: {
      x: {
        type: 'linear',
        min: -0.5,
        max: data.sections.length - 0.5,
        afterBuildTicks: (axis) => { axis.ticks = data.sections.map((_, i) => ({ value: i })); },
        ticks: { callback: (value) => data.sections[value] ?? '' },
        grid: { display: false },
      },
      y: { type: 'logarithmic', title: { display: true, text: 'rebuild time (log)' }, ticks: logTicks(formatMs) },
    },
    plugins: {
      legend: { labels: { usePointStyle: true, filter: (item) => !item.text.endsWith(' median') } },
      tooltip: { callbacks: { label: (item) => item.dataset.label + ': ' + formatMs(item.parsed.y) + (item.raw.rep ? ' (rep ' + item.raw.rep + ')' : '') } },
    },
  },
});

if (hasCharts) new Chart(document.getElementById('chart-new-bytes'), {
  type: 'bar',
  data: {
    labels: data.sections.map((label, s) => (data.newBytes.some((series) => series.values[s] !== null) ? label : null)).filter((label) => label !== null),
    datasets: data.newBytes.map((series, v) => ({
      label: series.variant,
      data: series.values.filter((_, s) => data.newBytes.some((other) => other.values[s] !== null)).map((value) => (value === null ? null : Math.max(1, value))),
      backgroundColor: colour(v),
      borderColor: '#000',
      borderWidth: 1,
    })),
  },
  options: {
    maintainAspectRatio: false,
    scales: { y: { type: 'logarithmic', title: { display: true, text: 'new bytes (log)' }, ticks: logTicks(formatBytes) } },
    plugins: { tooltip: { callbacks: { label: (item) => item.dataset.label + ': ' + formatBytes(item.parsed.y) } } },
  },
});

if (hasCharts) new Chart(document.getElementById('chart-image-size'), {
  type: 'bar',
  data: {
    labels: data.imageBytes.map((entry) => entry.variant),
    datasets: [{ label: 'image size', data: data.imageBytes.map((entry) => entry.value), backgroundColor: data.imageBytes.map((_, v) => colour(v)), borderColor: '#000', borderWidth: 1 }],
  },
  options: {
    indexAxis: 'y',
    maintainAspectRatio: false,
    scales: { x: { beginAtZero: true, title: { display: true, text: 'image size' }, ticks: { callback: (value) => formatBytes(value) } } },
    plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => formatBytes(item.parsed.x) } } },
  },
});

data.waterfalls.forEach((waterfall, i) => {
  new Chart(document.getElementById('chart-waterfall-' + i), {
    type: 'bar',
    data: {
      labels: waterfall.steps.map((step) => step.label),
      datasets: [{
        label: waterfall.variant,
        data: waterfall.steps.map((step) => [step.start, Math.max(step.end, step.start + 1)]),
        backgroundColor: waterfall.steps.map((step) => (step.cached ? '#e4e4e4' : '#222222')),
        borderColor: waterfall.steps.map((step) => (step.cached ? '#777777' : '#000000')),
        borderWidth: 1,
        barPercentage: 0.8,
      }],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'time since the build began' }, ticks: { callback: (value) => formatMs(value) } } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => { const step = waterfall.steps[item.dataIndex]; return (step.cached ? 'cached' : 'rebuilt') + ', ' + formatMs(step.end - step.start); } } },
      },
    },
  });
});
`;
