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
import { firstMissStep, type BuildTrace } from '../engine/build-trace.js';
import { BuildFailedError, DaemonUnavailableError, InterruptedError } from '../errors.js';
import type { Builder, BuildDriver, BuildSample, CacheMiss, HealthRecord, Phase } from '../result/types.js';
import type { HealthSpec, Scenario, VariantSpec } from '../scenario/scenario-types.js';
import { changedPaths, type ManifestSnapshot } from '../workspace/context-manifest.js';
import type { AppliedEdit, Workspace } from '../workspace/workspace.js';
import type { BuildLeftovers } from './build-leftovers.js';
import { explainCacheMiss } from './cache-miss.js';
import { probeHealth } from './health-probe.js';
import { isRecorded, planBuilds, scheduleBuilds, type PlannedBuild, type RepGroup, type RunOrder, type ShouldStop } from './plan.js';
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
  driverFor: Readonly<Record<Builder, BuildDriver>>;
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

/** What the suite keeps from one build to the next. */
interface SuiteProgress {
  /** the warm wall times that count, by repetition group: what the stopping rule reads */
  times: Map<string, number[]>;
  /** each builder's variant as its previous build left it */
  states: Map<string, VariantState>;
  /** the builders' variants whose build failed: they build no more */
  failures: Map<string, BuildFailedError>;
}

/** One planned build under way: what it builds and the context it sent. */
interface BuildUnderWay {
  planned: PlannedBuild;
  variant: PreparedVariant;
  label: BuildLabel;
  /** the builder's variant: keys its state and its failure */
  stateKey: string;
  state: VariantState;
  applied: AppliedEdit | undefined;
  contextSha256: string;
  sentContext: ManifestSnapshot;
  startedAt: Date;
}

export async function runSuite(inputs: SuiteInputs): Promise<void> {
  const { scenario, signal } = inputs;
  const { order, seed, rule } = inputs.schedule;
  const total = planBuilds(scenario, { order, seed, maxReps: rule.maxReps }).length;
  const startedAtMs = inputs.now();
  const progress: SuiteProgress = { times: new Map(), states: new Map(), failures: new Map() };
  const shouldStop = stoppingRule(inputs, progress, startedAtMs);
  let position = 0;
  for (const planned of scheduleBuilds(scenario, { order, seed, maxReps: rule.maxReps, shouldStop })) {
    position += 1;
    if (signal.aborted) throw new InterruptedError();
    await runPlannedBuild(inputs, progress, planned, { position, total });
  }
  const [first] = progress.failures.values();
  if (first !== undefined) throw first;
}

/** Asked by the schedule before each repetition of a group: has it had enough, and why (logged and announced once). */
function stoppingRule(inputs: SuiteInputs, progress: SuiteProgress, startedAtMs: number): ShouldStop {
  const { rule, log } = inputs.schedule;
  return (group, repsDone) => {
    const reason = progress.failures.has(variantKey(group)) ? 'build-failed' : stopReason(rule, { repsDone, times: timesOf(progress, group), elapsedMs: inputs.now() - startedAtMs });
    if (reason !== null && !log.has(group)) {
      const stop = log.record(group, reason === 'build-failed' ? timesOf(progress, group).length : repsDone, reason, timesOf(progress, group));
      inputs.onEvent({ type: 'group-stopped', stop, target: rule.targetCi });
    }
    return reason;
  };
}

function timesOf(progress: SuiteProgress, group: RepGroup): number[] {
  return progress.times.get(repGroupKey(group)) ?? [];
}

/** A variant under one builder: what it keeps between builds and whether it failed. */
function variantKey(build: { builder: string; variant: string }): string {
  return `${build.builder}\u0000${build.variant}`;
}

/** One planned build: announced, built (or its failure noted), then inspected and tidied up after. */
async function runPlannedBuild(inputs: SuiteInputs, progress: SuiteProgress, planned: PlannedBuild, at: { position: number; total: number }): Promise<void> {
  const { runId, signal } = inputs;
  const { rule } = inputs.schedule;
  const variant = inputs.variants.get(planned.variant);
  if (variant === undefined) throw new Error(`no prepared variant ${planned.variant}`);
  const stateKey = variantKey(planned);
  if (progress.failures.has(stateKey)) return;
  const state = progress.states.get(stateKey) ?? { previousImage: undefined, previousLayers: variant.baseLayers, previousContext: undefined, stageImageIds: [] };
  const label = buildLabel(planned, inputs.scenario, rule.maxReps);
  inputs.onEvent({ type: 'build-started', build: label, position: at.position, total: at.total, adaptive: rule.targetCi !== null || rule.timeBudgetMs !== null });

  const applied = planned.edit === undefined ? undefined : variant.workspace.apply(planned.edit, nonceFor(runId, planned), planned.sequence);
  const build: BuildUnderWay = {
    planned,
    variant,
    label,
    stateKey,
    state,
    applied,
    contextSha256: variant.workspace.contextSha256(),
    sentContext: variant.workspace.manifest.snapshot(),
    startedAt: inputs.wallClock(),
  };
  inputs.leftovers.buildStarted(build.startedAt);
  const trace = await naming(describeActivity(label, 'build'), () => buildImage(inputs, build)).catch((err: unknown) => {
    // One variant's broken Dockerfile says nothing about the others: they are still measured.
    if (!(err instanceof BuildFailedError) || signal.aborted) throw err;
    progress.failures.set(stateKey, err);
    inputs.onBuildFailed?.(err);
    return undefined;
  });
  if (trace === undefined) return;
  await naming(describeActivity(label, 'inspection of the image'), () => afterBuild(inputs, progress, build, trace));
}

