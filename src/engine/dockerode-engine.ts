/** The DockerEngine, implemented with dockerode: the one place that talks to the daemon. */
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import {
  BuildFailedError,
  DaemonUnavailableError,
  DiskFullError,
  InterruptedError,
  looksLikeDiskFull,
} from '../errors.js';
import { BuildkitProgressDecoder } from './buildkit-progress.js';
import { ClassicProgressDecoder, type BuildStreamMessage } from './classic-progress.js';
import type {
  BuildOutcome,
  BuildRequest,
  DockerEngine,
  EngineFacts,
  ImageInspection,
  LabelledObjects,
  ServiceContainer,
} from './docker-engine.js';
import { layerSizes, type HistoryEntry, type LayerSizes } from './layer-sizes.js';
import { readJsonStream } from './read-json-stream.js';

const PING_TIMEOUT_MS = 5_000;

export class DockerodeEngine implements DockerEngine {
  readonly endpoint: string;
  private readonly docker: Docker;
  /** image IDs named by this engine's build streams, in the order they appeared */
  private readonly mentionedImages: string[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.docker = new Docker();
    this.endpoint = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  }

  async ping(): Promise<void> {
    try {
      await withTimeout(this.docker.ping(), PING_TIMEOUT_MS, 'no answer within 5 s');
    } catch (err) {
      throw new DaemonUnavailableError(this.endpoint, describe(err));
    }
  }

  async facts(): Promise<EngineFacts> {
    const [info, version] = await Promise.all([this.call(() => this.docker.info()), this.call(() => this.docker.version())]);
    const apiVersion = String(version.ApiVersion ?? '');
    return {
      engineVersion: String(version.Version ?? info.ServerVersion ?? 'unknown'),
      apiVersion,
      storageDriver: String(info.Driver ?? 'unknown'),
      os: `${String(info.OperatingSystem ?? 'unknown')} (${String(info.KernelVersion ?? '')})`,
      dockerRootDir: String(info.DockerRootDir ?? '/var/lib/docker'),
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
      buildkitSupported: String(info.OSType ?? 'linux') === 'linux' && compareApiVersions(apiVersion, '1.39') >= 0,
    };
  }

  async build(request: BuildRequest): Promise<BuildOutcome> {
    const decoder =
      request.builder === 'buildkit'
        ? new BuildkitProgressDecoder(request.onStep)
        : new ClassicProgressDecoder(request.onStep, request.labels);
    const startedAt = this.now();
    let streamError: unknown;
    try {
      const stream = await this.postBuild(request);
      await readJsonStream(stream, (message, at) => decoder.push(message as BuildStreamMessage, at), this.now);
    } catch (err) {
      streamError = err;
    }
    const finishedAt = this.now();
    const decoded = decoder.finish(finishedAt);
    this.mentionedImages.push(...decoded.mentionedImageIds, ...decoded.stageImageIds);
    if (request.signal?.aborted) {
      if (decoded.runningContainerId !== undefined) await this.awaitBuildContainerGone(decoded.runningContainerId);
      throw new InterruptedError();
    }
    if (streamError !== undefined) {
      if (looksLikeDiskFull(describe(streamError))) throw new DiskFullError(describe(streamError));
      throw new BuildFailedError(request.variant, decoded.failure?.step, describe(streamError), decoded.logTail);
    }
    if (decoded.failure !== undefined) {
      if (looksLikeDiskFull(decoded.failure.message)) throw new DiskFullError(decoded.failure.message);
      throw new BuildFailedError(request.variant, decoded.failure.step, decoded.failure.message, decoded.logTail);
    }
    if (decoded.imageId === undefined) {
      throw new BuildFailedError(request.variant, undefined, 'the builder reported no image', decoded.logTail);
    }
    const image = await this.inspectImage(decoded.imageId);
    return {
      imageId: image?.id ?? decoded.imageId,
      sizeBytes: image?.sizeBytes ?? 0,
      stageImageIds: decoded.stageImageIds,
      steps: decoded.steps,
      wallMs: finishedAt - startedAt,
    };
  }

