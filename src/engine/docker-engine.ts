/**
 * What the rest of layerbench may ask of Docker. Only this folder imports dockerode;
 * everything else depends on this interface (and tests can stand in for it).
 */
import type { Readable } from 'node:stream';
import type { Builder, StepRecord } from '../report/result-types.js';
import type { LayerSizes } from './layer-sizes.js';

export interface EngineFacts {
  engineVersion: string;
  apiVersion: string;
  storageDriver: string;
  os: string;
  dockerRootDir: string;
  cpus: number;
  memoryBytes: number;
  /** the daemon advertises BuildKit (API ≥ 1.39 on Linux) */
  buildkitSupported: boolean;
}

export interface BuildRequest {
  /** a tar stream of the build context */
  context: Readable;
  /** path of the Dockerfile inside the context */
  dockerfile: string;
  builder: Builder;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  tag: string | undefined;
  noCache: boolean;
  /** the name shown in errors */
  variant: string;
  /** build with the host's network (needed to reach a package index bound to 127.0.0.1) */
  hostNetwork: boolean;
  signal: AbortSignal | undefined;
  onStep: ((index: number, total: number, instruction: string) => void) | undefined;
}

export interface BuildOutcome {
  imageId: string;
  /** the built image's size (all its layers, uncompressed) */
  sizeBytes: number;
  /** other images the build left (earlier stages of a classic multi-stage build) */
  stageImageIds: string[];
  steps: StepRecord[];
  wallMs: number;
}

export interface ImageInspection {
  id: string;
  sizeBytes: number;
  diffIds: string[];
  labels: Record<string, string>;
  /** `name:tag` references; none for the builder's intermediate images */
  tags: string[];
  createdAt: Date;
}

export interface ServiceContainer {
  id: string;
  /** the host port (on 127.0.0.1) that the container port is published on */
  hostPort: number;
}

export interface LabelledObjects {
  containers: string[];
  images: string[];
  networks: string[];
  volumes: string[];
}

export interface DockerEngine {
  /** where the daemon is expected (socket path or DOCKER_HOST), for messages */
  readonly endpoint: string;
  /** Resolves when the daemon answers; rejects with DaemonUnavailableError otherwise. */
  ping(): Promise<void>;
  facts(): Promise<EngineFacts>;
  /** Builds and resolves once the stream ended and was inspected; rejects with BuildFailedError. */
  build(request: BuildRequest): Promise<BuildOutcome>;
  inspectImage(reference: string): Promise<ImageInspection | undefined>;
  layerSizes(reference: string): Promise<LayerSizes>;
  /** Pulls an image; resolves false (rather than throwing) when no registry can serve it. */
  pullImage(reference: string, signal?: AbortSignal): Promise<boolean>;
  /** `docker import` of a root file system tar, with Dockerfile-style changes (ENV, CMD, LABEL). */
  importImage(rootfs: Readable, reference: string, changes: string[]): Promise<string>;
  /** Removes an image this run made (force: also when tagged). */
  removeImage(reference: string): Promise<void>;
  /**
   * Removes the intermediate images this engine's builds made since `since` (the builder
   * makes them without labels: earlier stages of a multi-stage build, the chain an interrupted
   * build leaves), leaves first, each only when nothing uses it. Tagged images, images older
   * than `since`, and the IDs in `keep` (still the cache of the next build) are never touched.
   */
  removeBuildLeftovers(since: Date, keep?: readonly string[]): Promise<number>;
  /** Starts a container with one port published on 127.0.0.1 (random host port). */
  startService(image: string, containerPort: number, labels: Record<string, string>): Promise<ServiceContainer>;
  containerLogs(id: string): Promise<string>;
  isRunning(id: string): Promise<boolean>;
  removeContainer(id: string): Promise<void>;
  /** Objects carrying the label (`key` or `key=value`). */
  listLabelled(label: string): Promise<LabelledObjects>;
  removeNetwork(id: string): Promise<void>;
  removeVolume(name: string): Promise<void>;
}
