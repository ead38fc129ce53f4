import { describe, expect, it } from 'vitest';
import { halfWidth, RepetitionLog, stopReason, type RepetitionRule } from '../../src/measure/repetitions.js';
import { repetitionRule } from '../../src/run/prepare-run.js';
import { UsageError } from '../../src/errors.js';

const target: RepetitionRule = { minReps: 6, maxReps: 15, targetCi: 0.05, timeBudgetMs: null };
const tight = [1000, 1010, 990, 1005, 995, 1002];
const loose = [1000, 1300, 800, 1200, 900, 1100];

describe('stopReason', () => {
  it('gives a fixed count its reps and no more', () => {
    const fixed: RepetitionRule = { minReps: 3, maxReps: 3, targetCi: null, timeBudgetMs: null };
    expect(stopReason(fixed, { repsDone: 2, times: [1, 2], elapsedMs: 0 })).toBeNull();
    expect(stopReason(fixed, { repsDone: 3, times: [1, 2, 3], elapsedMs: 0 })).toBe('reps');
  });

  it('stops a group at its target once its median has a 95 % interval within it, never before min-reps', () => {
    expect(stopReason(target, { repsDone: 5, times: tight.slice(0, 5), elapsedMs: 0 })).toBeNull();
    expect(stopReason(target, { repsDone: 6, times: tight, elapsedMs: 0 })).toBe('target-ci');
    expect(stopReason({ ...target, minReps: 8 }, { repsDone: 6, times: tight, elapsedMs: 0 })).toBeNull();
    expect(stopReason(target, { repsDone: 6, times: loose, elapsedMs: 0 })).toBeNull();
  });

  it('says max-reps where the target was not met by the maximum, target-ci where the last repetition met it', () => {
    expect(stopReason(target, { repsDone: 15, times: [...loose, ...loose, 1, 2, 3], elapsedMs: 0 })).toBe('max-reps');
    expect(stopReason(target, { repsDone: 15, times: [...tight, ...tight, 1000, 1000, 1000], elapsedMs: 0 })).toBe('target-ci');
  });

  it('starts no repetition once the time budget has passed, whatever the target says', () => {
    const budget: RepetitionRule = { ...target, timeBudgetMs: 60_000 };
    expect(stopReason(budget, { repsDone: 2, times: loose.slice(0, 2), elapsedMs: 59_999 })).toBeNull();
    expect(stopReason(budget, { repsDone: 2, times: loose.slice(0, 2), elapsedMs: 60_000 })).toBe('time-budget');
  });
});

describe('halfWidth', () => {
  it('is null below 6 samples (no 95 % interval of the median exists) and the larger side otherwise', () => {
    expect(halfWidth([1, 2, 3, 4, 5])).toBeNull();
    // n = 6: the interval is [min, max] (96.9 %); median 1001, min 990, max 1010
    expect(halfWidth(tight)).toBeCloseTo((1001 - 990) / 1001, 10);
  });
});

describe('RepetitionLog', () => {
  it('keeps the first reason a group stopped for', () => {
    const log = new RepetitionLog();
    log.record({ variant: 'a', builder: 'classic', edit: 'code' }, 6, 'target-ci', tight);
    log.record({ variant: 'a', builder: 'classic', edit: 'code' }, 15, 'max-reps', tight);
    expect(log.all()).toEqual([{ variant: 'a', builder: 'classic', edit: 'code', reps: 6, stoppedBecause: 'target-ci', halfWidth: halfWidth(tight) }]);
  });
});

describe('repetitionRule', () => {
  it('is the scenario\'s fixed count without a target', () => {
    expect(repetitionRule(5, {})).toEqual({ minReps: 5, maxReps: 5, targetCi: null, timeBudgetMs: null });
  });
  it('defaults to 6 … 20 with a target, and refuses bounds without one or out of order', () => {
    expect(repetitionRule(5, { targetCi: 0.05 })).toEqual({ minReps: 6, maxReps: 20, targetCi: 0.05, timeBudgetMs: null });
    expect(repetitionRule(5, { targetCi: 0.05, maxReps: 4 })).toMatchObject({ minReps: 4, maxReps: 4 });
    expect(() => repetitionRule(5, { maxReps: 10 })).toThrow(UsageError);
    expect(() => repetitionRule(5, { targetCi: 0.05, minReps: 9, maxReps: 8 })).toThrow(/min ≤ max/);
    expect(() => repetitionRule(5, { targetCi: 0 })).toThrow(UsageError);
  });
});

describe('--time-budget durations', () => {
  it('reads seconds, minutes and hours, a bare number as seconds', async () => {
    const { durationOption } = await import('../../src/commands/option-values.js');
    const parse = durationOption('--time-budget');
    expect([parse('90s'), parse('20m'), parse('1h30m'), parse('600'), parse(undefined)]).toEqual([90_000, 1_200_000, 5_400_000, 600_000, undefined]);
    expect(() => parse('0s')).toThrow(UsageError);
  });
});
