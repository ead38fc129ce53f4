import { describe, expect, it } from 'vitest';
import { isRecorded, planBuilds, skippedVariants, type PlannedBuild } from '../../src/measure/plan.js';
import type { EditSpec, Scenario, VariantSpec } from '../../src/scenario/scenario-types.js';

function variant(name: string): VariantSpec {
  return { name, dockerfile: `/x/${name}.Dockerfile`, bases: {}, buildArgs: {}, target: null, builders: null };
}

function edit(name: string): EditSpec {
  return { name, kind: 'append-line', file: 'notes.txt', line: '# {nonce}' };
}

type PlanInput = Pick<Scenario, 'variants' | 'edits' | 'reps' | 'warmup' | 'cold' | 'builders'>;

const scenario: PlanInput = {
  builders: ['classic'],
  variants: [variant('naive'), variant('optimized')],
  edits: [edit('code'), edit('requirements')],
  reps: 2,
  warmup: 1,
  cold: true,
};

/** `naive cold 1`, `naive code warmup 1 #0`: one readable line per planned build. */
function describeBuild(build: PlannedBuild): string {
  return build.edit === undefined
    ? `${build.variant} ${build.phase} ${build.rep}`
    : `${build.variant} ${build.edit.name} ${build.phase} ${build.rep} #${build.sequence}`;
}

describe('planBuilds', () => {
  it(
    'finishes each variant (its cold build, then per edit its warm-ups and measured reps) before the next variant starts, ' +
      "so that a later variant's no-cache build cannot hijack the earlier variant's cache chain",
    () => {
      expect(planBuilds(scenario).map(describeBuild)).toEqual([
        'naive cold 1',
        'naive code warmup 1 #0',
        'naive code warm 1 #1',
        'naive code warm 2 #2',
        'naive requirements warmup 1 #0',
        'naive requirements warm 1 #1',
        'naive requirements warm 2 #2',
        'optimized cold 1',
        'optimized code warmup 1 #0',
        'optimized code warm 1 #1',
        'optimized code warm 2 #2',
        'optimized requirements warmup 1 #0',
        'optimized requirements warm 1 #1',
        'optimized requirements warm 2 #2',
      ]);
    },
  );

  it('plans every variant under each builder, all of one builder before the next; a variant that names its builders only under those', () => {
    const both = planBuilds({ ...scenario, builders: ['classic', 'buildkit'], edits: [], variants: [variant('naive'), { ...variant('cachemount'), builders: ['buildkit'] }] });
    expect(both.map((b) => `${b.builder} ${b.variant} ${b.phase}`)).toEqual(['classic naive cold', 'buildkit naive cold', 'buildkit cachemount cold']);
    expect(skippedVariants({ builders: ['classic', 'buildkit'], variants: [variant('naive'), { ...variant('cachemount'), builders: ['buildkit'] }] })).toEqual([
      { variant: 'cachemount', builder: 'classic', builders: ['buildkit'] },
    ]);
  });

  it('never returns to a variant once the next one has started', () => {
    const order = planBuilds({ ...scenario, variants: [variant('a'), variant('b'), variant('c')] }).map((b) => b.variant);
    const runs = order.filter((name, i) => i === 0 || order[i - 1] !== name);
    expect(runs).toEqual(['a', 'b', 'c']);
  });

  it('starts each variant with a build without an edit', () => {
    const builds = planBuilds(scenario);
    for (const name of ['naive', 'optimized']) {
      const first = builds.find((b) => b.variant === name);
      expect(first).toMatchObject({ edit: undefined, phase: 'cold', rep: 1, sequence: 0 });
    }
  });

  it('makes the first build an unrecorded prime build (cache allowed) when cold is false', () => {
    const builds = planBuilds({ ...scenario, cold: false });
    expect(builds.filter((b) => b.edit === undefined).map((b) => b.phase)).toEqual(['prime', 'prime']);
    expect(builds.some((b) => b.phase === 'cold')).toBe(false);
  });

  it.each([
    { variants: 1, edits: 1, warmup: 0, reps: 1 },
    { variants: 3, edits: 3, warmup: 0, reps: 5 },
    { variants: 2, edits: 2, warmup: 1, reps: 2 },
    { variants: 3, edits: 1, warmup: 2, reps: 10 },
  ])('plans variants × (1 + edits × (warmup + reps)) builds: $variants × (1 + $edits × ($warmup + $reps))', (shape) => {
    const builds = planBuilds({
      builders: ['classic'],
      variants: Array.from({ length: shape.variants }, (_, i) => variant(`v${i}`)),
      edits: Array.from({ length: shape.edits }, (_, i) => edit(`e${i}`)),
      warmup: shape.warmup,
      reps: shape.reps,
      cold: true,
    });
    expect(builds).toHaveLength(shape.variants * (1 + shape.edits * (shape.warmup + shape.reps)));
    expect(builds.filter((b) => b.phase === 'warm')).toHaveLength(shape.variants * shape.edits * shape.reps);
    expect(builds.filter((b) => b.phase === 'warmup')).toHaveLength(shape.variants * shape.edits * shape.warmup);
  });

  it('counts the sequence over warm-ups and reps together, per variant and edit, from 0', () => {
    const builds = planBuilds({ ...scenario, warmup: 2, reps: 3 });
    const sequences = builds.filter((b) => b.variant === 'optimized' && b.edit?.name === 'requirements').map((b) => b.sequence);
    expect(sequences).toEqual([0, 1, 2, 3, 4]);
  });

  it('numbers reps from 1 within each phase', () => {
    const builds = planBuilds({ ...scenario, warmup: 2, reps: 3 });
    const code = builds.filter((b) => b.variant === 'naive' && b.edit?.name === 'code');
    expect(code.map((b) => `${b.phase}${b.rep}`)).toEqual(['warmup1', 'warmup2', 'warm1', 'warm2', 'warm3']);
  });

  it('carries the edit spec itself on each edited build', () => {
    const builds = planBuilds(scenario);
    expect(builds.filter((b) => b.edit !== undefined).every((b) => scenario.edits.includes(b.edit as EditSpec))).toBe(true);
  });

  it('plans only the first builds when there are no edits', () => {
    expect(planBuilds({ ...scenario, edits: [] }).map(describeBuild)).toEqual(['naive cold 1', 'optimized cold 1']);
  });
});

describe('isRecorded', () => {
  it('records cold and warm builds', () => {
    expect(isRecorded('cold')).toBe(true);
    expect(isRecorded('warm')).toBe(true);
  });

  it('does not record prime and warm-up builds', () => {
    expect(isRecorded('prime')).toBe(false);
    expect(isRecorded('warmup')).toBe(false);
  });
});
