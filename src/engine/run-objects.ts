/**
 * What runs left on the daemon, grouped by run: the containers, networks and volumes that
 * carry a run's label and the images tagged for it. Removal goes containers first (they hold
 * images and networks), then networks, volumes, images. Nothing unmarked is ever touched.
 */
import type { DockerEngine } from './docker-engine.js';
import { RUN_IMAGE_REPOSITORY, RUN_LABEL, runIdOfTag, runLabelFilter } from './labels.js';

export interface RunObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** the run's image tags (an image two runs share keeps the other run's tag) */
  images: string[];
}

/** Objects of one run (runId given) or of every run, by run id. */
export async function findRunObjects(engine: DockerEngine, runId?: string): Promise<Map<string, RunObjects>> {
  const [labelled, images] = await Promise.all([
    engine.system.listLabelled(runLabelFilter(runId)),
    engine.images.listByReference(`${RUN_IMAGE_REPOSITORY}/*`, runId === undefined ? undefined : `${runId}*`),
  ]);
  const byRun = new Map<string, RunObjects>();
  const entry = (id: string): RunObjects => {
    let objects = byRun.get(id);
    if (objects === undefined) {
      objects = { containers: [], networks: [], volumes: [], images: [] };
      byRun.set(id, objects);
    }
    return objects;
  };
  for (const kind of ['containers', 'networks', 'volumes'] as const) {
    for (const object of labelled[kind]) entry(object.labels[RUN_LABEL] ?? '?')[kind].push(object.id);
  }
  for (const image of images) {
    for (const tag of image.tags) {
      const id = runIdOfTag(tag);
      if (id !== undefined && (runId === undefined || id === runId)) entry(id).images.push(tag);
    }
  }
  return byRun;
}

export async function removeRunObjects(engine: DockerEngine, objects: RunObjects, options: { keepImages: boolean }): Promise<void> {
  for (const id of objects.containers) await engine.containers.remove(id);
  for (const id of objects.networks) await engine.networks.removeNetwork(id);
  for (const name of objects.volumes) await engine.networks.removeVolume(name);
  // by tag: an image another run tagged too keeps that tag, and stays
  if (!options.keepImages) for (const tag of objects.images) await engine.images.remove(tag);
}
