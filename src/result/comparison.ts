/**
 * The comparison every renderer shows (terminal, Markdown, HTML): per builder and edit, one
 * row per variant with its statistics, its speed-up against the baseline variant, the step
 * that typically missed first, bytes and health. Pure; renderers only format what is here.
 */
import { buildRowsOf, buildSamplesOf } from './sample-kinds.js';
import { median, medianInterval } from './statistics.js';
import { summarizeSteps, type StepSummary } from './step-summary.js';
import { groupKey, isCounted } from './summarize.js';
import type { Builder, BuildSample, BuildSummaryRow, CacheMiss, Phase, Statistics, SuiteResult } from './types.js';

export interface FirstMiss {
  /** the step index, or null when every step was cached */
  step: number | null;
  instruction: string | null;
  /** how many of the row's samples missed first there */
  count: number;
  of: number;
}

/** Why the row's builds typically rebuilt: the most common explanation, with medians. */
export interface TypicalCacheMiss {
  miss: CacheMiss;
  /** how many of the row's samples missed for this reason at this step */
  count: number;
  of: number;
  rebuiltMs: number;
  wallMs: number;
}

export interface ComparisonRow {
  variant: string;
  builder: Builder;
  isBaseline: boolean;
  n: number;
  excluded: number;
  wallMs: Statistics | null;
  /** the baseline's median ÷ this row's median; null without both */
  speedup: number | null;
  /**
   * The median's interval of the per-round ratios (the baseline's repetition k ÷ this row's
   * repetition k, built in the same round): only for a run in rounds, from 2 pairs on.
   */
  speedupInterval: Statistics['medianInterval'] | null;
  /** median cached steps, and the step count, of the counted samples */
  stepsReused: { reused: number; total: number } | null;
  /** the most common first missed step */
  firstMiss: FirstMiss | null;
  /** the most common reason it missed (null when no sample says: older results, or nothing missed) */
  cacheMiss: TypicalCacheMiss | null;
  /** each step across the counted samples: how often cached, how long when rebuilt */
  steps: StepSummary[];
  newBytes: number | null;
  /** median bytes of context each build sent (null: not recorded) */
  contextBytes: number | null;
  imageBytes: number | null;
  health: BuildSummaryRow['health'];
}

export interface ComparisonSection {
  builder: Builder;
  phase: Phase;
  /** `none` for the cold build */
  edit: string;
  rows: ComparisonRow[];
}

/** `code-edit rebuild naive/optimized = 41.1x`: the figure a run ends with, per builder. */
export interface Headline {
  builder: Builder;
  edit: string;
  slow: string;
  fast: string;
  slowMs: number;
  fastMs: number;
  ratio: number;
  /** from the per-round ratios, as `speedupInterval` */
  interval: Statistics['medianInterval'] | null;
}

export interface Comparison {
  baseline: string;
  sections: ComparisonSection[];
  headlines: Headline[];
}

/** What the comparison reads of a result: its samples and summary, the scenario's order and baseline. */
export type ComparisonInput = Pick<SuiteResult, 'summary' | 'samples'> & {
  scenario: {
    baseline: string;
    variants: readonly { name: string }[];
    edits: readonly { name: string }[];
    headlines?: readonly { edit: string; slow: string; fast: string }[] | undefined;
    order?: { kind: 'rounds' | 'blocked' } | undefined;
  };
};

export function buildComparison(result: ComparisonInput): Comparison {
  const { baseline } = result.scenario;
  const variantOrder = result.scenario.variants.map((v) => v.name);
  const editOrder = result.scenario.edits.map((e) => e.name);
  const summary = buildRowsOf(result.summary);
  const samplesByGroup = new Map<string, BuildSample[]>();
  for (const sample of buildSamplesOf(result.samples)) {
    const key = groupKey(sample);
    samplesByGroup.set(key, [...(samplesByGroup.get(key) ?? []), sample]);
  }

  const rounds = result.scenario.order?.kind === 'rounds';
  const sectionKeys = new Map<string, { builder: Builder; phase: Phase; edit: string }>();
  for (const row of summary) sectionKeys.set(`${row.builder}\u0000${row.phase}\u0000${row.edit}`, row);
  const rank = (list: readonly string[], name: string): number => {
    const at = list.indexOf(name);
    return at < 0 ? list.length : at;
  };
  const builderOrder: Builder[] = ['classic', 'buildkit'];
  const sections = [...sectionKeys.values()]
    .sort(
      (a, b) =>
        rank(builderOrder, a.builder) - rank(builderOrder, b.builder) ||
        (a.phase === b.phase ? 0 : a.phase === 'cold' ? -1 : 1) ||
        rank(editOrder, a.edit) - rank(editOrder, b.edit) ||
        a.edit.localeCompare(b.edit),
    )
    .map((key): ComparisonSection => {
      const rows = summary
        .filter((row) => row.builder === key.builder && row.phase === key.phase && row.edit === key.edit)
        .sort((a, b) => rank(variantOrder, a.variant) - rank(variantOrder, b.variant) || a.variant.localeCompare(b.variant));
      const baselineRow = rows.find((row) => row.variant === baseline);
      const baselineSamples = rounds && baselineRow !== undefined ? (samplesByGroup.get(groupKey(baselineRow)) ?? []) : [];
      return {
        ...key,
        rows: rows.map((row) => comparisonRow(row, samplesByGroup.get(groupKey(row)) ?? [], baseline, baselineRow?.wallMs?.median, baselineSamples)),
      };
    });

  const named = result.scenario.headlines ?? [];
  return { baseline, sections, headlines: named.length > 0 ? named.flatMap((h) => headlinesOf(sections, h)) : defaultHeadlines(sections, baseline, variantOrder, editOrder) };
}

