/**
 * A model of each pull case across a sweep of link speeds, the speed at which a shared base
 * stops paying twice over, and the article's 4.5× put on the same picture. Pure.
 *
 * The model. Within one case the bytes hardly change from one link speed to the next; only the
 * link does. So each pull is read as
 *
 *     time = fixed + (bytes ÷ link rate) ÷ efficiency
 *
 * a straight line in x = bytes ÷ link rate (the seconds the bytes take at the link's nominal
 * rate). The intercept is the fixed cost: everything that does not scale with the link —
 * starting the pull, the manifest round trips, and the extract tail after the last byte (which
 * scales with the bytes, but they are constant within a case, so it cannot be told apart from
 * setup here). The slope is 1 ÷ efficiency: 1 when the bytes arrive at the link's full rate,
 * 2 when they arrive at half of it. The effective throughput at a link rate R is then
 * bytes ÷ (time − fixed): efficiency × R on the line, measured at each point beside it. Two
 * parameters fit from two link speeds; a third speed or more tests the line (R², and the
 * largest residual relative to the time). A host that cannot keep up with a fast link (gunzip
 * and extraction on shared cores) shows as points above the line at the fast end, and as a
 * measured throughput below efficiency × R there, rather than being modelled away. The
 * throughput quoted is the measured one at the fastest link where the bytes still take a quarter
 * of the pull: faster than that, time − fixed is lost in the noise of the fixed cost.
 *
 * The same line through the times the last byte arrived (the download alone) reads the rate the
 * bytes really came at, and the fixed cost of starting the pull; what is left of the pull is the
 * extract tail. Given beside the whole pull's line, it says what that line's fixed cost is made
 * of: on a slow link the extraction overlaps the download, on a fast one it follows it, so the
 * whole pull's line can read a throughput above the link's.
 *
 * The fit is least squares weighted by n ÷ time²: a pull's spread grows with its time, so each
 * point counts by its relative error, and a median of n pulls counts n times. A negative fixed
 * cost is not physical: the fit is then redone with the fixed cost held at zero. A case is not
 * fitted (null, with the reason) with fewer than two distinct shaped link speeds, or when its
 * time does not grow as the link slows. Unlimited links have no rate to divide by and take no
 * part in the fit; their time beyond the fixed cost gives the host's own ceiling.
 *
 * The ratio of App2 without the base to App2 with it, from the two fitted lines, runs from the
 * bytes' ratio (each over its efficiency) on a slow link, where the fixed costs vanish, to the fixed costs' ratio
 * on an infinitely fast one; in between it is 2× at one link rate at most, solved in closed form.
 *
 * The article (seed 001) gives 0.1 GB in 1 min 33 s with the base and 1.9 GB in "> 7 min"
 * without it: ≈ 4.5×, and no link speed. With one fixed cost F shared by both pulls and the bytes
 * at the link's nominal rate, (F + 1.9 GB ÷ R) ÷ (F + 0.1 GB ÷ R) = 4.5 is solved for R given
 * this run's fixed cost (that of App2 with the base: its time is nearly all fixed cost, so its
 * intercept is the best determined), and for F at each link speed of the sweep. The article's
 * own two points, joined by a straight line, give a fixed cost and a cost per GB: an estimate,
 * and since "> 7 min" is a lower bound, so is the cost per GB.
 */
import { median } from './statistics.js';
import { pullRowsOf, pullSamplesOf } from './sample-kinds.js';
import type { PullCase, Sample, SummaryRow } from './types.js';

/** One case at one link speed: the median of its n pulls (built by the caller from the summary). */
export interface PullPoint {
  case: PullCase;
  /** the link's rate; null for an unlimited link */
  bitsPerSecond: number | null;
  medianMs: number;
  /** compressed bytes downloaded (median over the pulls) */
  bytes: number;
  n: number;
  /** when the last byte arrived (the median over the pulls); null or absent when the pulls did not say */
  lastByteMs?: number | null;
}

/** A fitted case at one shaped link speed of the sweep: the measured median beside the line. */
export interface PullLinkReading {
  bitsPerSecond: number;
  medianMs: number;
  bytes: number;
  n: number;
  /** the line's time at this link and these bytes */
  modelMs: number;
  /** bytes ÷ (measured time − fixed cost), in bit/s; null when the time is not above the fixed cost */
  effectiveBitsPerSecond: number | null;
}

