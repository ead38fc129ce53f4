/**
 * `layerbench run --against REF`: the base (REF: a commit of this repository, or a directory)
 * and the new tree (the working tree) as the two sides of one run. Both sides' variants are
 * built in the same rounds on this machine, so every time verdict compares builds made
 * moments apart; then each side's result is written as a run of it alone would have written
 * it, and `compare` judges them: exit 1 on a regression, a failed build or an unhealthy
 * image in the new side, 0 otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../display-path.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { BuildFailedError, ExitCode } from '../errors.js';
import { compareMarkdown } from '../report/compare-markdown.js';
import { writeReports } from '../report/write-reports.js';
import { compareResults, type CompareOptions } from '../result/compare-results.js';
import { buildComparison, type Comparison } from '../result/comparison.js';
import { ResultWriter } from '../result/result-writer.js';
import type { SuiteResult } from '../result/types.js';
import { prepareRun } from '../run/prepare-run.js';
import { RunEndedEarly } from '../run/run-session.js';
import { newRunId } from '../run/run-id.js';
import { SIDES, sideResult, twoSidedScenario } from '../run/two-sides.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { scratchParent } from '../scratch-parent.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { newSideRoot, rebase, sideTree } from '../workspace/git-tree.js';
import { pickDefaultEdits } from '../workspace/default-edits.js';
import type { CliIo } from './cli-io.js';
import { measure, printOutcome, refuseRepsWithTarget, runOptionsOf, scenarioOf, unhealthyExit, type RunCommandOptions, type RunTarget } from './run.js';
import { appendStepSummary } from './step-summary.js';

export interface RunAgainstOptions extends RunCommandOptions {
  /** a git ref of the repository the run starts in, or a directory */
  against: string;
  gate: CompareOptions;
}

export async function runAgainstCommand(engine: () => DockerEngine, options: RunAgainstOptions, io: CliIo): Promise<number> {
  const docker = engine();
  refuseRepsWithTarget(options);
  const runId = newRunId();
  const root = newSideRoot();
  const tree = await sideTree(options.against, root, runId, scratchParent(io.env));
  try {
    const next = withEdits(loaded(scenarioOf(options.what, options.overrides), options));
    const base = loaded(scenarioOf(rebasedTarget(options.what, root, tree.root), options.overrides, rebase(process.cwd(), root, tree.root)), options);
    const prepared = await prepareRun(twoSidedScenario(base, next), { ...runOptionsOf(options), runId, env: io.env });
    io.stderr.write(`two sides in one run: base ${tree.label}, new ${displayPath(root)} (the working tree); each variant's builds of both sides share every round\n`);
    let result: SuiteResult;
    let shown: Comparison | undefined;
    let failure: BuildFailedError | undefined;
    try {
      const outcome = await measure(docker, prepared, options, io, false);
      result = outcome.result;
      shown = outcome.reports?.comparison;
    } catch (err) {
      // a broken Dockerfile on one side is a finding about that side: the rest was measured, and is compared
      if (!(err instanceof RunEndedEarly && err.cause instanceof BuildFailedError && err.result !== undefined)) throw err;
      failure = err.cause;
      result = err.result;
    }
    if (!options.json) printOutcome(result, shown ?? buildComparison(result), false, io);
    const sides = Object.fromEntries(SIDES.map((side) => [side, writeSide(prepared.outDir, side, sideResult(result, side))])) as Record<(typeof SIDES)[number], SuiteResult>;
    const comparison = compareResults(sides.base, sides.new, options.gate);
    const markdown = compareMarkdown(comparison, `base (${tree.label})`, 'new (the working tree)');
    writeFileSync(join(prepared.outDir, 'compare.md'), markdown);
    // --json: the comparison, as `compare --json` prints it (each side's result is in its directory)
    io.stdout.write(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : `\n${markdown}`);
    appendStepSummary(io.env, markdown);
    io.stderr.write(`base and new: ${displayPath(join(prepared.outDir, 'base'))}, ${displayPath(join(prepared.outDir, 'new'))}; the comparison: ${displayPath(join(prepared.outDir, 'compare.md'))}\n`);
    if (failure !== undefined) {
      io.stderr.write(`layerbench: ${failure.message}\n`);
      return ExitCode.failure;
    }
    if (comparison.regressionCount > 0) return ExitCode.failure;
    return unhealthyExit(sides.new, io);
  } finally {
    tree.dispose();
  }
}

function loaded(scenario: string | Scenario, options: RunCommandOptions): Scenario {
  return typeof scenario === 'string' ? loadScenario(scenario, options.overrides) : scenario;
}

/** The new side picks its edits where it names none; the base side is edited the same way. */
function withEdits(scenario: Scenario): Scenario {
  if (scenario.edits.length > 0) return scenario;
  const picked = pickDefaultEdits(scenario.context, scenario.variants);
  return { ...scenario, edits: picked.edits, declared: { ...scenario.declared, edits: picked.edits.map((e) => e.name) } };
}

/** What to run, its paths in the other tree. */
function rebasedTarget(what: RunTarget, from: string, to: string): RunTarget {
  const path = (p: string): string => rebase(p, from, to);
  return {
    ...what,
    scenario: what.scenario === undefined ? undefined : path(what.scenario),
    bundled: path(what.bundled),
    context: what.context === undefined ? undefined : path(what.context),
    dockerfiles: what.dockerfiles?.map((typed) => {
      const named = /^([^=/\\]+)=(.+)$/.exec(typed);
      return named === null ? path(typed) : `${named[1]}=${path(named[2] ?? '')}`;
    }),
  };
}

function writeSide(outDir: string, side: string, result: SuiteResult): SuiteResult {
  const dir = join(outDir, side);
  mkdirSync(dir, { recursive: true });
  const writer = ResultWriter.open(dir);
  for (const sample of result.samples) writer.addSample(sample);
  writer.writeResult(result);
  writeReports(dir, result);
  return result;
}
