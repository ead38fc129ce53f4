/** The samples of one kind, typed as that kind. */
import type { BuildSample, PullSample, Sample, SummaryRow, BuildSummaryRow, PullSummaryRow } from './types.js';

export function buildSamplesOf(samples: readonly Sample[]): BuildSample[] {
  return samples.filter((s): s is BuildSample => s.kind === 'build');
}

export function pullSamplesOf(samples: readonly Sample[]): PullSample[] {
  return samples.filter((s): s is PullSample => s.kind === 'pull');
}

export function buildRowsOf(rows: readonly SummaryRow[]): BuildSummaryRow[] {
  return rows.filter((r): r is BuildSummaryRow => r.kind === 'build');
}

export function pullRowsOf(rows: readonly SummaryRow[]): PullSummaryRow[] {
  return rows.filter((r): r is PullSummaryRow => r.kind === 'pull');
}
