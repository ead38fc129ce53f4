/**
 * Two results side by side, in benchstat's manner: for each (variant, builder, edit, phase)
 * both have, the two medians, the change, and whether it is real (Mann–Whitney U); and the
 * exact metrics, which need no test — a step that lost its cache, more new bytes, a bigger
 * image, an image that stopped answering its health check. Also what differs in provenance:
 * a changed Dockerfile is what a pull request brings, so it is named, not refused. And what
 * is missing: a group of BASE that NEW lacks (its build failed, the run stopped, the scenario
 * dropped it) is a regression unless missing groups are allowed; a result that did not
 * complete is said first. Pure.
 */
import { formatBytes } from '../format.js';
import { mannWhitneyU, smallestReachableP } from './mann-whitney.js';
import { buildSamplesOf } from './sample-kinds.js';
import { median, statistics } from './statistics.js';
import { groupKey } from './summarize.js';
import type { Builder, BuildSample, Phase, Statistics, SuiteResult } from './types.js';

/**
 * A context that grew by less than this is no regression, whatever the percentage: a session
 * sends a few hundred bytes per rebuild, and a few more of them cost nothing measurable.
 */
const CONTEXT_BYTES_FLOOR = 4_096;

/**
 * Files layerbench itself puts in its copy of a context, never the user's: the Dockerfile
 * that lives outside the context (workspace's OUTSIDE_DOCKERFILE_NAME; the result floor
 * cannot import it, a spec keeps the two equal). A difference there is the Dockerfile's,
 * which `dockerfile` says.
 */
export const LAYERBENCH_CONTEXT_FILES: ReadonlySet<string> = new Set(['.layerbench-dockerfile']);

