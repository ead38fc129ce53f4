/** `layerbench run`: wiring only — options → prepared run → runScenario → table or JSON. */
import type { DockerEngine } from '../engine/docker-engine.js';
import { ExitCode, UsageError } from '../errors.js';
import { comparisonTable, headlineLine } from '../report/comparison-table.js';
import type { ReportOptions } from '../report/write-reports.js';
import { buildComparison, type Comparison } from '../result/comparison.js';
import type { SuiteResult } from '../result/types.js';
import type { DriverOption } from '../run/choose-build.js';
import { prepareRun, type PreparedRun, type RunOptions } from '../run/prepare-run.js';
import { runScenarioSession } from '../run/run-scenario.js';
import type { RunOutcome } from '../run/run-session.js';
import { projectScenario } from '../scenario/project-scenario.js';
import type { ScenarioOverrides } from '../scenario/scenario-overrides.js';
import type { Scenario } from '../scenario/scenario-types.js';
import type { CliIo } from './cli-io.js';
import { withInterrupt } from './interrupt.js';
import { createProgress } from './progress.js';
import { showRunEvent } from './run-progress.js';
import { stepSummaryOf } from './step-summary.js';

/** What to run: a scenario file (the bundled one unless named), or a project given by options. */
export interface RunTarget {
  scenario: string | undefined;
  context: string | undefined;
  dockerfiles: readonly string[] | undefined;
  edits: readonly string[] | undefined;
  /** the scenario run when none is named */
  bundled: string;
}

export interface RunCommandOptions extends Pick<ReportOptions, 'exportHyperfine' | 'exportGithubBenchmark'> {
  what: RunTarget;
  overrides: ScenarioOverrides;
  out: string | undefined;
  keepImages: boolean;
  indexPort: number;
  concurrent: boolean;
  driver: DriverOption;
  /** the order of the warm builds and how many there are */
  schedule: Pick<RunOptions, 'order' | 'seed' | 'targetCi' | 'minReps' | 'maxReps' | 'timeBudgetMs'>;
  json: boolean;
}

export async function runCommand(engine: () => DockerEngine, options: RunCommandOptions, io: CliIo): Promise<number> {
  // Every check before anything is made: a bad input costs nothing and leaves nothing.
  // The engine first: a malformed DOCKER_HOST is bad input too, checked before the environment.
  const docker = engine();
  refuseRepsWithTarget(options);
  const prepared = await prepareRun(scenarioOf(options.what, options.overrides), { ...runOptionsOf(options), env: io.env });
  const { result, reports } = await measure(docker, prepared, options, io);
  printOutcome(result, reports?.comparison ?? buildComparison(result), options.json, io);
  return unhealthyExit(result, io);
}

export function refuseRepsWithTarget(options: RunCommandOptions): void {
  if (options.overrides.reps !== undefined && options.schedule.targetCi !== undefined) {
    throw new UsageError('--reps fixes how many repetitions each edit gets; --target-ci lets the samples decide (bounded by --min-reps and --max-reps): give one.');
  }
}

export function runOptionsOf(options: RunCommandOptions): RunOptions {
  return {
    overrides: options.overrides,
    outDir: options.out,
    indexPort: options.indexPort,
    keepImages: options.keepImages,
    concurrent: options.concurrent,
    driver: options.driver,
    ...options.schedule,
  };
}

/**
 * Runs a prepared run with progress on stderr; the session writes the reports (also of a run
 * that ends early, whose error is thrown).
 */
export async function measure(docker: DockerEngine, prepared: PreparedRun, options: Pick<RunCommandOptions, 'exportHyperfine' | 'exportGithubBenchmark'>, io: CliIo, stepSummary = true): Promise<RunOutcome> {
  const progress = createProgress(io.stderr, Date.now(), io.env);
  const reports: ReportOptions = { exportHyperfine: options.exportHyperfine, exportGithubBenchmark: options.exportGithubBenchmark, stepSummary: stepSummary ? stepSummaryOf(io.env) : undefined };
  try {
    return await withInterrupt(
      (signal) => runScenarioSession(prepared, { engine: docker, signal, reports, onProgress: (event) => showRunEvent(event, progress) }),
      (line) => progress.note(line),
    );
  } finally {
    progress.done();
  }
}

export function unhealthyExit(result: SuiteResult, io: CliIo): number {
  const unhealthy = result.samples.filter((s) => s.kind === 'build' && s.health !== null && !s.health.ok).length;
  if (unhealthy > 0) {
    io.stderr.write(`${unhealthy} sample(s) built an image that did not pass its health check.\n`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

export function scenarioOf(what: RunTarget, overrides: ScenarioOverrides, cwd?: string): string | Scenario {
  if (what.context === undefined) {
    if (what.dockerfiles !== undefined || what.edits !== undefined) {
      throw new UsageError(`${what.dockerfiles !== undefined ? '--dockerfile' : '--edit'} describes your own project: give its build context with --context too (a scenario file lists its own).`);
    }
    return what.scenario ?? what.bundled;
  }
  if (what.scenario !== undefined) throw new UsageError('--scenario and --context are two ways to say what to run: give one (a scenario file names its own context).');
  return projectScenario({ context: what.context, dockerfiles: what.dockerfiles ?? [], edits: what.edits ?? [], cwd }, overrides);
}


export function printOutcome(result: SuiteResult, comparison: Comparison, json: boolean, io: CliIo): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  io.stdout.write(`\n${comparisonTable(comparison)}\n\n`);
  const builders = new Set(comparison.headlines.map((h) => h.builder));
  for (const warning of result.warnings) io.stdout.write(`warning: ${warning.message}\n`);
  if (result.warnings.length > 0) io.stdout.write('\n');
  if ((result.notes ?? []).length > 0) io.stdout.write(`how it was measured (${(result.notes ?? []).map((n) => n.code).join(', ')}): see report.md\n\n`);
  for (const headline of comparison.headlines) io.stdout.write(`${headlineLine(headline, builders.size > 1)}\n`);
}
