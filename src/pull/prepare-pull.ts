/** Every check a pull experiment makes before anything is made (as for a run): the scenario, --out, the index port. */
import { chooseIndex, DEFAULT_INDEX_PORT, type IndexChoice } from '../package-index/package-index.js';
import { claimRun } from '../run/claim-run.js';
import { loadPullScenario, type PullOverrides, type PullScenario } from '../scenario/pull-scenario.js';

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
  const indexPort = options.indexPort ?? DEFAULT_INDEX_PORT;
  const env = options.env ?? process.env;
  const index = await chooseIndex();
  const { runId, outDir } = await claimRun({ outDir: options.outDir, defaultOutDir: (id) => `pull-${id}`, indexPort, portMustBeFree: index.mode === 'local', env });
  return { scenario, runId, outDir, indexPort, index, env };
}