export interface CompareOptions {
  /** a change smaller than this fraction is not a regression, however significant @default 0.1 */
  threshold: number;
  /** the significance level of the U test @default 0.05 */
  alpha: number;
  /** a group of BASE that NEW lacks is listed, not a regression @default false */
  allowMissing?: boolean;
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

/** A (variant, builder, edit, phase) of BASE whose samples NEW lacks, all or some of them. */
export interface MissingGroup {
  variant: string;
  builder: Builder;
  edit: string;
  phase: Phase;
  /** the samples each side holds (new: 0 when the group is absent) */
  samples: { base: number; new: number };
  /** what is missing and why, in words, e.g. `missing from new (the run did not complete …)` */
  words: string;
  /** counted among the regressions (false with allowMissing) */
  regression: boolean;
}

export interface ResultComparison {
  /** each side's `complete`: a result that did not complete holds only what was measured (said first) */
  complete: { base: boolean; new: boolean };
  /** the sides that did not complete, in words, with what they recorded of why */
  incomplete: string[];
  options: CompareOptions;
  /** groups of BASE that NEW lacks, or holds fewer samples of than its run planned because it did not complete; none when not comparable */
  missing: MissingGroup[];
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
  /** groups that regress: rows with a regression and missing groups that count, each group once */
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
  const allowMissing = options.allowMissing === true;
  // a NEW run that stopped before measuring anything BASE has is a failed gate, not a mismatch
  const comparable = rows.length > 0 || (!next.complete && !allowMissing && baseGroups.size > 0);
  const missing = comparable ? missingGroups(baseGroups, newGroups, next, allowMissing) : [];
  const regressing = new Set([...rows.filter((row) => row.regressions.length > 0).map(groupKey), ...missing.filter((m) => m.regression).map(groupKey)]);
  return {
    complete: { base: base.complete, new: next.complete },
    incomplete: [...(base.complete ? [] : [incompleteWords('base', base)]), ...(next.complete ? [] : [incompleteWords('new', next)])],
    options,
    missing,
    rows,
    onlyInBase: [...baseGroups.keys()].filter((k) => !newGroups.has(k)).map(readableKey),
    onlyInNew: [...newGroups.keys()].filter((k) => !baseGroups.has(k)).map(readableKey),
    comparable,
    provenance: provenanceDifferences(base, next),
    regressionCount: regressing.size,
  };
}

/**
 * Groups of BASE that NEW lacks, and, when NEW did not complete, groups it holds fewer samples
 * of than its run planned: the build failed, or the run stopped. What was planned: one cold
 * build; per edit, the repetitions the group's stopping rule gave it where the result records
 * them (`repetitions`: a group stopped by a narrow interval or the time budget is finished),
 * else `reps`.
 */
function missingGroups(baseGroups: ReadonlyMap<string, BuildSample[]>, newGroups: ReadonlyMap<string, BuildSample[]>, next: SuiteResult, allowMissing: boolean): MissingGroup[] {
  const why = next.complete ? '' : ` (${stoppedWords(next)})`;
  return [...baseGroups].flatMap(([key, baseSamples]): MissingGroup[] => {
    const first = baseSamples[0] as BuildSample;
    const held = newGroups.get(key)?.length ?? 0;
    const planned = next.complete ? null : plannedSamples(first, next);
    const words =
      held === 0 ? `missing from new${why}`
      : planned === 'unfinished' ? `only ${held} sample${held === 1 ? '' : 's'} in new, before its stopping rule ended the group${why}`
      : planned !== null && held < planned ? `only ${held} of ${planned} sample${planned === 1 ? '' : 's'} in new${why}`
      : undefined;
    if (words === undefined) return [];
    return [{ variant: first.variant, builder: first.builder, edit: first.edit, phase: first.phase, samples: { base: baseSamples.length, new: held }, words, regression: !allowMissing }];
  });
}

/** The samples a group was to get in `result`; `unfinished`: an adaptive group its rule had not ended yet. */
function plannedSamples(group: Pick<BuildSample, 'variant' | 'builder' | 'edit' | 'phase'>, result: SuiteResult): number | 'unfinished' {
  if (group.phase === 'cold') return 1;
  const rule = result.repetitions;
  if (rule === undefined) return result.scenario.reps;
  const stop = rule.groups.find((g) => g.variant === group.variant && g.builder === group.builder && g.edit === group.edit);
  if (stop !== undefined) return stop.reps;
  return rule.targetCi === null ? rule.maxReps : 'unfinished';
}

/** Notes a run records of why it stopped (`build-failed`, `interrupted` …). */
const STOPPED_NOTE = /(^|-)(failed|failure|interrupted|error)$/;

/** What the result recorded of why its run stopped, else what `complete: false` can mean. */
function stopReasons(result: SuiteResult): string {
  const reasons = (result.notes ?? []).filter((note) => STOPPED_NOTE.test(note.code)).map((note) => note.message);
  return reasons.length > 0 ? reasons.join('; ') : 'interrupted, or a build failed';
}

function stoppedWords(result: SuiteResult): string {
  return `the run did not complete: ${stopReasons(result)}`;
}

/** `new did not complete (interrupted, or a build failed); it holds only what was measured` */
function incompleteWords(side: 'base' | 'new', result: SuiteResult): string {
  return `${side} did not complete (${stopReasons(result)}); it holds only what was measured`;
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
  if (newBytes !== null && newBytes.change > options.threshold) regressions.push(`new bytes ${byteChangeWords(newBytes)}`);
  const sentBytes = (samples: readonly BuildSample[]): number[] => counted(samples).flatMap((s) => (typeof s.contextSent?.bytes === 'number' ? [s.contextSent.bytes] : []));
  const contextBytes = byteChange(sentBytes(baseSamples), sentBytes(newSamples));
  if (contextBytes !== null && contextBytes.change > options.threshold && contextBytes.new - contextBytes.base >= CONTEXT_BYTES_FLOOR) {
    regressions.push(`context sent ${byteChangeWords(contextBytes)} per build`);
  }
  const imageBytes = byteChange(baseSamples.map((s) => s.image.sizeBytes), newSamples.map((s) => s.image.sizeBytes));
  if (imageBytes !== null && imageBytes.change > options.threshold) regressions.push(`image size ${byteChangeWords(imageBytes)}`);

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

/** `11.6 kB → 286 MB (×24 600)`; the amount alone when it did not change; no factor from nothing. */
export function byteChangeWords(change: ByteChange): string {
  if (change.base === change.new) return formatBytes(change.new);
  const factor = change.new / change.base;
  return `${formatBytes(change.base)} → ${formatBytes(change.new)}${Number.isFinite(factor) ? ` (×${formatFactor(factor)})` : ''}`;
}

/** Narrow no-break space: groups the digits of a large factor (`24 600`) and never breaks it. */
const THIN = '\u202f';

/**
 * A ratio for people: `1.4` below 10, `24` below 100, three significant digits above, grouped
 * by thousands from 10 000 (`24 600`); two significant digits below 1 (`0.45`).
 */
export function formatFactor(factor: number): string {
  if (!Number.isFinite(factor)) return '∞';
  if (factor < 1) return String(Number(factor.toPrecision(2)));
  if (factor < 9.95) return factor.toFixed(1);
  if (factor < 99.5) return factor.toFixed(0);
  const scale = 10 ** Math.max(0, String(Math.round(factor)).length - 3);
  const rounded = Math.round(factor / scale) * scale;
  return rounded < 10_000 ? String(rounded) : String(rounded).replace(/\B(?=(\d{3})+$)/g, THIN);
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
    const differing =
      variant.contextFiles === null || other.contextFiles === null
        ? []
        : [...new Set([...Object.keys(variant.contextFiles), ...Object.keys(other.contextFiles)])].filter((path) => variant.contextFiles?.[path] !== other.contextFiles?.[path]).sort();
    // layerbench's own files are not the user's to hear of: their change is the Dockerfile's
    const changedFiles = differing.filter((path) => !LAYERBENCH_CONTEXT_FILES.has(path));
    const contextDiffers = variant.contextSha256 !== null && other.contextSha256 !== null && variant.contextSha256 !== other.contextSha256 && differing.length === 0;
    if (dockerfile || changedFiles.length > 0 || contextDiffers) files.push({ variant: variant.name, dockerfile, changedFiles, contextDiffers });
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
