/**
 * Groups samples — builds by (variant, builder, edit, phase), pulls by case and link rate — and summarises
 * each group. Pure.
 */
import { buildSamplesOf, pullSamplesOf } from './sample-kinds.js';
import { median, statistics } from './statistics.js';
import type { BuildSample, BuildSummaryRow, HealthRecord, PullSample, PullSummaryRow, Sample, SummaryRow } from './types.js';

export function summarize(samples: readonly Sample[]): SummaryRow[] {
  return [...summarizeBuilds(buildSamplesOf(samples)), ...summarizePulls(pullSamplesOf(samples))];
}

function summarizeBuilds(samples: readonly BuildSample[]): BuildSummaryRow[] {
  const groups = new Map<string, BuildSample[]>();
  for (const sample of samples) {
    const key = groupKey(sample);
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as BuildSample;
    const counted = group.filter(isCounted);
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
      contextBytes: median(counted.flatMap((s) => (s.contextSent?.bytes === null || s.contextSent?.bytes === undefined ? [] : [s.contextSent.bytes]))),
      imageBytes: median(group.map((s) => s.image.sizeBytes)),
      health: healthOf(group),
    };
  });
}

function summarizePulls(samples: readonly PullSample[]): PullSummaryRow[] {
  const groups = new Map<string, PullSample[]>();
  // by case and link rate: a sweep pulls every case at each rate
  const keyOf = (sample: PullSample): string => `${sample.case}\u0000${sample.bandwidth ?? ''}`;
  for (const sample of samples) groups.set(keyOf(sample), [...(groups.get(keyOf(sample)) ?? []), sample]);
  return [...groups.values()].map((group) => {
    const first = group[0] as PullSample;
    return {
      kind: 'pull',
      case: first.case,
      image: first.image,
      ...(first.bandwidth === undefined ? {} : { bandwidth: first.bandwidth, bitsPerSecond: first.bitsPerSecond ?? null }),
      n: group.length,
      wallMs: statistics(group.map((s) => s.wallMs)),
      downloadedBytes: median(group.map((s) => s.downloadedBytes)),
      bytesOverLink: median(group.flatMap((s) => (s.bytesOverLink === null ? [] : [s.bytesOverLink]))),
      health: healthOf(group),
    };
  });
}

function healthOf(group: readonly { health: HealthRecord | null }[]): BuildSummaryRow['health'] {
  const checked = group.flatMap((s) => (s.health === null ? [] : [s.health]));
  return {
    checked: checked.length,
    healthy: checked.filter((h) => h.ok).length,
    medianTimeToHealthyMs: median(checked.flatMap((h) => (h.ok ? [h.timeToHealthyMs] : []))),
  };
}

/** Whether a sample counts in the statistics (a warm build in which nothing missed measured nothing). */
export function isCounted(sample: BuildSample): boolean {
  return !sample.flags.includes('no-step-missed');
}

export function groupKey(sample: Pick<BuildSample, 'variant' | 'builder' | 'edit' | 'phase'>): string {
  return [sample.variant, sample.builder, sample.edit, sample.phase].join('\u0000');
}
