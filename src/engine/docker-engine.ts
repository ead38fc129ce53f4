/**
 * What the rest of layerbench may ask of Docker. Only this folder imports dockerode;
 * everything else depends on this interface (and specs can stand in for it).
 */
import type { Readable } from 'node:stream';
import type { DockerfileModel } from '../dockerfile/dockerfile-model.js';
import type { BuildDriver, BuilderKind, BuildTrace, ReportedImage } from './build-trace.js';
import type { LayerSizes } from './layer-sizes.js';
import type { PulledLayer } from './pull-progress.js';

export type EndpointKind = 'unix' | 'tcp' | 'ssh' | 'npipe' | 'unknown';

export interface EngineFacts {
  /** the Engine's own ID: stable for one daemon */
  id: string;
  engineVersion: string;
  apiVersion: string;
  storageDriver: string;
  os: string;
  dockerRootDir: string;
  cpus: number;
  memoryBytes: number;
  /** the daemon advertises BuildKit (API ≥ 1.39 on Linux) */
  buildkitSupported: boolean;
  /**
   * The builder the daemon itself uses when a client does not choose: its `/_ping` answer's
   * `Builder-Version` header (`2`: BuildKit, Engine ≥ 23); classic where it sends none.
   */
  defaultBuilder: { builder: BuilderKind; why: string };
  endpoint: EndpointKind;
}

/** A build context on disk: a folder, and the tar of it that a tar upload sends (after .dockerignore). */
export interface BuildContext {
  readonly dir: string;
  pack(): Readable;
}

export interface BuildRequest {
  context: BuildContext;
  /**
   * How the build is run: `cli`, the docker CLI as the user runs it (`docker buildx build`,
   * `docker build`); `api`, the Engine API (a session with file sync for BuildKit, else a tar).
   * @default 'api'
   */
  driver?: BuildDriver | undefined;
  /**
   * BuildKit's shared key for the context (API driver): the same for every build of one
   * workspace, so that from the second build on only changed files travel. @default the context dir
   */
  sharedKey?: string | undefined;
  /** path of the Dockerfile inside the context */
  dockerfile: string;
  /** the parsed Dockerfile: gives each step its line and stage */
  dockerfileModel: DockerfileModel | undefined;
  builder: BuilderKind;
  buildArgs: Record<string, string>;
  /** the stage to build (`--target`); unset: the last */
  target?: string | null | undefined;
  /**
   * The run-specific tag the image gets: how a run finds what it built. (No build labels:
   * the classic builder turns each into one more committed step, which would be timed.)
   */
  tag: string;
  noCache: boolean;
  /** the name shown in errors */
  variant: string;
  /** build with the host's network (needed to reach a package index bound to 127.0.0.1) */
  hostNetwork: boolean;
  signal: AbortSignal | undefined;
  onStep: ((index: number, total: number, instruction: string) => void) | undefined;
  /** each image the build stream names, as it arrives (also when the build is interrupted) */
  onImage: ((image: ReportedImage) => void) | undefined;
}

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

export interface ServiceContainer {
  id: string;
  /** the host port (on 127.0.0.1) that the container port is published on */
  hostPort: number;
}

export interface Labelled {
  /** the object's ID (a volume's name) */
  id: string;
  labels: Record<string, string>;
}

export interface LabelledObjects {
  containers: Labelled[];
  images: Labelled[];
  networks: Labelled[];
  volumes: Labelled[];
}

export interface PullTrace {
  /** from sending the request to the end of the daemon's stream */
  wallMs: number;
  layers: PulledLayer[];
  /** the manifest digest pulled */
  digest: string | undefined;
}

export interface ExecOutcome {
  exitCode: number;
  /** stdout and stderr, as the command wrote them */
  output: string;
}

/** BuildKit's build cache on a daemon, as `docker system df` counts it. */
export interface BuildCacheUsage {
  entries: number;
  totalBytes: number;
  /** of which the contents of cache mounts (`RUN --mount=type=cache`), which `--no-cache` keeps */
  cacheMountBytes: number;
}

