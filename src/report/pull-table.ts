/**
 * The pull experiment in the article's form: App2 with the base present, without it, the base
 * alone, and the monolithic pair — time, bytes, the ratio to the pull with the base, and seed
 * 001's own figures beside them; then where the time went and what a shared base saves.
 * Renders the summary and the recommendation; computes nothing of its own.
 */
import { pullRecommendation, type PullRecommendation } from '../result/pull-recommendation.js';
import { pullRowsOf, pullSamplesOf } from '../result/sample-kinds.js';
import { median } from '../result/statistics.js';
import { summarize } from '../result/summarize.js';
import type { PullCase, PullSample, PullSummaryRow, SuiteResult } from '../result/types.js';
import { medianWithInterval } from './cells.js';
import { fitPullModels, pullPointsOf } from '../result/pull-model.js';
import { pullModelLines } from './pull-model-lines.js';
import { renderRows } from './comparison-table.js';
import { formatBytes, formatMs, formatRatio } from '../format.js';

/** Seed 001's figures for each case (1.8 GB of tiers, a 1.9 GB app). */
export const ARTICLE_FIGURES: Record<PullCase, string> = {
  'with-base': '1 min 33 s',
  'without-base': '> 7 min',
  'base-alone': '> 4 min',
  'monolithic-with-app1': '–',
};

export const CASE_LABELS: Record<PullCase, string> = {
  'with-base': 'App2, host holds App1 (with base)',
  'without-base': 'App2, empty host (without base)',
  'base-alone': 'base tiers alone, empty host',
  'monolithic-with-app1': 'monolithic App2, host holds monolithic App1',
};

const ORDER: PullCase[] = ['with-base', 'without-base', 'base-alone', 'monolithic-with-app1'];

export function pullTable(result: SuiteResult): string {
  const setup = result.pull;
  const rows = pullRowsOf(result.summary).sort(byLinkThenCase);
  if (setup === undefined || rows.length === 0) return '';
  const app2 = setup.images.find((i) => i.name === 'app2');
  const tiers = setup.images.find((i) => i.name === 'f3');
  const sizes = app2 === undefined || tiers === undefined ? '' : ` · tiers ${formatBytes(tiers.uncompressedBytes)}, app ${formatBytes(app2.uncompressedBytes)}`;
  const links = (setup.bandwidths ?? [setup.link.bandwidth]).map(describeLink).join(', ');
  const title = `pull of App2 · scale ${setup.scale}${sizes} · link ${links}, latency ${setup.link.latency} · fresh hosts: ${setup.freshHostMode}`;
  const body = rows.map((row) => {
    const withBase = rows.find((r) => r.case === 'with-base' && r.bandwidth === row.bandwidth)?.wallMs?.median;
    return [
      describeLink(row.bandwidth ?? setup.link.bandwidth),
      CASE_LABELS[row.case],
      medianWithInterval(row.wallMs),
      String(row.n),
      row.downloadedBytes === null ? '–' : formatBytes(row.downloadedBytes),
      row.bytesOverLink === null ? '–' : formatBytes(row.bytesOverLink),
      withBase === undefined || row.wallMs === null || withBase <= 0 ? '–' : formatRatio(row.wallMs.median / withBase),
      healthCell(row.health),
      ARTICLE_FIGURES[row.case],
    ];
  });
  const columns = [
    { title: 'link', align: 'right' as const },
    { title: 'case', align: 'left' as const },
    { title: "time: median (95 % CI)", align: 'right' as const },
    { title: 'n', align: 'right' as const },
    { title: 'downloaded', align: 'right' as const },
    { title: 'over the link', align: 'right' as const },
    { title: '÷ with base', align: 'right' as const },
    { title: 'app answers', align: 'right' as const },
    { title: 'the article', align: 'right' as const },
  ];
  return [title, ...renderRows(columns, body).map((line) => `  ${line}`), '', ...notes(result), ...modelLines(result)].join('\n');
}

/** A sweep's fitted model of each case (fixed cost, throughput), the 2× crossing and the article's 4.5×; nothing at one link rate. */
function modelLines(result: SuiteResult): string[] {
  const points = pullPointsOf(result.summary, result.samples);
  if (new Set(points.map((p) => p.bitsPerSecond)).size < 2) return [];
  return ['', ...pullModelLines(fitPullModels(points))];
}

