/**
 * One run of a scenario, as the CLI and library callers start it: prepare (every check, no
 * side effect), then, in a run session (run-session.ts: the lock, scratch, result.json, the
 * reports, everything released in reverse order), resolve the bases, serve the package
 * index, prepare the variants and measure them.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolveBases } from '../bases/resolve-bases.js';
import type { DockerEngine, EngineFacts } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { displayPath } from '../display-path.js';
import { skippedVariants } from '../measure/plan.js';
import { RepetitionLog } from '../measure/repetitions.js';
import { runSuite } from '../measure/run-suite.js';
import type { SuiteEvent } from '../measure/suite-events.js';
import { preparePackageIndex, type PackageIndex } from '../package-index/package-index.js';
import type { ReportOptions } from '../report/write-reports.js';
import { assembleResult } from '../result/assemble-result.js';
import type { BaseRecord, BuildSample, RunNote, ScenarioRecord, SuiteResult } from '../result/types.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { scratchParent } from '../scratch-parent.js';
import { buildkitNotes } from './buildkit-notes.js';
import { chooseBuild, type BuildChoice } from './choose-build.js';
import { driverNotes } from './driver-notes.js';
import { prepareVariants, type PreparedVariantRecord } from './prepare-variants.js';
import { isPreparedRun, prepareRun, type PreparedRun, type RunOptions } from './prepare-run.js';
import { refuseRemoteDaemon } from './refuse-remote-daemon.js';
import { machineOf } from './run-resources.js';
import { endingError, measureInSession, sessionSpec, type RunOutcome, type RunSession, type SessionEvent } from './run-session.js';

export type RunEvent =
  | SuiteEvent
  | SessionEvent
  | { type: 'run-started'; runId: string; scenario: string; variants: number; edits: number; reps: number; warmup: number; builders: string[]; outDir: string };

export interface RunScenarioOptions extends RunOptions {
  /** @default a DockerodeEngine for DOCKER_HOST (or the local socket) */
  engine?: DockerEngine | undefined;
  /** aborts the run: the build under way is cancelled, what was measured is kept */
  signal?: AbortSignal | undefined;
  onSample?: ((sample: BuildSample) => void) | undefined;
  onProgress?: ((event: RunEvent) => void) | undefined;
  /** also write report.md, report.html, the CSVs and these exports, after the run @default result.json and samples.jsonl only */
  reports?: ReportOptions | undefined;
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
  try {
    return (await runScenarioSession(scenario, options)).result;
  } catch (err) {
    throw endingError(err);
  }
}

/**
 * runScenario, for callers that go on with the run's output (the CLI): resolves with the
 * result, where it was written and the reports; rejects with RunEndedEarly, which carries the
 * error that ended the run, the partial result and where it went.
 */
export async function runScenarioSession(scenario: Scenario | PreparedRun | string, options: RunScenarioOptions = {}): Promise<RunOutcome> {
  const prepared = isPreparedRun(scenario) ? scenario : await prepareRun(scenario, options);
  const engine = options.engine ?? new DockerodeEngine();
  const emit = options.onProgress ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  const wallClock = options.wallClock ?? (() => new Date());
  refuseRemoteDaemon(engine);
  await engine.system.ping();
  const facts = await engine.system.facts();
  const choice = chooseBuild(prepared.scenario.builders, facts, prepared.driver === 'api' ? undefined : await engine.system.dockerCli(), prepared.driver);
  const run: RunInputs = { prepared, engine, facts, choice, spec: { ...prepared.scenario, builders: choice.builders }, emit, signal, wallClock, options };
  const state: RunState = { bases: [], packageIndex: { mode: 'none', urls: [] }, variants: [], notes: [], repetitionLog: new RepetitionLog() };
  const startedAt = wallClock();
  const conditions = { loadAverageAtStart: loadAverage(), cpus: facts.cpus };
  const session = sessionSpec(prepared.env, {
    engine,
    runId: prepared.runId,
    startedAt,
    facts,
    indexPort: prepared.index.mode === 'local' ? prepared.indexPort : null,
    exclusive: !prepared.concurrent,
    keepImages: prepared.keepImages,
    signal,
    emit,
  });
  const output = {
    outDir: prepared.outDir,
    noun: 'sample',
    reports: options.reports,
    assemble: (complete: boolean, samples: readonly BuildSample[]): SuiteResult => assembleRun(run, state, { startedAt, finishedAt: wallClock(), complete, samples, conditions }),
  };
  return measureInSession(session, output, (held) => measureRun(run, state, held));
}

