/**
 * Two results side by side, in benchstat's manner: for each (variant, builder, edit, phase)
 * both have, the two medians, the change, and whether it is real (Mann–Whitney U); and the
 * exact metrics, which need no test — a step that lost its cache, more new bytes, a bigger
 * image, an image that stopped answering its health check. Also what differs in provenance:
 * a changed Dockerfile is what a pull request brings, so it is named, not refused. Pure.
 */
import { mannWhitneyU, smallestReachableP } from './mann-whitney.js';
import { buildSamplesOf } from './sample-kinds.js';
import { median, statistics } from './statistics.js';
import { groupKey } from './summarize.js';
import type { Builder, BuildSample, Phase, Statistics, SuiteResult } from './types.js';

/**
 * A context that grew by less than this is no regression, whatever the percentage: a session
 * sends a few hundred bytes per rebuild, and a few more of them cost nothing measurable.
 */
export const CONTEXT_BYTES_FLOOR = 4_096;

export interface CompareOptions {
  /** a change smaller than this fraction is not a regression, however significant @default 0.1 */
  threshold: number;
  /** the significance level of the U test @default 0.05 */
  alpha: number;
}

export type TimeVerdict = 'regression' | 'improvement' | 'no-change' | 'within-threshold' | 'too-few-samples';

export interface TimeChange {
  base: Statistics;
  new: Statistics;
  /** (new − base) / base, of the medians */
  change: number;
  /** two-sided p of the U test; null when there are too few samples to test */
  p: number | null;
  verdict: TimeVerdict;
}

export interface ByteChange {
  base: number;
  new: number;
  change: number;
}

export interface RowComparison {
  variant: string;
  builder: Builder;
  edit: string;
  phase: Phase;
  time: TimeChange | null;
  /** steps cached in every base sample and missed in some new sample */
  lostCache: { instruction: string; missedIn: number; of: number }[];
  newBytes: ByteChange | null;
  /** what each build sent of its context (samples that recorded it) */
  contextBytes: ByteChange | null;
  imageBytes: ByteChange | null;
  /** every base sample was healthy, some new one was not */
  healthLost: { unhealthy: number; of: number } | null;
  /** why this row is a regression, in words; empty when it is not one */
  regressions: string[];
}

export interface FileDifference {
  variant: string;
  /** the Dockerfile's content differs */
  dockerfile: boolean;
  /** context files whose content differs, or that one side lacks */
  changedFiles: string[];
  /** the context differs but the files were not recorded (a v1 result, a huge context) */
  contextDiffers: boolean;
}

export interface ResultComparison {
  options: CompareOptions;
  rows: RowComparison[];
  /** (variant · builder · edit · phase) keys that only one side has */
  onlyInBase: string[];
  onlyInNew: string[];
  comparable: boolean;
  provenance: {
    scenarioChanged: boolean;
    files: FileDifference[];
    bases: { name: string; base: string | null; new: string | null }[];
    machines: { base: string[]; new: string[] };
  };
  regressionCount: number;
}

export function compareResults(base: SuiteResult, next: SuiteResult, options: CompareOptions): ResultComparison {
  const baseGroups = groups(buildSamplesOf(base.samples));
  const newGroups = groups(buildSamplesOf(next.samples));
  const rows: RowComparison[] = [];
  for (const [key, baseSamples] of baseGroups) {
    const newSamples = newGroups.get(key);
    if (newSamples === undefined) continue;
    rows.push(compareGroup(baseSamples, newSamples, options));
  }
  const regressionCount = rows.filter((row) => row.regressions.length > 0).length;
  return {
    options,
    rows,
    onlyInBase: [...baseGroups.keys()].filter((k) => !newGroups.has(k)).map(readableKey),
    onlyInNew: [...newGroups.keys()].filter((k) => !baseGroups.has(k)).map(readableKey),
    comparable: rows.length > 0,
    provenance: provenanceDifferences(base, next),
    regressionCount,
  };
}

