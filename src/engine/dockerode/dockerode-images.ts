/** Images on the daemon, through dockerode: inspect, pull, push, import, tag, find, remove. */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DaemonUnavailableError, DiskFullError, EngineError, InterruptedError, looksLikeDiskFull } from '../../errors.js';
import type { ImageArea, ImageInspection, ImageSummary, PullTrace } from '../areas/image-area.js';
import { layerSizes, type HistoryEntry, type LayerSizes } from '../layer-sizes.js';
import { PullProgressDecoder, type PullStreamMessage } from '../pull-progress.js';
import { readJsonStream } from '../read-json-stream.js';
import type { DaemonRequests } from './daemon-requests.js';

export class DockerodeImages implements ImageArea {
  /** @param now the clock pulls are timed with */
  constructor(
    private readonly docker: Docker,
    private readonly requests: DaemonRequests,
    private readonly now: () => number,
  ) {}

  async inspect(reference: string): Promise<ImageInspection | undefined> {
    const image = await this.requests.call(() => this.docker.getImage(reference).inspect(), `inspect the image ${reference}`, { 404: undefined });
    if (image === undefined) return undefined;
    return {
      id: image.Id,
      sizeBytes: image.Size,
      diffIds: image.RootFS?.Layers ?? [],
      labels: image.Config?.Labels ?? {},
      tags: (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
      createdAt: new Date(image.Created),
      parentId: image.Parent ?? '',
    };
  }

  async layerSizes(reference: string): Promise<LayerSizes> {
    const image = await this.inspect(reference);
    const history = (await this.requests.call(() => this.docker.getImage(reference).history(), `read the history of ${reference}`)) as HistoryEntry[];
    return layerSizes(image?.diffIds ?? [], history);
  }

  async pull(reference: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const stream = (await this.docker.pull(reference, signal === undefined ? {} : { abortSignal: signal })) as Readable;
      let failed = false;
      await readJsonStream(stream, (message) => {
        if (message.error !== undefined || message.errorDetail !== undefined) failed = true;
      }, this.now);
      return !failed && (await this.inspect(reference)) !== undefined;
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError();
      const translated = this.requests.translate(err, `pull ${reference}`);
      if (translated instanceof DaemonUnavailableError || translated instanceof DiskFullError) throw translated;
      return false;
    }
  }

  async pullTimed(reference: string, signal?: AbortSignal): Promise<PullTrace> {
    const startedAt = this.now();
    const decoder = new PullProgressDecoder(startedAt);
    try {
      const stream = (await this.docker.pull(reference, signal === undefined ? {} : { abortSignal: signal })) as Readable;
      await readJsonStream(stream, (message, at) => decoder.push(message as PullStreamMessage, at), this.now);
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError();
      throw this.requests.translate(err, `pull ${reference}`);
    }
    const wallMs = this.now() - startedAt;
    const decoded = decoder.finish();
    if (decoded.failure !== undefined) throw this.streamFailure(decoded.failure, `pull ${reference}`);
    return { wallMs, layers: decoded.layers, digest: decoded.digest };
  }

  async push(reference: string): Promise<void> {
    // the daemon wants an X-Registry-Auth header even for a registry without auth
    const stream = (await this.requests.call(() => this.docker.getImage(reference).push({ authconfig: {} }), `push ${reference}`)) as unknown as Readable;
    await this.readToEnd(stream, `push ${reference}`);
  }

  async import(rootfs: Readable, reference: string, changes: string[]): Promise<string> {
    const [repo, tag] = splitReference(reference);
    const stream = (await this.requests.call(() =>
      this.docker.importImage(rootfs, { repo, tag, changes } as unknown as Record<string, unknown>), `import ${reference}`,
    )) as unknown as Readable;
    await this.readToEnd(stream, `import ${reference}`);
    const image = await this.inspect(reference);
    if (image === undefined) throw new EngineError(this.requests.endpoint, `import ${reference}`, 'the import reported no error, and left no image');
    return image.id;
  }

  async remove(reference: string): Promise<void> {
    await this.requests.call(() => this.docker.getImage(reference).remove({ force: true }), `remove the image ${reference}`, { 404: undefined });
  }

  async removeUntagged(ids: readonly string[], options: { prune: boolean }): Promise<string[]> {
    const kept: string[] = [];
    for (const id of ids) {
      const image = await this.inspect(id);
      if (image === undefined) continue;
      if (image.tags.length > 0) {
        kept.push(id);
        continue;
      }
      const outcome = await this.requests.call(
        () => this.docker.getImage(image.id).remove({ force: false, noprune: !options.prune }).then(() => 'removed' as const),
        `remove the image ${image.id}`,
        { 404: 'gone', 409: 'in use' } as const,
      );
      if (outcome === 'in use') kept.push(id);
    }
    return kept;
  }

  async findUntaggedDescendants(parents: readonly string[], since: Date): Promise<string[]> {
    const parentImages = (await Promise.all(parents.map((parent) => this.inspect(parent)))).filter((image) => image !== undefined);
    if (parentImages.length === 0) return [];
    const images = await this.requests.call(() => this.docker.listImages({ all: true }), 'list its images');
    const found: string[] = [];
    // breadth first from the parents: a cut build may have committed several steps on top of one
    for (let frontier = parentImages.map((image) => image.id); frontier.length > 0; ) {
      const children = images.filter((image) => frontier.includes(image.ParentId) && untagged(image.RepoTags) && image.Created * 1000 >= since.getTime() - 1000);
      frontier = children.map((image) => image.Id).filter((id) => !found.includes(id));
      found.push(...frontier);
    }
    return found;
  }

  async listDangling(): Promise<string[]> {
    const images = await this.requests.call(() => this.docker.listImages({ filters: JSON.stringify({ dangling: ['true'] }) }), 'list its dangling images');
    return images.map((image) => image.Id);
  }

  async tag(id: string, reference: string): Promise<void> {
    const [repo, tag] = splitReference(reference);
    await this.requests.call(() => this.docker.getImage(id).tag({ repo, tag }), `tag ${id} as ${reference}`);
  }

  async listByReference(repositoryGlob: string, tag?: string): Promise<ImageSummary[]> {
    const filters = JSON.stringify({ reference: [tag === undefined ? repositoryGlob : `${repositoryGlob}:${tag}`] });
    const images = await this.requests.call(() => this.docker.listImages({ filters }), `list the images named ${repositoryGlob}${tag === undefined ? '' : `:${tag}`}`);
    return images.map((image) => ({ id: image.Id, tags: (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>') }));
  }

  /**
   * Reads a progress stream to its end and throws the error it reported, if any: a full disk as
   * DiskFullError, anything else as an EngineError naming `operation` (e.g. `push x:1`).
   */
  private async readToEnd(stream: Readable, operation: string): Promise<void> {
    let failure: string | undefined;
    await this.requests.call(() => readJsonStream(stream, (message) => {
      if (message.error !== undefined) failure = String(message.error);
    }, this.now), operation);
    if (failure !== undefined) throw this.streamFailure(failure, operation);
  }

  /** An error a progress stream reported (its HTTP status was 200 all the same). */
  private streamFailure(failure: string, operation: string): DiskFullError | EngineError {
    return looksLikeDiskFull(failure) ? this.requests.diskFull(failure) : new EngineError(this.requests.endpoint, operation, failure);
  }
}

/** `name:tag` → [name, tag]; a registry port (`host:5000/name`) is not a tag. */
function splitReference(reference: string): [string, string] {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, 'latest'];
}

function untagged(tags: readonly string[] | null | undefined): boolean {
  return (tags ?? []).every((tag) => tag === '<none>:<none>');
}