export interface PullLineFit {
  /** distinct shaped link speeds in the fit */
  linkSpeeds: number;
  points: number;
  /** pulls behind the points (Σ n) */
  pulls: number;
  /** points left to test the line: points − parameters fitted; 0 for a line through two points */
  residualDegreesOfFreedom: number;
  /** median of the points' bytes: the case's bytes where one figure is needed */
  bytes: number;
  fixedMs: number;
  /** the unconstrained fit went below zero; the fixed cost was held at 0 and only the slope fitted */
  fixedHeldAtZero: boolean;
  /** the share of the link's rate the bytes arrive at (1 ÷ slope); 1 = the link saturated */
  linkEfficiency: number;
  /** the link rate at which the bytes take as long as the fixed cost: faster links save less than half of the pull above it; null with no fixed cost */
  kneeBitsPerSecond: number | null;
  /** weighted as the fit is; 1 for a line through two points */
  rSquared: number;
  /** the largest |measured − model| ÷ measured over the points */
  largestRelativeResidual: number;
  /**
   * The effective throughput to quote: measured at the fastest link where the bytes still take at
   * least a quarter of the pull (faster than that, time − fixed is within the noise of the fixed
   * cost), else at the slowest; `fromLine` when no measured time rose above the fixed cost.
   */
  throughput: { atBitsPerSecond: number; bitsPerSecond: number; fromLine: boolean };
  /** by link rate, slowest first */
  atLinks: PullLinkReading[];
}

/** The case's pulls on an unlimited link: not in the fit; the host's ceiling beyond the fixed cost. */
export interface UnlimitedReading {
  medianMs: number;
  bytes: number;
  n: number;
  /** bytes ÷ (time − fixed cost), in bit/s; null without a fit or when the time is not above the fixed cost */
  ceilingBitsPerSecond: number | null;
}

/**
 * The same line fitted to the download alone (when the last byte arrived, not when the pull
 * completed): the rate the bytes really came at, at most the link's on a link that is what it
 * says. The rest of the pull is the extract tail, which overlaps the download on a slow link and
 * follows it on a fast one — why the whole pull's line can read a throughput above the link.
 */
export interface PullDownloadFit {
  fixedMs: number;
  fixedHeldAtZero: boolean;
  /** the share of the link's rate the bytes arrived at */
  linkEfficiency: number;
  rSquared: number;
  /** the extract tail (median time − median last byte) at the fastest shaped link: the part a faster link does not remove */
  tailAtFastest: { bitsPerSecond: number; ms: number };
}

export interface PullCaseModel {
  case: PullCase;
  /** the distinct shaped link speeds this case was measured at, slowest first */
  linkSpeedsBitsPerSecond: number[];
  fit: PullLineFit | null;
  /** null without last-byte times at two link speeds or more */
  download: PullDownloadFit | null;
  /** why there is no fit; null when there is one */
  refusedBecause: string | null;
  unlimited: UnlimitedReading | null;
}

/** Time without the base ÷ time with it, along the two fitted lines. */
export interface RatioAcrossLinks {
  threshold: number;
  /** the link rate at which the ratio equals the threshold; null when it stays on one side at every rate */
  crossingBitsPerSecond: number | null;
  /** 'falls-below-above': below the threshold on links faster than the crossing; 'rises-above-above' the reverse */
  shape: 'falls-below-above' | 'rises-above-above' | 'stays-above' | 'stays-below';
  /** the crossing lies between the slowest and fastest link both cases were measured at; null without a crossing */
  crossingInsideSweep: boolean | null;
  /** the ratio as the link slows without bound: the link terms' ratio */
  slowLinkRatio: number;
  /** the ratio as the link grows without bound: the fixed costs' ratio; null when it grows without bound (no fixed cost with the base) */
  fastLinkRatio: number | null;
  /** at each shaped speed both cases were measured at */
  atLinks: { bitsPerSecond: number; modelRatio: number; measuredRatio: number }[];
}

/** Seed 001's two pulls of App2: with the base (only the app layer) and without it. */
export const ARTICLE_PULLS = {
  withBase: { bytes: 0.1e9, ms: 93_000 },
  /** "over 7 minutes": a lower bound */
  withoutBase: { bytes: 1.9e9, ms: 420_000 },
} as const;

