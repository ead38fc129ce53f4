/**
 * Several results of one scenario as one: the shards of a CI matrix, or one variant per
 * machine. Samples keep the machine that measured them; the summary and the warnings are
 * recomputed over all of them. Pure.
 *
 * Only one population pools. Refused (ResultFileError, exit 2): one run given twice, the same
 * samples in two parts, a variant built from two different Dockerfiles. Kept apart unless
 * `pool`: a variant measured on machines that differ (cores, Engine version, storage driver;
 * not the daemon's random id) becomes one variant per machine, `<variant> @ <machine>`, so that
 * every report shows one row per machine. Said in the notes (codes `merge-…`): machines kept
 * apart or pooled, and the groups (variant · builder · edit · phase) two parts both measured,
 * which pool.
 */
import { ResultFileError } from '../errors.js';
import { buildSamplesOf } from './sample-kinds.js';
import { groupKey, summarize } from './summarize.js';
import type { BuildSample, MachineFacts, RunNote, Sample, ScenarioRecord, SuiteResult, VariantRecord } from './types.js';
import { warningsFor } from './warnings.js';

export interface NamedResult {
  /** where it was read from, for messages */
  source: string;
  result: SuiteResult;
}

export interface MergeOptions {
  /** pool the samples of different machines into one row (default: one row per machine) */
  pool?: boolean;
}

/** The prefix of the codes of the notes a merge writes itself. */
export const MERGE_NOTE_PREFIX = 'merge-';

export function mergeResults(parts: readonly NamedResult[], runId: string, options: MergeOptions = {}): SuiteResult {
  const [first, ...rest] = parts;
  if (first === undefined) throw new ResultFileError('(nothing)', '', 'names no result to merge');
  for (const part of rest) {
    if (part.result.scenario.name !== first.result.scenario.name) {
      throw new ResultFileError(part.source, 'scenario.name', `is "${part.result.scenario.name}", not "${first.result.scenario.name}" like ${first.source}: only results of one scenario merge`);
    }
  }
  refuseRepeats(parts);
  refuseOtherDockerfiles(parts);
  const apart = keepMachinesApart(parts, options.pool === true);
  const pooled = poolOverlaps(parts, apart.samples);
  const results = parts.map((p) => p.result);
  const machines = uniqueBy(results.flatMap((r) => r.machines), (m) => m.id);
  const samples = pooled.samples;
  const startedAt = results.map((r) => r.startedAt).sort()[0] as string;
  const finishedAt = results.map((r) => r.finishedAt).sort().at(-1) as string;
  return {
    schemaVersion: 2,
    tool: first.result.tool,
    runId,
    startedAt,
    finishedAt,
    complete: results.every((r) => r.complete),
    machine: first.result.machine,
    machines,
    scenario: apart.scenario(mergeScenarios(results.map((r) => r.scenario))),
    packageIndex: first.result.packageIndex,
    bases: uniqueBy(results.flatMap((r) => r.bases), (b) => `${b.name}\u0000${b.id ?? ''}`),
    samples,
    summary: summarize(samples),
    warnings: [
      ...results.flatMap((r) => r.warnings.filter((w) => w.code === 'busy-machine')),
      ...warningsFor(samples, { loadAverageAtStart: null, cpus: 0 }),
    ],
    ...notesOf(results, [...apart.notes, ...pooled.notes]),
  };
}

function notesOf(results: readonly SuiteResult[], own: readonly RunNote[]): Pick<SuiteResult, 'notes'> {
  const notes = uniqueBy([...results.flatMap((r) => r.notes ?? []), ...own], (n) => `${n.code}\u0000${n.message}`);
  return notes.length === 0 ? {} : { notes };
}

