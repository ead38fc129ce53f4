/**
 * The order of builds in a run. Pure: scenario in, list of builds out.
 *
 * Each variant is built once first (cold, without cache), then for each edit: warm-up edits
 * (built, not recorded) and the measured repetitions. With several builders, all of one
 * builder's builds come before the next builder's (their caches are separate; a variant
 * that names its builders is planned under those only).
 *
 * Variants run one after the other, not interleaved. Where two Dockerfiles share their first
 * instructions (same base, same ARGs), a no-cache build of one makes fresh cache entries for
 * those instructions, and the classic builder picks the newest matching entry: the other
 * variant's next build would then follow the wrong chain and miss the cache where it should
 * not. Finishing a variant before the next one's cold build keeps each on its own chain.
 */
import type { Builder } from '../result/types.js';
import type { EditSpec, Scenario, VariantSpec } from '../scenario/scenario-types.js';

export type PlannedPhase = 'cold' | 'prime' | 'warmup' | 'warm';

export interface PlannedBuild {
  variant: string;
  builder: Builder;
  /** undefined for the first build of a variant */
  edit: EditSpec | undefined;
  /** cold: measured, no cache; prime: first build, cache allowed, not recorded; warmup: not recorded */
  phase: PlannedPhase;
  /** 1-based within (variant, edit, phase) */
  rep: number;
  /** how many times this edit was applied to this variant before (cycles requirement lists) */
  sequence: number;
}

export function planBuilds(scenario: Pick<Scenario, 'variants' | 'edits' | 'reps' | 'warmup' | 'cold' | 'builders'>): PlannedBuild[] {
  const builds: PlannedBuild[] = [];
  for (const builder of scenario.builders) {
    for (const variant of scenario.variants.filter((v) => buildsWith(v, builder))) {
      builds.push({ variant: variant.name, builder, edit: undefined, phase: scenario.cold ? 'cold' : 'prime', rep: 1, sequence: 0 });
      for (const edit of scenario.edits) {
        let sequence = 0;
        for (const [phase, count] of [['warmup', scenario.warmup], ['warm', scenario.reps]] as const) {
          for (let rep = 1; rep <= count; rep += 1) {
            builds.push({ variant: variant.name, builder, edit, phase, rep, sequence });
            sequence += 1;
          }
        }
      }
    }
  }
  return builds;
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
