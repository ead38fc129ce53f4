/**
 * The pull model in a few short lines, for the notes under the pull table and for report.md:
 * one per case, the 2× crossing, the article's 4.5× and its own two points. Renders the model;
 * computes nothing of its own.
 */
import { ARTICLE_PULLS, type PullCaseModel, type PullDownloadFit, type PullLineFit, type PullModel, type RatioAcrossLinks } from '../result/pull-model.js';
import type { PullCase } from '../result/types.js';
import { formatBytes, formatMs, formatRatio } from '../format.js';

// short names of their own: pull-table.ts (whose labels are longer) is where these lines go, and importing it back would make a circle
const CASE_NAMES: Record<PullCase, string> = {
  'with-base': 'App2 with base',
  'without-base': 'App2 without base',
  'base-alone': 'base tiers alone',
  'monolithic-with-app1': 'monolithic App2 (host holds App1)',
};

/** Seed 001's own words for its two times; "> 7 min" is a bound, not a measurement. */
const ARTICLE_WORDS = { withBase: '1 min 33 s', withoutBase: '> 7 min' } as const;

export function pullModelLines(model: PullModel): string[] {
  return [...model.cases.flatMap(caseLines), ratioLine(model.ratio, model.ratioRefusedBecause), ...articleLines(model.article)];
}

/** `96 Mbit/s`, `2.8 Gbit/s`, `512 kbit/s`: a link rate the way tc and the options write it. */
export function formatBitRate(bitsPerSecond: number): string {
  if (!Number.isFinite(bitsPerSecond)) return '–';
  const [value, unit] = bitsPerSecond >= 1e9 ? [bitsPerSecond / 1e9, 'Gbit/s'] : bitsPerSecond >= 1e6 ? [bitsPerSecond / 1e6, 'Mbit/s'] : [bitsPerSecond / 1e3, 'kbit/s'];
  return `${value >= 10 ? Math.round(value) : Number(value.toFixed(1))} ${unit}`;
}

function caseLines(model: PullCaseModel): string[] {
  const line = caseLine(model);
  return model.fit === null || model.download === null ? [line] : [line, `  ${downloadLine(model.fit, model.download)}`];
}

/** The download alone, and what the whole pull's line folds into its fixed cost. */
function downloadLine(fit: PullLineFit, download: PullDownloadFit): string {
  const { tailAtFastest } = download;
  const tail = `extract tail ${formatMs(tailAtFastest.ms)} after the last byte at ${formatBitRate(tailAtFastest.bitsPerSecond)}`;
  const aboveTheLink = fit.throughput.bitsPerSecond > fit.throughput.atBitsPerSecond;
  const why = aboveTheLink ? `: the fixed cost above is mostly that tail, which overlaps the download on a slower link — hence a throughput above the link's` : '';
  const fixed = `fixed ${formatMs(download.fixedMs)}${download.fixedHeldAtZero ? ' (held at 0)' : ''}`;
  return `download alone (last byte): ${fixed}, the bytes at ${Math.round(download.linkEfficiency * 100)} % of the link, R² ${download.rSquared.toFixed(3)}; ${tail}${why}`;
}

function caseLine(model: PullCaseModel): string {
  const name = CASE_NAMES[model.case];
  if (model.fit === null) {
    const speeds = model.linkSpeedsBitsPerSecond.length === 0 ? 'unlimited link only' : model.linkSpeedsBitsPerSecond.map(formatBitRate).join(', ');
    return `model: ${name} — no fit (${speeds}): ${model.refusedBecause ?? 'not fitted'}`;
  }
  const fit = model.fit;
  const unlimited = model.unlimited === null ? '' : `; unlimited link: ${formatMs(model.unlimited.medianMs)}${model.unlimited.ceilingBitsPerSecond === null ? '' : `, the host's ceiling ≈ ${formatBitRate(model.unlimited.ceilingBitsPerSecond)} beyond the fixed cost`}`;
  const knee = fit.kneeBitsPerSecond === null ? '' : `; the bytes outweigh the fixed cost below ≈ ${formatBitRate(fit.kneeBitsPerSecond)}`;
  return `model (fit over ${fit.linkSpeeds} link speeds, ${fit.pulls} pulls): ${name} — fixed ${formatMs(fit.fixedMs)}${fit.fixedHeldAtZero ? ' (held at 0)' : ''}, ${throughput(fit)}, ${quality(fit)}${knee}${unlimited}`;
}