/** One run given twice (or a result with one of its own parts) would count its samples twice. */
function refuseRepeats(parts: readonly NamedResult[]): void {
  const runs = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const part of parts) {
    const earlier = runs.get(part.result.runId);
    if (earlier !== undefined) {
      throw new ResultFileError(part.source, 'runId', `is "${part.result.runId}", as in ${earlier}: the same run given twice would count each of its samples twice`);
    }
    runs.set(part.result.runId, part.source);
  }
  parts.forEach((part, i) => {
    const own = new Set<string>();
    for (const sample of part.result.samples) {
      const key = sampleIdentity(sample);
      const earlier = samples.get(key);
      if (earlier !== undefined && earlier !== i) {
        throw new ResultFileError(part.source, 'samples', `are also in ${(parts[earlier] as NamedResult).source} (${describeSample(sample)}): a result merged with one of its own parts would count them twice`);
      }
      own.add(key);
    }
    for (const key of own) samples.set(key, i);
  });
}

/** What tells one measurement from another: the machine, the instant, the group, the rep, the time. */
function sampleIdentity(sample: Sample): string {
  const what = sample.kind === 'build' ? groupKey(sample) : `pull\u0000${sample.case}\u0000${sample.image}`;
  return [sample.machine, sample.startedAt, what, sample.rep, sample.wallMs].join('\u0000');
}

function describeSample(sample: Sample): string {
  return sample.kind === 'build' ? `${readableGroup(sample)} rep ${sample.rep}, started ${sample.startedAt}` : `pull ${sample.case} rep ${sample.rep}, started ${sample.startedAt}`;
}

/** A variant is one Dockerfile: two shards that built it from different ones measured two things. */
function refuseOtherDockerfiles(parts: readonly NamedResult[]): void {
  const seen = new Map<string, { sha256: string; source: string }>();
  for (const part of parts) {
    part.result.scenario.variants.forEach((variant, i) => {
      if (variant.dockerfileSha256 === null) return;
      const earlier = seen.get(variant.name);
      if (earlier === undefined) seen.set(variant.name, { sha256: variant.dockerfileSha256, source: part.source });
      else if (earlier.sha256 !== variant.dockerfileSha256) {
        throw new ResultFileError(
          part.source,
          `scenario.variants[${i}].dockerfileSha256`,
          `of variant "${variant.name}" is ${variant.dockerfileSha256.slice(0, 12)}, not ${earlier.sha256.slice(0, 12)} like ${earlier.source}: two different Dockerfiles are not one variant (rename the variant in one of the runs, or merge them apart)`,
        );
      }
    });
  }
}

/** How merge tells machines apart: what shapes the timings, not the daemon's random id. */
export function machineLabel(machine: Pick<MachineFacts, 'cpus' | 'engineVersion' | 'storageDriver'>): string {
  return `${machine.cpus} core${machine.cpus === 1 ? '' : 's'}, Engine ${machine.engineVersion}, ${machine.storageDriver}`;
}

/** A sample with the part it came from and the label of the machine that measured it. */
interface PlacedSample {
  part: number;
  machine: string;
  sample: Sample;
}

interface MachinesApart {
  /** every part's samples, in part order, variants renamed where kept apart */
  samples: PlacedSample[];
  /** the merged scenario with the renamed variants, baseline and headlines */
  scenario: (merged: ScenarioRecord) => ScenarioRecord;
  notes: RunNote[];
}

/**
 * A variant measured on more than one machine becomes `<variant> @ <machine>`, one per machine
 * (unless `pool`); its record is the first that machine's parts hold, hashes and all.
 */
