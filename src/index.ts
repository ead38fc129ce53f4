/**
 * layerbench as a library: the API the command line itself is built on.
 *
 *     import { loadScenario, runScenario, readResult } from 'layerbench';
 *     const result = await runScenario(loadScenario('scenarios/default.yaml', { reps: 3 }), {
 *       outDir: '/tmp/lb',
 *       onSample: (s) => console.log(s.variant, s.edit, s.wallMs),
 *     });
 */
export { loadScenario, parseScenario } from './scenario/load-scenario.js';
export type { ScenarioOverrides } from './scenario/scenario-overrides.js';
export type { EditSpec, HealthSpec, Scenario, VariantSpec } from './scenario/scenario-types.js';
export { prepareRun, type PreparedRun, type RunOptions } from './run/prepare-run.js';
export { runScenario, type RunEvent, type RunScenarioOptions } from './run/run-scenario.js';
export type { BuildLabel, SuiteEvent } from './measure/suite-events.js';
export { readResult, parseResult, resultSchema } from './result/read-result.js';
export { buildComparison, type Comparison, type ComparisonRow, type ComparisonSection, type Headline } from './result/comparison.js';
export { summarize } from './result/summarize.js';
export { statistics, median } from './result/statistics.js';
export type * from './result/types.js';
export { DockerodeEngine } from './engine/dockerode-engine.js';
export type { BuildRequest, DockerEngine, EngineFacts } from './engine/docker-engine.js';
export type { BuildTrace, TraceStep } from './engine/build-trace.js';
export { compareResults, type CompareOptions, type ResultComparison } from './result/compare-results.js';
export { mergeResults } from './result/merge-results.js';
export { mannWhitneyU } from './result/mann-whitney.js';
export { twoSidedScenario, sideResult } from './run/two-sides.js';
export type { RepetitionRule } from './measure/repetitions.js';
export type { RunOrder } from './measure/plan.js';
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
