/**
 * What a reader of a result should know before trusting a number, as hyperfine's users
 * expect it: a slow first sample, outliers, a drift across repetitions, a wide margin of
 * error, too few samples, a machine already busy when the run began. Pure: samples in,
 * warnings out, each with a machine-readable code.
 */
import { buildSamplesOf } from './sample-kinds.js';
import { median, statistics } from './statistics.js';
import { groupKey, isCounted } from './summarize.js';
import type { BuildSample, Sample, Warning } from './types.js';

/** A first warm sample this much slower than the median of the others is called slow. */
export const SLOW_FIRST_FACTOR = 1.5;
/**
 * hyperfine's cut-off for its modified Z-score (x − median) / MAD: ten scaled MADs. A lower one
 * flags ordinary noise at the n a build benchmark affords.
 */
export const OUTLIER_Z = 14.826;
/** The smallest MAD, as a fraction of the median: below it, a difference is the timer's resolution. */
const MAD_FLOOR_OF_MEDIAN = 0.01;
/** Below this many samples a median absolute deviation says too little to call anything an outlier. */
export const MIN_SAMPLES_FOR_OUTLIERS = 5;
/** The relative margin of error above which a median is called imprecise, in percent. */
export const HIGH_RME_PERCENT = 5;
/** Fewer samples than this give no usable spread. */
export const FEW_SAMPLES = 3;

export interface RunConditions {
  /** the 1-minute load average when the run began; null where the system does not say */
  loadAverageAtStart: number | null;
  cpus: number;
}

export function warningsFor(samples: readonly Sample[], conditions: RunConditions): Warning[] {
  const warnings: Warning[] = [];
  if (conditions.loadAverageAtStart !== null && conditions.cpus > 0 && conditions.loadAverageAtStart > conditions.cpus) {
    warnings.push({
      code: 'busy-machine',
      message: `the machine was busy when the run began: load average ${conditions.loadAverageAtStart.toFixed(2)} on ${conditions.cpus} cores; timings may be inflated`,
    });
  }
  const groups = new Map<string, BuildSample[]>();
  for (const sample of buildSamplesOf(samples)) groups.set(groupKey(sample), [...(groups.get(groupKey(sample)) ?? []), sample]);
  for (const group of groups.values()) {
    const first = group[0] as BuildSample;
    const where = { variant: first.variant, builder: first.builder, edit: first.edit, phase: first.phase };
    const label = `${first.variant} · ${first.phase === 'cold' ? 'cold build' : `edit "${first.edit}"`}${first.builder === 'classic' ? '' : ` · ${first.builder}`}`;
    // A cold build is built once by design: its n says nothing about noise.
    if (first.phase === 'cold') continue;
    const counted = group.filter(isCounted).sort((a, b) => a.rep - b.rep);
    const times = counted.map((s) => s.wallMs);
    for (const warning of seriesWarnings(times, counted.map((s) => s.rep))) warnings.push({ ...warning, ...where, message: `${label}: ${warning.message}` });
  }
  return warnings;
}

/** The warnings of one series of timings, in repetition order. */
export function seriesWarnings(times: readonly number[], reps: readonly number[] = times.map((_, i) => i + 1)): Pick<Warning, 'code' | 'message'>[] {
  const warnings: Pick<Warning, 'code' | 'message'>[] = [];
  const n = times.length;
  if (n < FEW_SAMPLES) warnings.push({ code: 'few-samples', message: `n = ${n}: fewer than ${FEW_SAMPLES} samples give no usable spread` });
  if (n === 0) return warnings;
  const rest = median(times.slice(1));
  if (n >= 3 && rest !== null && rest > 0 && (times[0] as number) > SLOW_FIRST_FACTOR * rest) {
    warnings.push({ code: 'slow-first-sample', message: `the first sample (${Math.round(times[0] as number)} ms) was ${((times[0] as number) / rest).toFixed(1)}× the median of the others: a cold cache or a warm-up effect; consider warmup: 1` });
  }
  const outliers = n < MIN_SAMPLES_FOR_OUTLIERS ? [] : modifiedZScores(times).flatMap((z, i) => (Math.abs(z) > OUTLIER_Z ? [i] : []));
  if (outliers.length > 0) {
    warnings.push({ code: 'outliers', message: `${outliers.length} outlier${outliers.length === 1 ? '' : 's'} (modified Z-score above ${OUTLIER_Z}): rep ${outliers.map((i) => reps[i]).join(', ')} (${outliers.map((i) => `${Math.round(times[i] as number)} ms`).join(', ')})` });
  }
  const trend = trendOf(times);
  if (trend !== undefined) {
    warnings.push({ code: 'trend', message: `the times ${trend.rho > 0 ? 'rise' : 'fall'} across repetitions (rank correlation ${trend.rho.toFixed(2)}, ${Math.round(times[0] as number)} → ${Math.round(times[n - 1] as number)} ms): the machine drifts; a median hides it` });
  }
  // below FEW_SAMPLES the margin of error is wide by construction (t = 12.7 for n = 2): few-samples says it
  const rme = statistics(times)?.rme ?? 0;
  if (n >= FEW_SAMPLES && rme > HIGH_RME_PERCENT) warnings.push({ code: 'high-rme', message: `the mean's margin of error is ±${rme.toFixed(0)} % (above ${HIGH_RME_PERCENT} %): more repetitions (--target-ci), or a quieter machine` });
  return warnings;
}

/**
 * (x − median) / MAD, as hyperfine computes it. Where more than half the values are equal the
 * MAD is 0: hyperfine then divides by machine epsilon, so any other value is an outlier, 1 ms
 * off included. Here the MAD is floored at 1 % of the median instead: a timer's resolution, not
 * a spread, so [274, 274, 274, 280, 2000] flags 2000 and not 280.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  const middle = median(values);
  if (middle === null) return [];
  const mad = Math.max(median(values.map((v) => Math.abs(v - middle))) ?? 0, Math.abs(middle) * MAD_FLOOR_OF_MEDIAN);
  return values.map((v) => (mad === 0 ? 0 : (v - middle) / mad));
}

/** Spearman's rank correlation of the values with their order. */
export function spearmanWithOrder(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const rankOf = averageRanks(values);
  const orderRanks = values.map((_, i) => i + 1);
  const mean = (n + 1) / 2;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i += 1) {
    const a = (rankOf[i] as number) - mean;
    const b = (orderRanks[i] as number) - mean;
    covariance += a * b;
    varianceA += a * a;
    varianceB += b * b;
  }
  return varianceA === 0 ? 0 : covariance / Math.sqrt(varianceA * varianceB);
}

/**
 * A drift worth a warning: with five or more repetitions a rank correlation of at least 0.8;
 * with three or four (too few for a test) a strictly monotonic series that moved by more than
 * a quarter of its median — the shape the noisiest pip steps showed here (11.3 → 15.4 → 17.1 s).
 */
function trendOf(times: readonly number[]): { rho: number } | undefined {
  const n = times.length;
  if (n < 3) return undefined;
  const rho = spearmanWithOrder(times);
  if (n >= 5) return Math.abs(rho) >= 0.8 ? { rho } : undefined;
  const middle = median(times) as number;
  const moved = Math.abs((times[n - 1] as number) - (times[0] as number));
  return Math.abs(rho) === 1 && middle > 0 && moved > 0.25 * middle ? { rho } : undefined;
}

function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end += 1;
    for (let i = start; i <= end; i += 1) ranks[(order[i] as { index: number }).index] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}
