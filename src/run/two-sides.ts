/**
 * Two trees as the two sides of one run (`run --against REF`): the base's variants and the
 * new tree's are built by one run, in its rounds, so that every time compared was measured on
 * one machine moments apart from its counterpart. Pure: two scenarios in, one scenario out;
 * one result in, one result per side out (each what a run of that side alone would have
 * written), for `compare`.
 */
import { summarize } from '../result/summarize.js';
import type { BuildSample, ScenarioRecord, SuiteResult } from '../result/types.js';
import type { Scenario, VariantSpec } from '../scenario/scenario-types.js';

export type Side = 'base' | 'new';
export const SIDES: readonly Side[] = ['base', 'new'];

/** `optimized.base`: a variant's name in the run (a path component of its image name, as names must be). */
export function sideName(variant: string, side: Side): string {
  return `${variant}.${side}`;
}

/** The variant and side a run's variant name stands for; null for a name no side made. */
export function sideOf(name: string): { variant: string; side: Side } | null {
  const match = /^(.+)\.(base|new)$/.exec(name);
  return match === null ? null : { variant: match[1] as string, side: match[2] as Side };
}

/**
 * One scenario holding both sides' variants, side by side (`naive.base`, `naive.new`, …), each
 * with its own side's Dockerfile and context. Everything else — edits, reps, builders, health
 * — is the new side's: the pull request decides how it is measured, and both sides are
 * measured that way. The new side's baseline is the baseline.
 */
export function twoSidedScenario(base: Scenario, next: Scenario): Scenario {
  const names = [...next.variants.map((v) => v.name), ...base.variants.map((v) => v.name).filter((name) => !next.variants.some((v) => v.name === name))];
  const variants: VariantSpec[] = names.flatMap((name) =>
    SIDES.flatMap((side) => {
      const scenario = side === 'base' ? base : next;
      const variant = scenario.variants.find((v) => v.name === name);
      return variant === undefined ? [] : [{ ...variant, name: sideName(name, side), context: variant.context ?? scenario.context }];
    }),
  );
  const headlines = next.headlines.flatMap((h) => SIDES.map((side) => ({ ...h, slow: sideName(h.slow, side), fast: sideName(h.fast, side) })));
  return {
    ...next,
    baseline: sideName(next.baseline, 'new'),
    variants,
    headlines,
    declared: { ...next.declared, variants: variants.map((v) => v.name) },
  };
}

/** The result one side would have had alone: its samples and variants, their names restored. */
export function sideResult(result: SuiteResult, side: Side): SuiteResult {
  const mine = (name: string | undefined): string | null => {
    const parsed = name === undefined ? null : sideOf(name);
    return parsed !== null && parsed.side === side ? parsed.variant : null;
  };
  const samples = result.samples.flatMap((sample) => {
    if (sample.kind !== 'build') return [];
    const variant = mine(sample.variant);
    return variant === null ? [] : [{ ...sample, variant } satisfies BuildSample];
  });
  const scenario: ScenarioRecord = {
    ...result.scenario,
    baseline: sideOf(result.scenario.baseline)?.variant ?? result.scenario.baseline,
    variants: result.scenario.variants.flatMap((v) => {
      const variant = mine(v.name);
      return variant === null ? [] : [{ ...v, name: variant }];
    }),
  };
  const headlines = (result.scenario.headlines ?? []).flatMap((h) => {
    const slow = mine(h.slow);
    const fast = mine(h.fast);
    return slow === null || fast === null ? [] : [{ ...h, slow, fast }];
  });
  if (headlines.length > 0) scenario.headlines = headlines;
  else delete scenario.headlines;
  const repetitions =
    result.repetitions === undefined
      ? undefined
      : { ...result.repetitions, groups: result.repetitions.groups.flatMap((g) => (mine(g.variant) === null ? [] : [{ ...g, variant: mine(g.variant) as string }])) };
  return {
    ...result,
    scenario,
    samples,
    summary: summarize(samples),
    warnings: result.warnings.flatMap((w) => {
      if (w.variant === undefined) return [w];
      const variant = mine(w.variant);
      return variant === null ? [] : [{ ...w, variant, message: w.message.replaceAll(w.variant, variant) }];
    }),
    ...(repetitions === undefined ? {} : { repetitions }),
  };
}
