/**
 * One run of a scenario, as the CLI and library callers start it: prepare (every check, no
 * side effect), then take the resources the run needs — each registered on one disposer
 * stack the moment it exists — build and measure, and release everything in reverse order,
 * whether the run completed, failed or was interrupted.
 *
 * result.json is rewritten after every sample and once more before the resources are
 * released: an interrupt at any moment (even a second one, during cleanup) leaves a readable
 * partial result. The error that ended a run is the one thrown; a failure while cleaning up
 * is reported beside it, never in its place.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolveBases } from '../bases/resolve-bases.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { findRunObjects, removeRunObjects } from '../engine/run-objects.js';
import { displayPath } from '../display-path.js';
import { skippedVariants } from '../measure/plan.js';
import { RepetitionLog } from '../measure/repetitions.js';
import { runSuite } from '../measure/run-suite.js';
import type { SuiteEvent } from '../measure/suite-events.js';
import { preparePackageIndex, type PackageIndex } from '../package-index/package-index.js';
import { assembleResult } from '../result/assemble-result.js';
import { ResultWriter } from '../result/result-writer.js';
import type { BaseRecord, BuildSample, RunNote, ScenarioRecord, SuiteResult } from '../result/types.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { buildkitNotes } from './buildkit-notes.js';
import { chooseBuild } from './choose-build.js';
import { driverNotes } from './driver-notes.js';
import { DisposerStack } from './disposer-stack.js';
import { prepareVariants, type PreparedVariantRecord } from './prepare-variants.js';
import { isPreparedRun, prepareRun, type PreparedRun, type RunOptions } from './prepare-run.js';
import { refuseRemoteDaemon } from './refuse-remote-daemon.js';
import { RunRegistry } from './run-registry.js';
import { holdRun, machineOf } from './run-resources.js';

export type RunEvent =
  | SuiteEvent
  | { type: 'run-started'; runId: string; scenario: string; variants: number; edits: number; reps: number; warmup: number; builders: string[]; outDir: string }
  | { type: 'note'; text: string }
  | { type: 'result-written'; file: string; complete: boolean; samples: number }
  | { type: 'cleanup-failed'; what: string; error: unknown };

export interface RunScenarioOptions extends RunOptions {
  /** @default a DockerodeEngine for DOCKER_HOST (or the local socket) */
  engine?: DockerEngine | undefined;
  /** aborts the run: the build under way is cancelled, what was measured is kept */
  signal?: AbortSignal | undefined;
  onSample?: ((sample: BuildSample) => void) | undefined;
  onProgress?: ((event: RunEvent) => void) | undefined;
  /** a monotonic clock in ms @default performance.now */
  now?: (() => number) | undefined;
  wallClock?: (() => Date) | undefined;
}

/**
 * Runs a scenario (a loaded one, a file, or a prepared run) and resolves with its result,
 * also written to `<outDir>/result.json`. Rejects with the error that ended the run (typed,
 * see errors.ts) after writing the partial result and releasing everything.
 */