function keepMachinesApart(parts: readonly NamedResult[], pool: boolean): MachinesApart {
  const labelOf = (part: NamedResult, id: string): string => machineLabel(part.result.machines.find((m) => m.id === id) ?? part.result.machine);
  const labels: string[] = [];
  /** variant → machine label → the part that first measured it there */
  const measured = new Map<string, Map<string, number>>();
  parts.forEach((part, i) => {
    for (const sample of buildSamplesOf(part.result.samples)) {
      const label = labelOf(part, sample.machine);
      if (!labels.includes(label)) labels.push(label);
      const on = measured.get(sample.variant) ?? new Map<string, number>();
      if (!on.has(label)) on.set(label, i);
      measured.set(sample.variant, on);
    }
  });
  const samples = parts.flatMap((part, i) => part.result.samples.map((sample): PlacedSample => ({ part: i, machine: labelOf(part, sample.machine), sample })));
  const mixed = [...measured].filter(([, on]) => on.size > 1).map(([variant]) => variant);
  const where = [...measured].map(([variant, on]) => `${variant} on ${[...on.keys()].join(' and ')}`).join('; ');
  const notes: RunNote[] = [];
  if (labels.length > 1 && mixed.length === 0) {
    notes.push({ code: 'merge-machines', message: `${labels.length} machines measured different variants (${where}): a speed-up between them compares the machines as well as the variants` });
  }
  if (mixed.length === 0 || pool) {
    if (mixed.length > 0) {
      notes.push({ code: 'merge-pooled-machines', message: `pooled across ${labels.length} machines (--pool): ${where}; each of their rows mixes the machines' samples in one median` });
    }
    return { samples, scenario: (merged) => merged, notes };
  }
  const split = new Set(mixed);
  const nameOn = (variant: string, label: string): string => (split.has(variant) ? `${variant} @ ${label}` : variant);
  /** a variant's name on the first machine that measured it */
  const firstOn = (variant: string): string => nameOn(variant, [...(measured.get(variant)?.keys() ?? [])][0] ?? '');
  const renamed = samples.map((placed) => (placed.sample.kind === 'build' && split.has(placed.sample.variant) ? { ...placed, sample: { ...placed.sample, variant: nameOn(placed.sample.variant, placed.machine) } } : placed));
  notes.push({
    code: 'merge-machines-apart',
    message:
      `${labels.length} machines kept apart: ${mixed.map((v) => `"${v}"`).join(', ')} ${mixed.length === 1 ? 'was' : 'were'} measured on more than one, so each machine has its own variant, "<variant> @ <machine>", and its own rows (${where}); ` +
      `speed-ups are against "${firstOn((parts[0] as NamedResult).result.scenario.baseline)}", so on another machine's rows they compare the machines too; --pool pools them`,
  });
  const scenario = (merged: ScenarioRecord): ScenarioRecord => {
    const variants = merged.variants.flatMap((variant) => {
      const on = measured.get(variant.name);
      if (on === undefined || !split.has(variant.name)) return [variant];
      return [...on].map(([label, part]) => ({ ...((parts[part] as NamedResult).result.scenario.variants.find((v) => v.name === variant.name) ?? variant), name: nameOn(variant.name, label) }));
    });
    const named = merged.headlines ?? defaultHeadline(merged);
    const onBoth = (h: { slow: string; fast: string }, label: string): boolean => measured.get(h.slow)?.has(label) === true && measured.get(h.fast)?.has(label) === true;
    // a headline per machine that measured both; where none did, the machines that measured each
    const perMachine = (h: { edit: string; slow: string; fast: string }): { edit: string; slow: string; fast: string }[] => {
      const same = labels.filter((label) => onBoth(h, label)).map((label) => ({ edit: h.edit, slow: nameOn(h.slow, label), fast: nameOn(h.fast, label) }));
      return same.length > 0 ? same : [{ edit: h.edit, slow: firstOn(h.slow), fast: firstOn(h.fast) }];
    };
    const headlines = uniqueBy(
      named.flatMap((h) => (split.has(h.slow) || split.has(h.fast) ? perMachine(h) : [h])),
      (h) => `${h.edit}\u0000${h.slow}\u0000${h.fast}`,
    );
    return { ...merged, baseline: firstOn(merged.baseline), variants, ...(headlines.length === 0 ? {} : { headlines }) };
  };
  return { samples: renamed, scenario, notes };
}

