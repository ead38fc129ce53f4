/** The fake daemon as a whole: it answers (or not), says what it is, lists what carries a label, reaches the daemons its helpers serve. */
import type { PeerDaemon } from '../../../src/engine/areas/system-area.js';
import type { BuildCacheUsage, DockerCli, EngineFacts, LabelledObjects, SystemArea } from '../../../src/engine/docker-engine.js';
import { matchesLabel, type FakeDaemon, type FakeObject } from './fake-daemon.js';

export class FakeSystem implements SystemArea {
  /** What facts() says the daemon defaults to; a spec may change it. */
  defaultBuilder: EngineFacts['defaultBuilder'] = { builder: 'classic', why: 'the fake daemon names no Builder-Version' };
  /** The docker CLI the fake machine has; none unless a spec gives one. */
  cli: DockerCli | undefined = undefined;

  constructor(
    private readonly daemon: FakeDaemon,
    /** the fake engine of the daemon a helper serves at that host (given by FakeEngine, which makes engines) */
    private readonly peerAt: (dockerHost: string) => PeerDaemon,
  ) {}

  peer(dockerHost: string): PeerDaemon {
    this.daemon.log.push(`system.peer ${dockerHost}`);
    return this.peerAt(dockerHost);
  }

  async ping(): Promise<void> {
    this.daemon.log.push('system.ping');
  }

  async facts(): Promise<EngineFacts> {
    return {
      id: 'FAKE:ENGINE',
      engineVersion: '20.10.24',
      apiVersion: '1.41',
      storageDriver: 'overlay2',
      os: 'Fake OS',
      dockerRootDir: '/var/lib/docker',
      cpus: 2,
      memoryBytes: 24e9,
      buildkitSupported: true,
      defaultBuilder: this.defaultBuilder,
      endpoint: 'unix',
    };
  }

  async dockerCli(): Promise<DockerCli | undefined> {
    return this.cli;
  }

  async listLabelled(label: string): Promise<LabelledObjects> {
    const labelled = (objects: Iterable<FakeObject>): FakeObject[] => [...objects].filter((object) => matchesLabel(object.labels, label)).map(({ id, labels }) => ({ id, labels }));
    return {
      containers: labelled([...this.daemon.containers.entries()].map(([id, container]) => ({ id, labels: container.labels }))),
      // the fake's images carry no labels
      images: [],
      networks: labelled(this.daemon.networks.values()),
      volumes: labelled(this.daemon.volumes.values()),
    };
  }

  async buildCacheUsage(): Promise<BuildCacheUsage> {
    return { entries: 0, totalBytes: 0, cacheMountBytes: 0 };
  }

  async pruneBuildCache(): Promise<{ entries: number; reclaimedBytes: number }> {
    this.daemon.log.push('system.pruneBuildCache');
    return { entries: 0, reclaimedBytes: 0 };
  }
}