export async function runScenario(scenario: Scenario | PreparedRun | string, options: RunScenarioOptions = {}): Promise<SuiteResult> {
  const prepared = isPreparedRun(scenario) ? scenario : await prepareRun(scenario, options);
  const engine = options.engine ?? new DockerodeEngine();
  const emit = options.onProgress ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  const wallClock = options.wallClock ?? (() => new Date());
  const registry = options.registry ?? new RunRegistry();
  const { runId } = prepared;

  refuseRemoteDaemon(engine);
  await engine.ping();
  const facts = await engine.facts();
  const choice = chooseBuild(prepared.scenario.builders, facts, prepared.driver === 'api' ? undefined : await engine.dockerCli(), prepared.driver);
  const spec: Scenario = { ...prepared.scenario, builders: choice.builders };
  const startedAt = wallClock();
  const conditions = { loadAverageAtStart: loadAverage(), cpus: facts.cpus };
  const stack = new DisposerStack();
  const samples: BuildSample[] = [];
  const state: RunState = { bases: [], packageIndex: { mode: 'none', urls: [] }, variants: [], notes: [] };
  const repetitionLog = new RepetitionLog();
  let writer: ResultWriter | undefined;
  let complete = false;
  let failure: unknown;
  const assemble = (): SuiteResult =>
    assembleResult({
      runId,
      startedAt,
      finishedAt: wallClock(),
      complete,
      machine: { ...machineOf(facts), dockerCli: choice.dockerCli },
      scenario: { ...scenarioRecord(spec, state.variants), ...(prepared.repetitions.targetCi === null ? {} : { reps: prepared.repetitions.maxReps }), order: { kind: prepared.order, seed: prepared.seed } },
      repetitions: { ...prepared.repetitions, groups: repetitionLog.all() },
      packageIndex: state.packageIndex,
      bases: state.bases,
      samples,
      conditions,
      notes: [...driverNotes(choice, samples), ...state.notes],
    });

  try {
    const { scratch, leftovers } = holdRun(stack, registry, engine, {
      runId,
      startedAt,
      facts,
      indexPort: prepared.index.mode === 'local' ? prepared.indexPort : null,
      exclusive: !prepared.concurrent,
    });
    stack.defer('the containers and images of the run', async () => {
      for (const objects of (await findRunObjects(engine, runId)).values()) await removeRunObjects(engine, objects, { keepImages: prepared.keepImages });
    });

    emit({
      type: 'run-started',
      runId,
      scenario: spec.name,
      variants: spec.variants.length,
      edits: spec.edits.length,
      reps: spec.reps,
      warmup: spec.warmup,
      builders: spec.builders,
      outDir: prepared.outDir,
    });
    for (const text of [...choice.notes, ...prepared.notes]) emit({ type: 'note', text });
    for (const { variant, builder, builders } of skippedVariants(spec)) emit({ type: 'note', text: `${variant}: not built under ${builder} (the scenario builds it with ${builders.join(', ')} only)` });
    state.notes = spec.builders.includes('buildkit') ? buildkitNotes(await engine.buildCacheUsage()) : [];
    state.bases = await resolveBases(engine, spec.variants.flatMap((v) => Object.values(v.bases)), (text) => emit({ type: 'note', text }), signal);
    for (const base of state.bases) emit({ type: 'note', text: `base ${base.name}: ${base.image} (${base.source})` });
    const index = await preparePackageIndex(prepared.indexPort, prepared.index, bitsPerSecond(spec.indexBandwidth));
    stack.defer('the package index server', () => index.close());
    state.packageIndex = { mode: index.mode, urls: index.urls, bandwidth: index.bitsPerSecond === null ? null : spec.indexBandwidth };
    emit({ type: 'note', text: describeIndex(index, spec.indexBandwidth) });

    const variants = await prepareVariants(engine, spec, scratch, state.bases, index, (text) => emit({ type: 'note', text }), signal);
    state.variants = variants;
    // Opened once every input is known good (a base that cannot be had leaves no output directory).
    writer = ResultWriter.open(prepared.outDir);
    writer.writeResult(assemble());
    await runSuite({
      engine,
      scenario: spec,
      runId,
      machine: facts.id,
      variants: new Map(variants.map((v) => [v.spec.name, v])),
      driverFor: choice.driverFor,
      leftovers,
      keepImages: prepared.keepImages,
      schedule: { order: prepared.order, seed: prepared.seed, rule: prepared.repetitions, log: repetitionLog },
      onSample: (sample) => {
        samples.push(sample);
        writer?.addSample(sample);
        writer?.writeResult(assemble());
        options.onSample?.(sample);
      },
      onEvent: emit,
      onBuildFailed: (failure) => {
        state.notes.push({ code: 'build-failed', message: failure.message });
        emit({ type: 'note', text: `${failure.message} — the other variants go on; the run will end with this failure` });
      },
      now: options.now ?? (() => performance.now()),
      wallClock,
      signal,
    });
    complete = true;
  } catch (err) {
    failure = err;
  }

  const result = assemble();
  try {
    if (writer !== undefined) {
      const file = writer.writeResult(result);
      emit({ type: 'result-written', file, complete, samples: samples.length });
    }
  } catch (err) {
    failure ??= err;
  }
  for (const { name, error } of await stack.disposeAll()) emit({ type: 'cleanup-failed', what: name, error });
  if (failure !== undefined) throw failure;
  return result;
}

interface RunState {
  notes: RunNote[];
  bases: BaseRecord[];
  packageIndex: SuiteResult['packageIndex'];
  variants: PreparedVariantRecord[];
}


function scenarioRecord(scenario: Scenario, variants: readonly PreparedVariantRecord[]): ScenarioRecord {
  return {
    name: scenario.name,
    file: scenario.file === null ? null : displayPath(scenario.file),
    sha256: scenario.sha256,
    context: displayPath(scenario.context),
    builder: scenario.builders[0] ?? 'classic',
    builders: scenario.builders,
    reps: scenario.reps,
    warmup: scenario.warmup,
    cold: scenario.cold,
    baseline: scenario.baseline,
    variants: scenario.variants.map(
      (spec) =>
        variants.find((v) => v.spec.name === spec.name)?.record ?? {
          name: spec.name,
          dockerfile: displayPath(spec.dockerfile),
          dockerfileSha256: null,
          ignoreFile: null,
          contextSha256: null,
          contextFiles: null,
        },
    ),
    edits: scenario.edits.map((e) => ({ name: e.name, kind: e.kind, file: e.file })),
    ...(scenario.headlines.length > 0 ? { headlines: scenario.headlines } : {}),
  };
}


/** The 1-minute load average; null where the system has none (Windows reports zeros). */
function loadAverage(): number | null {
  const [oneMinute] = loadavg();
  return oneMinute === undefined || (oneMinute === 0 && process.platform === 'win32') ? null : oneMinute;
}

function describeIndex(index: PackageIndex, bandwidth: string): string {
  if (index.mode === 'local') {
    const rate = index.bitsPerSecond === null ? '' : `, downloads held to ${bandwidth}`;
    return `package index: PyPI unreachable; serving the local index at ${index.urls.join(' ')}${rate}`;
  }
  const ignored = bandwidth === 'unlimited' ? '' : ` (the index bandwidth ${bandwidth} applies to the local index only)`;
  return `package index: ${index.mode === 'pypi' ? 'PyPI' : 'none (pip steps that need packages will fail)'}${ignored}`;
}
