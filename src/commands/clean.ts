/**
 * `layerbench clean`: remove what runs that are no longer alive left behind — their labelled
 * containers, networks and volumes, their tagged images, the intermediate images their
 * journal names, their scratch directories. A run whose process is alive is never touched.
 * `--build-cache` also empties BuildKit's build cache, which is no labelled object: it is every
 * BuildKit build's on this daemon, so it goes only when asked, and the command says so first.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_LABEL } from '../bases/base-catalog.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { RUN_ID_PATTERN } from '../engine/labels.js';
import { findRunObjects, removeRunObjects, type RunObjects } from '../engine/run-objects.js';
import { ExitCode } from '../errors.js';
import { formatBytes } from '../format.js';
import { scratchParent, stateDirectory } from '../scratch-parent.js';
import { RunRegistry } from '../run/run-registry.js';
import type { CliIo } from './cli-io.js';
import { defineCommand } from './command-module.js';

export interface CleanOptions {
  runId: string | undefined;
  bases: boolean;
  /** also remove BuildKit's build cache (all of it, not only layerbench's) */
  buildCache: boolean;
  dryRun: boolean;
}

const NO_OBJECTS: RunObjects = { containers: [], networks: [], volumes: [], images: [] };

export async function cleanCommand(engine: DockerEngine, options: CleanOptions, io: CliIo, registry = new RunRegistry(stateDirectory(io.env))): Promise<number> {
  await engine.system.ping();
  const records = registry.runs();
  const alive = new Set(records.filter((run) => run.alive).map((run) => run.runId));
  const byRun = await findRunObjects(engine, options.runId);
  const scratch = scratchDirectories(options.runId, scratchParent(io.env));
  const runIds = new Set([
    ...byRun.keys(),
    ...records.filter((r) => options.runId === undefined || r.runId === options.runId).map((r) => r.runId),
    ...scratch.map((s) => s.runId),
  ]);
  const dead = [...runIds].filter((id) => !alive.has(id));
  for (const id of [...runIds].filter((id) => alive.has(id))) io.stdout.write(`skipped run ${id}: its process is still running (it removes what it made when it ends)\n`);

  let removed = { containers: 0, networks: 0, volumes: 0, tags: 0, images: 0, scratch: 0 };
  let stillInUse = 0;
  for (const id of dead) {
    const objects = byRun.get(id) ?? NO_OBJECTS;
    const journal = registry.journalOf(id);
    const directories = scratch.filter((s) => s.runId === id);
    removed = {
      containers: removed.containers + objects.containers.length,
      networks: removed.networks + objects.networks.length,
      volumes: removed.volumes + objects.volumes.length,
      tags: removed.tags + objects.images.length,
      images: removed.images + journal.length,
      scratch: removed.scratch + directories.length,
    };
    if (options.dryRun) continue;
    await removeRunObjects(engine, objects, { keepImages: false });
    const left = await removeJournal(engine, journal, registry.recordOf(id)?.startedAt);
    for (const dir of directories) rmSync(dir.path, { recursive: true, force: true });
    if (left.length === 0) {
      registry.unregister(id);
    } else {
      // still held (a build the daemon has not finished cancelling): the next clean takes them
      registry.rewriteJournal(id, [...left].reverse());
      stillInUse += left.length;
    }
  }
  const baseImages = options.bases ? (await engine.system.listLabelled(BASE_LABEL)).images.map((i) => i.id) : [];
  if (!options.dryRun) for (const id of baseImages) await engine.images.remove(id);

  const summary =
    `${removed.containers} containers, ${removed.networks} networks, ${removed.volumes} volumes, ${removed.tags} image tags and up to ${removed.images} intermediate images ` +
    `of ${dead.length} finished run${dead.length === 1 ? '' : 's'}${options.bases ? `, ${baseImages.length} bootstrapped base images` : ''}, ${removed.scratch} scratch directories`;
  io.stdout.write(`${options.dryRun ? 'would remove' : 'removed'} ${summary}\n`);
  if (options.buildCache) await cleanBuildCache(engine, options.dryRun, io);
  if (stillInUse > 0) io.stdout.write(`${stillInUse} intermediate images are still in use (a cancelled build the daemon is still winding down); run \`layerbench clean\` again in a moment\n`);
  return ExitCode.ok;
}

async function cleanBuildCache(engine: DockerEngine, dryRun: boolean, io: CliIo): Promise<void> {
  const usage = await engine.system.buildCacheUsage();
  const what =
    `BuildKit's build cache: ${usage.entries} entries, ${formatBytes(usage.totalBytes)} (cache mounts ${formatBytes(usage.cacheMountBytes)}). ` +
    "It belongs to every BuildKit build on this daemon, not only layerbench's";
  if (dryRun) {
    io.stdout.write(`would remove ${what}\n`);
    return;
  }
  io.stdout.write(`removing ${what}\n`);
  const pruned = await engine.system.pruneBuildCache();
  io.stdout.write(`removed ${pruned.entries} build cache entries, ${formatBytes(pruned.reclaimedBytes)}\n`);
}

/**
 * A dead run's intermediate images, leaves first; also the images steps may have committed
 * after the run died, on top of the last one its journal names. Resolves with what is left.
 */
async function removeJournal(engine: DockerEngine, journal: readonly string[], startedAt: string | undefined): Promise<string[]> {
  const tip = journal.at(-1);
  const orphans = tip === undefined || startedAt === undefined ? [] : await engine.images.findUntaggedDescendants([tip], new Date(startedAt));
  let left = [...orphans.reverse(), ...[...journal].reverse()];
  for (let pass = 0; pass < 10 && left.length > 0; pass += 1) {
    const stillThere = await engine.images.removeUntagged(left, { prune: false });
    if (stillThere.length === left.length) break;
    left = stillThere;
  }
  return left;
}

function scratchDirectories(runId: string | undefined, parent: string): { runId: string; path: string }[] {
  const pattern = new RegExp(`^layerbench-(${RUN_ID_PATTERN})-`);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const id = pattern.exec(name)?.[1];
    return id === undefined || (runId !== undefined && id !== runId) ? [] : [{ runId: id, path: join(parent, name) }];
  });
}

export const cleanModule = defineCommand({
  command: 'clean',
  describe: 'Remove what runs that are no longer alive left: labelled containers, networks, volumes; run-tagged images; scratch directories',
  builder: (y) =>
    y
      .option('run', { type: 'string', requiresArg: true, describe: 'only what this run id left' })
      .option('bases', { type: 'boolean', default: false, describe: 'also remove the bootstrapped base images' })
      .option('build-cache', { type: 'boolean', default: false, describe: "also empty BuildKit's build cache and its cache mounts (all of it: it is every BuildKit build's on this daemon, not a layerbench object); for a truly cold BuildKit start" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'list, do not remove' })
      .example('$0 clean --dry-run', 'what would be removed')
      .example('$0 clean --build-cache', "also BuildKit's cache: the next BuildKit build starts from nothing"),
  handler: (args, { engine, io }) => cleanCommand(engine(), { runId: args.run, bases: args.bases, buildCache: args['build-cache'], dryRun: args['dry-run'] }, io),
});