/** The docker CLI on this machine, as a build driver (see cli/docker-cli.ts). */
export interface DockerCli {
  /** the program run, as found on PATH */
  command: string;
  /** the client's version, e.g. `28.2.2` */
  clientVersion: string;
  /** the buildx plugin's version (`v0.13.1`), null without it */
  buildxVersion: string | null;
  /** the daemon the CLI talks to as the user runs it (its DOCKER_HOST, else its current context's endpoint) */
  endpoint: string | null;
}

export interface DockerEngine {
  /** where the daemon is expected (socket path or DOCKER_HOST), for messages */
  readonly endpoint: string;
  /** Resolves when the daemon answers; rejects with DaemonUnavailableError otherwise. */
  ping(): Promise<void>;
  facts(): Promise<EngineFacts>;
  /** The docker CLI on this machine (the `cli` build driver), undefined where none runs. */
  dockerCli(): Promise<DockerCli | undefined>;
  /**
   * Builds and resolves once the stream ended and was inspected. Rejects with
   * BuildFailedError (the build failed), DaemonUnavailableError (the daemon stopped answering),
   * DiskFullError, or InterruptedError (the signal fired; the daemon has let go of the build).
   */
  build(request: BuildRequest): Promise<BuildTrace>;
  inspectImage(reference: string): Promise<ImageInspection | undefined>;
  layerSizes(reference: string): Promise<LayerSizes>;
  /** Pulls an image; resolves false (rather than throwing) when no registry can serve it. */
  pullImage(reference: string, signal?: AbortSignal): Promise<boolean>;
  /** Pulls an image and reports what each layer cost; rejects when the pull fails. */
  pullTimed(reference: string, signal?: AbortSignal): Promise<PullTrace>;
  /** Pushes a reference to its registry; rejects when the push fails. */
  pushImage(reference: string): Promise<void>;
  /** A network of its own (bridge), labelled; resolves with its id. */
  createNetwork(name: string, labels: Record<string, string>): Promise<string>;
  /** A named volume, labelled. */
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Runs a command in a running container and waits for it. */
  exec(containerId: string, command: string[]): Promise<ExecOutcome>;
  /** Whether a privileged container of `image` starts here (it does not where root lacks CAP_SYS_RESOURCE). */
  privilegedWorks(image: string, labels: Record<string, string>): Promise<{ works: true } | { works: false; reason: string }>;
  /** Starts a container of an image (as `docker run -d`), labelled; for the images a pull experiment pulled. */
  runDetached(image: string, options: { labels: Record<string, string>; hostNetwork: boolean }): Promise<string>;
  /** BuildKit's build cache (not a labelled object: it belongs to every BuildKit build of the daemon). */
  buildCacheUsage(): Promise<BuildCacheUsage>;
  /** Removes BuildKit's build cache that no build uses (`docker builder prune --all`). */
  pruneBuildCache(): Promise<{ entries: number; reclaimedBytes: number }>;
  /** `docker import` of a root file system tar, with Dockerfile-style changes (ENV, CMD, LABEL). */
  importImage(rootfs: Readable, reference: string, changes: string[]): Promise<string>;
  /**
   * Removes a reference (force). A tag of an image that has other tags only untags it; an
   * image's untagged parents go with it unless something else uses them.
   */
  removeImage(reference: string): Promise<void>;
  /**
   * Removes these images, each only when it is untagged and no container or child image uses
   * it. `prune`: its untagged parents go with it (as `docker rmi` does); otherwise exactly it.
   * Resolves with the IDs that are still there (tagged, or in use): a tag can move away later.
   */
  removeUntaggedImages(ids: readonly string[], options: { prune: boolean }): Promise<string[]>;
  /**
   * Untagged images built on `parent` — its children, their children, and so on — created at
   * or after `since`, nearest first: what a build interrupted at the wrong moment committed
   * without the stream saying so (the steps after a cut can still commit, one on another).
   */
  findUntaggedDescendants(parent: string, since: Date): Promise<string[]>;
  /** IDs of the daemon's dangling images (untagged, no child): what a build that lost its tag leaves. */
  listDanglingImages(): Promise<string[]>;
  /** Gives an image one more tag. */
  tagImage(id: string, reference: string): Promise<void>;
  /** Images tagged `repository:*` with a repository matching the glob (e.g. `layerbench-run/*`), and `tag` when given. */
  listImagesByReference(repositoryGlob: string, tag?: string): Promise<ImageSummary[]>;
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
