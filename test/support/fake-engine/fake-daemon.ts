/**
 * What the fake engine's areas share, as one daemon's would: its image store, its containers,
 * networks and volumes, the registry it pushes to and pulls from, and the log of every call
 * that reached it, in order (`system.ping`, `builds.build a nocache`, `images.remove layerbench-run/…`).
 */
import type { Readable } from 'node:stream';
import { EngineError } from '../../../src/errors.js';

export interface FakeImage {
  id: string;
  tags: Set<string>;
  diffIds: string[];
  sizes: number[];
  parentId: string;
  createdAt: Date;
}

export interface FakeContainer {
  image: string;
  labels: Record<string, string>;
  running: boolean;
  /** what it logged (a container that exited: why) */
  logs?: string;
  /** set for a helper container (the registry, a fresh host) */
  helper?: FakeHelper;
}

/** What a helper container is besides a container: its name, its published ports, the daemon it serves. */
export interface FakeHelper {
  name: string;
  /** container port → host port, each a real listener on 127.0.0.1 */
  ports: Map<number, number>;
  /** the daemon inside a fresh host, once reached (system.peer): its interface counts what it pulled */
  inner: FakeDaemon | undefined;
}

/** What a registry holds of a pushed image: its layers (in the fake, a blob's digest is the layer's diff ID). */
export interface FakeManifest {
  digests: string[];
  sizes: number[];
}

/**
 * The one registry of the fake world. Every fake daemon reaches it, by whatever host it is named
 * (`127.0.0.1:<port>/lb/f1:…` as the run pushes, `layerbench-registry-…:5000/lb/f1:…` as a fresh
 * host pulls), and it also serves what a daemon pulls from Docker Hub.
 */
export class FakeRegistry {
  private readonly held = new Map<string, FakeManifest>();

  put(reference: string, manifest: FakeManifest): void {
    this.held.set(repositoryPath(reference), manifest);
  }

  get(reference: string): FakeManifest | undefined {
    return this.held.get(repositoryPath(reference));
  }

  has(reference: string): boolean {
    return this.held.has(repositoryPath(reference));
  }
}

/** A reference without its registry host: the first component names one when it has a dot or a port, or is localhost. */
function repositoryPath(reference: string): string {
  const [first, ...rest] = reference.split('/');
  return rest.length > 0 && first !== undefined && (/[.:]/.test(first) || first === 'localhost') ? rest.join('/') : reference;
}

export interface FakeObject {
  id: string;
  labels: Record<string, string>;
}

export class FakeDaemon {
  readonly log: string[] = [];
  readonly images = new Map<string, FakeImage>();
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, FakeObject>();
  readonly volumes = new Map<string, FakeObject>();
  /** bytes the daemon's network interface received: what its pulls downloaded */
  receivedBytes = 0;
  private nextId = 1;

  constructor(
    readonly endpoint = 'unix:///fake.sock',
    /** what pushes go to and pulls come from */
    readonly registry = new FakeRegistry(),
  ) {}

  newId(): number {
    return this.nextId++;
  }

  addImage(tag: string | undefined, diffIds: string[], sizes: number[], parentId = ''): string {
    const id = `sha256:${String(this.newId()).padStart(64, '0')}`;
    this.images.set(id, { id, tags: new Set(tag === undefined ? [] : [tag]), diffIds, sizes, parentId, createdAt: new Date() });
    return id;
  }

  /** An image by ID, tag or short ID. */
  findImage(reference: string): FakeImage | undefined {
    return this.images.get(reference) ?? [...this.images.values()].find((image) => image.tags.has(reference) || image.id.endsWith(reference.replace(/^sha256:/, '')));
  }

  /** What a daemon answers for an object it does not have. */
  notFound(operation: string, what: string): EngineError {
    return new EngineError(this.endpoint, operation, `No such ${what}`, 404);
  }
}

/** Reads a stream as the daemon would; resolves with its size. */
export async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/** Whether labels carry `key` or `key=value`, as a label filter asks. */
export function matchesLabel(labels: Record<string, string>, filter: string): boolean {
  const [key, value] = filter.split('=');
  return key !== undefined && key in labels && (value === undefined || labels[key] === value);
}
