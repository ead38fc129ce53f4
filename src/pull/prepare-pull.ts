/** Every check a pull experiment makes before anything is made (as for a run): the scenario, --out, the index port. */
import { chooseIndex, DEFAULT_INDEX_PORT, type IndexChoice } from '../package-index/package-index.js';
import { UsageError } from '../errors.js';
import { claimRun } from '../run/claim-run.js';
import { loadPullScenario, type PullOverrides, type PullScenario } from '../scenario/pull-scenario.js';
import { kernelHasNetem, type KernelAnswer } from './kernel-netem.js';

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
  // the kernel is asked only when latency is asked for
  if (options.overrides?.latency !== undefined) refuseLatencyWithoutNetem(options.overrides.latency, kernelHasNetem());
  const indexPort = options.indexPort ?? DEFAULT_INDEX_PORT;
  const env = options.env ?? process.env;
  const index = await chooseIndex();
  const { runId, outDir } = await claimRun({ outDir: options.outDir, defaultOutDir: (id) => `pull-${id}`, indexPort, portMustBeFree: index.mode === 'local', env });
  return { scenario, runId, outDir, indexPort, index, env };
}

/**
 * Latency asked for on the command line needs netem; where the kernel has none, the run would
 * measure another link than asked: refused before anything is built. (The scenario's own
 * latency is best effort, recorded as "not shaped" where it cannot be.)
 */
export function refuseLatencyWithoutNetem(latency: string | undefined, kernel: KernelAnswer): void {
  if (latency === undefined || latency === 'none' || kernel.has !== false) return;
  throw new UsageError(
    `--latency ${latency} needs the kernel's netem qdisc, and this kernel has none: ${kernel.why}.`,
    'Pass --latency none (the link is then shaped in bandwidth only, with tbf), or run on a kernel with sch_netem.',
  );
}