function compareGroup(baseSamples: readonly BuildSample[], newSamples: readonly BuildSample[], options: CompareOptions): RowComparison {
  const first = baseSamples[0] as BuildSample;
  const counted = (samples: readonly BuildSample[]): BuildSample[] => samples.filter((s) => !s.flags.includes('no-step-missed'));
  const regressions: string[] = [];

  const time = timeChange(counted(baseSamples).map((s) => s.wallMs), counted(newSamples).map((s) => s.wallMs), options);
  if (time?.verdict === 'regression') regressions.push(`rebuild time +${percent(time.change)} (p=${time.p?.toFixed(3)})`);

  const lostCache = lostCacheSteps(baseSamples, newSamples);
  for (const lost of lostCache) regressions.push(`step "${lost.instruction}" lost its cache (missed in ${lost.missedIn} of ${lost.of} samples; cached in every base sample)`);

  const newBytes = byteChange(counted(baseSamples).map((s) => s.layers.newBytes), counted(newSamples).map((s) => s.layers.newBytes));
  if (newBytes !== null && newBytes.change > options.threshold) regressions.push(`new bytes +${percent(newBytes.change)}`);
  const sentBytes = (samples: readonly BuildSample[]): number[] => counted(samples).flatMap((s) => (typeof s.contextSent?.bytes === 'number' ? [s.contextSent.bytes] : []));
  const contextBytes = byteChange(sentBytes(baseSamples), sentBytes(newSamples));
  if (contextBytes !== null && contextBytes.change > options.threshold && contextBytes.new - contextBytes.base >= CONTEXT_BYTES_FLOOR) {
    regressions.push(`context sent +${percent(contextBytes.change)} (${kilobytes(contextBytes.base)} → ${kilobytes(contextBytes.new)} per build)`);
  }
  const imageBytes = byteChange(baseSamples.map((s) => s.image.sizeBytes), newSamples.map((s) => s.image.sizeBytes));
  if (imageBytes !== null && imageBytes.change > options.threshold) regressions.push(`image size +${percent(imageBytes.change)}`);

  const baseChecked = baseSamples.filter((s) => s.health !== null);
  const newChecked = newSamples.filter((s) => s.health !== null);
  const unhealthy = newChecked.filter((s) => s.health?.ok !== true).length;
  const healthLost = baseChecked.length > 0 && baseChecked.every((s) => s.health?.ok === true) && unhealthy > 0 ? { unhealthy, of: newChecked.length } : null;
  if (healthLost !== null) regressions.push(`${healthLost.unhealthy} of ${healthLost.of} images no longer answer their health check`);

  return { variant: first.variant, builder: first.builder, edit: first.edit, phase: first.phase, time, lostCache, newBytes, contextBytes, imageBytes, healthLost, regressions };
}

export function timeChange(base: readonly number[], next: readonly number[], options: CompareOptions): TimeChange | null {
  const baseStats = statistics(base);
  const newStats = statistics(next);
  if (baseStats === null || newStats === null || baseStats.median <= 0) return null;
  const change = (newStats.median - baseStats.median) / baseStats.median;
  // no data could give p ≤ α at these sizes (3 + 3: 0.1); 3 against 10 can (0.007)
  if (smallestReachableP(base.length, next.length) > options.alpha) return { base: baseStats, new: newStats, change, p: null, verdict: 'too-few-samples' };
  const { p } = mannWhitneyU(base, next);
  // benchstat shows ~ only where p > α
  const verdict: TimeVerdict =
    p > options.alpha ? 'no-change'
    : Math.abs(change) <= options.threshold ? 'within-threshold'
    : change > 0 ? 'regression'
    : 'improvement';
  return { base: baseStats, new: newStats, change, p, verdict };
}

/**
 * Steps (named by their instruction, so that a reordered Dockerfile still matches) cached in
 * every base sample and missed in at least one new sample. Exact: no test, n = 1 suffices.
 */
