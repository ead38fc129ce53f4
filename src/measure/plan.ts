/**
 * The order of builds in a run. Pure: scenario, order and stopping rule in, builds out, one
 * at a time (the stopping rule reads the samples of the builds already yielded).
 *
 * Each variant is built once first (cold, without cache). Then, per edit, its warm-ups and
 * its measured repetitions, in one of two orders:
 * - `rounds` (the default): round k builds repetition k of the edit for every variant that
 *   goes on, in an order shuffled per round by a seeded generator. A machine that drifts
 *   (thermal, a neighbour, a filling disk) then slows every variant alike instead of landing
 *   on whichever ran last, and round k of two variants forms a pair measured moments apart.
 * - `blocked`: each variant finishes (every edit, every repetition) before the next starts.
 *
 * Each variant must stay on its own cache chain. Where two Dockerfiles share their first
 * instructions (same base, same ARGs), a no-cache build of one makes fresh cache entries for
 * those instructions, and the classic builder picks the newest matching entry: the earlier
 * variant's next build follows the other's chain and misses its own steps once. In rounds the
 * cold builds all come first, so under the classic builder each variant but the last-built
 * is rebuilt once, unrecorded (`realign`), after them: its steps then hang below the newest
 * shared entries, and no later build makes new ones (warm builds reuse what matches; the
 * edits' nonces are per variant). BuildKit keys its cache by content, not by the newest
 * image: its chains never cross, and it needs no realignment. With several builders, all of
 * one builder's builds come before the next builder's (their caches are separate).
 */
import type { Builder } from '../result/types.js';
import type { EditSpec, Scenario, VariantSpec } from '../scenario/scenario-types.js';
import { seededShuffle } from './seeded-shuffle.js';

export type PlannedPhase = 'cold' | 'prime' | 'realign' | 'warmup' | 'warm';

export type RunOrder = 'rounds' | 'blocked';

export interface PlannedBuild {
  variant: string;
  builder: Builder;
  /** undefined for the first build of a variant */
  edit: EditSpec | undefined;
  /** cold: measured, no cache; prime: first build, cache allowed, not recorded; realign: see above; warmup: not recorded */
  phase: PlannedPhase;
  /** 1-based within (variant, edit, phase); the round, in rounds */
  rep: number;
  /** how many times this edit was applied to this variant before (cycles requirement lists) */
  sequence: number;
}

/** A group of measured builds: one variant under one builder after one edit. */
export interface RepGroup {
  variant: string;
  builder: Builder;
  edit: string;
}

/** Asked before each measured repetition of a group: null goes on, anything else is why it stops. */
export type ShouldStop = (group: RepGroup, repsDone: number) => string | null;

export type PlanInput = Pick<Scenario, 'variants' | 'edits' | 'reps' | 'warmup' | 'cold' | 'builders'>;

export interface PlanOptions {
  order: RunOrder;
  /** seeds the shuffle of each round */
  seed: number;
  /** the most repetitions a group can get; the scenario's reps when not given */
  maxReps?: number;
  /** @default stop at maxReps */
  shouldStop?: ShouldStop;
}

export function* scheduleBuilds(scenario: PlanInput, options: PlanOptions): Generator<PlannedBuild> {
  const maxReps = options.maxReps ?? scenario.reps;
  const shouldStop: ShouldStop = options.shouldStop ?? ((_group, done) => (done >= maxReps ? 'reps' : null));
  const shuffle = seededShuffle(options.seed);
  for (const builder of scenario.builders) {
    const variants = scenario.variants.filter((v) => buildsWith(v, builder)).map((v) => v.name);
    if (options.order === 'blocked') {
      for (const variant of variants) {
        yield opening(variant, builder, scenario.cold);
        for (const edit of scenario.edits) yield* blockedEdit(variant, builder, edit, scenario.warmup, maxReps, shouldStop);
      }
      continue;
    }
    for (const variant of variants) yield opening(variant, builder, scenario.cold);
    if (builder === 'classic' && scenario.cold) {
      for (const variant of variants.slice(0, -1)) yield { variant, builder, edit: undefined, phase: 'realign', rep: 1, sequence: 0 };
    }
    for (const edit of scenario.edits) {
      const sequence = new Map(variants.map((v) => [v, 0]));
      const next = (variant: string): number => {
        const value = sequence.get(variant) ?? 0;
        sequence.set(variant, value + 1);
        return value;
      };
      for (let rep = 1; rep <= scenario.warmup; rep += 1) {
        for (const variant of shuffle(variants)) yield { variant, builder, edit, phase: 'warmup', rep, sequence: next(variant) };
      }
      const stopped = new Set<string>();
      for (let rep = 1; rep <= maxReps; rep += 1) {
        for (const variant of variants) if (!stopped.has(variant) && shouldStop({ variant, builder, edit: edit.name }, rep - 1) !== null) stopped.add(variant);
        const going = variants.filter((v) => !stopped.has(v));
        if (going.length === 0) break;
        for (const variant of shuffle(going)) yield { variant, builder, edit, phase: 'warm', rep, sequence: next(variant) };
      }
      for (const variant of variants) if (!stopped.has(variant)) shouldStop({ variant, builder, edit: edit.name }, maxReps);
    }
  }
}

/** Every build the run would make if no group stopped early (progress counts against it). */
export function planBuilds(scenario: PlanInput, options: PlanOptions = { order: 'blocked', seed: 0 }): PlannedBuild[] {
  const { shouldStop: _ignored, ...fixed } = options;
  return [...scheduleBuilds(scenario, fixed)];
}

function opening(variant: string, builder: Builder, cold: boolean): PlannedBuild {
  return { variant, builder, edit: undefined, phase: cold ? 'cold' : 'prime', rep: 1, sequence: 0 };
}

function* blockedEdit(variant: string, builder: Builder, edit: EditSpec, warmup: number, maxReps: number, shouldStop: ShouldStop): Generator<PlannedBuild> {
  let sequence = 0;
  for (let rep = 1; rep <= warmup; rep += 1) yield { variant, builder, edit, phase: 'warmup', rep, sequence: sequence++ };
  for (let rep = 1; rep <= maxReps; rep += 1) {
    if (shouldStop({ variant, builder, edit: edit.name }, rep - 1) !== null) return;
    yield { variant, builder, edit, phase: 'warm', rep, sequence: sequence++ };
  }
  shouldStop({ variant, builder, edit: edit.name }, maxReps);
}

/** The (variant, builder) pairs the plan leaves out: a variant that names its builders. */
export function skippedVariants(scenario: Pick<Scenario, 'variants' | 'builders'>): { variant: string; builder: Builder; builders: Builder[] }[] {
  return scenario.builders.flatMap((builder) =>
    scenario.variants.filter((v) => !buildsWith(v, builder)).map((v) => ({ variant: v.name, builder, builders: v.builders ?? [] })),
  );
}

function buildsWith(variant: Pick<VariantSpec, 'builders'>, builder: Builder): boolean {
  return variant.builders === null || variant.builders.includes(builder);
}

export function isRecorded(phase: PlannedPhase): phase is 'cold' | 'warm' {
  return phase === 'cold' || phase === 'warm';
}
