/** `layerbench run`: wiring only — options → prepared run → runScenario → table or JSON. */
import type { DockerEngine } from '../engine/docker-engine.js';
import { ExitCode } from '../errors.js';
import { comparisonTable, headlineLine } from '../report/comparison-table.js';
import { buildComparison } from '../result/comparison.js';
import type { SuiteResult } from '../result/types.js';
import { prepareRun } from '../run/prepare-run.js';
import { runScenario } from '../run/run-scenario.js';
import type { ScenarioOverrides } from '../scenario/scenario-overrides.js';
import type { CliIo } from './cli-io.js';
import { withInterrupt } from './interrupt.js';
import { createProgress } from './progress.js';
import { showRunEvent } from './run-progress.js';

export interface RunCommandOptions {
  scenario: string;
  overrides: ScenarioOverrides;
  out: string | undefined;
  keepImages: boolean;
  indexPort: number;
  concurrent: boolean;
  json: boolean;
}

export async function runCommand(engine: () => DockerEngine, options: RunCommandOptions, io: CliIo): Promise<number> {
  // Every check before anything is made: a bad input costs nothing and leaves nothing.
  const prepared = await prepareRun(options.scenario, {
    overrides: options.overrides,
    outDir: options.out,
    indexPort: options.indexPort,
    keepImages: options.keepImages,
    concurrent: options.concurrent,
  });
  const progress = createProgress(io.stderr, Date.now(), io.env);
  const result = await withInterrupt(
    (signal) => runScenario(prepared, { engine: engine(), signal, onProgress: (event) => showRunEvent(event, progress) }),
    (line) => progress.note(line),
  ).finally(() => progress.done());
  printOutcome(result, options.json, io);
  const unhealthy = result.samples.filter((s) => s.health !== null && !s.health.ok).length;
  if (unhealthy > 0) {
    io.stderr.write(`${unhealthy} sample(s) built an image that did not pass its health check.\n`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

function printOutcome(result: SuiteResult, json: boolean, io: CliIo): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const comparison = buildComparison(result);
  io.stdout.write(`\n${comparisonTable(comparison)}\n\n`);
  const builders = new Set(comparison.headlines.map((h) => h.builder));
  for (const headline of comparison.headlines) io.stdout.write(`${headlineLine(headline, builders.size > 1)}\n`);
}
