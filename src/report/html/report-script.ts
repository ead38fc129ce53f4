/**
 * The page script of report.html: draws the four kinds of chart from the data html-report.ts
 * embeds, and a pull experiment's: its time against link speed over a sweep, and its
 * waterfalls. Colours are Okabe–Ito, ordered so that neighbours differ in lightness; each
 * variant (each pull case) also has its own point shape.
 *
 * A browser script, not a module: it is inlined into a classic <script> after Chart.js's UMD
 * build (which defines the global `Chart`) and after report-format.ts (`formatMs`,
 * `formatBytes`). tsconfig.browser.json checks it against the DOM and Chart.js's own types.
 */

type ReportData = import('./chart-data.js').ChartData;
type TimeSeries = ReportData['times'][number];
type Waterfall = ReportData['waterfalls'][number];
type PullWaterfall = ReportData['pullWaterfalls'][number];
type PullSweep = NonNullable<ReportData['pullSweep']>;
type LinePlugin = import('chart.js').Plugin<'line'>;
type PointStyle = import('chart.js').PointStyle;
type TickCallback = (value: number | string) => string;

declare const Chart: typeof import('chart.js').Chart;

const COLOURS = ['#000000', '#E69F00', '#0072B2', '#CC79A7', '#009E73', '#56B4E9', '#D55E00', '#F0E442'];
const SHAPES: PointStyle[] = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot', 'rectRounded', 'cross'];

function colour(i: number): string {
  return COLOURS[i % COLOURS.length] ?? '#000000';
}

function shape(i: number): PointStyle {
  return SHAPES[i % SHAPES.length] ?? 'circle';
}

function canvas(id: string): HTMLCanvasElement {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLCanvasElement)) throw new Error(`report.html has no canvas #${id}`);
  return element;
}

/** On a log axis, labels only at 1, 2 and 5 of each power of ten: the others would overlap. */
function logTicks(format: (value: number) => string): { callback: TickCallback } {
  return {
    callback: (tick) => {
      const value = Number(tick);
      const exponent = Math.log10(value);
      const labelled = Math.abs(exponent - Math.round(exponent)) < 1e-9 || [2, 5].includes(Math.round(value / Math.pow(10, Math.floor(exponent))));
      return labelled ? format(value) : '';
    },
  };
}

function median(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return undefined;
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The repetition a point of the strip plot stands for; a median mark has none. */
function repOf(raw: unknown): number | undefined {
  return typeof raw === 'object' && raw !== null && 'rep' in raw && typeof raw.rep === 'number' ? raw.rep : undefined;
}

/** Strip plot: x is the section, each variant a little to the side, repetitions spread a touch. */
function drawTimes(data: ReportData): void {
  const width = 0.8 / Math.max(1, data.variants.length);
  const offset = (v: number): number => -0.4 + width * (v + 0.5);
  const samples = (series: TimeSeries, v: number) => ({
    label: series.variant,
    data: series.points.map((p) => ({ x: p.section + offset(v) + ((p.rep % 5) - 2) * width * 0.08, y: Math.max(1, p.ms), rep: p.rep, excluded: p.excluded })),
    backgroundColor: series.points.map((p) => (p.excluded ? 'rgba(0,0,0,0)' : colour(v))),
    borderColor: colour(v),
    pointStyle: shape(v),
    pointRadius: 5,
  });
  const medians = (series: TimeSeries, v: number) => ({
    label: `${series.variant} median`,
    type: 'line' as const,
    showLine: false,
    data: data.sections.flatMap((_, s) => {
      const m = median(series.points.filter((p) => p.section === s && !p.excluded).map((p) => p.ms));
      return m === undefined ? [] : [{ x: s + offset(v), y: Math.max(1, m) }];
    }),
    pointStyle: 'line' as const,
    pointRadius: 14,
    borderWidth: 3,
    borderColor: colour(v),
  });
  new Chart<'scatter' | 'line'>(canvas('chart-times'), {
    type: 'scatter',
    data: { datasets: data.times.flatMap((series, v) => [samples(series, v), medians(series, v)]) },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'linear',
          min: -0.5,
          max: data.sections.length - 0.5,
          afterBuildTicks: (axis) => {
            axis.ticks = data.sections.map((_, i) => ({ value: i }));
          },
          ticks: { callback: (value) => data.sections[Number(value)] ?? '' },
          grid: { display: false },
        },
        y: { type: 'logarithmic', title: { display: true, text: 'rebuild time (log)' }, ticks: logTicks(formatMs) },
      },
      plugins: {
        legend: { labels: { usePointStyle: true, filter: (item) => !item.text.endsWith(' median') } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const rep = repOf(item.raw);
              return `${item.dataset.label ?? ''}: ${formatMs(item.parsed.y ?? Number.NaN)}${rep ? ` (rep ${rep})` : ''}`;
            },
          },
        },
      },
    },
  });
}

