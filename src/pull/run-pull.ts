/**
 * Seed 001's pull experiment, as `layerbench pull` runs it: build the shared tiers, the two
 * apps on them and the two apps monolithically; push them all to a local registry; then, for
 * every repetition, pull onto fresh hosts over a shaped link —
 *   App2 onto a host that holds App1 (with base), App2 onto an empty host (without base),
 *   the base tiers alone onto an empty host, monolithic App2 onto a host that holds
 *   monolithic App1 —
 * timing each pull, each layer, the bytes that crossed the link, and until the app answers.
 *
 * It runs in a run session (run-session.ts), as a run does: the run record, scratch, the
 * package index, the network, the registry, each fresh host and its volume, the images are
 * each released in reverse order, and result.json is written as the pulls arrive.
 */
import { performance } from 'node:perf_hooks';
import { resolveBases } from '../bases/resolve-bases.js';
import { displayPath } from '../display-path.js';
import type { DockerEngine, EngineFacts } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { runLabels } from '../engine/labels.js';
import { randomSeed, seededShuffle } from '../measure/seeded-shuffle.js';
import { preparePackageIndex } from '../package-index/package-index.js';
import type { ReportOptions } from '../report/write-reports.js';
import { assembleResult } from '../result/assemble-result.js';
import type { BaseRecord, PullSample, PullSetup, ScenarioRecord, SuiteResult } from '../result/types.js';
import { refuseRemoteDaemon } from '../run/refuse-remote-daemon.js';
import { machineOf } from '../run/run-resources.js';
import { endingError, measureInSession, sessionSpec, type HeldRun, type RunOutcome, type RunSession, type SessionEvent } from '../run/run-session.js';
import { formatBytes } from '../format.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';
import type { PullOverrides, PullScenario } from '../scenario/pull-scenario.js';
import { scratchParent } from '../scratch-parent.js';
import { buildTiers, tierTag } from './build-tiers.js';
import type { FreshHostMode } from './fresh-host.js';
import { ensureHelperImages } from './helper-images.js';
import { LinkShaper } from './link-shaper.js';
import { shapedLinks } from './shaped-link.js';
import { calibrateLink, calibrationLine, publishCalibrationBlob } from './calibrate-link.js';
import { measureCase, type CaseInputs, type PlannedPull } from './measure-case.js';
import { preparePull, type PreparedPull } from './prepare-pull.js';
import { publishTiers, type PublishedTiers } from './publish-tiers.js';

export type PullEvent = SessionEvent | { type: 'status'; text: string } | { type: 'pull-sample'; sample: PullSample };

export interface PullOptions {
  overrides?: PullOverrides;
  outDir?: string | undefined;
  indexPort?: number | undefined;
  engine?: DockerEngine | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: PullEvent) => void) | undefined;
  /** seeds the order of the cases in each repetition (recorded; the same seed repeats it) @default a random one */
  seed?: number | undefined;
  /** also write the reports after the experiment @default result.json and samples.jsonl only */
  reports?: ReportOptions | undefined;
  /** the environment read for LAYERBENCH_SCRATCH and LAYERBENCH_STATE_DIR @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * The four pulls. Each repetition makes them in an order shuffled by the run's seed: a link or
 * a disk that drifts over the run then lands on every case alike, not on whichever comes last.
 */
export const PULL_CASES: readonly PlannedPull[] = [
  { case: 'with-base', image: 'app2', setup: 'app1' },
  { case: 'without-base', image: 'app2', setup: undefined },
  { case: 'base-alone', image: 'f3', setup: undefined },
  { case: 'monolithic-with-app1', image: 'app2-monolithic', setup: 'app1-monolithic' },
];

/** Runs the experiment and resolves with its result; rejects with the error that ended it, after writing the partial result. */
export async function runPullExperiment(file: string, options: PullOptions = {}): Promise<SuiteResult> {
  try {
    return (await runPullSession(file, options)).result;
  } catch (err) {
    throw endingError(err);
  }
}

interface PullRun {
  prepared: PreparedPull;
  engine: DockerEngine;
  facts: EngineFacts;
  seed: number;
  labels: Record<string, string>;
  emit: (event: PullEvent) => void;
  signal: AbortSignal;
}

