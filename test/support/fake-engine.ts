/**
 * A scripted DockerEngine for specs that must not need Docker, area by area as the real one
 * (test/support/fake-engine/): builds answer from a script, images, containers, networks and
 * volumes live in memory in one fake daemon, and every call that reaches it (or changes it) is
 * logged in order, so a spec can say what a run did and what it left. Health checks reach a
 * real HTTP server on 127.0.0.1 (the probe is real code too).
 *
 * For the pull experiment, a helper container (the registry, a fresh host) publishes real ports
 * that answer health checks and the registry's manifests; `system.peer` reaches the daemon of a
 * fresh host, another FakeEngine (empty, pulling from the same fake registry, its pulls counted
 * on the host's byte counter). `onPeer` scripts each such daemon as it is first reached.
 *
 * A spec changes an area's answer by replacing its method (`engine.images.remove = …`). The
 * engine is no thenable: its scripting method is `thenBuilds`, so awaiting it settles.
 */
import type { DockerEngine } from '../../src/engine/docker-engine.js';
import { FakeBuilds, type BuildScript } from './fake-engine/fake-builds.js';
import { FakeContainers } from './fake-engine/fake-containers.js';
import { FakeDaemon } from './fake-engine/fake-daemon.js';
import { FakeImages } from './fake-engine/fake-images.js';
import { FakeNetworks } from './fake-engine/fake-networks.js';
import { FakeSystem } from './fake-engine/fake-system.js';

export type { BuildScript } from './fake-engine/fake-builds.js';

export class FakeEngine implements DockerEngine {
  readonly endpoint: string;
  readonly system: FakeSystem;
  readonly images: FakeImages;
  readonly builds: FakeBuilds;
  readonly containers: FakeContainers;
  readonly networks: FakeNetworks;
  /** the daemons of the fresh hosts (system.peer), in the order first reached */
  readonly peers: FakeEngine[] = [];
  /** called with each peer as it is first reached: where a spec scripts a fresh host's daemon */
  onPeer: (peer: FakeEngine) => void = () => {};
  private readonly daemon: FakeDaemon;

  /**
   * @param defaultBuild how a build answers once the scripted ones (thenBuilds) are used up
   * @param daemon the daemon it is the engine of; by default one of its own holding `base:1`
   */
  constructor(defaultBuild: BuildScript = () => ({}), daemon?: FakeDaemon) {
    this.daemon = daemon ?? new FakeDaemon();
    this.endpoint = this.daemon.endpoint;
    this.system = new FakeSystem(this.daemon, (dockerHost) => this.peerAt(dockerHost));
    this.images = new FakeImages(this.daemon);
    this.builds = new FakeBuilds(this.daemon, defaultBuild);
    this.containers = new FakeContainers(this.daemon);
    this.networks = new FakeNetworks(this.daemon);
    if (daemon === undefined) this.daemon.addImage('base:1', ['sha256:base-layer'], [100]);
  }

  /** every call that reached the daemon, in order, e.g. `builds.build optimized nocache`, `images.remove layerbench-run/…` */
  get log(): string[] {
    return this.daemon.log;
  }

  /** Scripts the next builds, one function per build; after them, the default. */
  thenBuilds(...builds: BuildScript[]): this {
    this.builds.scriptNext(...builds);
    return this;
  }

  /** An image in the store (a base, a leftover); resolves with its ID. */
  addImage(tag: string | undefined, diffIds: string[], sizes: number[], parentId = ''): string {
    return this.daemon.addImage(tag, diffIds, sizes, parentId);
  }

  /** IDs of the containers still on the daemon. */
  containersLeft(): string[] {
    return [...this.daemon.containers.keys()];
  }

  /** A container that stops, having logged `logs` (an app that crashes as it starts). */
  exitContainer(id: string, logs: string): void {
    const container = this.daemon.containers.get(id);
    if (container === undefined) throw new Error(`the fake daemon has no container ${id}`);
    Object.assign(container, { running: false, logs });
  }

  /** Names of the networks and volumes still on the daemon. */
  networksLeft(): string[] {
    return [...this.daemon.networks.keys()];
  }

  volumesLeft(): string[] {
    return [...this.daemon.volumes.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([this.containers.close(), ...this.peers.map((peer) => peer.close())]);
  }

  /** The daemon inside the helper that publishes the port of `dockerHost` (a fresh host's API). */
  private peerAt(dockerHost: string): FakeEngine {
    const port = Number(new URL(dockerHost).port);
    const helper = [...this.daemon.containers.values()].find((c) => c.helper !== undefined && [...c.helper.ports.values()].includes(port))?.helper;
    if (helper === undefined) throw new Error(`no helper container of the fake daemon publishes ${dockerHost}`);
    const known = this.peers.find((peer) => peer.daemon === helper.inner);
    if (known !== undefined) return known;
    const peer = new FakeEngine(undefined, new FakeDaemon(dockerHost, this.daemon.registry));
    helper.inner = peer.daemon;
    this.peers.push(peer);
    this.onPeer(peer);
    return peer;
  }
}
