/** Groups build samples by (variant, builder, edit, phase) and summarises each group. Pure. */
import { median, statistics } from './statistics.js';
import type { BuildSample, Sample, SummaryRow } from './types.js';

export function summarize(samples: readonly Sample[]): SummaryRow[] {
  const groups = new Map<string, BuildSample[]>();
  for (const sample of samples) {
    if (sample.kind !== 'build') continue;
    const key = groupKey(sample);
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as BuildSample;
    const counted = group.filter(isCounted);
    const checked = group.flatMap((s) => (s.health === null ? [] : [s.health]));
    return {
      kind: 'build',
      variant: first.variant,
      builder: first.builder,
      edit: first.edit,
      phase: first.phase,
      n: counted.length,
      excluded: group.length - counted.length,
      wallMs: statistics(counted.map((s) => s.wallMs)),
      newBytes: median(counted.map((s) => s.layers.newBytes)),
      imageBytes: median(group.map((s) => s.image.sizeBytes)),
      health: {
        checked: checked.length,
        healthy: checked.filter((h) => h.ok).length,
        medianTimeToHealthyMs: median(checked.flatMap((h) => (h.ok ? [h.timeToHealthyMs] : []))),
      },
    };
  });
}

/** Whether a sample counts in the statistics (a warm build in which nothing missed measured nothing). */
export function isCounted(sample: BuildSample): boolean {
  return !sample.flags.includes('no-step-missed');
}

export function groupKey(sample: Pick<BuildSample, 'variant' | 'builder' | 'edit' | 'phase'>): string {
  return [sample.variant, sample.builder, sample.edit, sample.phase].join('\u0000');
}
