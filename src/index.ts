/**
 * layerbench as a library: the API the command line itself is built on — a run, the pull
 * experiment, the reports, compare and merge — and every type they name.
 *
 *     import { loadScenario, runScenario, readResult } from 'layerbench';
 *     const result = await runScenario(loadScenario('scenarios/default.yaml', { reps: 3 }), {
 *       outDir: '/tmp/lb',
 *       onSample: (s) => console.log(s.variant, s.edit, s.wallMs),
 *     });
 */
export { loadScenario, parseScenario } from './scenario/load-scenario.js';
export type { ScenarioOverrides } from './scenario/scenario-overrides.js';
export type { EditSpec, HeadlineSpec, HealthSpec, Scenario, VariantSpec } from './scenario/scenario-types.js';
export { prepareRun, type PreparedRun, type RunOptions } from './run/prepare-run.js';
export { runScenario, runScenarioSession, type RunEvent, type RunScenarioOptions } from './run/run-scenario.js';
export { RunEndedEarly, type RunOutcome, type SessionEvent } from './run/run-session.js';
export { PULL_CASES, runPullExperiment, runPullSession, type PullEvent, type PullOptions } from './pull/run-pull.js';
export type { PlannedPull } from './pull/measure-case.js';
export type { TierName } from './pull/tier-images.js';
export type { PullOverrides } from './scenario/pull-scenario.js';
export { writeReports, type ReportOptions, type WrittenReports } from './report/write-reports.js';
export type { BuildLabel, SuiteEvent } from './measure/suite-events.js';
export type { DriverOption } from './run/choose-build.js';
export type { IndexChoice, IndexMode } from './package-index/package-index.js';
export { readResult, parseResult, resultSchema } from './result/read-result.js';
export {
  buildComparison,
  type Comparison,
  type ComparisonInput,
  type ComparisonRow,
  type ComparisonSection,
  type FirstMiss,
  type Headline,
  type TypicalCacheMiss,
} from './result/comparison.js';
export type { StepSummary } from './result/step-summary.js';
export { summarize } from './result/summarize.js';
export { statistics, median } from './result/statistics.js';
export type * from './result/types.js';
export { DockerodeEngine } from './engine/dockerode-engine.js';
// what an implementer of DockerEngine (or a stand-in for one) needs to name, area by area
export type {
  BuildArea,
  BuildCacheUsage,
  BuildContext,
  BuildRequest,
  ContainerArea,
  DockerCli,
  DockerEngine,
  EndpointKind,
  EngineFacts,
  ExecOutcome,
  HelperSpec,
  ImageArea,
  ImageInspection,
  ImageSummary,
  Labelled,
  LabelledObjects,
  NetworkArea,
  PeerDaemon,
  PullTrace,
  ServiceContainer,
  StartedHelper,
  SystemArea,
} from './engine/docker-engine.js';
export type { BuildTrace, ContextSent, ReportedImage, TraceStep } from './engine/build-trace.js';
export type { LayerSize, LayerSizes } from './engine/layer-sizes.js';
export type { PulledLayer } from './engine/pull-progress.js';
export type { DockerfileInstruction, DockerfileModel, DockerfileStage } from './dockerfile/dockerfile-model.js';
export {
  compareResults,
  type ByteChange,
  type CompareOptions,
  type FileDifference,
  type MissingGroup,
  type ResultComparison,
  type RowComparison,
  type TimeChange,
  type TimeVerdict,
} from './result/compare-results.js';
export { mergeResults, type MergeOptions, type NamedResult } from './result/merge-results.js';
export { mannWhitneyU, type MannWhitney } from './result/mann-whitney.js';
export { twoSidedScenario, sideResult, type Side } from './run/two-sides.js';
export type { RepetitionRule } from './measure/repetitions.js';
export type { PlannedPhase, RunOrder } from './measure/plan.js';
export {
  BandwidthError,
  BaseImageError,
  BuildDriverError,
  BuildFailedError,
  DaemonUnavailableError,
  DiskFullError,
  DockerfileError,
  EngineError,
  ExitCode,
  FreshHostError,
  FrontendImageError,
  HelperContainerError,
  InterruptedError,
  LayerbenchError,
  LinkShapeError,
  PackageIndexError,
  RegistryError,
  RemoteDaemonError,
  ResultFileError,
  RunInProgressError,
  RunStateError,
  ScenarioError,
  UsageError,
  WorkspaceError,
} from './errors.js';
export { VERSION } from './version.js';
