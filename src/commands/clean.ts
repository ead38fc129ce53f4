/** `layerbench clean`: remove what earlier runs left behind. Only labelled objects. */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_LABEL } from '../bases/base-catalog.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { runLabelFilter } from '../engine/labels.js';
import { removeLabelled } from '../engine/remove-labelled.js';

export interface CleanOptions {
  runId: string | undefined;
  bases: boolean;
  dryRun: boolean;
}

export async function cleanCommand(engine: DockerEngine, options: CleanOptions): Promise<number> {
  await engine.ping();
  const label = runLabelFilter(options.runId);
  const found = await engine.listLabelled(label);
  const baseImages = options.bases ? (await engine.listLabelled(BASE_LABEL)).images : [];
  const scratch = readdirSync(tmpdir()).filter((name) => name.startsWith('layerbench-') && (options.runId === undefined || name.includes(options.runId)));
  const summary = `${found.containers.length} containers, ${found.networks.length} networks, ${found.volumes.length} volumes, ${found.images.length} images labelled ${label}` +
    (options.bases ? `, ${baseImages.length} bootstrapped base images` : '') + `, ${scratch.length} scratch directories`;
  if (options.dryRun) {
    process.stdout.write(`would remove ${summary}\n`);
    return 0;
  }
  await removeLabelled(engine, label, { keepImages: false });
  for (const id of baseImages) await engine.removeImage(id);
  for (const name of scratch) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  process.stdout.write(`removed ${summary}\n`);
  return 0;
}