/** What the result records besides the pulls, as the experiment learns it. */
interface PullState {
  bases: BaseRecord[];
  packageIndex: SuiteResult['packageIndex'];
  setup: PullSetup | undefined;
}

/** runPullExperiment, resolving with where the result went; rejects with RunEndedEarly. */
export async function runPullSession(file: string, options: PullOptions = {}): Promise<RunOutcome> {
  const prepared = await preparePull(file, options);
  const engine = options.engine ?? new DockerodeEngine();
  const signal = options.signal ?? new AbortController().signal;
  const emit = options.onProgress ?? (() => {});
  refuseRemoteDaemon(engine);
  await engine.system.ping();
  const facts = await engine.system.facts();
  const run: PullRun = { prepared, engine, facts, seed: options.seed ?? randomSeed(), labels: runLabels(prepared.runId), emit, signal };
  const state: PullState = { bases: [], packageIndex: { mode: 'none', urls: [] }, setup: undefined };
  const startedAt = new Date();
  const session = sessionSpec(prepared.env, { engine, runId: prepared.runId, startedAt, facts, indexPort: prepared.indexPort, exclusive: true, keepImages: false, signal, emit });
  const output = { outDir: prepared.outDir, noun: 'pull', reports: options.reports, assemble: (complete: boolean, samples: readonly PullSample[]) => assemblePull(run, state, { startedAt, complete, samples }) };
  return measureInSession(session, output, (held) => pullInSession(run, state, held));
}

/** The phases: environment, tiers, registry, link; then each repetition's shuffled cases. */
async function pullInSession(run: PullRun, state: PullState, session: RunSession<PullSample>): Promise<void> {
  const { prepared, engine, emit, signal } = run;
  const { scenario } = prepared;
  const note = (text: string): void => emit({ type: 'note', text });
  const status = (text: string): void => emit({ type: 'status', text });
  session.openOutput();
  note(`layerbench pull · run ${prepared.runId} · scale ${scenario.scale.name} · ${scenario.reps} reps · link ${scenario.bandwidths.join(', ')}`);
  state.bases = await resolveBases(engine, [scenario.bases.os, scenario.bases.helpers], note, signal, scratchParent(prepared.env));
  const baseImage = (name: string): string => state.bases.find((b) => b.name === name)?.image ?? name;
  const helpers = await ensureHelperImages(engine, baseImage(scenario.bases.helpers), session.scratch, note);
  const index = await preparePackageIndex(prepared.indexPort, prepared.index);
  session.defer('the package index server', () => index.close());
  state.packageIndex = { mode: index.mode, urls: index.urls, bandwidth: null };
  const osImage = baseImage(scenario.bases.os);
  await buildTiers({ engine, scenario, osImage, indexArgs: index.buildArgs, say: emit }, session);
  const published = await publishTiers({ engine, registryImage: helpers.registry, osImage, labels: run.labels, status }, session);
  const [first = 'unlimited'] = scenario.bandwidths;
  const shaper = await LinkShaper.forContainer(engine, published.registry.id, { bandwidth: first, latency: scenario.latency });
  note(`link: ${scenario.bandwidths.join(', ')}${scenario.bandwidths.some((rate) => bitsPerSecond(rate) !== null) ? (scenario.shape === 'client' ? ' (tc on each fresh host\'s ingress, through ifb)' : ' (tc on the registry)') : ''}, latency ${shaper.latencyRecord}`);
  const setup = await describeSetup(engine, scenario, published, shaper, session.runId);
  state.setup = setup;
  session.writeProgress();
  const inputs = { engine, runId: session.runId, machine: run.facts.id, freshHostImage: helpers.freshHost, published, linkAt: shapedLinks(engine, shaper, scenario.shape), labels: run.labels, now: () => performance.now(), signal, status };
  const mode = await calibrateLinks(run, setup, session, inputs);
  session.writeProgress();
  await measureSweep(run, setup, session, { inputs, mode });
}