function throughput(fit: PullLineFit): string {
  const { atBitsPerSecond, bitsPerSecond, fromLine } = fit.throughput;
  return `throughput ${formatBitRate(bitsPerSecond)} at ${formatBitRate(atBitsPerSecond)}${fromLine ? ' on the line' : ''} (${Math.round((bitsPerSecond / atBitsPerSecond) * 100)} % of the link)`;
}

function quality(fit: PullLineFit): string {
  if (fit.residualDegreesOfFreedom === 0) return `a line through ${fit.points} points, not tested`;
  return `R² ${fit.rSquared.toFixed(3)}, worst point ${(fit.largestRelativeResidual * 100).toFixed(1)} % off the line`;
}

function ratioLine(ratio: RatioAcrossLinks | null, refusedBecause: string | null): string {
  if (ratio === null) return `without ÷ with base against 2×: no model (${refusedBecause ?? 'not fitted'})`;
  const limits = `${formatRatio(ratio.slowLinkRatio)} as the link slows, ${ratio.fastLinkRatio === null ? 'without bound' : formatRatio(ratio.fastLinkRatio)} as it grows without bound`;
  const threshold = formatRatio(ratio.threshold);
  if (ratio.crossingBitsPerSecond === null) {
    return `without ÷ with base stays ${ratio.shape === 'stays-above' ? 'above' : 'below'} ${threshold} at every link speed (from the fits: ${limits})`;
  }
  const where = ratio.crossingInsideSweep === true ? 'inside the sweep' : 'outside the sweep: an extrapolation';
  const direction = ratio.shape === 'falls-below-above' ? 'falls below' : 'rises above';
  return `without ÷ with base ${direction} ${threshold} above ≈ ${formatBitRate(ratio.crossingBitsPerSecond)} (from the fits, ${where}; ${limits})`;
}

function articleLines(article: PullModel['article']): string[] {
  const { withBase, withoutBase } = ARTICLE_PULLS;
  const ratio = formatRatio(article.ratio);
  const link =
    article.linkForRatio === null
      ? `no link gives it with this run's fixed cost (${article.linkForRatioRefusedBecause ?? 'no fit'})`
      : `at this run's fixed cost of ${formatMs(article.linkForRatio.fixedMs)} (${CASE_NAMES[article.linkForRatio.fixedFrom]}) it takes a ≈ ${formatBitRate(article.linkForRatio.bitsPerSecond)} link`;
  const fixed = article.fixedCostForRatio.map((f) => `${formatMs(f.fixedMs)} (${formatBitRate(f.bitsPerSecond)})`).join(', ');
  const perSpeed = fixed === '' ? '' : `; at this sweep's speeds it takes a fixed cost of ${fixed} — the article names no link`;
  const estimate = article.twoPointEstimate;
  // two significant figures: the article's figures are rounded, one of them a bound
  const rounded = (ms: number): string => `${Number((ms / 1000).toPrecision(2))} s`;
  return [
    `the article's ${ratio} (${formatBytes(withoutBase.bytes)} against ${formatBytes(withBase.bytes)} at one fixed cost): ${link}${perSpeed}`,
    `the article's own two points (estimate: a line through ${formatBytes(withBase.bytes)} in ${ARTICLE_WORDS.withBase} and ${formatBytes(withoutBase.bytes)} in ${ARTICLE_WORDS.withoutBase}): ≈ ${rounded(estimate.fixedMs)} fixed + ≈ ${rounded(estimate.msPerGB)} per GB (≈ ${formatBitRate(estimate.throughputBitsPerSecond)}); "${ARTICLE_WORDS.withoutBase}" is a lower bound, and so is the cost per GB`,
  ];
}