/** The timed part: the build alone, with the builder's leftovers told when it starts and how it ends. */
async function buildImage(inputs: SuiteInputs, build: BuildUnderWay): Promise<BuildTrace> {
  const { engine, runId, signal } = inputs;
  const { planned, variant, label } = build;
  try {
    const built = await engine.builds.build({
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
}

/** Between two builds, untimed: the image's layers, its sample (or the unrecorded build's line), then the tidy-up. */
async function afterBuild(inputs: SuiteInputs, progress: SuiteProgress, build: BuildUnderWay, trace: BuildTrace): Promise<void> {
  const { engine } = inputs;
  const { planned, label, stateKey, state } = build;
  const sizes = await engine.images.layerSizes(trace.imageId);
  if (isRecorded(planned.phase)) {
    await recordSample(inputs, progress, build, { trace, sizes, phase: planned.phase });
  } else {
    inputs.onEvent({ type: 'unrecorded-build', build: label, wallMs: trace.wallMs });
  }
  // every variant's earlier stages stay: in rounds the others' next builds come before this one's
  const otherStages = [...progress.states.entries()].flatMap(([key, other]) => (key === stateKey ? [] : other.stageImageIds));
  await tidyUp(inputs, state, trace.imageId, [...trace.stageImageIds, ...otherStages]);
  progress.states.set(stateKey, { previousImage: trace.imageId, previousLayers: layerSet(sizes), previousContext: build.sentContext, stageImageIds: trace.stageImageIds });
}

/** A build that counts: its health, its sample, what the stopping rule learns from it, its kept tag. */
async function recordSample(inputs: SuiteInputs, progress: SuiteProgress, build: BuildUnderWay, built: { trace: BuildTrace; sizes: LayerSizes; phase: Phase }): Promise<void> {
  const { engine, runId, signal } = inputs;
  const { rule } = inputs.schedule;
  const { planned, variant, label, state, applied } = build;
  const { trace, sizes, phase } = built;
  const health = inputs.scenario.health === null ? null : await checkHealth(inputs, inputs.scenario.health, trace.imageId, label);
  if (signal.aborted) throw new InterruptedError();
  const cacheMiss = whyItMissed(build, trace);
  const sample = toSample({
    planned: { ...planned, phase },
    trace,
    sizes,
    before: state.previousLayers,
    cacheMiss,
    health,
    startedAt: build.startedAt,
    machine: inputs.machine,
    provenance: { contextSha256: build.contextSha256, edit: applied === undefined ? null : { sha256: applied.sha256, paths: applied.paths } },
  });
  inputs.onSample(sample);
  const group: RepGroup = { variant: planned.variant, builder: planned.builder, edit: sample.edit };
  if (sample.phase === 'warm' && !sample.flags.includes('no-step-missed')) progress.times.set(repGroupKey(group), [...timesOf(progress, group), sample.wallMs]);
  const target = rule.targetCi === null || sample.phase !== 'warm' ? undefined : { halfWidth: halfWidth(timesOf(progress, group)), target: rule.targetCi };
  inputs.onEvent({ type: 'sample', sample, editSummary: applied?.summary, build: label, ...(target === undefined ? {} : { target }) });
  if (inputs.keepImages) await engine.images.tag(trace.imageId, keptImageTag(variant.spec.name, runId, `${sample.edit}-${sample.phase}${sample.rep}`));
}

/** Where the build first missed the cache and why: the context against the previous build's, the edit. */
function whyItMissed(build: BuildUnderWay, trace: BuildTrace): CacheMiss | null {
  const { planned, variant, state, applied, sentContext } = build;
  return explainCacheMiss({
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
    await inputs.engine.images.removeUntagged([state.previousImage], { prune: true });
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
