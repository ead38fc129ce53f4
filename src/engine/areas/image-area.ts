/** Images on the daemon: inspected, pulled, pushed, imported, tagged, found and removed. */
import type { Readable } from 'node:stream';
import type { LayerSizes } from '../layer-sizes.js';
import type { PulledLayer } from '../pull-progress.js';

export interface ImageInspection {
  id: string;
  sizeBytes: number;
  diffIds: string[];
  labels: Record<string, string>;
  /** `name:tag` references; none for the builder's intermediate images */
  tags: string[];
  createdAt: Date;
  parentId: string;
}

export interface ImageSummary {
  id: string;
  tags: string[];
}

export interface PullTrace {
  /** from sending the request to the end of the daemon's stream */
  wallMs: number;
  /** each layer's timeline counts from the same start as wallMs: the request */
  layers: PulledLayer[];
  /** the manifest digest pulled */
  digest: string | undefined;
}

export interface ImageArea {
  inspect(reference: string): Promise<ImageInspection | undefined>;
  layerSizes(reference: string): Promise<LayerSizes>;
  /** Pulls an image; resolves false (rather than throwing) when no registry can serve it. */
  pull(reference: string, signal?: AbortSignal): Promise<boolean>;
  /** Pulls an image and reports what each layer cost; rejects when the pull fails. */
  pullTimed(reference: string, signal?: AbortSignal): Promise<PullTrace>;
  /** Pushes a reference to its registry; rejects when the push fails. */
  push(reference: string): Promise<void>;
  /** `docker import` of a root file system tar, with Dockerfile-style changes (ENV, CMD, LABEL). */
  import(rootfs: Readable, reference: string, changes: string[]): Promise<string>;
  /**
   * Removes a reference (force). A tag of an image that has other tags only untags it; an
   * image's untagged parents go with it unless something else uses them.
   */
  remove(reference: string): Promise<void>;
  /**
   * Removes these images, each only when it is untagged and no container or child image uses
   * it. `prune`: its untagged parents go with it (as `docker rmi` does); otherwise exactly it.
   * Resolves with the IDs that are still there (tagged, or in use): a tag can move away later.
   */
  removeUntagged(ids: readonly string[], options: { prune: boolean }): Promise<string[]>;
  /**
   * Untagged images built on any of `parents` — their children, their children's, and so on —
   * created at or after `since`, nearest first: what a build interrupted at the wrong moment
   * committed without the stream saying so (the steps after a cut can still commit, one on another).
   */
  findUntaggedDescendants(parents: readonly string[], since: Date): Promise<string[]>;
  /** IDs of the daemon's dangling images (untagged, no child): what a build that lost its tag leaves. */
  listDangling(): Promise<string[]>;
  /** Gives an image one more tag. */
  tag(id: string, reference: string): Promise<void>;
  /** Images tagged `repository:*` with a repository matching the glob (e.g. `layerbench-run/*`), and `tag` when given. */
  listByReference(repositoryGlob: string, tag?: string): Promise<ImageSummary[]>;
}