/** New bytes per edit; the cold build has none, and a section no variant has is left out. */
function drawNewBytes(data: ReportData): void {
  const shown = (s: number): boolean => data.newBytes.some((series) => series.values[s] !== null);
  new Chart(canvas('chart-new-bytes'), {
    type: 'bar',
    data: {
      labels: data.sections.filter((_, s) => shown(s)),
      datasets: data.newBytes.map((series, v) => ({
        label: series.variant,
        data: series.values.filter((_, s) => shown(s)).map((value) => (value === null ? null : Math.max(1, value))),
        backgroundColor: colour(v),
        borderColor: '#000',
        borderWidth: 1,
      })),
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'new bytes (log)' }, ticks: logTicks(formatBytes) } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${formatBytes(item.parsed.y ?? Number.NaN)}` } } },
    },
  });
}

function drawImageSizes(data: ReportData): void {
  new Chart(canvas('chart-image-size'), {
    type: 'bar',
    data: {
      labels: data.imageBytes.map((entry) => entry.variant),
      datasets: [{ label: 'image size', data: data.imageBytes.map((entry) => entry.value), backgroundColor: data.imageBytes.map((_, v) => colour(v)), borderColor: '#000', borderWidth: 1 }],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'image size' }, ticks: { callback: (value) => formatBytes(Number(value)) } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => formatBytes(item.parsed.x ?? Number.NaN) } } },
    },
  });
}

/** One rebuild as floating bars from each step's start to its end; cached steps light. */
function drawWaterfall(waterfall: Waterfall, i: number): void {
  new Chart(canvas(`chart-waterfall-${i}`), {
    type: 'bar',
    data: {
      labels: waterfall.steps.map((step) => step.label),
      datasets: [
        {
          label: waterfall.variant,
          data: waterfall.steps.map((step): [number, number] => [step.start, Math.max(step.end, step.start + 1)]),
          backgroundColor: waterfall.steps.map((step) => (step.cached ? '#e4e4e4' : '#222222')),
          borderColor: waterfall.steps.map((step) => (step.cached ? '#777777' : '#000000')),
          borderWidth: 1,
          barPercentage: 0.8,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'time since the build began' }, ticks: { callback: (value) => formatMs(Number(value)) } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const step = waterfall.steps[item.dataIndex];
              return step === undefined ? '' : `${step.cached ? 'cached' : 'rebuilt'}, ${formatMs(step.end - step.start)}`;
            },
          },
        },
      },
    },
  });
}

/** One pull as floating bars per downloaded layer: its download (dark) and its extraction (light), side by side. */
function drawPullWaterfall(waterfall: PullWaterfall, i: number): void {
  const bars = (part: 'download' | 'extract'): ([number, number] | null)[] =>
    waterfall.layers.map((layer) => {
      const interval = layer[part];
      return interval === null ? null : [interval[0], Math.max(interval[1], interval[0] + 1)];
    });
  new Chart(canvas(`chart-pull-waterfall-${i}`), {
    type: 'bar',
    data: {
      labels: waterfall.layers.map((layer) => layer.label),
      datasets: [
        { label: 'download', data: bars('download'), backgroundColor: '#0072B2', borderColor: '#000000', borderWidth: 1, barPercentage: 0.9 },
        { label: 'extraction', data: bars('extract'), backgroundColor: '#E69F00', borderColor: '#777777', borderWidth: 1, barPercentage: 0.9 },
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'time since the pull was requested' }, ticks: { callback: (value) => formatMs(Number(value)) } } },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => {
              const layer = waterfall.layers[item.dataIndex];
              const interval = item.datasetIndex === 0 ? layer?.download : layer?.extract;
              return interval == null ? '' : `${item.dataset.label ?? ''} ${formatMs(interval[0])} → ${formatMs(interval[1])} (${formatMs(interval[1] - interval[0])})`;
            },
          },
        },
      },
    },
  });
}

/**
 * Set apart along the link axis, each case by the same small share of the axis (so the same few
 * pixels, however many decades it spans), never enough to read as another rate: four cases'
 * bars at one rate would hide one another.
 */
function dodged(mbit: number, line: number, lines: number, axisSpan: number): number {
  return mbit * Math.pow(axisSpan, 0.008 * (line - (lines - 1) / 2));
}

/** Each point's interval as a vertical bar with caps, in its line's colour: Chart.js draws no error bars of its own. */
function intervalBars(sweep: PullSweep): LinePlugin {
  return {
    id: 'layerbench-interval-bars',
    afterDatasetsDraw: (chart) => {
      const y = chart.scales['y'];
      if (y === undefined) return;
      const context = chart.ctx;
      context.save();
      context.lineWidth = 1.5;
      sweep.lines.forEach((line, d) => {
        if (!chart.isDatasetVisible(d)) return;
        context.strokeStyle = colour(d);
        chart.getDatasetMeta(d).data.forEach((element, i) => {
          const point = line.points[i];
          if (point === undefined) return;
          const top = y.getPixelForValue(Math.max(1, point.highMs));
          const bottom = y.getPixelForValue(Math.max(1, point.lowMs));
          context.beginPath();
          context.moveTo(element.x, top);
          context.lineTo(element.x, bottom);
          context.moveTo(element.x - 5, top);
          context.lineTo(element.x + 5, top);
          context.moveTo(element.x - 5, bottom);
          context.lineTo(element.x + 5, bottom);
          context.stroke();
        });
      });
      context.restore();
    },
  };
}

/** 1, 2 and 5 times each power of ten from min to max (finer when that leaves fewer than two): Chart.js thins a log axis's ticks unevenly. */
function roundTicks(min: number, max: number): { value: number }[] {
  const within = (steps: readonly number[]): { value: number }[] => {
    const ticks: { value: number }[] = [];
    for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) {
      for (const step of steps) {
        const value = step * Math.pow(10, power);
        if (value >= min && value <= max) ticks.push({ value });
      }
    }
    return ticks;
  };
  const coarse = within([1, 2, 5]);
  return coarse.length >= 2 ? coarse : within([1, 1.5, 2, 3, 5, 7]);
}

/** Pull time against link speed, log–log: one line per case through its medians, each with its interval. */
function drawPullSweep(sweep: PullSweep): void {
  const points = sweep.lines.flatMap((line) => line.points);
  const rates = [...new Set(points.map((p) => p.mbit))].sort((a, b) => a - b);
  const lowestRate = (rates[0] ?? 1) / 1.3;
  const highestRate = (rates[rates.length - 1] ?? 1) * 1.3;
  const fastest = Math.min(...points.map((p) => Math.max(1, p.lowMs))) / 1.3;
  const slowest = Math.max(...points.map((p) => Math.max(1, p.highMs))) * 1.3;
  new Chart<'line'>(canvas('chart-pull-sweep'), {
    type: 'line',
    data: {
      datasets: sweep.lines.map((line, d) => ({
        label: line.label,
        data: line.points.map((p) => ({ x: dodged(p.mbit, d, sweep.lines.length, highestRate / lowestRate), y: Math.max(1, p.medianMs) })),
        borderColor: colour(d),
        backgroundColor: colour(d),
        pointStyle: shape(d),
        pointRadius: 5,
        borderWidth: 2,
      })),
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'logarithmic',
          min: lowestRate,
          max: highestRate,
          // a tick at each rate of the sweep, and none between: those are the only speeds measured
          afterBuildTicks: (axis) => {
            axis.ticks = rates.map((value) => ({ value }));
          },
          ticks: { callback: (value) => String(value) },
          title: { display: true, text: 'link rate (Mbit/s, log)' },
        },
        y: {
          type: 'logarithmic',
          min: fastest,
          max: slowest,
          afterBuildTicks: (axis) => {
            axis.ticks = roundTicks(fastest, slowest);
          },
          ticks: { callback: (value) => formatMs(Number(value)) },
          title: { display: true, text: 'pull time (log)' },
        },
      },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const point = sweep.lines[item.datasetIndex]?.points[item.dataIndex];
              return point === undefined ? '' : `${item.dataset.label ?? ''} at ${point.link}: ${formatMs(point.medianMs)} (${formatMs(point.lowMs)} – ${formatMs(point.highMs)}, ${Math.round(point.confidence * 100)} %, n = ${point.n})`;
            },
          },
        },
      },
    },
    plugins: [intervalBars(sweep)],
  });
}

function useHouseStyle(): void {
  Chart.defaults.font.size = 13;
  Chart.defaults.color = '#222';
  Chart.defaults.animation = false;
}

function drawCharts(data: ReportData): void {
  useHouseStyle();
  drawTimes(data);
  drawNewBytes(data);
  drawImageSizes(data);
  data.waterfalls.forEach(drawWaterfall);
}

/** A pull experiment's charts, under the pull table: the sweep when there is one, then one pull per case. */
function drawPullCharts(data: ReportData): void {
  useHouseStyle();
  if (data.pullSweep !== null) drawPullSweep(data.pullSweep);
  data.pullWaterfalls.forEach(drawPullWaterfall);
}

/** The data html-report.ts wrote into the same page: trusted, so read without a second check. */
function pageData(): ReportData {
  return JSON.parse(document.getElementById('layerbench-data')?.textContent ?? '{}') as ReportData;
}

// a page without builds (a pull experiment) has no charts' section
if (document.getElementById('chart-times') !== null) drawCharts(pageData());
if (document.getElementById('chart-pull-sweep') !== null || document.getElementById('chart-pull-waterfall-0') !== null) drawPullCharts(pageData());