/** Slowest link first (unlimited last), then the cases in the article's order. */
function byLinkThenCase(a: PullSummaryRow, b: PullSummaryRow): number {
  const rate = (row: PullSummaryRow): number => row.bitsPerSecond ?? Number.POSITIVE_INFINITY;
  return rate(a) - rate(b) || ORDER.indexOf(a.case) - ORDER.indexOf(b.case);
}

/** The notes under the table: each link rate's own (a sweep's slowest first), a blank line between. */
function notes(result: SuiteResult): string[] {
  const byLink = new Map<string, PullSample[]>();
  for (const sample of pullSamplesOf(result.samples)) byLink.set(sample.bandwidth ?? '', [...(byLink.get(sample.bandwidth ?? '') ?? []), sample]);
  const rate = (samples: readonly PullSample[]): number => samples[0]?.bitsPerSecond ?? Number.POSITIVE_INFINITY;
  const groups = [...byLink.values()].sort((a, b) => rate(a) - rate(b)).map((samples) => pullNotes(result, samples));
  return groups.filter((lines) => lines.length > 0).flatMap((lines, i) => (i === 0 ? lines : ['', ...lines]));
}

/**
 * The notes for the pulls of one link rate: where the time went (the last byte, then the extract
 * tail), the ratio and whether CPU bounds it, what a shared base saves, measured first.
 */
export function pullNotes(result: SuiteResult, samples: readonly PullSample[]): string[] {
  const setup = result.pull;
  if (setup === undefined || samples.length === 0) return [];
  const link = describeLink(samples[0]?.bandwidth ?? setup.link.bandwidth);
  const splits = new Map(ORDER.flatMap((c) => {
    const split = timeSplit(samples.filter((s) => s.case === c));
    return split === null ? [] : [[c, split] as const];
  }));
  const advice = pullRecommendation(summarize(samples), setup);
  const lines = [...whereTheTimeWent(splits, link)];
  if (advice.ratioWithoutOverWith !== null) lines.push(`without ÷ with base: ${advice.ratioWithoutOverWith.toFixed(1)}×${cpuBound(splits)}`);
  return [...lines, ...savingLines(advice, link)];
}

/** Where one case's time went, as medians over its pulls; null when its pulls carry no timeline (older results) or downloaded nothing. */
interface TimeSplit {
  /** from the request to the last layer's download complete: the download-bound part */
  lastByteMs: number;
  /** from there to "pull complete" */
  extractTailMs: number;
  /** the extract tail's share of each pull's time */
  tailShare: number;
  /** per tier, the interval its layers' downloads covered: intervals that overlap, never to be summed */
  tiers: { tier: string; bytes: number; startMs: number; endMs: number }[];
}

/** Above this share of a pull, the extract tail (gunzip and unpacking on the host's cores), not the link, bounds it. */
const CPU_BOUND_SHARE = 0.3;

function whereTheTimeWent(splits: ReadonlyMap<PullCase, TimeSplit>, link: string): string[] {
  if (splits.size === 0) return [];
  const lines = [`where the time went at ${link} (medians; downloads overlap, three at a time):`];
  for (const [c, split] of splits) {
    lines.push(`  ${CASE_LABELS[c]}: last byte at ${formatMs(split.lastByteMs)}, extract tail ${formatMs(split.extractTailMs)} (${percent(split.tailShare)} of the pull)`);
    if (split.tiers.length > 1) lines.push(`    downloads per tier, first start → last end (overlapping): ${split.tiers.map((t) => `${t.tier} ${formatBytes(t.bytes)} ${formatMs(t.startMs)} → ${formatMs(t.endMs)}`).join(' · ')}`);
  }
  return lines;
}

/** Beside the ratio: which of its two pulls spent more than CPU_BOUND_SHARE of their time after the last byte. */
function cpuBound(splits: ReadonlyMap<PullCase, TimeSplit>): string {
  const shares = (['without-base', 'with-base'] as const).flatMap((c) => {
    const share = splits.get(c)?.tailShare;
    return share === undefined || share <= CPU_BOUND_SHARE ? [] : [`${percent(share)} of the pull ${c === 'with-base' ? 'with' : 'without'} base`];
  });
  return shares.length === 0 ? '' : ` · CPU-bound: the extract tail is ${shares.join(', ')}`;
}