/** Before the first measured pull at each shaped rate, the rate a blob of known size arrives at (none for an unlimited link). */
async function calibrateLinks(run: PullRun, setup: PullSetup, session: HeldRun, inputs: CaseInputs): Promise<'auto' | FreshHostMode> {
  let mode: 'auto' | FreshHostMode = run.prepared.scenario.freshHost;
  const shaped = run.prepared.scenario.bandwidths.filter((rate) => bitsPerSecond(rate) !== null);
  if (shaped.length === 0) return mode;
  inputs.status('pushing the calibration blob to the registry');
  const blob = await publishCalibrationBlob(inputs.engine, inputs.published, session);
  setup.calibrations = [];
  for (const [i, rate] of shaped.entries()) {
    inputs.status(`calibrating the link at ${rate}: ${formatBytes(blob.compressedBytes)} through a fresh host`);
    const calibrated = await calibrateLink({ ...inputs, blob }, rate, { host: i + 1, mode });
    mode = calibrated.mode;
    setup.freshHostMode = calibrated.mode;
    setup.calibrations.push(calibrated.calibration);
    run.emit({ type: 'note', text: calibrationLine(calibrated.calibration) });
  }
  return mode;
}

/**
 * Every repetition pulls each case at each link rate, in an order shuffled by the run's seed:
 * a link or a disk that drifts over the run lands on every case and rate alike.
 */
async function measureSweep(run: PullRun, setup: PullSetup, session: RunSession<PullSample>, from: { inputs: CaseInputs; mode: 'auto' | FreshHostMode }): Promise<void> {
  const { scenario } = run.prepared;
  const { inputs } = from;
  const points = scenario.bandwidths.flatMap((bandwidth) => PULL_CASES.map((planned) => ({ ...planned, bandwidth })));
  let mode = from.mode;
  let host = 0;
  const shuffle = seededShuffle(run.seed);
  for (let rep = 1; rep <= scenario.reps; rep += 1) {
    for (const planned of shuffle(points)) {
      host += 1;
      const measured = await measureCase(inputs, planned, { rep, of: scenario.reps, host, mode });
      mode = measured.mode;
      setup.freshHostMode = measured.mode;
      session.record(measured.sample);
      run.emit({ type: 'pull-sample', sample: measured.sample });
    }
  }
}

/** The experiment's setup as the result records it: the scale, the link, every image's layers and tiers. */
async function describeSetup(engine: DockerEngine, scenario: PullScenario, published: PublishedTiers, shaper: LinkShaper, runId: string): Promise<PullSetup> {
  return {
    scale: scenario.scale.name,
    link: { bandwidth: shaper.shape.bandwidth, bitsPerSecond: bitsPerSecond(shaper.shape.bandwidth), latency: shaper.latencyRecord, ...(scenario.shape === 'client' ? { shapedAt: 'client' as const } : {}) },
    ...(scenario.bandwidths.length > 1 ? { bandwidths: scenario.bandwidths } : {}),
    freshHostMode: scenario.freshHost === 'auto' ? 'capabilities' : scenario.freshHost,
    images: await Promise.all(
      [...published.manifests].map(async ([name, layers]) => ({
        name,
        uncompressedBytes: (await engine.images.inspect(tierTag(name, runId)))?.sizeBytes ?? 0,
        layers: layers.map((l) => ({ digest: l.digest, compressedBytes: l.size, tier: published.tiers.get(l.digest) ?? 'own' })),
      })),
    ),
  };
}

function assemblePull({ prepared, facts, seed }: PullRun, state: PullState, at: { startedAt: Date; complete: boolean; samples: readonly PullSample[] }): SuiteResult {
  return {
    ...assembleResult({
      runId: prepared.runId,
      startedAt: at.startedAt,
      finishedAt: new Date(),
      complete: at.complete,
      machine: machineOf(facts),
      scenario: { ...scenarioRecord(prepared.scenario), order: { kind: 'rounds', seed } },
      packageIndex: state.packageIndex,
      bases: state.bases,
      samples: at.samples,
      conditions: { loadAverageAtStart: null, cpus: facts.cpus },
    }),
    ...(state.setup === undefined ? {} : { pull: state.setup }),
  };
}

function scenarioRecord(scenario: PullScenario): ScenarioRecord {
  return {
    name: scenario.name,
    file: displayPath(scenario.file),
    sha256: scenario.sha256,
    builder: 'classic',
    reps: scenario.reps,
    warmup: 0,
    cold: false,
    baseline: 'with-base',
    variants: [],
    edits: [],
  };
}
