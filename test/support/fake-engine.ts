/**
 * A scripted DockerEngine for specs that must not need Docker: builds answer from a script,
 * images and containers live in memory, and every call is logged in order, so a spec can say
 * what a run did and what it left. Health checks reach a real HTTP server on 127.0.0.1 (the
 * probe is real code too).
 */
import { createServer, type Server } from 'node:http';
import type { Readable } from 'node:stream';
import type { BuildTrace, ReportedImage, TraceStep } from '../../src/engine/build-trace.js';
import type {
  BuildRequest,
  DockerEngine,
  EngineFacts,
  ImageInspection,
  ImageSummary,
  LabelledObjects,
  ServiceContainer,
} from '../../src/engine/docker-engine.js';
import type { DockerCli } from '../../src/engine/cli/docker-cli.js';
import type { LayerSizes } from '../../src/engine/layer-sizes.js';
import { InterruptedError } from '../../src/errors.js';

export interface ScriptedBuild {
  /** steps of the Dockerfile, cached or not */
  steps?: { instruction: string; cached: boolean }[];
  wallMs?: number;
  /** reject the build with this instead */
  error?: Error;
  /** resolve only when the request's signal aborts (then reject as the engine does) */
  hangUntilAborted?: boolean;
  /** images the stream names, as it would report them */
  images?: ReportedImage[];
}

interface FakeImage {
  id: string;
  tags: Set<string>;
  diffIds: string[];
  sizes: number[];
  parentId: string;
  createdAt: Date;
}

export class FakeEngine implements DockerEngine {
  readonly endpoint = 'unix:///fake.sock';
  /** every call, in order, e.g. `build optimized nocache`, `removeImage layerbench-run/…` */
  readonly log: string[] = [];
  readonly builds: BuildRequest[] = [];
  readonly images = new Map<string, FakeImage>();
  readonly containers = new Map<string, { labels: Record<string, string>; running: boolean }>();
  private readonly script: ((request: BuildRequest, call: number) => ScriptedBuild)[] = [];
  private nextId = 1;
  private healthServer: Server | undefined;

  constructor(
    private readonly defaultBuild: (request: BuildRequest, call: number) => ScriptedBuild = () => ({}),
    private readonly pingError?: Error,
  ) {
    this.addImage('base:1', ['sha256:base-layer'], [100]);
  }

  /** Scripts the next builds, one function per build; after them, the default. */
  then(...builds: ((request: BuildRequest, call: number) => ScriptedBuild)[]): this {
    this.script.push(...builds);
    return this;
  }

  addImage(tag: string | undefined, diffIds: string[], sizes: number[], parentId = ''): string {
    const id = `sha256:${String(this.nextId++).padStart(64, '0')}`;
    this.images.set(id, { id, tags: new Set(tag === undefined ? [] : [tag]), diffIds, sizes, parentId, createdAt: new Date() });
    return id;
  }

