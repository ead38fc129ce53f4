/** The daemon as a whole, through dockerode: ping, facts, labelled objects, BuildKit's cache. */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DaemonUnavailableError } from '../../errors.js';
import type { BuildCacheUsage, DockerCli, EngineFacts, LabelledObjects, PeerDaemon, SystemArea } from '../areas/system-area.js';
import { findDockerCli } from '../cli/docker-cli.js';
import { describe, type DaemonRequests } from './daemon-requests.js';

const PING_TIMEOUT_MS = 5_000;

export class DockerodeSystem implements SystemArea {
  /** the docker CLI, once asked for (the cli build driver) */
  private cli: Promise<DockerCli | undefined> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly requests: DaemonRequests,
    /** makes the engine of another daemon (given by the engine, which this area must not import) */
    private readonly engineAt: (dockerHost: string) => PeerDaemon,
  ) {}

  peer(dockerHost: string): PeerDaemon {
    return this.engineAt(dockerHost);
  }

  async ping(): Promise<void> {
    try {
      await withTimeout(this.docker.ping(), PING_TIMEOUT_MS, 'no answer within 5 s');
    } catch (err) {
      throw new DaemonUnavailableError(this.requests.endpoint, describe(err));
    }
  }

  async facts(): Promise<EngineFacts> {
    const [info, version] = await Promise.all([
      this.requests.call(() => this.docker.info(), 'report its system information'),
      this.requests.call(() => this.docker.version(), 'report its version'),
    ]);
    const apiVersion = String(version.ApiVersion ?? '');
    const dataRoot = String(info.DockerRootDir ?? '/var/lib/docker');
    this.requests.noteDataRoot(dataRoot);
    return {
      id: String(info.ID ?? 'unknown'),
      engineVersion: String(version.Version ?? info.ServerVersion ?? 'unknown'),
      apiVersion,
      storageDriver: String(info.Driver ?? 'unknown'),
      os: `${String(info.OperatingSystem ?? 'unknown')} (${String(info.KernelVersion ?? '')})`,
      dockerRootDir: dataRoot,
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
      buildkitSupported: String(info.OSType ?? 'linux') === 'linux' && compareApiVersions(apiVersion, '1.39') >= 0,
      defaultBuilder: await this.defaultBuilder(),
      endpoint: this.requests.host.kind,
    };
  }

  /** The daemon's own choice of builder, from the `Builder-Version` header of its `/_ping` answer. */
  private async defaultBuilder(): Promise<EngineFacts['defaultBuilder']> {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      this.docker.modem.dial(
        { path: '/_ping', method: 'GET', isStream: true, statusCodes: { 200: true, 500: 'server error' } } as unknown as Parameters<typeof this.docker.modem.dial>[0],
        (err: unknown, response: unknown) => {
          if (err) return reject(this.requests.translate(err, 'answer /_ping'));
          const res = response as Readable & { headers?: Record<string, unknown> };
          res.resume();
          resolve(res.headers ?? {});
        },
      );
    });
    const version = headers['builder-version'];
    if (version === '2') return { builder: 'buildkit', why: 'the daemon\'s default: its /_ping answers Builder-Version: 2' };
    if (version === '1') return { builder: 'classic', why: 'the daemon\'s default: its /_ping answers Builder-Version: 1' };
    return { builder: 'classic', why: "the daemon's default: its /_ping names no Builder-Version (an engine before 23.0 builds with the classic builder)" };
  }

  async dockerCli(): Promise<DockerCli | undefined> {
    this.cli ??= findDockerCli();
    return this.cli;
  }

  async listLabelled(label: string): Promise<LabelledObjects> {
    const filters = JSON.stringify({ label: [label] });
    const [containers, images, networks, volumes] = await Promise.all([
      this.requests.call(() => this.docker.listContainers({ all: true, filters }), `list the containers labelled ${label}`),
      this.requests.call(() => this.docker.listImages({ all: false, filters }), `list the images labelled ${label}`),
      this.requests.call(() => this.docker.listNetworks({ filters }), `list the networks labelled ${label}`),
      this.requests.call(() => this.docker.listVolumes({ filters }), `list the volumes labelled ${label}`),
    ]);
    return {
      containers: containers.map((c) => ({ id: c.Id, labels: c.Labels ?? {} })),
      images: images.map((i) => ({ id: i.Id, labels: i.Labels ?? {} })),
      networks: networks.map((n) => ({ id: n.Id, labels: n.Labels ?? {} })),
      volumes: (volumes.Volumes ?? []).map((v) => ({ id: v.Name, labels: v.Labels ?? {} })),
    };
  }

  async buildCacheUsage(): Promise<BuildCacheUsage> {
    const usage = (await this.requests.call(() => this.docker.df(), 'report its disk usage')) as { BuildCache?: { Type?: string; Size?: number }[] | null };
    const entries = usage.BuildCache ?? [];
    const bytes = (list: typeof entries): number => list.reduce((sum, entry) => sum + (entry.Size ?? 0), 0);
    return { entries: entries.length, totalBytes: bytes(entries), cacheMountBytes: bytes(entries.filter((e) => e.Type === 'exec.cachemount')) };
  }

  async pruneBuildCache(): Promise<{ entries: number; reclaimedBytes: number }> {
    const answer = await new Promise<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>((resolve, reject) => {
      // dockerode's pruneBuilder sends no options; `all` removes more than the dangling entries
      this.docker.modem.dial(
        { path: '/build/prune?', method: 'POST', options: { all: true }, statusCodes: { 200: true, 500: 'server error' } },
        (err: unknown, data: unknown) => (err ? reject(this.requests.translate(err, 'empty its build cache')) : resolve((data ?? {}) as { CachesDeleted?: string[] | null; SpaceReclaimed?: number })),
      );
    });
    return { entries: answer.CachesDeleted?.length ?? 0, reclaimedBytes: answer.SpaceReclaimed ?? 0 };
  }
}

function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (err: unknown) => { clearTimeout(timer); reject(err instanceof Error ? err : new Error(String(err))); },
    );
  });
}
