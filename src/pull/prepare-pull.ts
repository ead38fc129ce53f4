/** Every check a pull experiment makes before anything is made (as for a run): the scenario, --out, the index port. */
import { resolve } from 'node:path';
import { chooseIndex, DEFAULT_INDEX_PORT, type IndexChoice } from '../package-index/package-index.js';
import { checkOutputDirectory } from '../run/output-directory.js';
import { checkIndexPortOfRun } from '../run/prepare-run.js';
import { newRunId } from '../run/run-id.js';
import { RunRegistry } from '../run/run-registry.js';
import { loadPullScenario, type PullOverrides, type PullScenario } from '../scenario/pull-scenario.js';
import { stateDirectory } from '../scratch-parent.js';

export interface PreparedPull {
  scenario: PullScenario;
  runId: string;
  outDir: string;
  indexPort: number;
  /** how the tiers reach Python packages: probed once, here, and served as chosen */
  index: IndexChoice;
  env: NodeJS.ProcessEnv;
}

export async function preparePull(file: string, options: { overrides?: PullOverrides | undefined; outDir?: string | undefined; indexPort?: number | undefined; env?: NodeJS.ProcessEnv | undefined }): Promise<PreparedPull> {
  const scenario = loadPullScenario(file, options.overrides);
  const runId = newRunId();
  const outDir = options.outDir === undefined ? resolve('results', `pull-${runId}`) : checkOutputDirectory(options.outDir);
  const indexPort = options.indexPort ?? DEFAULT_INDEX_PORT;
  const env = options.env ?? process.env;
  const index = await chooseIndex();
  await checkIndexPortOfRun(indexPort, { mustBeFree: index.mode === 'local', registry: new RunRegistry(stateDirectory(env)) });
  return { scenario, runId, outDir, indexPort, index, env };
}