function lostCacheSteps(base: readonly BuildSample[], next: readonly BuildSample[]): RowComparison['lostCache'] {
  const cachedEverywhere = (samples: readonly BuildSample[], instruction: string): boolean =>
    samples.every((s) => s.steps.some((step) => normalize(step.instruction) === instruction && step.cached));
  const instructions = new Set(base.flatMap((s) => s.steps.map((step) => normalize(step.instruction))));
  const lost: RowComparison['lostCache'] = [];
  for (const instruction of instructions) {
    if (!cachedEverywhere(base, instruction)) continue;
    const withStep = next.filter((s) => s.steps.some((step) => normalize(step.instruction) === instruction));
    const missedIn = withStep.filter((s) => !s.steps.some((step) => normalize(step.instruction) === instruction && step.cached)).length;
    if (missedIn > 0) lost.push({ instruction, missedIn, of: withStep.length });
  }
  return lost;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0)} kB`;
}

function byteChange(base: readonly number[], next: readonly number[]): ByteChange | null {
  const b = median(base);
  const n = median(next);
  if (b === null || n === null) return null;
  return { base: b, new: n, change: b === 0 ? (n === 0 ? 0 : Number.POSITIVE_INFINITY) : (n - b) / b };
}

function provenanceDifferences(base: SuiteResult, next: SuiteResult): ResultComparison['provenance'] {
  const files: FileDifference[] = [];
  for (const variant of base.scenario.variants) {
    const other = next.scenario.variants.find((v) => v.name === variant.name);
    if (other === undefined) continue;
    const dockerfile = variant.dockerfileSha256 !== null && other.dockerfileSha256 !== null && variant.dockerfileSha256 !== other.dockerfileSha256;
    const changedFiles =
      variant.contextFiles === null || other.contextFiles === null
        ? []
        : [...new Set([...Object.keys(variant.contextFiles), ...Object.keys(other.contextFiles)])].filter((path) => variant.contextFiles?.[path] !== other.contextFiles?.[path]).sort();
    const contextDiffers = variant.contextSha256 !== null && other.contextSha256 !== null && variant.contextSha256 !== other.contextSha256;
    if (dockerfile || changedFiles.length > 0 || contextDiffers) files.push({ variant: variant.name, dockerfile, changedFiles, contextDiffers: contextDiffers && changedFiles.length === 0 });
  }
  const baseNames = [...new Set([...base.bases.map((b) => b.name), ...next.bases.map((b) => b.name)])];
  const bases = baseNames.flatMap((name) => {
    const before = base.bases.find((b) => b.name === name)?.id ?? null;
    const after = next.bases.find((b) => b.name === name)?.id ?? null;
    return before !== after ? [{ name, base: before, new: after }] : [];
  });
  return {
    scenarioChanged: base.scenario.sha256 !== null && next.scenario.sha256 !== null && base.scenario.sha256 !== next.scenario.sha256,
    files,
    bases,
    machines: { base: base.machines.map(describeMachine), new: next.machines.map(describeMachine) },
  };
}

function describeMachine(machine: SuiteResult['machine']): string {
  return `${machine.cpus} cores, Engine ${machine.engineVersion}, ${machine.storageDriver}`;
}

function groups(samples: readonly BuildSample[]): Map<string, BuildSample[]> {
  const map = new Map<string, BuildSample[]>();
  for (const sample of samples) map.set(groupKey(sample), [...(map.get(groupKey(sample)) ?? []), sample]);
  return map;
}

function readableKey(key: string): string {
  const [variant, builder, edit, phase] = key.split('\u0000');
  return `${variant} · ${builder} · ${phase === 'cold' ? 'cold build' : `edit "${edit}"`}`;
}

function normalize(instruction: string): string {
  return instruction.replace(/\s+/g, ' ').trim();
}

function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %` : '∞';
}
