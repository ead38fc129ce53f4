/**
 * The pull experiment in the article's form: App2 with the base present, without it, the base
 * alone, and the monolithic pair — time, bytes, the ratio to the pull with the base, and seed
 * 001's own figures beside them; then where the time went and what a shared base saves.
 * Renders the summary and the recommendation; computes nothing of its own.
 */
import { pullRecommendation } from '../result/pull-recommendation.js';
import { pullRowsOf, pullSamplesOf } from '../result/sample-kinds.js';
import { median } from '../result/statistics.js';
import type { PullCase, PullSample, SuiteResult } from '../result/types.js';
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
  const rows = pullRowsOf(result.summary).sort((a, b) => ORDER.indexOf(a.case) - ORDER.indexOf(b.case));
  if (setup === undefined || rows.length === 0) return '';
  const withBase = rows.find((r) => r.case === 'with-base')?.wallMs?.median;
  const app2 = setup.images.find((i) => i.name === 'app2');
  const tiers = setup.images.find((i) => i.name === 'f3');
  const sizes = app2 === undefined || tiers === undefined ? '' : ` · tiers ${formatBytes(tiers.uncompressedBytes)}, app ${formatBytes(app2.uncompressedBytes)}`;
  const title = `pull of App2 · scale ${setup.scale}${sizes} · link ${describeLink(setup.link.bandwidth)}, latency ${setup.link.latency} · fresh hosts: ${setup.freshHostMode}`;
  const body = rows.map((row) => [
    CASE_LABELS[row.case],
    row.wallMs === null ? '–' : formatMs(row.wallMs.median),
    String(row.n),
    row.downloadedBytes === null ? '–' : formatBytes(row.downloadedBytes),
    row.bytesOverLink === null ? '–' : formatBytes(row.bytesOverLink),
    withBase === undefined || row.wallMs === null || withBase <= 0 ? '–' : formatRatio(row.wallMs.median / withBase),
    healthCell(row.health),
    ARTICLE_FIGURES[row.case],
  ]);
  const columns = [
    { title: 'case', align: 'left' as const },
    { title: 'time (median)', align: 'right' as const },
    { title: 'n', align: 'right' as const },
    { title: 'downloaded', align: 'right' as const },
    { title: 'over the link', align: 'right' as const },
    { title: '÷ with base', align: 'right' as const },
    { title: 'app answers', align: 'right' as const },
    { title: 'the article', align: 'right' as const },
  ];
  return [title, ...renderRows(columns, body).map((line) => `  ${line}`), '', ...notes(result)].join('\n');
}

/** Where the time of the pull without the base went; what a shared base saves. */
function notes(result: SuiteResult): string[] {
  const setup = result.pull;
  if (setup === undefined) return [];
  const lines: string[] = [];
  const without = pullSamplesOf(result.samples).filter((s) => s.case === 'without-base');
  if (without.length > 0) lines.push(`where the time went (App2 without base, medians): ${timeSplit(without)}`);
  const advice = pullRecommendation(result.summary, setup);
  if (advice.ratioWithoutOverWith !== null) lines.push(`without ÷ with base: ${advice.ratioWithoutOverWith.toFixed(1)}×`);
  if (advice.savedBytesPerDeploy !== null) {
    const time = advice.savedSecondsPerDeploy === null ? '' : `, ${formatMs(advice.savedSecondsPerDeploy * 1000)} at ${describeLink(setup.link.bandwidth)}`;
    lines.push(`a shared base saves ${formatBytes(advice.savedBytesPerDeploy)} per deploy of App2 to a host that holds App1 (shared tiers against monolithic images)${time}`);
  }
  if (advice.bothApps !== null) {
    const time = advice.bothApps.savedSeconds === null ? '' : ` (${formatMs(advice.bothApps.savedSeconds * 1000)} at ${describeLink(setup.link.bandwidth)})`;
    lines.push(`App1 + App2 onto an empty host: ${formatBytes(advice.bothApps.sharedBytes)} on shared tiers, ${formatBytes(advice.bothApps.monolithicBytes)} as monolithic images: ${formatBytes(advice.bothApps.savedBytes)} less${time}`);
  }
  return lines;
}

function timeSplit(samples: readonly PullSample[]): string {
  const perSample = samples.map((s) => ({
    download: s.layers.reduce((sum, l) => sum + (l.downloadMs ?? 0), 0),
    extract: s.layers.reduce((sum, l) => sum + (l.extractMs ?? 0), 0),
  }));
  const tiers = [...new Set(samples.flatMap((s) => s.layers.map((l) => l.tier ?? '?')))];
  const perTier = tiers.map((tier) => {
    const download = median(samples.map((s) => s.layers.filter((l) => (l.tier ?? '?') === tier).reduce((sum, l) => sum + (l.downloadMs ?? 0), 0))) ?? 0;
    const bytes = median(samples.map((s) => s.layers.filter((l) => (l.tier ?? '?') === tier).reduce((sum, l) => sum + (l.compressedBytes ?? 0), 0))) ?? 0;
    return `${tier} ${formatBytes(bytes)} ${formatMs(download)}`;
  });
  // layers download three at a time: the per-layer download times add up to more than the wall time
  return `download ${formatMs(median(perSample.map((p) => p.download)) ?? 0)} and extract ${formatMs(median(perSample.map((p) => p.extract)) ?? 0)} summed over layers (downloads overlap, three at a time) · per tier (compressed, download): ${perTier.join(' · ')}`;
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
