/**
 * The DockerEngine, implemented with dockerode: the one place that talks to the daemon. One
 * dockerode client per daemon, made from the host layerbench resolved; each Docker area is a
 * class of its own given that client (src/engine/dockerode/).
 */
import { performance } from 'node:perf_hooks';
import type { BuildArea, ContainerArea, DockerEngine, ImageArea, NetworkArea, SystemArea } from './docker-engine.js';
import { dockerHostFrom } from './docker-host.js';
import { DaemonRequests } from './dockerode/daemon-requests.js';
import { dockerClient } from './dockerode/docker-client.js';
import { DockerodeBuilds } from './dockerode/dockerode-builds.js';
import { DockerodeContainers } from './dockerode/dockerode-containers.js';
import { DockerodeImages } from './dockerode/dockerode-images.js';
import { DockerodeNetworks } from './dockerode/dockerode-networks.js';
import { DockerodeSystem } from './dockerode/dockerode-system.js';

export class DockerodeEngine implements DockerEngine {
  readonly endpoint: string;
  readonly system: SystemArea;
  readonly images: ImageArea;
  readonly builds: BuildArea;
  readonly containers: ContainerArea;
  readonly networks: NetworkArea;

  /**
   * @param env where DOCKER_HOST is read (a malformed one is a UsageError, thrown here)
   * @param now the clock builds are timed with
   */
  constructor(env: NodeJS.ProcessEnv = process.env, now: () => number = () => performance.now()) {
    const host = dockerHostFrom(env);
    const docker = dockerClient(host, env);
    const requests = new DaemonRequests(host);
    this.endpoint = host.endpoint;
    // a peer (a fresh host's daemon) is plain TCP on loopback: this daemon's TLS settings are not its
    this.system = new DockerodeSystem(docker, requests, (dockerHost) => new DockerodeEngine({ DOCKER_HOST: dockerHost }, now));
    this.images = new DockerodeImages(docker, requests, now);
    this.containers = new DockerodeContainers(docker, requests);
    this.networks = new DockerodeNetworks(docker, requests);
    this.builds = new DockerodeBuilds(docker, requests, now, { system: this.system, images: this.images, containers: this.containers });
  }
}
