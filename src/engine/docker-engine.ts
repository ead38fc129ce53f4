/**
 * What the rest of layerbench may ask of Docker. Only this folder imports dockerode;
 * everything else depends on this interface (and specs can stand in for it).
 *
 * One interface per Docker area (system, images, builds, containers, networks and volumes),
 * as testcontainers-node composes its runtime client; each area's data types live beside it
 * and are exported from here too, so that a module names the engine's types in one place.
 */
import type { BuildArea } from './areas/build-area.js';
import type { ContainerArea } from './areas/container-area.js';
import type { ImageArea } from './areas/image-area.js';
import type { NetworkArea } from './areas/network-area.js';
import type { SystemArea } from './areas/system-area.js';

export type { BuildArea, BuildContext, BuildRequest } from './areas/build-area.js';
export type { ContainerArea, ExecOutcome, HelperSpec, ServiceContainer, StartedHelper } from './areas/container-area.js';
export type { ImageArea, ImageInspection, ImageSummary, PullTrace } from './areas/image-area.js';
export type { NetworkArea } from './areas/network-area.js';
export type { BuildCacheUsage, DockerCli, EndpointKind, EngineFacts, Labelled, LabelledObjects, PeerDaemon, SystemArea } from './areas/system-area.js';

export interface DockerEngine {
  /** where the daemon is expected (socket path or DOCKER_HOST), for messages */
  readonly endpoint: string;
  readonly system: SystemArea;
  readonly images: ImageArea;
  readonly builds: BuildArea;
  readonly containers: ContainerArea;
  readonly networks: NetworkArea;
}
