/**
 * Runs the planned builds of a scenario and turns each into a sample. Everything it needs
 * comes in (engine, prepared variants, clocks, sinks); nothing here knows about the CLI.
 *
 * Only the build itself is timed. What happens between two builds — layer sizes, the health
 * check, removing the previous image and the builder's leftovers — is awaited before the
 * next build starts, so it neither counts nor overlaps.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import type { LayerSizes } from '../engine/layer-sizes.js';
import { keptImageTag, runImageTag, runLabels, VARIANT_LABEL } from '../engine/labels.js';
import type { ContextCopy } from '../dockerfile/context-copies.js';
import type { DockerfileModel } from '../dockerfile/dockerfile-model.js';
import { firstMissStep, type BuildDriver, type BuilderKind } from '../engine/build-trace.js';
import { BuildFailedError, DaemonUnavailableError, InterruptedError } from '../errors.js';
import type { BuildSample, HealthRecord } from '../result/types.js';
import type { HealthSpec, Scenario, VariantSpec } from '../scenario/scenario-types.js';
import { changedPaths, type ManifestSnapshot } from '../workspace/context-manifest.js';
import type { Workspace } from '../workspace/workspace.js';
import type { BuildLeftovers } from './build-leftovers.js';
import { explainCacheMiss } from './cache-miss.js';
import { probeHealth } from './health-probe.js';
import { isRecorded, planBuilds, scheduleBuilds, type PlannedBuild, type RepGroup, type RunOrder } from './plan.js';
import { halfWidth, repGroupKey, stopReason, type RepetitionLog, type RepetitionRule } from './repetitions.js';
import type { BuildLabel, SuiteEvent } from './suite-events.js';
import { nonceFor, toSample } from './to-sample.js';

/** A variant ready to build: its workspace, its parsed Dockerfile, its build args, its base's layers. */
export interface PreparedVariant {
  spec: VariantSpec;
  workspace: Workspace;
  dockerfile: DockerfileModel;
  /** the COPY and ADD instructions of the built Dockerfile that read the context (why a step missed) */
  copies: readonly ContextCopy[];
  buildArgs: Record<string, string>;
  /** diff IDs of the variant's base images: what a cold build reuses */
  baseLayers: ReadonlySet<string>;
}

export interface SuiteInputs {
  engine: DockerEngine;
  scenario: Pick<Scenario, 'variants' | 'edits' | 'reps' | 'warmup' | 'cold' | 'builders' | 'health'>;
  runId: string;
  /** the machine id samples carry */
  machine: string;
  variants: ReadonlyMap<string, PreparedVariant>;
  /** what runs the builds of each builder */
  driverFor: Readonly<Record<BuilderKind, BuildDriver>>;
  leftovers: BuildLeftovers;
  keepImages: boolean;
  /** the order of the warm builds and when a group has had enough */
  schedule: { order: RunOrder; seed: number; rule: RepetitionRule; log: RepetitionLog };
  onSample: (sample: BuildSample) => void;
  onEvent: (event: SuiteEvent) => void;
  /** a build failed: the variant builds no more under that builder, the others go on */
  onBuildFailed?: (failure: BuildFailedError) => void;
  /** a monotonic clock in ms (health timing) */
  now: () => number;
  wallClock: () => Date;
  signal: AbortSignal;
}

interface VariantState {
  previousImage: string | undefined;
  previousLayers: ReadonlySet<string>;
  /** the context as the previous build sent it */
  previousContext: ManifestSnapshot | undefined;
  /** the last images of the earlier stages of its previous build: its next build's cache */
  stageImageIds: readonly string[];
}

