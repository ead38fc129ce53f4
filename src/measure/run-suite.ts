/**
 * Runs the planned builds of a scenario and turns each into a sample.
 * Dependencies come in (engine, workspaces, clock, sink); nothing here knows about the CLI.
 */
import type { BuildOutcome, DockerEngine } from '../engine/docker-engine.js';
import { firstMissStep } from '../engine/classic-progress.js';
import { compareLayers, type LayerSizes } from '../engine/layer-sizes.js';
import { runLabels, VARIANT_LABEL } from '../engine/labels.js';
import { InterruptedError } from '../errors.js';
import { formatBytes, formatMs } from '../report/format.js';
import type { HealthRecord, Sample, SampleFlag } from '../report/result-types.js';
import type { Scenario, VariantSpec } from '../scenario/scenario-types.js';
import type { Progress } from '../ui/progress.js';
import type { Workspace } from '../workspace/workspace.js';
import { probeHealth } from './health-probe.js';
import { isRecorded, planBuilds, type PlannedBuild } from './plan.js';

export interface SuiteInputs {
  engine: DockerEngine;
  scenario: Scenario;
  runId: string;
  workspaces: ReadonlyMap<string, Workspace>;
  /** build args for every build: the resolved bases and the package index */
  buildArgsFor: (variant: VariantSpec) => Record<string, string>;
  /** diff IDs of the variant's base images: what a cold build reuses */
  baseLayersFor: (variant: VariantSpec) => ReadonlySet<string>;
  keepImages: boolean;
  onSample: (sample: Sample) => void;
  progress: Progress;
  now: () => number;
  wallClock: () => Date;
  signal: AbortSignal;
  /** when the run started: only images created since then are this run's to remove */
  runStartedAt: Date;
}

interface VariantState {
  previousImage: string | undefined;
  previousLayers: ReadonlySet<string>;
}

export async function runSuite(inputs: SuiteInputs): Promise<void> {
  const { scenario, progress } = inputs;
  const plan = planBuilds(scenario);
  const variants = new Map(scenario.variants.map((v) => [v.name, v]));
  const states = new Map<string, VariantState>();
  try {
    await runPlan(inputs, plan, variants, states);
  } finally {
    progress.done();
  }
}

async function runPlan(
  inputs: SuiteInputs,
  plan: readonly PlannedBuild[],
  variants: ReadonlyMap<string, VariantSpec>,
  states: Map<string, VariantState>,
): Promise<void> {
  const { engine, scenario, runId, progress, signal } = inputs;
  let done = 0;
  for (const planned of plan) {
    if (signal.aborted) throw new InterruptedError();
    const variant = variants.get(planned.variant) as VariantSpec;
    const workspace = inputs.workspaces.get(planned.variant) as Workspace;
    const state = states.get(planned.variant) ?? { previousImage: undefined, previousLayers: inputs.baseLayersFor(variant) };
    const label = describeBuild(planned, scenario.reps, scenario.warmup);
    done += 1;
    progress.status(`${label} · preparing (${done}/${plan.length})`);

    const applied = planned.edit === undefined ? undefined : workspace.apply(planned.edit, nonceFor(runId, planned), planned.sequence);
    const startedAt = inputs.wallClock();
    const outcome = await engine.build({
      context: workspace.pack(),
      dockerfile: workspace.dockerfileInContext,
      builder: scenario.builder,
      buildArgs: inputs.buildArgsFor(variant),
      labels: runLabels(runId, { [VARIANT_LABEL]: variant.name }),
      tag: `layerbench-run/${variant.name}:${runId}`,
      noCache: planned.phase === 'cold',
      variant: variant.name,
      hostNetwork: true,
      signal,
      onStep: (index, total, instruction) => progress.status(`${label} · step ${index}/${total} ${instruction}`),
    });

    const sizes = await engine.layerSizes(outcome.imageId);
    if (isRecorded(planned.phase)) {
      progress.status(`${label} · starting the image for its health check`);
      const health = await probeHealth(engine, outcome.imageId, scenario.health, runLabels(runId, { [VARIANT_LABEL]: variant.name }), inputs.now, signal);
      if (signal.aborted) throw new InterruptedError();
      const sample = toSample({ planned, phase: planned.phase, builder: scenario.builder, outcome, sizes, before: state.previousLayers, health, startedAt });
      inputs.onSample(sample);
      progress.note(sampleLine(sample, applied?.summary));
    } else {
      progress.note(`  ${label}: ${formatMs(outcome.wallMs)} (not recorded)`);
    }

    if (!inputs.keepImages) {
      if (state.previousImage !== undefined && state.previousImage !== outcome.imageId) await engine.removeImage(state.previousImage);
      // The earlier stages of this build stay: they are the cache of the next one.
      await engine.removeBuildLeftovers(inputs.runStartedAt, outcome.stageImageIds);
    }
    states.set(planned.variant, { previousImage: outcome.imageId, previousLayers: new Set(sizes.layers.map((l) => l.diffId)) });
  }
}

