/** The daemon as a whole: whether it answers, what it is, what carries a label, BuildKit's cache, the daemons its containers serve. */
import type { Builder } from '../../result/types.js';
import type { ContainerArea } from './container-area.js';
import type { ImageArea } from './image-area.js';

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
  defaultBuilder: { builder: Builder; why: string };
  endpoint: EndpointKind;
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

/** BuildKit's build cache on a daemon, as `docker system df` counts it. */
export interface BuildCacheUsage {
  entries: number;
  totalBytes: number;
  /** of which the contents of cache mounts (`RUN --mount=type=cache`), which `--no-cache` keeps */
  cacheMountBytes: number;
}

/**
 * A daemon that a container of this one serves (a fresh host's own): what is asked of it. A
 * DockerEngine is one; named by its areas here, since the engine's interface names this area.
 */
export interface PeerDaemon {
  /** where the daemon is (its DOCKER_HOST), for messages */
  readonly endpoint: string;
  readonly images: ImageArea;
  readonly containers: ContainerArea;
}

export interface SystemArea {
  /** Resolves when the daemon answers; rejects with DaemonUnavailableError otherwise. */
  ping(): Promise<void>;
  facts(): Promise<EngineFacts>;
  /** The docker CLI on this machine (the `cli` build driver), undefined where none runs. */
  dockerCli(): Promise<DockerCli | undefined>;
  /** Objects carrying the label (`key` or `key=value`). */
  listLabelled(label: string): Promise<LabelledObjects>;
  /** BuildKit's build cache (not a labelled object: it belongs to every BuildKit build of the daemon). */
  buildCacheUsage(): Promise<BuildCacheUsage>;
  /** Removes BuildKit's build cache that no build uses (`docker builder prune --all`). */
  pruneBuildCache(): Promise<{ entries: number; reclaimedBytes: number }>;
  /**
   * The daemon a container of this one serves at `dockerHost` (`tcp://127.0.0.1:<published port>`,
   * plain TCP), with a client of its own. Nothing is sent until it is asked something.
   */
  peer(dockerHost: string): PeerDaemon;
}
