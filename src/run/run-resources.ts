/**
 * What every command that builds holds first, each put on its disposer stack the moment it
 * exists: the run's record (the per-daemon lock; kept while something of the run could not be
 * removed, so that `clean` finds it with its journal), a scratch directory where `clean` looks
 * for one, and the builder's leftovers (journalled as they are reported).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { asDiskFull } from '../disk-space.js';
import type { DockerEngine, EngineFacts } from '../engine/docker-engine.js';
import { BuildLeftovers } from '../measure/build-leftovers.js';
import type { MachineFacts } from '../result/types.js';
import type { DisposerStack } from './disposer-stack.js';
import { processStartOf, type RunRegistry } from './run-registry.js';

export interface RunHolding {
  runId: string;
  startedAt: Date;
  facts: EngineFacts;
  /** the package-index port the run holds, if any */
  indexPort: number | null;
  /** one run per daemon: refused while another holds the daemon */
  exclusive: boolean;
  /** where the scratch directory is made (LAYERBENCH_SCRATCH, else the system's temporary directory) */
  scratchParent: string;
}

export function holdRun(stack: DisposerStack, registry: RunRegistry, engine: DockerEngine, run: RunHolding): { scratch: string; leftovers: BuildLeftovers } {
  const { runId } = run;
  registry.register(
    {
      runId,
      pid: process.pid,
      processStart: processStartOf('self'),
      startedAt: run.startedAt.toISOString(),
      daemonId: run.facts.id,
      endpoint: engine.endpoint,
      scratch: null,
      indexPort: run.indexPort,
    },
    run.exclusive,
  );
  stack.defer('the run record', (failedSoFar) => (failedSoFar.length === 0 ? registry.unregister(runId) : undefined));
  const scratch = makeScratch(runId, run.scratchParent);
  stack.defer('the scratch directory', () => rmSync(scratch, { recursive: true, force: true }));
  const leftovers = new BuildLeftovers(engine, (id) => registry.journal(runId, id));
  stack.defer("the builder's leftovers", () => leftovers.sweepAll());
  return { scratch, leftovers };
}

function makeScratch(runId: string, parent: string): string {
  try {
    return mkdtempSync(join(parent, `layerbench-${runId}-`));
  } catch (err) {
    throw asDiskFull(err, parent) ?? err;
  }
}

/** The machine a result was measured on, as the engine describes it. */
export function machineOf(facts: EngineFacts): MachineFacts {
  return {
    id: facts.id,
    cpus: facts.cpus,
    memoryBytes: facts.memoryBytes,
    engineVersion: facts.engineVersion,
    apiVersion: facts.apiVersion,
    storageDriver: facts.storageDriver,
    os: facts.os,
    endpoint: facts.endpoint,
  };
}
