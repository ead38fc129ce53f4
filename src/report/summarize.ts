/** Groups samples by (variant, builder, edit, phase) and summarises each group. Pure. */
import { median, statistics } from '../measure/statistics.js';
import type { Sample, SummaryRow } from './result-types.js';

export function summarize(samples: readonly Sample[]): SummaryRow[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const key = [sample.variant, sample.builder, sample.edit, sample.phase].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as Sample;
    const counted = group.filter((s) => !s.flags.includes('no-step-missed'));
    const stats = statistics(counted.map((s) => s.wallMs));
    return {
      variant: first.variant,
      builder: first.builder,
      edit: first.edit,
      phase: first.phase,
      n: stats.n,
      medianMs: stats.median,
      meanMs: stats.mean,
      stddevMs: stats.stddev,
      minMs: stats.min,
      maxMs: stats.max,
      rme: stats.rme,
      medianNewBytes: median(counted.map((s) => s.layers.newBytes)),
      medianImageBytes: median(group.map((s) => s.image.sizeBytes)),
      healthy: group.filter((s) => s.health.ok).length,
      excluded: group.length - counted.length,
    };
  });
}
