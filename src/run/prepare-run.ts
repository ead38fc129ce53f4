/**
 * Everything a run can check before its first build, in one step that the CLI and the
 * library share: the scenario and the overrides, every edit on every variant, the output
 * directory, the package-index port. It writes nothing and makes no Docker object; each
 * problem is a typed error naming the file or option, the field and what was expected.
 */
import { resolve } from 'node:path';
import { RunInProgressError } from '../errors.js';
import { portIsFree } from '../package-index/index-server.js';
import { chooseIndex, checkIndexPort, DEFAULT_INDEX_PORT, type IndexChoice } from '../package-index/package-index.js';
import { loadScenario } from '../scenario/load-scenario.js';
import type { ScenarioOverrides } from '../scenario/scenario-overrides.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { checkEdits } from '../workspace/check-edits.js';
import { checkOutputDirectory } from './output-directory.js';
import { newRunId } from './run-id.js';
import { RunRegistry } from './run-registry.js';

export interface RunOptions {
  /** changes to the scenario (reps, builder, filters …), held to the scenario schema's limits */
  overrides?: ScenarioOverrides;
  /** where result.json and samples.jsonl go @default `results/<runId>` under the working directory */
  outDir?: string | undefined;
  /** the local package index's port on 127.0.0.1 (part of the build cache key: keep it fixed) @default 38751 */
  indexPort?: number | undefined;
  /** keep the built images, tagged per sample, after the run @default false */
  keepImages?: boolean | undefined;
  /**
   * Run even while another run builds on the same daemon (they measure each other). The run
   * then serves its package index on a port of its own. @default false
   */
  concurrent?: boolean | undefined;
  /** how builds reach Python packages: `auto` decides (PyPI, else pip's local indexes); `none` serves nothing @default 'auto' */
  packageIndex?: 'auto' | 'none' | undefined;
  /** where runs are registered (the run lock); specs give their own @default the system's */
  registry?: RunRegistry | undefined;
}

export interface PreparedRun {
  readonly kind: 'prepared-run';
  scenario: Scenario;
  runId: string;
  outDir: string;
  /** the port to serve the index on; 0: any free one (a concurrent run) */
  indexPort: number;
  index: IndexChoice;
  keepImages: boolean;
  concurrent: boolean;
}

export async function prepareRun(scenario: string | Scenario, options: RunOptions = {}): Promise<PreparedRun> {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario, options.overrides) : scenario;
  checkEdits(loaded);
  const runId = newRunId();
  const outDir = options.outDir === undefined ? resolve('results', runId) : checkOutputDirectory(options.outDir);
  const concurrent = options.concurrent ?? false;
  const index: IndexChoice = options.packageIndex === 'none' ? { mode: 'none', directories: [] } : await chooseIndex();
  const requestedPort = options.indexPort ?? DEFAULT_INDEX_PORT;
  await checkIndexPortOfRun(requestedPort, { mustBeFree: index.mode === 'local' && !concurrent, registry: options.registry ?? new RunRegistry() });
  return {
    kind: 'prepared-run',
    scenario: loaded,
    runId,
    outDir,
    indexPort: concurrent ? 0 : requestedPort,
    index,
    keepImages: options.keepImages ?? false,
    concurrent,
  };
}

/**
 * The index port is a number, and free when it must be; taken by another run of layerbench,
 * the error names that run (RunInProgressError) rather than only the port.
 */
export async function checkIndexPortOfRun(port: number, options: { mustBeFree: boolean; registry: RunRegistry }): Promise<void> {
  await checkIndexPort(port, { mustBeFree: false });
  if (!options.mustBeFree || (await portIsFree(port))) return;
  const holder = options.registry.runs().find((run) => run.alive && run.indexPort === port);
  if (holder !== undefined) throw new RunInProgressError(holder.runId, holder.pid, holder.startedAt);
  await checkIndexPort(port, { mustBeFree: true });
}

export function isPreparedRun(value: unknown): value is PreparedRun {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'prepared-run';
}