function savingLines(advice: PullRecommendation, link: string): string[] {
  // the estimate only ever beside a measurement, and labelled: a pull is not bound by bytes alone
  const estimate = (seconds: number | null): string => (seconds === null ? '' : ` (bytes ÷ link rate: ≈ ${formatMs(seconds * 1000)} at ${link})`);
  const lines: string[] = [];
  const perDeploy = advice.measuredPerDeploy;
  const bytes = advice.savedBytesPerDeploy === null ? '' : `${formatBytes(advice.savedBytesPerDeploy)}${estimate(advice.savedSecondsPerDeploy)}`;
  if (perDeploy !== null) {
    lines.push(`a shared base ${saves(perDeploy.savedMs)} per deploy of App2 to a host that holds App1 (measured medians: monolithic ${formatMs(perDeploy.insteadMs)} − shared tiers ${formatMs(perDeploy.withSharedBaseMs)})${bytes === '' ? '' : ` and ${bytes}`}`);
  } else if (bytes !== '') {
    lines.push(`a shared base saves ${bytes} per deploy of App2 to a host that holds App1`);
  }
  const held = advice.measuredBaseHeld;
  if (held !== null) lines.push(`the base already on the host ${saves(held.savedMs)} per pull of App2 (measured medians: ${formatMs(held.insteadMs)} without it − ${formatMs(held.withSharedBaseMs)} with it)`);
  const both = advice.bothApps;
  if (both !== null) {
    lines.push(`App1 + App2 onto an empty host: ${formatBytes(both.sharedBytes)} on shared tiers, ${formatBytes(both.monolithicBytes)} as monolithic images: ${formatBytes(both.savedBytes)} less${estimate(both.savedSeconds)}`);
  }
  return lines;
}

function saves(savedMs: number): string {
  return savedMs > 0 ? `saves ${formatMs(savedMs)}` : `saves no time (${formatMs(-savedMs)} slower)`;
}

function timeSplit(samples: readonly PullSample[]): TimeSplit | null {
  const timed = samples.filter((s): s is PullSample & { lastByteMs: number; extractTailMs: number } => typeof s.lastByteMs === 'number' && typeof s.extractTailMs === 'number');
  const lastByteMs = median(timed.map((s) => s.lastByteMs));
  const extractTailMs = median(timed.map((s) => s.extractTailMs));
  const tailShare = median(timed.filter((s) => s.wallMs > 0).map((s) => s.extractTailMs / s.wallMs));
  if (lastByteMs === null || extractTailMs === null || tailShare === null) return null;
  const spans = timed.map(tierSpans);
  const tiers = [...new Set(spans.flatMap((perTier) => [...perTier.keys()]))].map((tier) => {
    const of = spans.flatMap((perTier) => perTier.get(tier) ?? []);
    return { tier, bytes: median(of.map((t) => t.bytes)) ?? 0, startMs: median(of.map((t) => t.startMs)) ?? 0, endMs: median(of.map((t) => t.endMs)) ?? 0 };
  });
  return { lastByteMs, extractTailMs, tailShare, tiers };
}

/** One pull's downloaded layers by tier: the first download's start to the last one's end, and their bytes. */
function tierSpans(sample: PullSample): Map<string, { bytes: number; startMs: number; endMs: number }> {
  const spans = new Map<string, { bytes: number; startMs: number; endMs: number }>();
  for (const layer of sample.layers) {
    if (layer.status !== 'downloaded' || layer.downloadStartMs == null || layer.downloadEndMs == null) continue;
    const tier = layer.tier ?? '?';
    const span = spans.get(tier);
    spans.set(tier, {
      bytes: (span?.bytes ?? 0) + (layer.compressedBytes ?? 0),
      startMs: Math.min(span?.startMs ?? Number.POSITIVE_INFINITY, layer.downloadStartMs),
      endMs: Math.max(span?.endMs ?? 0, layer.downloadEndMs),
    });
  }
  return spans;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function healthCell(health: { checked: number; healthy: number; medianTimeToHealthyMs: number | null }): string {
  if (health.checked === 0) return '–';
  return `${health.healthy}/${health.checked}${health.medianTimeToHealthyMs === null ? '' : ` in ${formatMs(health.medianTimeToHealthyMs)}`}`;
}

export function describeLink(bandwidth: string): string {
  const match = /^(\d+(?:\.\d+)?)(kbit|mbit|gbit)$/.exec(bandwidth);
  if (match === null) return bandwidth;
  return `${match[1]} ${{ kbit: 'kbit/s', mbit: 'Mbit/s', gbit: 'Gbit/s' }[match[2] as 'kbit' | 'mbit' | 'gbit']}`;
}