  /**
   * POST /build through the modem rather than dockerode's buildImage: for `version=2` that
   * would open a gRPC session, which the Engine does not need for a context sent as a tar.
   */
  private postBuild(request: BuildRequest): Promise<Readable> {
    const options = {
      dockerfile: request.dockerfile,
      buildargs: request.buildArgs,
      labels: request.labels,
      ...(request.tag === undefined ? {} : { t: request.tag }),
      nocache: request.noCache,
      rm: true,
      forcerm: true,
      pull: false,
      version: request.builder === 'buildkit' ? '2' : '1',
      ...(request.hostNetwork ? { networkmode: 'host' } : {}),
    };
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: '/build?',
          method: 'POST',
          options,
          file: request.context,
          isStream: true,
          abortSignal: request.signal,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        } as unknown as Parameters<typeof this.docker.modem.dial>[0],
        (err: unknown, stream: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(stream as Readable)),
      );
    });
  }

  async inspectImage(reference: string): Promise<ImageInspection | undefined> {
    try {
      const image = await this.docker.getImage(reference).inspect();
      return {
        id: image.Id,
        sizeBytes: image.Size,
        diffIds: image.RootFS?.Layers ?? [],
        labels: image.Config?.Labels ?? {},
        tags: (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
        createdAt: new Date(image.Created),
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.translate(err);
    }
  }

  async layerSizes(reference: string): Promise<LayerSizes> {
    const image = await this.inspectImage(reference);
    const history = (await this.call(() => this.docker.getImage(reference).history())) as HistoryEntry[];
    return layerSizes(image?.diffIds ?? [], history);
  }

  async pullImage(reference: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const stream = (await this.docker.pull(reference, signal === undefined ? {} : { abortSignal: signal })) as Readable;
      let failed = false;
      await readJsonStream(stream, (message) => {
        if (message['error'] !== undefined || message['errorDetail'] !== undefined) failed = true;
      }, this.now);
      return !failed && (await this.inspectImage(reference)) !== undefined;
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError();
      if (err instanceof DaemonUnavailableError) throw err;
      return false;
    }
  }

  async importImage(rootfs: Readable, reference: string, changes: string[]): Promise<string> {
    const [repo, tag] = splitReference(reference);
    const stream = (await this.call(() =>
      this.docker.importImage(rootfs, { repo, tag, changes } as unknown as Record<string, unknown>),
    )) as unknown as Readable;
    let failure: string | undefined;
    await readJsonStream(stream, (message) => {
      if (message['error'] !== undefined) failure = String(message['error']);
    }, this.now);
    if (failure !== undefined) throw looksLikeDiskFull(failure) ? new DiskFullError(failure) : new Error(failure);
    const image = await this.inspectImage(reference);
    if (image === undefined) throw new Error(`the import of ${reference} left no image`);
    return image.id;
  }

  async removeImage(reference: string): Promise<void> {
    try {
      await this.docker.getImage(reference).remove({ force: true });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw this.translate(err);
    }
  }

  async removeBuildLeftovers(since: Date, keep: readonly string[] = []): Promise<number> {
    let removed = 0;
    const stillThere: string[] = [];
    for (const id of [...new Set(this.mentionedImages)].reverse()) {
      const image = await this.inspectImage(id);
      // A stream also names the FROM image: a base bootstrapped during this run is tagged, and kept.
      if (image === undefined || image.tags.length > 0 || image.createdAt.getTime() < since.getTime() - 1000) continue;
      if (keep.includes(image.id)) {
        stillThere.push(id);
        continue;
      }
      try {
        // noprune: exactly the images named here, never a parent the cascade would reach
        await this.docker.getImage(image.id).remove({ force: false, noprune: true });
        removed += 1;
      } catch (err) {
        const status = statusOf(err);
        if (status !== 404 && status !== 409) throw this.translate(err);
        if (status === 409) stillThere.push(id); // still used: another try later
      }
    }
    // What is gone, tagged or older than the run needs no second look.
    this.mentionedImages.splice(0, this.mentionedImages.length, ...stillThere.reverse());
    return removed;
  }

  /**
   * A cancelled classic build leaves the container of its running step to the daemon, which
   * removes it (forcerm) a moment later; wait for that, and remove it if the daemon did not.
   */
  private async awaitBuildContainerGone(shortId: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        await this.docker.getContainer(shortId).inspect();
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await this.removeContainer(shortId);
  }

  async startService(image: string, containerPort: number, labels: Record<string, string>): Promise<ServiceContainer> {
    const port = `${containerPort}/tcp`;
    const container = await this.call(() =>
      this.docker.createContainer({
        Image: image,
        Labels: labels,
        ExposedPorts: { [port]: {} },
        HostConfig: { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false },
      }),
    );
    try {
      await container.start();
      const inspected = await container.inspect();
      const binding = inspected.NetworkSettings.Ports[port]?.[0];
      if (binding === undefined) throw new Error(`port ${port} was not published`);
      return { id: container.id, hostPort: Number(binding.HostPort) };
    } catch (err) {
      await this.removeContainer(container.id);
      throw this.translate(err);
    }
  }

  async containerLogs(id: string): Promise<string> {
    const buffer = (await this.call(() => this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 30 }))) as unknown as Buffer;
    return demuxLogs(buffer);
  }

  async isRunning(id: string): Promise<boolean> {
    try {
      return (await this.docker.getContainer(id).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 409) return; // gone, or removal already in progress
      throw this.translate(err);
    }
  }

  async listLabelled(label: string): Promise<LabelledObjects> {
    const filters = JSON.stringify({ label: [label] });
    const [containers, images, networks, volumes] = await Promise.all([
      this.call(() => this.docker.listContainers({ all: true, filters })),
      this.call(() => this.docker.listImages({ all: false, filters })),
      this.call(() => this.docker.listNetworks({ filters })),
      this.call(() => this.docker.listVolumes({ filters })),
    ]);
    return {
      containers: containers.map((c) => c.Id),
      images: images.map((i) => i.Id),
      networks: networks.map((n) => n.Id),
      volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    };
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw this.translate(err);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw this.translate(err);
    }
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): Error {
    const text = describe(err);
    if (/ECONNREFUSED|ENOENT|EACCES|socket hang up|connect ETIMEDOUT/.test(text) && statusOf(err) === undefined) {
      return new DaemonUnavailableError(this.endpoint, text);
    }
    if (looksLikeDiskFull(text)) return new DiskFullError(text);
    return err instanceof Error ? err : new Error(text);
  }
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const json = (err as { json?: { message?: string } }).json;
    return json?.message ?? err.message;
  }
  return String(err);
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

/** `name:tag` → [name, tag]; a registry port (`host:5000/name`) is not a tag. */
export function splitReference(reference: string): [string, string] {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, 'latest'];
}

/** Container logs without a TTY come multiplexed: 8-byte headers before each frame. */
function demuxLogs(buffer: Buffer): string {
  if (!Buffer.isBuffer(buffer)) return String(buffer);
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}

export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