  async ping(): Promise<void> {
    this.log.push('ping');
    if (this.pingError !== undefined) throw this.pingError;
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

  /** What facts() says the daemon defaults to; a spec may change it. */
  defaultBuilder: EngineFacts['defaultBuilder'] = { builder: 'classic', why: 'the fake daemon names no Builder-Version' };
  /** The docker CLI the fake machine has; none unless a spec gives one. */
  cli: DockerCli | undefined = undefined;

  async listDanglingImages(): Promise<string[]> {
    return [...this.images.values()].filter((image) => image.tags.size === 0 && ![...this.images.values()].some((other) => other.parentId === image.id)).map((image) => image.id);
  }

  async dockerCli(): Promise<DockerCli | undefined> {
    return this.cli;
  }

  async build(request: BuildRequest): Promise<BuildTrace> {
    const call = this.builds.length;
    this.builds.push(request);
    this.log.push(`build ${request.variant}${request.noCache ? ' nocache' : ''}`);
    const sentBytes = await drain(request.context.pack());
    const scripted = (this.script.shift() ?? this.defaultBuild)(request, call);
    for (const image of scripted.images ?? []) request.onImage?.(image);
    if (scripted.hangUntilAborted === true) {
      await new Promise<void>((resolve) => {
        if (request.signal?.aborted) resolve();
        request.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      throw new InterruptedError();
    }
    if (scripted.error !== undefined) throw scripted.error;
    const steps: TraceStep[] = (scripted.steps ?? [{ instruction: 'FROM base', cached: true }, { instruction: 'COPY . .', cached: false }]).map((step, i) => ({
      index: i + 1,
      instruction: step.instruction,
      cached: step.cached,
      durationMs: step.cached ? 1 : 100,
      stage: '0',
      line: i + 1,
    }));
    for (const step of steps) request.onStep?.(step.index, steps.length, step.instruction);
    // A new top layer per build that missed somewhere; the base layer is always shared.
    const fresh = steps.some((s) => !s.cached);
    const id = this.addImage(request.tag, fresh ? ['sha256:base-layer', `sha256:layer-${call}`] : ['sha256:base-layer', 'sha256:layer-0'], [100, 10]);
    for (const image of this.images.values()) if (image.id !== id) image.tags.delete(request.tag);
    return { builder: request.builder, driver: request.driver ?? 'api', sent: { transport: 'tar', bytes: sentBytes, files: null }, imageId: id, sizeBytes: 110, steps, wallMs: scripted.wallMs ?? 1_000 + call, stageImageIds: [], reportedImages: scripted.images ?? [] };
  }

  async inspectImage(reference: string): Promise<ImageInspection | undefined> {
    const image = this.find(reference);
    return image === undefined
      ? undefined
      : { id: image.id, sizeBytes: image.sizes.reduce((a, b) => a + b, 0), diffIds: image.diffIds, labels: {}, tags: [...image.tags], createdAt: image.createdAt, parentId: image.parentId };
  }

  async layerSizes(reference: string): Promise<LayerSizes> {
    const image = this.find(reference);
    return { layers: (image?.diffIds ?? []).map((diffId, i) => ({ diffId, sizeBytes: image?.sizes[i] ?? 0 })), approximate: false };
  }

  async pullImage(): Promise<boolean> {
    return false;
  }

  async buildCacheUsage(): Promise<{ entries: number; totalBytes: number; cacheMountBytes: number }> {
    return { entries: 0, totalBytes: 0, cacheMountBytes: 0 };
  }

  async pruneBuildCache(): Promise<{ entries: number; reclaimedBytes: number }> {
    this.log.push('pruneBuildCache');
    return { entries: 0, reclaimedBytes: 0 };
  }

  async importImage(): Promise<string> {
    throw new Error('the fake engine imports nothing');
  }

  async removeImage(reference: string): Promise<void> {
    this.log.push(`removeImage ${reference}`);
    const image = this.find(reference);
    if (image === undefined) return;
    if (image.tags.has(reference) && image.tags.size > 1) {
      image.tags.delete(reference);
      return;
    }
    this.images.delete(image.id);
  }

  async removeUntaggedImages(ids: readonly string[], options: { prune: boolean }): Promise<string[]> {
    this.log.push(`removeUntaggedImages ${ids.length}${options.prune ? ' prune' : ''}`);
    const kept: string[] = [];
    for (const id of ids) {
      const image = this.find(id);
      if (image === undefined) continue;
      if (image.tags.size > 0) kept.push(id);
      else this.images.delete(image.id);
    }
    return kept;
  }

  async findUntaggedDescendants(): Promise<string[]> {
    return [];
  }

  async tagImage(id: string, reference: string): Promise<void> {
    this.find(id)?.tags.add(reference);
  }

  async listImagesByReference(repositoryGlob: string, tag?: string): Promise<ImageSummary[]> {
    const pattern = new RegExp(`^${globToRegex(repositoryGlob)}:${tag === undefined ? '.*' : globToRegex(tag)}$`);
    return [...this.images.values()].filter((image) => [...image.tags].some((t) => pattern.test(t))).map((image) => ({ id: image.id, tags: [...image.tags] }));
  }

  async startService(image: string, _port: number, labels: Record<string, string>): Promise<ServiceContainer> {
    const id = `container-${this.nextId++}`;
    this.containers.set(id, { labels, running: true });
    this.log.push(`startService ${image}`);
    return { id, hostPort: await this.healthPort() };
  }

  async containerLogs(): Promise<string> {
    return '';
  }

  async isRunning(id: string): Promise<boolean> {
    return this.containers.get(id)?.running ?? false;
  }

  async removeContainer(id: string): Promise<void> {
    this.log.push(`removeContainer ${id}`);
    this.containers.delete(id);
  }

  async listLabelled(label: string): Promise<LabelledObjects> {
    const [key, value] = label.split('=');
    const containers = [...this.containers.entries()]
      .filter(([, c]) => key !== undefined && key in c.labels && (value === undefined || c.labels[key] === value))
      .map(([id, c]) => ({ id, labels: c.labels }));
    return { containers, images: [], networks: [], volumes: [] };
  }

  async pullTimed(): Promise<never> {
    throw new Error('the fake engine pulls nothing');
  }

  async pushImage(): Promise<never> {
    throw new Error('the fake engine pushes nothing');
  }

  async createNetwork(name: string): Promise<string> {
    this.log.push(`createNetwork ${name}`);
    return name;
  }

  async createVolume(name: string): Promise<void> {
    this.log.push(`createVolume ${name}`);
  }

  async exec(): Promise<never> {
    throw new Error('the fake engine runs nothing');
  }

  async privilegedWorks(): Promise<{ works: true }> {
    return { works: true };
  }

  async runDetached(): Promise<never> {
    throw new Error('the fake engine runs nothing');
  }

  async removeNetwork(): Promise<void> {}

  async removeVolume(): Promise<void> {}

  /** Tags of images the run built that are still there. */
  runTags(): string[] {
    return [...this.images.values()].flatMap((image) => [...image.tags].filter((t) => t.startsWith('layerbench-run/')));
  }

  async close(): Promise<void> {
    const server = this.healthServer;
    this.healthServer = undefined;
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  private find(reference: string): FakeImage | undefined {
    return this.images.get(reference) ?? [...this.images.values()].find((image) => image.tags.has(reference) || image.id.endsWith(reference.replace(/^sha256:/, '')));
  }

  private async healthPort(): Promise<number> {
    if (this.healthServer === undefined) {
      const server = createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(request.url === '/predict' ? { label: 3 } : { status: 'ok' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.healthServer = server;
    }
    return (this.healthServer.address() as { port: number }).port;
  }
}

/** Reads the context as the daemon would; resolves with its size. */
async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

function globToRegex(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
}
