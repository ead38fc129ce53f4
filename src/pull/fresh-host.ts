/**
 * A fresh host: a Docker daemon in a container, with an empty image store on a volume of its
 * own, on the experiment's network, trusting the experiment's registry over plain HTTP. A new
 * one for every pull. Its API and its app port are published on 127.0.0.1 only.
 */
import type { DockerEngine, PeerDaemon, StartedHelper } from '../engine/docker-engine.js';
import { FreshHostError } from '../errors.js';

export type FreshHostMode = 'privileged' | 'capabilities';

export interface FreshHostSpec {
  image: string;
  network: string;
  registry: string;
  labels: Record<string, string>;
  /** a prefix for the container's and the volume's names */
  name: string;
  mode: FreshHostMode;
}

/** The port the pulled app listens on (inside the fresh host's network namespace). */
export const APP_PORT = 8000;
const API_PORT = 2375;

export class FreshHost {
  private constructor(
    private readonly outer: DockerEngine,
    private readonly helper: StartedHelper,
    private readonly volume: string,
    /** the fresh host's own daemon */
    readonly inner: PeerDaemon,
    readonly mode: FreshHostMode,
  ) {}

  static async start(outer: DockerEngine, spec: FreshHostSpec): Promise<FreshHost> {
    const volume = `${spec.name}-docker`;
    await outer.networks.createVolume(volume, spec.labels);
    try {
      const helper = await outer.containers.startHelper({
        image: spec.image,
        name: spec.name,
        network: spec.network,
        labels: spec.labels,
        ports: [API_PORT, APP_PORT],
        // --tls=false: without it dockerd waits 15 s to warn about an unauthenticated tcp socket (published on 127.0.0.1 only)
        command: ['--host', `tcp://0.0.0.0:${API_PORT}`, '--tls=false', '--host', 'unix:///var/run/docker.sock', '--insecure-registry', `${spec.registry}:5000`, '--storage-driver', 'overlay2'],
        mode: spec.mode,
        privateCgroupNamespace: true,
        volumes: [{ volume, target: '/var/lib/docker' }],
        readyWhenLogs: /API listen on \[::\]:2375/,
      });
      const inner = outer.system.peer(`tcp://127.0.0.1:${helper.hostPort(API_PORT)}`);
      return new FreshHost(outer, helper, volume, inner, spec.mode);
    } catch (err) {
      await outer.containers.remove(spec.name);
      await outer.networks.removeVolume(volume);
      throw err;
    }
  }

  get id(): string {
    return this.helper.id;
  }

  get appUrl(): string {
    return `http://127.0.0.1:${this.helper.hostPort(APP_PORT)}`;
  }

  /** Bytes the fresh host has received on its network interface. */
  async receivedBytes(): Promise<number> {
    const outcome = await this.outer.containers.exec(this.helper.id, ['cat', '/sys/class/net/eth0/statistics/rx_bytes']);
    const bytes = Number(outcome.output.trim());
    if (outcome.exitCode !== 0 || !Number.isFinite(bytes)) {
      throw new FreshHostError(this.helper.id, `Could not read the byte counter of the fresh host ${this.helper.id.slice(0, 12)} (/sys/class/net/eth0/statistics/rx_bytes): ${outcome.output.trim() || `cat exited ${outcome.exitCode}`}.`);
    }
    return bytes;
  }

  async stop(): Promise<void> {
    await this.helper.stop();
    await this.outer.networks.removeVolume(this.volume);
  }
}

/**
 * Starts a fresh host the way this machine allows: `auto` tries --privileged (the usual way on
 * a user's machine) and falls back to the capabilities Docker-in-Docker needs (where root
 * lacks CAP_SYS_RESOURCE, privileged containers fail).
 */
export async function startFreshHost(outer: DockerEngine, spec: Omit<FreshHostSpec, 'mode'>, mode: 'auto' | FreshHostMode): Promise<FreshHost> {
  if (mode !== 'auto') return FreshHost.start(outer, { ...spec, mode });
  try {
    return await FreshHost.start(outer, { ...spec, mode: 'privileged' });
  } catch {
    return FreshHost.start(outer, { ...spec, mode: 'capabilities' });
  }
}