export interface ArticleReading {
  /** the article's without ÷ with, from its figures (≈ 4.5×; a lower bound) */
  ratio: number;
  /** the link rate at which this run's fixed cost gives the article's ratio with the article's bytes */
  linkForRatio: { fixedMs: number; fixedFrom: PullCase; bitsPerSecond: number } | null;
  linkForRatioRefusedBecause: string | null;
  /** the article names no link speed, so the fixed cost that gives its ratio is given at each speed of this sweep */
  articleLinkBitsPerSecond: null;
  fixedCostForRatio: { bitsPerSecond: number; fixedMs: number }[];
  /** a straight line through the article's two points: an estimate, and the per-GB cost a lower bound */
  twoPointEstimate: { fixedMs: number; msPerGB: number; throughputBitsPerSecond: number };
}

export interface PullModel {
  cases: PullCaseModel[];
  /** without ÷ with base against the threshold of 2× */
  ratio: RatioAcrossLinks | null;
  ratioRefusedBecause: string | null;
  article: ArticleReading;
}

const CASE_ORDER: readonly PullCase[] = ['with-base', 'without-base', 'base-alone', 'monolithic-with-app1'];

/** The whole model of a sweep: one fit per case, the 2× crossing, the article's figures on it. */
export function fitPullModels(points: readonly PullPoint[]): PullModel {
  const cases = CASE_ORDER.filter((name) => points.some((p) => p.case === name)).map((name) => fitPullCase(name, points.filter((p) => p.case === name)));
  const fitOf = (name: PullCase): PullLineFit | null => cases.find((c) => c.case === name)?.fit ?? null;
  const withBase = fitOf('with-base');
  const without = fitOf('without-base');
  const missing = [withBase === null ? 'App2 with the base' : null, without === null ? 'App2 without the base' : null].filter((m) => m !== null);
  return {
    cases,
    ratio: withBase === null || without === null ? null : ratioAcrossLinks(without, withBase, 2),
    ratioRefusedBecause: missing.length === 0 ? null : `no fit for ${missing.join(' nor ')}`,
    article: articleReading(withBase, points),
  };
}

interface UsablePoint {
  bitsPerSecond: number;
  medianMs: number;
  bytes: number;
  n: number;
}