interface SampleFacts {
  planned: PlannedBuild;
  phase: Sample['phase'];
  builder: Sample['builder'];
  outcome: BuildOutcome;
  sizes: LayerSizes;
  /** diff IDs of the image before this build */
  before: ReadonlySet<string>;
  health: HealthRecord;
  startedAt: Date;
}

/** What one build measured, in the shape of the result contract. */
export function toSample(facts: SampleFacts): Sample {
  const miss = firstMissStep(facts.outcome.steps);
  const flags: SampleFlag[] = [];
  if (facts.phase === 'warm' && miss === null) flags.push('no-step-missed');
  if (facts.sizes.approximate) flags.push('layer-sizes-approximate');
  return {
    variant: facts.planned.variant,
    builder: facts.builder,
    edit: facts.planned.edit?.name ?? 'none',
    phase: facts.phase,
    rep: facts.planned.rep,
    wallMs: Math.round(facts.outcome.wallMs),
    steps: facts.outcome.steps.map((s) => ({ ...s, durationMs: Math.round(s.durationMs) })),
    firstMissStep: miss,
    layers: compareLayers(facts.sizes.layers, facts.before),
    image: { id: facts.outcome.imageId, sizeBytes: facts.outcome.sizeBytes, layerCount: facts.sizes.layers.length },
    health: facts.health,
    flags,
    startedAt: facts.startedAt.toISOString(),
  };
}

/** Unique to the run, the edit and the repetition: the daemon's cache cannot have seen it. */
export function nonceFor(runId: string, planned: PlannedBuild): string {
  return `${runId}.${planned.edit?.name ?? 'none'}.${planned.phase}${planned.rep}`;
}

function describeBuild(planned: PlannedBuild, reps: number, warmup: number): string {
  const what = planned.edit === undefined ? (planned.phase === 'cold' ? 'cold build' : 'first build') : planned.edit.name;
  const rep = planned.phase === 'warm' ? ` rep ${planned.rep}/${reps}` : planned.phase === 'warmup' ? ` warm-up ${planned.rep}/${warmup}` : '';
  return `${planned.variant} · ${what}${rep}`;
}

function sampleLine(sample: Sample, edit: string | undefined): string {
  const step = sample.steps.find((s) => s.index === sample.firstMissStep);
  const parts = [
    `  ${sample.variant.padEnd(12)} ${(sample.phase === 'cold' ? 'cold' : `${sample.edit} #${sample.rep}`).padEnd(16)} ${formatMs(sample.wallMs).padStart(8)}`,
    step === undefined ? 'all steps cached' : `first miss: step ${step.index}`,
    `new ${formatBytes(sample.layers.newBytes)}`,
    sample.health.ok ? `healthy in ${formatMs(sample.health.timeToHealthyMs)}` : `UNHEALTHY: ${sample.health.reason}`,
  ];
  if (sample.flags.includes('no-step-missed')) parts.push('FLAGGED: no step missed the cache');
  if (edit !== undefined) parts.push(edit);
  return parts.join(' · ');
}
