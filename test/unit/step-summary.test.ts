/**
 * Each step across a group's repetitions: how often it was cached, and how long it took when
 * it was rebuilt — the durations of cached runs of a step say nothing about what it costs.
 */
import { describe, expect, it } from 'vitest';
import { summarizeSteps } from '../../src/result/step-summary.js';
import type { BuildSample, StepRecord } from '../../src/result/types.js';
import { makeSample } from './support/sample-factory.js';

/** A sample whose steps are exactly these (index, instruction, line as given). */
function withSteps(steps: Partial<StepRecord>[]): BuildSample {
  return {
    ...makeSample(),
    steps: steps.map((step, i) => ({ index: i + 1, instruction: `RUN step ${i + 1}`, cached: true, durationMs: 1, stage: '0', line: i + 1, ...step })),
  };
}

describe('summarizeSteps', () => {
  const samples = [
    withSteps([{ cached: true, durationMs: 3 }, { cached: false, durationMs: 1_000 }, { cached: false, durationMs: 70 }]),
    withSteps([{ cached: true, durationMs: 5 }, { cached: false, durationMs: 3_000 }, { cached: true, durationMs: 9 }]),
    withSteps([{ cached: true, durationMs: 4 }, { cached: false, durationMs: 2_000 }, { cached: true, durationMs: 8 }]),
    withSteps([{ cached: true, durationMs: 2 }, { cached: true, durationMs: 6 }, { cached: true, durationMs: 7 }]),
  ];
  const summary = summarizeSteps(samples);

  it('has one entry per step index, in index order', () => {
    expect(summary.map((s) => s.index)).toEqual([1, 2, 3]);
  });

  it('counts in how many samples each step was cached, of how many', () => {
    expect(summary.map((s) => [s.cached, s.of])).toEqual([
      [4, 4],
      [1, 4],
      [3, 4],
    ]);
  });

  it('gives the median over the rebuilt runs only, not over the cached ones', () => {
    // step 2: rebuilt 1000, 3000, 2000 (cached once, 6 ms) → 2000, not the 1500 of all four
    expect(summary[1]?.medianRebuiltMs).toBe(2_000);
    // step 3: rebuilt once, 70 ms; its cached runs of 7–9 ms do not count
    expect(summary[2]?.medianRebuiltMs).toBe(70);
  });

  it('gives null, not 0, for a step that was always cached', () => {
    expect(summary[0]?.medianRebuiltMs).toBeNull();
  });

  it('takes the median of an even number of rebuilt runs as the mean of the middle two', () => {
    const even = summarizeSteps([withSteps([{ cached: false, durationMs: 100 }]), withSteps([{ cached: false, durationMs: 300 }])]);
    expect(even[0]?.medianRebuiltMs).toBe(200);
  });

  it('takes the instruction and the line from the samples', () => {
    const named = summarizeSteps([
      withSteps([
        { instruction: 'FROM python:3.11-slim', line: 3 },
        { instruction: 'COPY . .', line: 9, cached: false, durationMs: 40 },
      ]),
    ]);
    expect(named.map((s) => ({ index: s.index, instruction: s.instruction, line: s.line }))).toEqual([
      { index: 1, instruction: 'FROM python:3.11-slim', line: 3 },
      { index: 2, instruction: 'COPY . .', line: 9 },
    ]);
  });

  it('keeps a null line (the builder did not say)', () => {
    expect(summarizeSteps([withSteps([{ line: null }])])[0]?.line).toBeNull();
  });

  it('sorts by index even when the samples list steps out of order, and counts a step only the samples that have it', () => {
    const shuffled: BuildSample = {
      ...withSteps([]),
      steps: [
        { index: 10, instruction: 'CMD ["app"]', cached: false, durationMs: 20, stage: '0', line: 12 },
        { index: 2, instruction: 'WORKDIR /app', cached: true, durationMs: 1, stage: '0', line: 2 },
      ],
    };
    const other = withSteps([{}, { instruction: 'WORKDIR /app', line: 2 }]);
    const result = summarizeSteps([shuffled, other]);
    expect(result.map((s) => [s.index, s.of])).toEqual([
      [1, 1],
      [2, 2],
      [10, 1],
    ]);
  });

  it('gives nothing for no samples', () => {
    expect(summarizeSteps([])).toEqual([]);
  });
});
