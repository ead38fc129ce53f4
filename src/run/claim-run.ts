/**
 * What every run decides before anything is made, `run` and `pull` alike: its id, where its
 * output goes (checked, not created), and that the package-index port can be served — a port
 * another layerbench run holds is refused naming that run.
 */
import { resolve } from 'node:path';
import { stateDirectory } from '../scratch-parent.js';
import { checkOutputDirectory } from './output-directory.js';
import { checkIndexPort } from '../package-index/package-index.js';
import { portIsFree } from '../package-index/index-server.js';
import { RunInProgressError } from '../errors.js';
import { newRunId } from './run-id.js';
import { RunRegistry } from './run-registry.js';

export interface RunClaim {
  runId: string;
  /** the output directory, absolute */
  outDir: string;
}

export async function claimRun(options: {
  /** the run's id, when something made before carries it @default a new one */
  runId?: string | undefined;
  outDir: string | undefined;
  /** `results/<name>` when no --out is given */
  defaultOutDir: (runId: string) => string;
  indexPort: number;
  /** the index must be served on the port (a local index, and not a concurrent run) */
  portMustBeFree: boolean;
  env: NodeJS.ProcessEnv;
}): Promise<RunClaim> {
  const runId = options.runId ?? newRunId();
  const outDir = options.outDir === undefined ? resolve('results', options.defaultOutDir(runId)) : checkOutputDirectory(options.outDir);
  await checkIndexPortOfRun(options.indexPort, { mustBeFree: options.portMustBeFree, registry: new RunRegistry(stateDirectory(options.env)) });
  return { runId, outDir };
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
