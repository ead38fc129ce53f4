/**
 * Turns the logical bases a scenario names into images on this daemon.
 * Order: public image already present → bootstrapped stand-in already present → pull the
 * public image → bootstrap a stand-in. A name outside the catalog is an image reference:
 * present, or pulled, or an error.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { BaseImageError } from '../errors.js';
import type { BaseRecord } from '../result/types.js';
import { logicalBase } from './base-catalog.js';
import { bootstrapBase } from './bootstrap-base.js';

/** @param scratchParent where a stand-in is bootstrapped (see bootstrapBase) */
export async function resolveBase(engine: DockerEngine, name: string, say: (line: string) => void, signal?: AbortSignal, scratchParent?: string): Promise<BaseRecord> {
  const base = logicalBase(name);
  const publicImage = base?.publicImage ?? name;
  const present = await engine.images.inspect(publicImage);
  if (present) return { name, image: publicImage, id: present.id, source: 'present' };
  const standIn = base && (await engine.images.inspect(base.bootstrap.image));
  if (base && standIn) return { name, image: base.bootstrap.image, id: standIn.id, source: 'bootstrapped' };
  say(`pulling ${publicImage}`);
  if (await engine.images.pull(publicImage, signal)) return { name, image: publicImage, id: (await engine.images.inspect(publicImage))?.id ?? null, source: 'pulled' };
  if (base === undefined) {
    throw new BaseImageError(`The base image ${name} is not present and cannot be pulled.`, 'Pull or build it first, or name one of the logical bases: general-os, python-3.11-slim.');
  }
  say(`${publicImage} cannot be pulled here; making a stand-in from Debian's mirror`);
  const id = await bootstrapBase(engine, base, say, scratchParent);
  return { name, image: base.bootstrap.image, id, source: 'bootstrapped' };
}

/** Resolves each distinct name once, bootstrapping in parallel. */
export async function resolveBases(engine: DockerEngine, names: readonly string[], say: (line: string) => void, signal?: AbortSignal, scratchParent?: string): Promise<BaseRecord[]> {
  return Promise.all([...new Set(names)].map((name) => resolveBase(engine, name, say, signal, scratchParent)));
}
