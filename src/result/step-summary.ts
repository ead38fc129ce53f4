/**
 * Each step across a group's repetitions: how often it was cached, and how long it took when
 * it was not — the table that tells a user which line of a Dockerfile to move. Pure.
 */
import { median } from './statistics.js';
import type { BuildSample } from './types.js';

export interface StepSummary {
  index: number;
  instruction: string;
  /** the line of the user's Dockerfile, when known */
  line: number | null;
  /** in how many of the samples it was cached */
  cached: number;
  of: number;
  /** median duration over the samples that rebuilt it; null when it was always cached */
  medianRebuiltMs: number | null;
}

export function summarizeSteps(samples: readonly BuildSample[]): StepSummary[] {
  const steps = new Map<number, { instruction: string; line: number | null; cached: number; of: number; rebuiltMs: number[] }>();
  for (const sample of samples) {
    for (const step of sample.steps) {
      const entry = steps.get(step.index) ?? { instruction: step.instruction, line: step.line, cached: 0, of: 0, rebuiltMs: [] };
      entry.of += 1;
      if (step.cached) entry.cached += 1;
      else entry.rebuiltMs.push(step.durationMs);
      steps.set(step.index, entry);
    }
  }
  return [...steps.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, entry]) => ({ index, instruction: entry.instruction, line: entry.line, cached: entry.cached, of: entry.of, medianRebuiltMs: median(entry.rebuiltMs) }));
}