/** The headline a scenario that names none ends with (see buildComparison): the baseline over the next variant, after the first edit. */
function defaultHeadline(scenario: ScenarioRecord): { edit: string; slow: string; fast: string }[] {
  const fast = scenario.variants.find((v) => v.name !== scenario.baseline)?.name;
  const edit = scenario.edits[0]?.name;
  return fast === undefined || edit === undefined ? [] : [{ edit, slow: scenario.baseline, fast }];
}

/**
 * A group (variant · builder · edit · phase) that more than one part measured: its samples pool
 * (kept apart, only parts of one machine share a group; pooled, the machines' note says so); their
 * reps follow on from the earlier parts', so that each rep still names one sample. Said where
 * parts measured it on the same machine.
 */
function poolOverlaps(parts: readonly NamedResult[], samples: readonly PlacedSample[]): { samples: Sample[]; notes: RunNote[] } {
  const byGroup = new Map<string, (PlacedSample & { sample: BuildSample })[]>();
  for (const placed of samples) {
    if (placed.sample.kind !== 'build') continue;
    const key = groupKey(placed.sample);
    byGroup.set(key, [...(byGroup.get(key) ?? []), { ...placed, sample: placed.sample }]);
  }
  const renumbered = new Map<BuildSample, number>();
  const notes: RunNote[] = [];
  for (const group of byGroup.values()) {
    const from = [...new Set(group.map((g) => g.part))];
    if (from.length < 2) continue;
    let offset = 0;
    for (const part of from) {
      const own = group.filter((g) => g.part === part);
      for (const { sample } of own) renumbered.set(sample, sample.rep + offset);
      offset += Math.max(0, ...own.map((g) => g.sample.rep));
    }
    for (const machine of new Set(group.map((g) => g.machine))) {
      const there = group.filter((g) => g.machine === machine);
      const by = [...new Set(there.map((g) => g.part))];
      if (by.length < 2) continue;
      notes.push({
        code: 'merge-overlap',
        message: `${readableGroup((there[0] as { sample: BuildSample }).sample)} was measured by ${by.map((i) => (parts[i] as NamedResult).source).join(' and ')} on one machine (${machine}): their ${there.length} samples are pooled in one row, reps numbered on in that order`,
      });
    }
  }
  return {
    samples: samples.map(({ sample }) => {
      const rep = sample.kind === 'build' ? renumbered.get(sample) : undefined;
      return rep === undefined || rep === sample.rep ? sample : { ...sample, rep };
    }),
    notes,
  };
}

function readableGroup(sample: Pick<BuildSample, 'variant' | 'builder' | 'edit' | 'phase'>): string {
  return `${sample.variant} · ${sample.builder} · ${sample.phase === 'cold' ? 'cold build' : `edit "${sample.edit}"`}`;
}

function mergeScenarios(scenarios: readonly ScenarioRecord[]): ScenarioRecord {
  const first = scenarios[0] as ScenarioRecord;
  const builders = [...new Set(scenarios.flatMap((s) => s.builders ?? [s.builder]))];
  const variants: VariantRecord[] = uniqueBy(scenarios.flatMap((s) => s.variants), (v) => v.name);
  // Rounds pair repetition k of two variants built moments apart; across parts no build was, so
  // the merged result is a blocked one (the parts keep their order and seed).
  const { order: _roundsOfOnePart, ...rest } = first;
  return {
    ...rest,
    reps: Math.max(...scenarios.map((s) => s.reps)),
    builder: builders[0] ?? first.builder,
    builders,
    baseline: first.baseline,
    // a shard's scenario file may be the same with other filters: the hashes of each part are in the parts
    sha256: scenarios.every((s) => s.sha256 === first.sha256) ? first.sha256 : null,
    variants: orderLike(variants, scenarios),
    edits: uniqueBy(scenarios.flatMap((s) => s.edits), (e) => e.name),
  };
}

/** Variants in the order a full run would have them: the first shard's, then the others'. */
function orderLike(variants: VariantRecord[], scenarios: readonly ScenarioRecord[]): VariantRecord[] {
  const order = scenarios.flatMap((s) => s.variants.map((v) => v.name));
  return [...variants].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
