/**
 * The fake daemon's image store; pulls are served from what was pushed (to the fake world's one
 * registry), and nothing else. A timed pull reports each layer as a daemon's stream would: one
 * the store already holds is already present, any other downloaded (its bytes counted as received).
 */
import type { Readable } from 'node:stream';
import type { ImageArea, ImageInspection, ImageSummary, PullTrace } from '../../../src/engine/docker-engine.js';
import type { LayerSizes } from '../../../src/engine/layer-sizes.js';
import type { PulledLayer } from '../../../src/engine/pull-progress.js';
import { EngineError } from '../../../src/errors.js';
import { drain, type FakeDaemon } from './fake-daemon.js';

export class FakeImages implements ImageArea {
  constructor(private readonly daemon: FakeDaemon) {}

  async inspect(reference: string): Promise<ImageInspection | undefined> {
    const image = this.daemon.findImage(reference);
    return image === undefined
      ? undefined
      : { id: image.id, sizeBytes: image.sizes.reduce((a, b) => a + b, 0), diffIds: image.diffIds, labels: {}, tags: [...image.tags], createdAt: image.createdAt, parentId: image.parentId };
  }

  async layerSizes(reference: string): Promise<LayerSizes> {
    const image = this.daemon.findImage(reference);
    return { layers: (image?.diffIds ?? []).map((diffId, i) => ({ diffId, sizeBytes: image?.sizes[i] ?? 0 })), approximate: false };
  }

  async pull(reference: string): Promise<boolean> {
    this.daemon.log.push(`images.pull ${reference}`);
    if (!this.daemon.registry.has(reference)) return false;
    this.fetch(reference);
    return true;
  }

  async pullTimed(reference: string): Promise<PullTrace> {
    this.daemon.log.push(`images.pullTimed ${reference}`);
    const manifest = this.daemon.registry.get(reference);
    if (manifest === undefined) throw new EngineError(this.daemon.endpoint, `pull ${reference}`, 'manifest unknown: no registry of the fake daemon has it');
    const held = new Set([...this.daemon.images.values()].flatMap((image) => image.diffIds));
    // every download 20 ms, side by side; then each extraction 5 ms, one after another, as a daemon extracts in order
    let extracted = 20;
    const layers = manifest.digests.map((digest, i): PulledLayer => {
      const size = manifest.sizes[i] ?? 0;
      if (held.has(digest)) {
        return { id: shortLayerId(digest), status: 'already-present', downloadBytes: null, downloadMs: null, extractMs: null, downloadStartMs: null, downloadEndMs: null, extractStartMs: null, extractEndMs: null };
      }
      this.daemon.receivedBytes += size;
      extracted += 5;
      return { id: shortLayerId(digest), status: 'downloaded', downloadBytes: size, downloadMs: 20, extractMs: 5, downloadStartMs: 0, downloadEndMs: 20, extractStartMs: extracted - 5, extractEndMs: extracted };
    });
    const image = this.fetch(reference);
    return { wallMs: 100, layers, digest: `sha256:${image.slice(-64)}` };
  }

  async push(reference: string): Promise<void> {
    this.daemon.log.push(`images.push ${reference}`);
    const image = this.daemon.findImage(reference);
    if (image === undefined) throw new EngineError(this.daemon.endpoint, `push ${reference}`, `An image does not exist locally with the tag: ${reference}`);
    this.daemon.registry.put(reference, { digests: image.diffIds, sizes: image.sizes });
  }

  async import(rootfs: Readable, reference: string): Promise<string> {
    this.daemon.log.push(`images.import ${reference}`);
    const bytes = await drain(rootfs);
    return this.daemon.addImage(reference, [`sha256:imported-${reference}`], [bytes]);
  }

  async remove(reference: string): Promise<void> {
    this.daemon.log.push(`images.remove ${reference}`);
    const image = this.daemon.findImage(reference);
    if (image === undefined) return;
    if (image.tags.has(reference) && image.tags.size > 1) {
      image.tags.delete(reference);
      return;
    }
    this.daemon.images.delete(image.id);
  }

  async removeUntagged(ids: readonly string[], options: { prune: boolean }): Promise<string[]> {
    this.daemon.log.push(`images.removeUntagged ${ids.length}${options.prune ? ' prune' : ''}`);
    const kept: string[] = [];
    for (const id of ids) {
      const image = this.daemon.findImage(id);
      if (image === undefined) continue;
      if (image.tags.size > 0) kept.push(id);
      else this.daemon.images.delete(image.id);
    }
    return kept;
  }

  async findUntaggedDescendants(parents: readonly string[], since: Date): Promise<string[]> {
    const found: string[] = [];
    for (let frontier = parents.flatMap((parent) => this.daemon.findImage(parent)?.id ?? []); frontier.length > 0; ) {
      frontier = [...this.daemon.images.values()]
        .filter((image) => frontier.includes(image.parentId) && image.tags.size === 0 && image.createdAt.getTime() >= since.getTime() - 1000 && !found.includes(image.id))
        .map((image) => image.id);
      found.push(...frontier);
    }
    return found;
  }

  async listDangling(): Promise<string[]> {
    const images = [...this.daemon.images.values()];
    return images.filter((image) => image.tags.size === 0 && !images.some((other) => other.parentId === image.id)).map((image) => image.id);
  }

  async tag(id: string, reference: string): Promise<void> {
    this.daemon.log.push(`images.tag ${id} ${reference}`);
    const image = this.daemon.findImage(id);
    if (image === undefined) throw this.daemon.notFound(`tag ${id} as ${reference}`, `image: ${id}`);
    image.tags.add(reference);
  }

  async listByReference(repositoryGlob: string, tag?: string): Promise<ImageSummary[]> {
    const pattern = new RegExp(`^${globToRegex(repositoryGlob)}:${tag === undefined ? '.*' : globToRegex(tag)}$`);
    return [...this.daemon.images.values()].filter((image) => [...image.tags].some((t) => pattern.test(t))).map((image) => ({ id: image.id, tags: [...image.tags] }));
  }

  /** Tags of images the run built that are still there. */
  runTags(): string[] {
    return [...this.daemon.images.values()].flatMap((image) => [...image.tags].filter((t) => t.startsWith('layerbench-run/')));
  }

  /** A pushed reference, pulled into the store with its layers; resolves with its ID. */
  private fetch(reference: string): string {
    const manifest = this.daemon.registry.get(reference);
    return this.daemon.findImage(reference)?.id ?? this.daemon.addImage(reference, manifest?.digests ?? [`sha256:pulled-${reference}`], manifest?.sizes ?? [1_000]);
  }
}

/** A daemon's pull stream names a layer by the first 12 digits of its digest. */
function shortLayerId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function globToRegex(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
}
