/**
 * The images a variant's FROM lines name, made sure of before the first build: present, or
 * pulled (as `docker build` would), or a BaseImageError naming the image, the Dockerfile line,
 * and how to map it to an image that is here or bootstrap one.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { BaseImageError } from '../errors.js';
import { BASE_CATALOG } from './base-catalog.js';

export interface FromImage {
  /** the reference after mapping and build args */
  image: string;
  /** where it is named, e.g. `docker/naive.Dockerfile, line 1` */
  where: string;
  /** the reference as the user wrote or passed it, before any mapping */
  written: string;
}

/** Resolves each image once; returns its layers' diff IDs (what a cold build reuses). */
export async function ensureFromImages(engine: DockerEngine, froms: readonly FromImage[], say: (line: string) => void, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const layers = new Map<string, string[]>();
  for (const from of froms) {
    if (layers.has(from.image)) continue;
    let present = await engine.images.inspect(from.image);
    if (present === undefined) {
      say(`pulling ${from.image} (${from.where})`);
      if (await engine.images.pull(from.image, signal)) present = await engine.images.inspect(from.image);
    }
    if (present === undefined) throw missingBase(from);
    layers.set(from.image, present.diffIds);
  }
  return layers;
}

function missingBase(from: FromImage): BaseImageError {
  const standIn = /python/i.test(from.image) ? BASE_CATALOG['python-3.11-slim'] : BASE_CATALOG['general-os'];
  const mapped = from.image !== from.written ? ` (${from.written} is mapped to it)` : '';
  return new BaseImageError(
    `The base image ${from.image}${mapped}, named at ${from.where}, is not on this daemon and cannot be pulled.`,
    `Map it to an image that is here: --base-map '${from.written}=${standIn?.bootstrap.image ?? 'IMAGE'}' (or baseMap in the scenario file); ` +
      '`layerbench bootstrap` makes that stand-in from Debian\'s mirror, `docker load` brings in one you have as a file.',
  );
}
