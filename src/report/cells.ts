/** The cells of a comparison row, in words, as every renderer shows them. */
import type { ComparisonRow } from '../result/comparison.js';
import type { CacheMiss, Statistics } from '../result/types.js';
import { formatBytes, formatMs, formatRatio } from '../format.js';

/** `24.8 s (24.1 s – 25.3 s)`, with the interval's real confidence where n is too small for 95 %. */
export function medianWithInterval(stats: Statistics | null): string {
  if (stats === null) return '–';
  if (stats.n === 1) return formatMs(stats.median);
  const { low, high, confidence } = stats.medianInterval;
  const level = confidenceBelow95(confidence);
  return `${formatMs(stats.median)} (${formatMs(low)} – ${formatMs(high)}${level === '' ? '' : `, ${level}`})`;
}

/** `94 %` where an interval covers less than 95 % (too few samples for more); empty at 95 % and above. */
function confidenceBelow95(confidence: number): string {
  return confidence >= 0.95 ? '' : `${Math.round(confidence * 100)} %`;
}

/** `24.1 s – 25.3 s`, the median's interval alone (its confidence when below 95 %: `(94 %)`); `–` for one sample. */
export function medianIntervalCell(stats: Statistics | null): string {
  if (stats === null || stats.n === 1) return '–';
  const { low, high, confidence } = stats.medianInterval;
  const level = confidenceBelow95(confidence);
  return `${formatMs(low)} – ${formatMs(high)}${level === '' ? '' : ` (${level})`}`;
}

/** `45× (41×–49×)`: the interval from the per-round ratios, where the run was in rounds. */
export function speedupCell(row: ComparisonRow): string {
  if (row.isBaseline) return 'baseline';
  if (row.speedup === null) return '–';
  return `${formatRatio(row.speedup)}${ratioInterval(row.speedupInterval)}`;
}

/** ` (41×–49×)`, with its confidence where the rounds were too few for 95 %; empty without one. */
export function ratioInterval(interval: ComparisonRow['speedupInterval']): string {
  return interval === null ? '' : ` (${ratioIntervalWords(interval)})`;
}

/** `41×–49×, 94 %`: a ratio's interval, its confidence where below 95 %. */
export function ratioIntervalWords(interval: NonNullable<ComparisonRow['speedupInterval']>): string {
  const level = confidenceBelow95(interval.confidence);
  return `${formatRatio(interval.low)}–${formatRatio(interval.high)}${level === '' ? '' : `, ${level}`}`;
}

/** `9: COPY . .`, shortened to `width` characters when given; `none (all cached)`. */
export function firstMissCell(row: ComparisonRow, width = Number.POSITIVE_INFINITY): string {
  const miss = row.firstMiss;
  if (miss === null) return '–';
  if (miss.step === null) return 'none (all cached)';
  const instruction = miss.instruction ?? '';
  return `${miss.step}: ${instruction.length <= width ? instruction : `${instruction.slice(0, width - 1)}…`}`;
}

export function healthCell(row: ComparisonRow): string {
  const { checked, healthy, medianTimeToHealthyMs } = row.health;
  if (checked === 0) return 'not checked';
  return `${healthy}/${checked}${medianTimeToHealthyMs === null ? '' : ` (${formatMs(medianTimeToHealthyMs)})`}`;
}

export function stepsReusedCell(row: ComparisonRow): string {
  return row.stepsReused === null ? '–' : `${row.stepsReused.reused}/${row.stepsReused.total}`;
}

export function nCell(row: ComparisonRow): string {
  return row.excluded > 0 ? `${row.n} (+${row.excluded} left out)` : String(row.n);
}

export function bytesCell(value: number | null): string {
  return value === null ? '–' : formatBytes(value);
}

/** The note under a section for samples that missed no step and were left out. */
export function excludedNote(row: ComparisonRow): string | undefined {
  return row.excluded > 0
    ? `${row.variant}: ${row.excluded} sample(s) missed no step at all and were left out (the edit changed nothing the build sees, or the cache recalled it)`
    : undefined;
}

/** `edit "code": rebuild after the edit` / `cold build (no cache)`, with the builder when several. */
export function sectionTitle(section: { phase: string; edit: string; builder: string }, nameBuilder: boolean): string {
  const builder = nameBuilder ? ` [${section.builder}]` : '';
  return section.phase === 'cold' ? `cold build (no cache)${builder}` : `edit "${section.edit}": rebuild after the edit${builder}`;
}

/** `step 9 COPY . /app missed: app/main.py changed (edit "code"); 3 later steps rebuilt, 11.0 s of 11.3 s` */
export function cacheMissClause(miss: CacheMiss, rebuiltMs: number, wallMs: number): string {
  const later = miss.rebuiltSteps === 0 ? 'no later step rebuilt' : `${miss.rebuiltSteps} later step${miss.rebuiltSteps === 1 ? '' : 's'} rebuilt`;
  return `step ${miss.step} ${miss.instruction} missed: ${miss.because}; ${later}, ${formatMs(rebuiltMs)} of ${formatMs(wallMs)}`;
}

/** Why the row typically rebuilt, with how many of its samples say so when not all do. */
export function whyCell(row: ComparisonRow): string | undefined {
  const typical = row.cacheMiss;
  if (typical === null) return undefined;
  const share = typical.count < typical.of ? ` (${typical.count} of ${typical.of} samples)` : '';
  return `${cacheMissClause(typical.miss, typical.rebuiltMs, typical.wallMs)}${share}`;
}