function isPositive(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

function usable(point: PullPoint): UsablePoint | null {
  const { bitsPerSecond, medianMs, bytes, n } = point;
  return isPositive(bitsPerSecond) && isPositive(medianMs) && isPositive(bytes) && isPositive(n) ? { bitsPerSecond, medianMs, bytes, n } : null;
}

/** One case's line, or the reason there is none. */
export function fitPullCase(name: PullCase, points: readonly PullPoint[]): PullCaseModel {
  const shaped = points.map(usable).filter((p) => p !== null);
  const linkSpeeds = [...new Set(points.map((p) => p.bitsPerSecond).filter(isPositive))].sort((a, b) => a - b);
  const refuse = (reason: string): PullCaseModel => ({ case: name, linkSpeedsBitsPerSecond: linkSpeeds, fit: null, download: null, refusedBecause: reason, unlimited: unlimitedReading(points, null) });
  const speeds = new Set(shaped.map((p) => p.bitsPerSecond)).size;
  if (linkSpeeds.length === 0) return refuse('no pull on a shaped link: an unlimited link has no rate to fit against');
  if (shaped.length === 0) return refuse('no point with a positive time and bytes downloaded');
  if (speeds < 2) return refuse(`measured at ${speeds} link speed; a fit needs at least 2 distinct speeds`);
  const line = weightedLine(shaped);
  if (line.slope <= 0) return refuse('the time does not grow as the link slows: these pulls are not bound by the link at the speeds measured');
  const fit = describeFit(shaped, line, speeds);
  return { case: name, linkSpeedsBitsPerSecond: linkSpeeds, fit, download: downloadFit(points), refusedBecause: null, unlimited: unlimitedReading(points, fit) };
}

/** The line through the last bytes' times, and the tail after them at the fastest link. */
function downloadFit(points: readonly PullPoint[]): PullDownloadFit | null {
  const timed = points.flatMap((p) => {
    const whole = usable(p);
    const lastByteMs = p.lastByteMs ?? null;
    return whole === null || !isPositive(lastByteMs) ? [] : [{ whole, download: { ...whole, medianMs: lastByteMs } }];
  });
  const downloads = timed.map((t) => t.download);
  if (new Set(downloads.map((p) => p.bitsPerSecond)).size < 2) return null;
  const line = weightedLine(downloads);
  const fastest = [...timed].sort((a, b) => b.whole.bitsPerSecond - a.whole.bitsPerSecond)[0];
  if (line.slope <= 0 || fastest === undefined) return null;
  return {
    fixedMs: line.fixedSeconds * 1000,
    fixedHeldAtZero: line.heldAtZero,
    linkEfficiency: 1 / line.slope,
    rSquared: goodnessOf(downloads, line).rSquared,
    tailAtFastest: { bitsPerSecond: fastest.whole.bitsPerSecond, ms: Math.max(0, fastest.whole.medianMs - fastest.download.medianMs) },
  };
}

/** Seconds the bytes take at the link's nominal rate. */
function linkSeconds(p: UsablePoint): number {
  return (p.bytes * 8) / p.bitsPerSecond;
}

interface Line {
  fixedSeconds: number;
  slope: number;
  heldAtZero: boolean;
}

/** Least squares of seconds against link seconds, each point weighted by n ÷ time². */
function weightedLine(points: readonly UsablePoint[]): Line {
  const rows = points.map((p) => ({ x: linkSeconds(p), t: p.medianMs / 1000, w: p.n / (p.medianMs / 1000) ** 2 }));
  const total = rows.reduce((sum, r) => sum + r.w, 0);
  const meanX = rows.reduce((sum, r) => sum + r.w * r.x, 0) / total;
  const meanT = rows.reduce((sum, r) => sum + r.w * r.t, 0) / total;
  const sxx = rows.reduce((sum, r) => sum + r.w * (r.x - meanX) ** 2, 0);
  const sxt = rows.reduce((sum, r) => sum + r.w * (r.x - meanX) * (r.t - meanT), 0);
  const slope = sxt / sxx;
  const fixedSeconds = meanT - slope * meanX;
  if (fixedSeconds >= 0) return { fixedSeconds, slope, heldAtZero: false };
  // the convex fit's best point with a fixed cost ≥ 0 then lies on the boundary: a line through the origin
  const throughOrigin = rows.reduce((sum, r) => sum + r.w * r.x * r.t, 0) / rows.reduce((sum, r) => sum + r.w * r.x ** 2, 0);
  return { fixedSeconds: 0, slope: throughOrigin, heldAtZero: true };
}

/** R² weighted as the fit is (1 for a line through two points), and the largest |measured − model| ÷ measured. */
function goodnessOf(points: readonly UsablePoint[], line: Line): { rSquared: number; largestRelativeResidual: number } {
  const modelSeconds = (p: UsablePoint): number => line.fixedSeconds + line.slope * linkSeconds(p);
  const weights = points.map((p) => p.n / (p.medianMs / 1000) ** 2);
  const weightOf = (i: number): number => weights[i] ?? 0;
  const total = weights.reduce((sum, w) => sum + w, 0);
  const meanT = points.reduce((sum, p, i) => sum + weightOf(i) * (p.medianMs / 1000), 0) / total;
  const residual = points.reduce((sum, p, i) => sum + weightOf(i) * (p.medianMs / 1000 - modelSeconds(p)) ** 2, 0);
  const spread = points.reduce((sum, p, i) => sum + weightOf(i) * (p.medianMs / 1000 - meanT) ** 2, 0);
  return {
    rSquared: spread > 0 ? 1 - residual / spread : 1,
    largestRelativeResidual: Math.max(...points.map((p) => Math.abs(p.medianMs / 1000 - modelSeconds(p)) / (p.medianMs / 1000))),
  };
}

function describeFit(points: readonly UsablePoint[], line: Line, speeds: number): PullLineFit {
  const modelSeconds = (p: UsablePoint): number => line.fixedSeconds + line.slope * linkSeconds(p);
  const bytes = median(points.map((p) => p.bytes)) ?? 0;
  const atLinks = [...points]
    .sort((a, b) => a.bitsPerSecond - b.bitsPerSecond)
    .map((p) => ({
      ...p,
      modelMs: modelSeconds(p) * 1000,
      effectiveBitsPerSecond: p.medianMs / 1000 > line.fixedSeconds ? (p.bytes * 8) / (p.medianMs / 1000 - line.fixedSeconds) : null,
    }));
  return {
    linkSpeeds: speeds,
    points: points.length,
    pulls: points.reduce((sum, p) => sum + p.n, 0),
    residualDegreesOfFreedom: points.length - (line.heldAtZero ? 1 : 2),
    bytes,
    fixedMs: line.fixedSeconds * 1000,
    fixedHeldAtZero: line.heldAtZero,
    linkEfficiency: 1 / line.slope,
    kneeBitsPerSecond: line.fixedSeconds > 0 ? (bytes * 8 * line.slope) / line.fixedSeconds : null,
    ...goodnessOf(points, line),
    throughput: quotedThroughput(atLinks, line),
    atLinks,
  };
}

const MEASURABLE_SHARE = 0.25;

function quotedThroughput(atLinks: readonly PullLinkReading[], line: Line): PullLineFit['throughput'] {
  const measured = atLinks.filter((r) => r.effectiveBitsPerSecond !== null);
  const measurable = measured.filter((r) => 1 - line.fixedSeconds / (r.medianMs / 1000) >= MEASURABLE_SHARE);
  const reading = measurable.at(-1) ?? measured[0];
  if (reading?.effectiveBitsPerSecond != null) return { atBitsPerSecond: reading.bitsPerSecond, bitsPerSecond: reading.effectiveBitsPerSecond, fromLine: false };
  const slowest = atLinks[0]?.bitsPerSecond ?? 0;
  return { atBitsPerSecond: slowest, bitsPerSecond: slowest / line.slope, fromLine: true };
}

function unlimitedReading(points: readonly PullPoint[], fit: PullLineFit | null): UnlimitedReading | null {
  const unlimited = points.filter((p) => p.bitsPerSecond === null && isPositive(p.medianMs));
  if (unlimited.length === 0) return null;
  const medianMs = median(unlimited.map((p) => p.medianMs)) ?? 0;
  const bytes = median(unlimited.map((p) => p.bytes)) ?? 0;
  const beyondFixed = fit === null ? 0 : (medianMs - fit.fixedMs) / 1000;
  return { medianMs, bytes, n: unlimited.reduce((sum, p) => sum + p.n, 0), ceilingBitsPerSecond: beyondFixed > 0 && bytes > 0 ? (bytes * 8) / beyondFixed : null };
}

/** The seconds × bit/s the case's bytes take on the line: time = fixed + linkTerm ÷ rate. */
function linkTerm(fit: PullLineFit): number {
  return (fit.bytes * 8) / fit.linkEfficiency;
}

function modelSecondsAt(fit: PullLineFit, bitsPerSecond: number): number {
  return fit.fixedMs / 1000 + linkTerm(fit) / bitsPerSecond;
}

/**
 * Along t = a + k ÷ R the ratio (aₒ + kₒ u) ÷ (a_w + k_w u), u = 1 ÷ R, is monotonic in u: it
 * runs from aₒ ÷ a_w (infinitely fast link) to kₒ ÷ k_w (infinitely slow) and meets a threshold
 * between them once, at u = (threshold · a_w − aₒ) ÷ (kₒ − threshold · k_w).
 */
export function ratioAcrossLinks(without: PullLineFit, withBase: PullLineFit, threshold: number): RatioAcrossLinks {
  const [aO, aW] = [without.fixedMs / 1000, withBase.fixedMs / 1000];
  const [kO, kW] = [linkTerm(without), linkTerm(withBase)];
  const slowLinkRatio = kO / kW;
  const fastLinkRatio = aW > 0 ? aO / aW : aO === 0 ? slowLinkRatio : null;
  const denominator = kO - threshold * kW;
  const u = denominator === 0 ? Number.NaN : (threshold * aW - aO) / denominator;
  const crossing = Number.isFinite(u) && u > 0 ? 1 / u : null;
  const shared = without.atLinks.flatMap((o) => {
    const w = withBase.atLinks.find((candidate) => candidate.bitsPerSecond === o.bitsPerSecond);
    return w === undefined ? [] : [{ o, w }];
  });
  const low = Math.max(without.atLinks[0]?.bitsPerSecond ?? 0, withBase.atLinks[0]?.bitsPerSecond ?? 0);
  const high = Math.min(without.atLinks.at(-1)?.bitsPerSecond ?? 0, withBase.atLinks.at(-1)?.bitsPerSecond ?? 0);
  return {
    threshold,
    crossingBitsPerSecond: crossing,
    shape: crossing !== null ? (slowLinkRatio > threshold ? 'falls-below-above' : 'rises-above-above') : slowLinkRatio >= threshold ? 'stays-above' : 'stays-below',
    crossingInsideSweep: crossing === null ? null : crossing >= low && crossing <= high,
    slowLinkRatio,
    fastLinkRatio,
    atLinks: shared.map(({ o, w }) => ({
      bitsPerSecond: o.bitsPerSecond,
      modelRatio: modelSecondsAt(without, o.bitsPerSecond) / modelSecondsAt(withBase, o.bitsPerSecond),
      measuredRatio: o.medianMs / w.medianMs,
    })),
  };
}

/** (F + 8·bytesWithout ÷ R) ÷ (F + 8·bytesWith ÷ R) = ratio, solved for R (bit/s); null when no link rate gives it. */
export function linkRateForRatio(ratio: number, fixedMs: number, bytesWithout: number, bytesWith: number): number | null {
  const rate = (8 * (bytesWithout - ratio * bytesWith)) / ((ratio - 1) * (fixedMs / 1000));
  return Number.isFinite(rate) && rate > 0 ? rate : null;
}

/** The same equation solved for F (ms) at a given link rate; null when no fixed cost gives it. */
export function fixedCostForRatio(ratio: number, bitsPerSecond: number, bytesWithout: number, bytesWith: number): number | null {
  const seconds = (8 * (bytesWithout - ratio * bytesWith)) / ((ratio - 1) * bitsPerSecond);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/** time = fixed + bytes × cost per byte through two (bytes, ms) points. */
export function twoPointReading(a: { bytes: number; ms: number }, b: { bytes: number; ms: number }): ArticleReading['twoPointEstimate'] {
  const msPerByte = (b.ms - a.ms) / (b.bytes - a.bytes);
  return { fixedMs: a.ms - msPerByte * a.bytes, msPerGB: msPerByte * 1e9, throughputBitsPerSecond: 8 / (msPerByte / 1000) };
}

function articleReading(withBase: PullLineFit | null, points: readonly PullPoint[]): ArticleReading {
  const { withBase: small, withoutBase: large } = ARTICLE_PULLS;
  const ratio = large.ms / small.ms;
  const rate = withBase === null ? null : linkRateForRatio(ratio, withBase.fixedMs, large.bytes, small.bytes);
  const speeds = [...new Set(points.map((p) => p.bitsPerSecond).filter(isPositive))].sort((x, y) => x - y);
  const refusal = withBase === null ? 'no fit for App2 with the base' : `with no fixed cost the ratio is the bytes' ratio (${(large.bytes / small.bytes).toFixed(0)}×) at every link`;
  return {
    ratio,
    linkForRatio: withBase === null || rate === null ? null : { fixedMs: withBase.fixedMs, fixedFrom: 'with-base', bitsPerSecond: rate },
    linkForRatioRefusedBecause: rate === null ? refusal : null,
    articleLinkBitsPerSecond: null,
    fixedCostForRatio: speeds.flatMap((bitsPerSecond) => {
      const fixedMs = fixedCostForRatio(ratio, bitsPerSecond, large.bytes, small.bytes);
      return fixedMs === null ? [] : [{ bitsPerSecond, fixedMs }];
    }),
    twoPointEstimate: twoPointReading(small, large),
  };
}

/**
 * One point per case and link rate, from a result's summary (the rows of a sweep; pulls without
 * a rate are left out), with the median last byte of its pulls when `samples` has them.
 */
export function pullPointsOf(summary: readonly SummaryRow[], samples: readonly Sample[] = []): PullPoint[] {
  const pulls = pullSamplesOf(samples);
  return pullRowsOf(summary).flatMap((row) => {
    if (row.wallMs === null || row.bandwidth === undefined || row.bandwidth === null) return [];
    const lastBytes = pulls.filter((s) => s.case === row.case && s.bandwidth === row.bandwidth).flatMap((s) => (typeof s.lastByteMs === 'number' ? [s.lastByteMs] : []));
    return [{ case: row.case, bitsPerSecond: row.bitsPerSecond ?? null, medianMs: row.wallMs.median, bytes: row.downloadedBytes ?? 0, n: row.n, lastByteMs: median(lastBytes) }];
  });
}
