import { describe, expect, it } from 'vitest';
import { isRecorded, planBuilds, scheduleBuilds, skippedVariants, type PlannedBuild, type RepGroup } from '../../src/measure/plan.js';
import { seededShuffle } from '../../src/measure/seeded-shuffle.js';
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

const threeVariants: PlanInput = {
  builders: ['classic'],
  variants: [variant('naive'), variant('optimized'), variant('multistage')],
  edits: [edit('code'), edit('requirements')],
  reps: 4,
  warmup: 1,
  cold: true,
};

const line = (b: PlannedBuild): string => `${b.variant} ${b.edit?.name ?? '-'} ${b.phase} ${b.rep}`;

describe('the rounds order', () => {
  it('builds every variant cold first, realigns all but the last under the classic builder, then runs each edit in rounds holding each variant once', () => {
    const builds = planBuilds(threeVariants, { order: 'rounds', seed: 7 });
    expect(builds.slice(0, 5).map(line)).toEqual(['naive - cold 1', 'optimized - cold 1', 'multistage - cold 1', 'naive - realign 1', 'optimized - realign 1']);
    const warm = builds.slice(5);
    for (const name of ['code', 'requirements']) {
      const ofEdit = warm.filter((b) => b.edit?.name === name);
      const rounds = [...new Set(ofEdit.map((b) => `${b.phase} ${b.rep}`))];
      expect(rounds).toEqual(['warmup 1', 'warm 1', 'warm 2', 'warm 3', 'warm 4']);
      for (const round of rounds) {
        const members = ofEdit.filter((b) => `${b.phase} ${b.rep}` === round).map((b) => b.variant);
        expect([...members].sort()).toEqual(['multistage', 'naive', 'optimized']);
      }
    }
    // every build of one edit before the next edit's
    const lastCode = warm.map((b) => b.edit?.name).lastIndexOf('code');
    expect(warm.slice(0, lastCode + 1).every((b) => b.edit?.name === 'code')).toBe(true);
  });

  it('counts each variant\'s own applications of an edit (warm-ups included), as blocked does', () => {
    const builds = planBuilds(threeVariants, { order: 'rounds', seed: 1 }).filter((b) => b.variant === 'optimized' && b.edit?.name === 'code');
    expect(builds.map((b) => b.sequence)).toEqual([0, 1, 2, 3, 4]);
    expect(planBuilds(threeVariants).filter((b) => b.variant === 'optimized' && b.edit?.name === 'code').map((b) => b.sequence)).toEqual([0, 1, 2, 3, 4]);
  });

  it('shuffles the order within a round by the seed: the same seed repeats it, another seed changes it', () => {
    const order = (seed: number): string => planBuilds(threeVariants, { order: 'rounds', seed }).map(line).join('\n');
    expect(order(42)).toBe(order(42));
    const orders = new Set([1, 2, 3, 4, 5, 6].map(order));
    expect(orders.size).toBeGreaterThan(1);
    const firstOfRounds = planBuilds(threeVariants, { order: 'rounds', seed: 42 }).filter((b) => b.phase === 'warm' && b.rep <= 4).map((b) => b.variant);
    expect(new Set(firstOfRounds.filter((_, i) => i % 3 === 0)).size).toBeGreaterThan(1);
  });

  it('needs no realignment under BuildKit (its cache is keyed by content), nor after prime builds (they make no duplicate entries)', () => {
    expect(planBuilds({ ...threeVariants, builders: ['buildkit'] }, { order: 'rounds', seed: 1 }).some((b) => b.phase === 'realign')).toBe(false);
    expect(planBuilds({ ...threeVariants, cold: false }, { order: 'rounds', seed: 1 }).some((b) => b.phase === 'realign')).toBe(false);
    expect(planBuilds({ ...threeVariants, variants: [variant('only')] }, { order: 'rounds', seed: 1 }).some((b) => b.phase === 'realign')).toBe(false);
  });

  it('drops a group from later rounds once the rule says it is done, and tells the rule about the groups that ran to the maximum', () => {
    const asked: string[] = [];
    const shouldStop = (group: RepGroup, done: number): string | null => {
      asked.push(`${group.variant} ${group.edit} ${done}`);
      if (group.variant === 'optimized' && done >= 2) return 'target-ci';
      return done >= 4 ? 'max-reps' : null;
    };
    const builds = [...scheduleBuilds({ ...threeVariants, edits: [edit('code')] }, { order: 'rounds', seed: 3, maxReps: 4, shouldStop })].filter((b) => b.phase === 'warm');
    expect(builds.filter((b) => b.variant === 'optimized').map((b) => b.rep)).toEqual([1, 2]);
    expect(builds.filter((b) => b.variant === 'naive').map((b) => b.rep)).toEqual([1, 2, 3, 4]);
    expect(asked).toContain('naive code 4');
    expect(asked.filter((a) => a.startsWith('optimized')).at(-1)).toBe('optimized code 2');
  });

  it('asks the rule before each repetition in the blocked order too', () => {
    const shouldStop = (group: RepGroup, done: number): string | null => (group.variant === 'naive' && done >= 1 ? 'time-budget' : done >= 2 ? 'reps' : null);
    const builds = [...scheduleBuilds({ ...threeVariants, edits: [edit('code')] }, { order: 'blocked', seed: 0, maxReps: 2, shouldStop })].filter((b) => b.phase === 'warm');
    expect(builds.map((b) => `${b.variant} ${b.rep}`)).toEqual(['naive 1', 'optimized 1', 'optimized 2', 'multistage 1', 'multistage 2']);
  });
});

describe('seededShuffle', () => {
  it('is a permutation, reproducible from the seed', () => {
    const a = seededShuffle(99);
    const b = seededShuffle(99);
    for (let i = 0; i < 20; i += 1) {
      const items = [1, 2, 3, 4, 5];
      const once = a(items);
      expect([...once].sort()).toEqual(items);
      expect(b(items)).toEqual(once);
    }
  });

  it('puts each item first about equally often', () => {
    const shuffle = seededShuffle(12345);
    const firsts = new Map<string, number>();
    for (let i = 0; i < 3000; i += 1) {
      const first = shuffle(['a', 'b', 'c'])[0] as string;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const count of firsts.values()) expect(count).toBeGreaterThan(900);
    expect(firsts.size).toBe(3);
  });
});