interface RunInputs {
  prepared: PreparedRun;
  engine: DockerEngine;
  facts: EngineFacts;
  choice: BuildChoice;
  /** the scenario, with the builders the run uses */
  spec: Scenario;
  emit: (event: RunEvent) => void;
  signal: AbortSignal;
  wallClock: () => Date;
  options: RunScenarioOptions;
}

/** The run inside its session: what it says first, its environment, its variants, the suite. */
async function measureRun(run: RunInputs, state: RunState, session: RunSession<BuildSample>): Promise<void> {
  const { prepared, engine, spec, emit, signal } = run;
  announce(run);
  state.notes = spec.builders.includes('buildkit') ? buildkitNotes(await engine.system.buildCacheUsage()) : [];
  state.bases = await resolveBases(engine, spec.variants.flatMap((v) => Object.values(v.bases)), (text) => emit({ type: 'note', text }), signal, scratchParent(prepared.env));
  for (const base of state.bases) emit({ type: 'note', text: `base ${base.name}: ${base.image} (${base.source})` });
  const index = await preparePackageIndex(prepared.indexPort, prepared.index, bitsPerSecond(spec.indexBandwidth));
  session.defer('the package index server', () => index.close());
  state.packageIndex = { mode: index.mode, urls: index.urls, bandwidth: index.bitsPerSecond === null ? null : spec.indexBandwidth };
  emit({ type: 'note', text: describeIndex(index, spec.indexBandwidth) });
  state.variants = await prepareVariants(engine, spec, session.scratch, state.bases, index, (text) => emit({ type: 'note', text }), signal);
  session.openOutput();
  await runSuite({
    engine,
    scenario: spec,
    runId: prepared.runId,
    machine: run.facts.id,
    variants: new Map(state.variants.map((v) => [v.spec.name, v])),
    driverFor: run.choice.driverFor,
    leftovers: session.leftovers,
    keepImages: prepared.keepImages,
    schedule: { order: prepared.order, seed: prepared.seed, rule: prepared.repetitions, log: state.repetitionLog },
    onSample: (sample) => {
      session.record(sample);
      run.options.onSample?.(sample);
    },
    onEvent: emit,
    onBuildFailed: (failure) => {
      state.notes.push({ code: 'build-failed', message: failure.message });
      emit({ type: 'note', text: `${failure.message} — the other variants go on; the run will end with this failure` });
    },
    now: run.options.now ?? (() => performance.now()),
    wallClock: run.wallClock,
    signal,
  });
}

function announce({ prepared, spec, choice, emit }: RunInputs): void {
  emit({
    type: 'run-started',
    runId: prepared.runId,
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
}

function assembleRun(
  { prepared, facts, choice, spec }: RunInputs,
  state: RunState,
  at: { startedAt: Date; finishedAt: Date; complete: boolean; samples: readonly BuildSample[]; conditions: { loadAverageAtStart: number | null; cpus: number } },
): SuiteResult {
  return assembleResult({
    runId: prepared.runId,
    startedAt: at.startedAt,
    finishedAt: at.finishedAt,
    complete: at.complete,
    machine: { ...machineOf(facts), dockerCli: choice.dockerCli },
    scenario: { ...scenarioRecord(spec, state.variants), ...(prepared.repetitions.targetCi === null ? {} : { reps: prepared.repetitions.maxReps }), order: { kind: prepared.order, seed: prepared.seed } },
    repetitions: { ...prepared.repetitions, groups: state.repetitionLog.all() },
    packageIndex: state.packageIndex,
    bases: state.bases,
    samples: at.samples,
    conditions: at.conditions,
    notes: [...driverNotes(choice, at.samples), ...state.notes],
  });
}

interface RunState {
  repetitionLog: RepetitionLog;
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
