/**
 * Removes what carries a label: containers first (they hold images and networks), then
 * networks, volumes and, unless kept, images. Nothing unlabelled is ever touched.
 */
import type { DockerEngine } from './docker-engine.js';

export interface Removed {
  containers: number;
  networks: number;
  volumes: number;
  images: number;
}

export async function removeLabelled(engine: DockerEngine, label: string, options: { keepImages: boolean }): Promise<Removed> {
  const found = await engine.listLabelled(label);
  for (const id of found.containers) await engine.removeContainer(id);
  for (const id of found.networks) await engine.removeNetwork(id);
  for (const name of found.volumes) await engine.removeVolume(name);
  if (!options.keepImages) for (const id of found.images) await engine.removeImage(id);
  return {
    containers: found.containers.length,
    networks: found.networks.length,
    volumes: found.volumes.length,
    images: options.keepImages ? 0 : found.images.length,
  };
}
