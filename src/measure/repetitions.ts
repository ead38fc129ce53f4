/**
 * How many repetitions a group gets: a fixed count (`--reps`), or as many as it takes for the
 * median's 95 % interval to be narrow enough (`--target-ci`), between `--min-reps` and
 * `--max-reps`; and no new round once `--time-budget` has passed. Pure.
 */
import { statistics } from '../result/statistics.js';
import type { Builder, RepetitionStop, StopReason } from '../result/types.js';

export interface RepetitionRule {
  minReps: number;
  maxReps: number;
  /** the widest the median's 95 % interval may be, each side, as a fraction of the median; null: a fixed count */
  targetCi: number | null;
  /** no round starts once this much of the run has passed; null: no budget */
  timeBudgetMs: number | null;
}

/** The smallest n at which the median's order-statistic interval reaches 95 % ([x(1), x(6)] covers 96.9 %). */
export const MIN_REPS_FOR_TARGET = 6;

export interface GroupProgress {
  repsDone: number;
  /** wall times of the group's counted samples */
  times: readonly number[];
  /** ms since the run started */
  elapsedMs: number;
}

export function stopReason(rule: RepetitionRule, progress: GroupProgress): StopReason | null {
  if (progress.repsDone >= rule.maxReps) return rule.targetCi !== null && meetsTarget(rule.targetCi, progress.times) ? 'target-ci' : rule.targetCi === null ? 'reps' : 'max-reps';
  if (rule.timeBudgetMs !== null && progress.elapsedMs >= rule.timeBudgetMs) return 'time-budget';
  if (progress.repsDone < rule.minReps) return null;
  if (rule.targetCi === null) return 'reps';
  return meetsTarget(rule.targetCi, progress.times) ? 'target-ci' : null;
}

function meetsTarget(target: number, times: readonly number[]): boolean {
  const width = halfWidth(times);
  return width !== null && width <= target;
}

/**
 * The half-width of the median's 95 % interval, the larger side, as a fraction of the median;
 * null where the samples are too few for a 95 % interval (n < 6) or the median is 0.
 */
export function halfWidth(times: readonly number[]): number | null {
  const stats = statistics(times);
  if (stats === null || stats.median <= 0 || stats.medianInterval.confidence < 0.95) return null;
  return Math.max(stats.median - stats.medianInterval.low, stats.medianInterval.high - stats.median) / stats.median;
}

/** One key per (builder, variant, edit): the group a stopping rule judges. */
export function repGroupKey(group: { variant: string; builder: Builder; edit: string }): string {
  return `${group.builder}\u0000${group.variant}\u0000${group.edit}`;
}

/** Remembers why each group stopped, the first time it is told. */
export class RepetitionLog {
  private readonly stops = new Map<string, RepetitionStop>();

  record(group: { variant: string; builder: Builder; edit: string }, reps: number, reason: StopReason, times: readonly number[]): RepetitionStop {
    const key = repGroupKey(group);
    const known = this.stops.get(key);
    if (known !== undefined) return known;
    const stop: RepetitionStop = { variant: group.variant, builder: group.builder, edit: group.edit, reps, stoppedBecause: reason, halfWidth: halfWidth(times) };
    this.stops.set(key, stop);
    return stop;
  }

  has(group: { variant: string; builder: Builder; edit: string }): boolean {
    return this.stops.has(repGroupKey(group));
  }

  all(): RepetitionStop[] {
    return [...this.stops.values()];
  }
}
