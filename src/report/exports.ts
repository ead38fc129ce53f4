/**
 * The result in formats other tools read:
 * - hyperfine's JSON export, so that hyperfine's scripts (plot_whisker.py, plot_histogram.py,
 *   advanced_statistics.py …) plot layerbench's rebuild times: one "command" per (variant,
 *   builder, edit), times in seconds. layerbench does not measure a build's CPU time (the
 *   build runs in the daemon), so `user` and `system` are null.
 * - github-action-benchmark's `customSmallerIsBetter` input: rebuild medians (ms), new bytes
 *   and image sizes per group, so that the action charts them over commits and alerts.
 */
import { buildComparison, type Comparison } from '../result/comparison.js';
import { buildSamplesOf } from '../result/sample-kinds.js';
import { statistics } from '../result/statistics.js';
import { groupKey, isCounted } from '../result/summarize.js';
import type { BuildSample, SuiteResult } from '../result/types.js';
import { formatMs } from '../format.js';

export interface HyperfineExport {
  results: {
    command: string;
    mean: number;
    stddev: number | null;
    median: number;
    user: number | null;
    system: number | null;
    min: number;
    max: number;
    times: number[];
  }[];
}

export interface GithubBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export function hyperfineExport(result: SuiteResult): HyperfineExport {
  return {
    results: groups(result).flatMap((group) => {
      const times = group.filter(isCounted).map((s) => s.wallMs / 1000);
      const stats = statistics(times);
      if (stats === null) return [];
      return [{ command: label(group[0] as BuildSample), mean: stats.mean, stddev: times.length > 1 ? stats.stddev : null, median: stats.median, user: null, system: null, min: stats.min, max: stats.max, times }];
    }),
  };
}

export function githubBenchmarkExport(result: SuiteResult, comparison: Comparison = buildComparison(result)): GithubBenchmarkEntry[] {
  const entries: GithubBenchmarkEntry[] = [];
  const images = new Map<string, number>();
  for (const section of comparison.sections) {
    for (const row of section.rows) {
      const name = `${row.variant} · ${section.builder} · ${section.phase === 'cold' ? 'cold build' : `${section.edit} edit`}`;
      if (row.wallMs !== null) {
        const { low, high } = row.wallMs.medianInterval;
        const miss = row.firstMiss?.step === null ? 'all cached' : row.firstMiss === null ? undefined : `first miss: step ${row.firstMiss.step} ${row.firstMiss.instruction ?? ''}`.trim();
        entries.push({
          name: `${name}: rebuild`,
          unit: 'ms',
          value: row.wallMs.median,
          range: `${formatMs(low)} – ${formatMs(high)}`,
          extra: [`n=${row.n}`, miss].filter((part) => part !== undefined).join(', '),
        });
      }
      if (row.newBytes !== null && section.phase === 'warm') entries.push({ name: `${name}: new bytes`, unit: 'bytes', value: row.newBytes });
      if (row.imageBytes !== null && !images.has(`${row.variant} · ${section.builder}`)) images.set(`${row.variant} · ${section.builder}`, row.imageBytes);
    }
  }
  for (const [name, value] of images) entries.push({ name: `${name}: image size`, unit: 'bytes', value });
  return entries;
}

function groups(result: SuiteResult): BuildSample[][] {
  const map = new Map<string, BuildSample[]>();
  for (const sample of buildSamplesOf(result.samples)) map.set(groupKey(sample), [...(map.get(groupKey(sample)) ?? []), sample]);
  return [...map.values()];
}

function label(sample: BuildSample): string {
  return `${sample.variant} · ${sample.builder} · ${sample.phase === 'cold' ? 'cold build' : `${sample.edit} edit`}`;
}