export async function runSuite(inputs: SuiteInputs): Promise<void> {
  const { engine, scenario, runId, signal } = inputs;
  const { order, seed, rule, log } = inputs.schedule;
  const total = planBuilds(scenario, { order, seed, maxReps: rule.maxReps }).length;
  const startedAtMs = inputs.now();
  const times = new Map<string, number[]>();
  const timesOf = (group: RepGroup): number[] => times.get(repGroupKey(group)) ?? [];
  const shouldStop = (group: RepGroup, repsDone: number): string | null => {
    const reason = failures.has(`${group.builder}\u0000${group.variant}`) ? 'build-failed' : stopReason(rule, { repsDone, times: timesOf(group), elapsedMs: inputs.now() - startedAtMs });
    if (reason !== null && !log.has(group)) {
      const stop = log.record(group, reason === 'build-failed' ? timesOf(group).length : repsDone, reason, timesOf(group));
      inputs.onEvent({ type: 'group-stopped', stop, target: rule.targetCi });
    }
    return reason;
  };
  const states = new Map<string, VariantState>();
  const failures = new Map<string, BuildFailedError>();
  let position = 0;
  for (const planned of scheduleBuilds(scenario, { order, seed, maxReps: rule.maxReps, shouldStop })) {
    position += 1;
    if (signal.aborted) throw new InterruptedError();
    const variant = inputs.variants.get(planned.variant);
    if (variant === undefined) throw new Error(`no prepared variant ${planned.variant}`);
    const stateKey = `${planned.builder}\u0000${planned.variant}`;
    if (failures.has(stateKey)) continue;
    const state = states.get(stateKey) ?? { previousImage: undefined, previousLayers: variant.baseLayers, previousContext: undefined, stageImageIds: [] };
    const label = buildLabel(planned, scenario, rule.maxReps);
    inputs.onEvent({ type: 'build-started', build: label, position, total, adaptive: rule.targetCi !== null || rule.timeBudgetMs !== null });

    const applied = planned.edit === undefined ? undefined : variant.workspace.apply(planned.edit, nonceFor(runId, planned), planned.sequence);
    const contextSha256 = variant.workspace.contextSha256();
    const sentContext = variant.workspace.manifest.snapshot();
    const startedAt = inputs.wallClock();
    inputs.leftovers.buildStarted(startedAt);
    const trace = await naming(describeActivity(label, 'build'), async () => {
      try {
        const built = await engine.build({
          context: variant.workspace,
          driver: inputs.driverFor[planned.builder],
          sharedKey: variant.workspace.dir,
          dockerfile: variant.workspace.dockerfileInContext,
          dockerfileModel: variant.dockerfile,
          builder: planned.builder,
          buildArgs: variant.buildArgs,
          target: variant.spec.target,
          tag: runImageTag(variant.spec.name, runId),
          noCache: planned.phase === 'cold',
          variant: variant.spec.name,
          hostNetwork: true,
          signal,
          onStep: (index, of, instruction) => inputs.onEvent({ type: 'step-started', build: label, index, of, instruction }),
          onImage: (image) => inputs.leftovers.imageReported(image),
        });
        inputs.leftovers.buildFinished();
        return built;
      } catch (err) {
        inputs.leftovers.buildCut();
        throw err;
      }
    }).catch((err: unknown) => {
      // One variant's broken Dockerfile says nothing about the others: they are still measured.
      if (!(err instanceof BuildFailedError) || signal.aborted) throw err;
      failures.set(stateKey, err);
      inputs.onBuildFailed?.(err);
      return undefined;
    });
    if (trace === undefined) continue;

    await naming(describeActivity(label, 'inspection of the image'), async () => {
      const sizes = await engine.layerSizes(trace.imageId);
      if (isRecorded(planned.phase)) {
        const health = inputs.scenario.health === null ? null : await checkHealth(inputs, inputs.scenario.health, trace.imageId, label);
        if (signal.aborted) throw new InterruptedError();
        const cacheMiss = explainCacheMiss({
          steps: trace.steps,
          firstMissStep: firstMissStep(trace.steps),
          noCache: planned.phase === 'cold',
          copies: variant.copies,
          changedPaths: state.previousContext === undefined ? undefined : changedPaths(state.previousContext, sentContext),
          edit: planned.edit === undefined || applied === undefined ? undefined : { name: planned.edit.name, paths: applied.paths },
          // constant within a run: the build args and the FROM images are resolved once, before the first build
          changedBuildArgs: [],
          changedBases: [],
        });
        const sample = toSample({
          planned: { ...planned, phase: planned.phase },
          trace,
          sizes,
          before: state.previousLayers,
          cacheMiss,
          health,
          startedAt,
          machine: inputs.machine,
          provenance: { contextSha256, edit: applied === undefined ? null : { sha256: applied.sha256, paths: applied.paths } },
        });
        inputs.onSample(sample);
        const group: RepGroup = { variant: planned.variant, builder: planned.builder, edit: sample.edit };
        if (sample.phase === 'warm' && !sample.flags.includes('no-step-missed')) times.set(repGroupKey(group), [...timesOf(group), sample.wallMs]);
        const target = rule.targetCi === null || sample.phase !== 'warm' ? undefined : { halfWidth: halfWidth(timesOf(group)), target: rule.targetCi };
        inputs.onEvent({ type: 'sample', sample, editSummary: applied?.summary, build: label, ...(target === undefined ? {} : { target }) });
        if (inputs.keepImages) await engine.tagImage(trace.imageId, keptImageTag(variant.spec.name, runId, `${sample.edit}-${sample.phase}${sample.rep}`));
      } else {
        inputs.onEvent({ type: 'unrecorded-build', build: label, wallMs: trace.wallMs });
      }
      // every variant's earlier stages stay: in rounds the others' next builds come before this one's
      const otherStages = [...states.entries()].flatMap(([key, other]) => (key === stateKey ? [] : other.stageImageIds));
      await tidyUp(inputs, state, trace.imageId, [...trace.stageImageIds, ...otherStages]);
      states.set(stateKey, { previousImage: trace.imageId, previousLayers: layerSet(sizes), previousContext: sentContext, stageImageIds: trace.stageImageIds });
    });
  }
  const [first] = failures.values();
  if (first !== undefined) throw first;
}