function comparisonRow(row: BuildSummaryRow, samples: readonly BuildSample[], baseline: string, baselineMedian: number | undefined, baselineSamples: readonly BuildSample[]): ComparisonRow {
  const counted = samples.filter(isCounted);
  const rowMedian = row.wallMs?.median;
  const reused = median(counted.map((s) => s.steps.filter((step) => step.cached).length));
  const total = median(counted.map((s) => s.steps.length));
  return {
    variant: row.variant,
    builder: row.builder,
    isBaseline: row.variant === baseline,
    n: row.n,
    excluded: row.excluded,
    wallMs: row.wallMs,
    speedup: baselineMedian !== undefined && rowMedian !== undefined && rowMedian > 0 ? baselineMedian / rowMedian : null,
    speedupInterval: row.variant === baseline || row.phase !== 'warm' ? null : pairedRatioInterval(baselineSamples.filter(isCounted), counted),
    stepsReused: reused === null || total === null ? null : { reused, total },
    firstMiss: typicalFirstMiss(counted.length > 0 ? counted : samples),
    cacheMiss: typicalCacheMiss(counted.length > 0 ? counted : samples),
    steps: summarizeSteps(counted),
    newBytes: row.newBytes,
    contextBytes: row.contextBytes ?? null,
    imageBytes: row.imageBytes,
    health: row.health,
  };
}

/** Repetition k of the baseline ÷ repetition k of the row: the pairs a round built side by side. */
function pairedRatioInterval(baseline: readonly BuildSample[], row: readonly BuildSample[]): Statistics['medianInterval'] | null {
  const ratios = row.flatMap((sample) => {
    const partner = baseline.find((b) => b.rep === sample.rep);
    return partner === undefined || sample.wallMs <= 0 ? [] : [partner.wallMs / sample.wallMs];
  });
  return ratios.length < 2 ? null : medianInterval([...ratios].sort((a, b) => a - b));
}

function typicalCacheMiss(samples: readonly BuildSample[]): TypicalCacheMiss | null {
  const groups = new Map<string, { miss: CacheMiss; samples: BuildSample[] }>();
  for (const sample of samples) {
    const miss = sample.cacheMiss;
    if (miss === undefined || miss === null) continue;
    const key = `${miss.step}\u0000${miss.reason}\u0000${miss.because}`;
    const group = groups.get(key) ?? { miss, samples: [] };
    group.samples.push(sample);
    groups.set(key, group);
  }
  let best: { miss: CacheMiss; samples: BuildSample[] } | undefined;
  for (const group of groups.values()) if (best === undefined || group.samples.length > best.samples.length) best = group;
  if (best === undefined) return null;
  return {
    miss: best.miss,
    count: best.samples.length,
    of: samples.length,
    rebuiltMs: median(best.samples.map((s) => s.cacheMiss?.rebuiltMs ?? 0)) ?? 0,
    wallMs: median(best.samples.map((s) => s.wallMs)) ?? 0,
  };
}

function typicalFirstMiss(samples: readonly BuildSample[]): FirstMiss | null {
  const counts = new Map<number | null, { count: number; instruction: string | null }>();
  for (const sample of samples) {
    const step = sample.steps.find((s) => s.index === sample.firstMissStep);
    const entry = counts.get(sample.firstMissStep) ?? { count: 0, instruction: step?.instruction ?? null };
    entry.count += 1;
    counts.set(sample.firstMissStep, entry);
  }
  let best: FirstMiss | null = null;
  for (const [step, entry] of counts) {
    if (best === null || entry.count > best.count) best = { step, instruction: entry.instruction, count: entry.count, of: samples.length };
  }
  return best;
}

/**
 * For each builder: the first edit of the scenario, the baseline against the first other
 * variant (what a scenario that names no headlines ends with).
 */
function defaultHeadlines(sections: readonly ComparisonSection[], baseline: string, variantOrder: readonly string[], editOrder: readonly string[]): Headline[] {
  const fast = variantOrder.find((v) => v !== baseline);
  const edit = editOrder[0];
  if (fast === undefined || edit === undefined) return [];
  return headlinesOf(sections, { edit, slow: baseline, fast });
}

/** `slow`/`fast` after `edit`, under each builder whose section holds both. */
function headlinesOf(sections: readonly ComparisonSection[], wanted: { edit: string; slow: string; fast: string }): Headline[] {
  return sections.flatMap((section) => {
    if (section.phase !== 'warm' || section.edit !== wanted.edit) return [];
    const slow = section.rows.find((r) => r.variant === wanted.slow);
    const fast = section.rows.find((r) => r.variant === wanted.fast);
    const slowMs = slow?.wallMs?.median;
    const fastMs = fast?.wallMs?.median;
    if (slowMs === undefined || fastMs === undefined || !(fastMs > 0)) return [];
    // the rows' intervals are against the baseline; a headline between two others has its own pairs
    const interval = slow?.isBaseline === true ? (fast?.speedupInterval ?? null) : null;
    return [{ builder: section.builder, edit: wanted.edit, slow: wanted.slow, fast: wanted.fast, slowMs, fastMs, ratio: slowMs / fastMs, interval }];
  });
}