async function checkHealth(inputs: SuiteInputs, health: HealthSpec, image: string, label: BuildLabel): Promise<HealthRecord> {
  inputs.onEvent({ type: 'health-check', build: label });
  return probeHealth(inputs.engine, image, health, runLabels(inputs.runId, { [VARIANT_LABEL]: label.variant }), inputs.now, inputs.signal);
}

/**
 * The previous image of the variant lost its tag to the new one: it goes, with the untagged
 * parents only it used. The builder's other leftovers go too, except every variant's earlier stages'
 * images, which are the next build's cache.
 */
async function tidyUp(inputs: SuiteInputs, state: VariantState, imageId: string, keep: readonly string[]): Promise<void> {
  if (inputs.keepImages) return;
  if (state.previousImage !== undefined && state.previousImage !== imageId) {
    await inputs.engine.removeUntaggedImages([state.previousImage], { prune: true });
  }
  await inputs.leftovers.sweep(keep);
}

function layerSet(sizes: LayerSizes): ReadonlySet<string> {
  return new Set(sizes.layers.map((l) => l.diffId));
}

function buildLabel(planned: PlannedBuild, scenario: Pick<Scenario, 'warmup' | 'builders'>, maxReps: number): BuildLabel {
  return {
    variant: planned.variant,
    builder: scenario.builders.length > 1 ? planned.builder : undefined,
    edit: planned.edit?.name ?? 'none',
    phase: planned.phase,
    rep: planned.rep,
    of: planned.phase === 'warm' ? maxReps : planned.phase === 'warmup' ? scenario.warmup : 1,
  };
}

function describeActivity(label: BuildLabel, what: string): string {
  const build = label.edit === 'none' ? `the ${label.phase === 'cold' ? 'cold' : label.phase === 'realign' ? 'realigning' : 'first'} build of "${label.variant}"` : `"${label.variant}" after edit "${label.edit}" (${label.phase} ${label.rep}/${label.of})`;
  return what === 'build' ? build : `the ${what} of ${build}`;
}

/** A daemon that stops answering mid-run is reported with what layerbench was doing, in the run's words. */
async function naming<T>(activity: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DaemonUnavailableError) throw new DaemonUnavailableError(err.endpoint, err.reason, activity);
    throw err;
  }
}
