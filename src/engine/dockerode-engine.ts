/** The DockerEngine, implemented with dockerode: the one place that talks to the daemon. */
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { asDiskFull, freeBytes } from '../disk-space.js';
import { BuildDriverError, BuildFailedError, DaemonUnavailableError, DiskFullError, EngineError, InterruptedError, LayerbenchError, looksLikeDiskFull } from '../errors.js';
import type { BuildStreamMessage, BuildTrace, DecodedBuild } from './build-trace.js';
import type { BuildCacheUsage } from './docker-engine.js';
import { BuildkitProgressDecoder } from './buildkit-progress.js';
import { ClassicProgressDecoder } from './classic-progress.js';
import type {
  BuildRequest,
  DockerEngine,
  EngineFacts,
  ExecOutcome,
  ImageInspection,
  ImageSummary,
  LabelledObjects,
  PullTrace,
  ServiceContainer,
} from './docker-engine.js';
import { dockerHostFrom, type DockerHost } from './docker-host.js';
import { layerSizes, type HistoryEntry, type LayerSizes } from './layer-sizes.js';
import { PullProgressDecoder, type PullStreamMessage } from './pull-progress.js';
import { readJsonStream } from './read-json-stream.js';
import { runCliBuild } from './cli/cli-build.js';
import { findDockerCli, type DockerCli } from './cli/docker-cli.js';
import { countingBytes } from './counting-bytes.js';
import { openBuildSession, type BuildSession } from './session/build-session.js';
import { hijackSession } from './session/hijack-session.js';
import type { ContextSent } from './build-trace.js';

/** What a build driver hands back before the checks every build gets. */
interface DriverRun {
  decoded: DecodedBuild;
  wallMs: number;
  sent: ContextSent;
  /** the stream or process broke without the builder saying why */
  brokenBy: unknown;
}

const PING_TIMEOUT_MS = 5_000;

export class DockerodeEngine implements DockerEngine {
  readonly endpoint: string;
  private readonly docker: Docker;
  private readonly host: DockerHost;
  /** where the daemon keeps its data, once facts() has asked: named when its disk fills */
  private dataRoot: string | undefined;
  /** the daemon refused a BuildKit session once: its BuildKit builds go with a tar */
  private sessionsRefused = false;
  /** the docker CLI, once asked for (the cli build driver) */
  private cli: Promise<DockerCli | undefined> | undefined;

  /**
   * @param env where DOCKER_HOST is read (a malformed one is a UsageError, thrown here)
   * @param now the clock builds are timed with
   */
  constructor(env: NodeJS.ProcessEnv = process.env, private readonly now: () => number = () => performance.now()) {
    this.host = dockerHostFrom(env);
    this.endpoint = this.host.endpoint;
    this.docker = new Docker(modemOptions(this.host, env));
  }

  async ping(): Promise<void> {
    try {
      await withTimeout(this.docker.ping(), PING_TIMEOUT_MS, 'no answer within 5 s');
    } catch (err) {
      throw new DaemonUnavailableError(this.endpoint, describe(err));
    }
  }

  async facts(): Promise<EngineFacts> {
    const [info, version] = await Promise.all([this.call(() => this.docker.info(), 'report its system information'), this.call(() => this.docker.version(), 'report its version')]);
    const apiVersion = String(version.ApiVersion ?? '');
    this.dataRoot = String(info.DockerRootDir ?? '/var/lib/docker');
    return {
      id: String(info.ID ?? 'unknown'),
      engineVersion: String(version.Version ?? info.ServerVersion ?? 'unknown'),
      apiVersion,
      storageDriver: String(info.Driver ?? 'unknown'),
      os: `${String(info.OperatingSystem ?? 'unknown')} (${String(info.KernelVersion ?? '')})`,
      dockerRootDir: this.dataRoot,
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
      buildkitSupported: String(info.OSType ?? 'linux') === 'linux' && compareApiVersions(apiVersion, '1.39') >= 0,
      defaultBuilder: await this.defaultBuilder(),
      endpoint: this.host.kind,
    };
  }

  /** The daemon's own choice of builder, from the `Builder-Version` header of its `/_ping` answer. */
  private async defaultBuilder(): Promise<EngineFacts['defaultBuilder']> {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      this.docker.modem.dial(
        { path: '/_ping', method: 'GET', isStream: true, statusCodes: { 200: true, 500: 'server error' } } as unknown as Parameters<typeof this.docker.modem.dial>[0],
        (err: unknown, response: unknown) => {
          if (err) return reject(this.translate(err, 'answer /_ping'));
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

  async build(request: BuildRequest): Promise<BuildTrace> {
    const driver = request.driver ?? 'api';
    const run = driver === 'cli' ? await this.buildWithCli(request) : await this.buildWithApi(request);
    const { decoded } = run;
    if (request.signal?.aborted) {
      await this.letGoOfBuild(decoded);
      throw new InterruptedError();
    }
    // a daemon that went away mid-build fails the build too (the CLI prints an error, a session ends): name the daemon
    if ((decoded.failure !== undefined || run.brokenBy !== undefined) && !(await this.answers())) {
      throw new DaemonUnavailableError(this.endpoint, `the build stopped: ${describe(run.brokenBy ?? decoded.failure?.message)}`, `the build of "${request.variant}"`);
    }
    this.throwIfFailed(request, decoded);
    if (run.brokenBy !== undefined) await this.throwForBrokenStream(request, decoded, run.brokenBy);
    if (decoded.imageId === undefined) {
      throw new BuildFailedError(request.variant, undefined, 'the builder reported no image', decoded.logTail);
    }
    const image = await this.inspectImage(decoded.imageId);
    return {
      builder: request.builder,
      driver,
      sent: run.sent,
      imageId: image?.id ?? decoded.imageId,
      sizeBytes: image?.sizeBytes ?? 0,
      steps: decoded.steps,
      wallMs: run.wallMs,
      stageImageIds: decoded.stageImageIds,
      reportedImages: decoded.reportedImages,
    };
  }

  async dockerCli(): Promise<DockerCli | undefined> {
    this.cli ??= findDockerCli();
    return this.cli;
  }

  /** The docker CLI runs the build; its process is what is timed. */
  private async buildWithCli(request: BuildRequest): Promise<DriverRun> {
    const cli = await this.dockerCli();
    if (cli === undefined) throw new BuildDriverError('--driver cli: no docker CLI was found on PATH.', 'Install the docker CLI, or use --driver api.');
    const outcome = await runCliBuild(cli, request, { endpoint: this.endpoint, now: this.now }).catch((err: unknown) => {
      // the CLI would not start (spawn failed), or its scratch directory could not be made
      if (err instanceof LayerbenchError) throw err;
      throw asDiskFull(err, tmpdir()) ?? new BuildDriverError(`--driver cli: ${cli.command} could not be run: ${describe(err)}.`, 'Check that the docker CLI runs (`docker version`), or use --driver api.');
    });
    const failedSilently = outcome.exitCode !== 0 && outcome.decoded.failure === undefined && !request.signal?.aborted;
    return {
      decoded: outcome.decoded,
      wallMs: outcome.wallMs,
      sent: { transport: request.builder === 'buildkit' ? 'session' : 'tar', bytes: outcome.decoded.transferredBytes ?? null, files: null },
      brokenBy: failedSilently ? new Error(`${cli.command} exited ${outcome.exitCode ?? 'on a signal'}: ${outcome.stderrTail.slice(-3).join(' | ')}`) : undefined,
    };
  }

  /**
   * The build sent through the Engine API. BuildKit: over a session of its own, as the docker
   * CLI does (BuildKit pulls the files its Dockerfile names, and of those only what changed
   * since the last build with the same shared key); the tar upload where the daemon refuses
   * sessions. Classic: the context as a tar in the request body. The session is opened and
   * closed inside the timed span: the CLI pays for that too.
   */
  private async buildWithApi(request: BuildRequest): Promise<DriverRun> {
    const decoder =
      request.builder === 'buildkit'
        ? new BuildkitProgressDecoder(request.onStep, request.dockerfileModel)
        : new ClassicProgressDecoder(request.onStep, request.onImage, request.dockerfileModel);
    const startedAt = this.now();
    const session = request.builder === 'buildkit' ? await this.openSession(request) : undefined;
    const tar = session === undefined ? countingBytes(request.context.pack()) : undefined;
    let brokenBy: unknown;
    try {
      const stream = await this.postBuild(request, tar?.stream, session);
      await readJsonStream(stream, (message, at) => decoder.push(message as BuildStreamMessage, at), this.now);
    } catch (err) {
      brokenBy = err;
    }
    const traffic = session?.takeTraffic();
    await session?.close();
    const finishedAt = this.now();
    const sent: ContextSent = traffic === undefined ? { transport: 'tar', bytes: tar?.bytes() ?? null, files: null } : { transport: 'session', bytes: traffic.bytes, files: traffic.files };
    return { decoded: decoder.finish(finishedAt), wallMs: finishedAt - startedAt, sent, brokenBy };
  }

  /**
   * A new session per build (a session the daemon has synced from is not asked again), with
   * the workspace's shared key; undefined where the daemon refuses sessions (then a tar goes).
   */
  private async openSession(request: BuildRequest): Promise<BuildSession | undefined> {
    if (this.sessionsRefused) return undefined;
    const dockerfile = join(request.context.dir, request.dockerfile);
    try {
      return await openBuildSession(hijackSession(this.docker), {
        dirs: { context: request.context.dir, dockerfile: dirname(dockerfile) },
        sharedKey: request.sharedKey ?? request.context.dir,
      });
    } catch (err) {
      const status = statusOf(err);
      if (status === undefined && !(await this.answers())) throw new DaemonUnavailableError(this.endpoint, describe(err), `the build of "${request.variant}"`);
      this.sessionsRefused = true;
      return undefined;
    }
  }

  /** The builder said the build failed (the HTTP status is 200 all the same). */
  private throwIfFailed(request: BuildRequest, decoded: DecodedBuild): void {
    if (decoded.failure === undefined) return;
    if (looksLikeDiskFull(decoded.failure.message)) throw this.diskFull(decoded.failure.message);
    const { step } = decoded.failure;
    const failed = step === undefined ? undefined : decoded.steps.findLast((s) => !s.cached && s.instruction !== '' && step.includes(s.instruction));
    throw new BuildFailedError(request.variant, step, decoded.failure.message, decoded.logTail, failed?.line ?? null);
  }

  /** The stream broke without the builder saying why: the daemon went away, or refused the request. */
  private async throwForBrokenStream(request: BuildRequest, decoded: DecodedBuild, streamError: unknown): Promise<never> {
    const text = describe(streamError);
    if (looksLikeDiskFull(text)) throw this.diskFull(text);
    if (statusOf(streamError) === undefined && !(await this.answers())) {
      throw new DaemonUnavailableError(this.endpoint, `the build stream broke: ${text}`, `the build of "${request.variant}"`);
    }
    throw new BuildFailedError(request.variant, decoded.failure?.step, text, decoded.logTail);
  }

  /**
   * After an interrupt: a cancelled classic build leaves the container of its running step to
   * the daemon, which removes it (forcerm) a moment later. Wait for that, so that nothing the
   * build started is still running when the run cleans up.
   */
  private async letGoOfBuild(decoded: DecodedBuild): Promise<void> {
    if (decoded.runningContainerId === undefined) return;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        await this.docker.getContainer(decoded.runningContainerId).inspect();
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await this.removeContainer(decoded.runningContainerId);
  }

  /**
   * POST /build through the modem rather than dockerode's buildImage (whose `version=2` opens
   * a session of its own that serves no files): with a session of ours, no body; else the tar.
   */
  private postBuild(request: BuildRequest, body: Readable | undefined, session: BuildSession | undefined): Promise<Readable> {
    const options = {
      // over a session, the Dockerfile is named inside its own synced dir
      dockerfile: session === undefined ? request.dockerfile : basename(request.dockerfile),
      ...(session === undefined ? {} : { remote: 'client-session', session: session.id }),
      buildargs: request.buildArgs,
      t: request.tag,
      nocache: request.noCache,
      rm: true,
      forcerm: true,
      pull: false,
      version: request.builder === 'buildkit' ? '2' : '1',
      ...(request.hostNetwork ? { networkmode: 'host' } : {}),
      ...(request.target === null || request.target === undefined ? {} : { target: request.target }),
    };
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: '/build?',
          method: 'POST',
          options,
          // an empty body over a session: without one, the modem would send the options as JSON, and the daemon answers nothing
          file: body ?? Readable.from([]),
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
        parentId: image.Parent ?? '',
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.translate(err, `inspect the image ${reference}`);
    }
  }

  async layerSizes(reference: string): Promise<LayerSizes> {
    const image = await this.inspectImage(reference);
    const history = (await this.call(() => this.docker.getImage(reference).history(), `read the history of ${reference}`)) as HistoryEntry[];
    return layerSizes(image?.diffIds ?? [], history);
  }

  async pullImage(reference: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const stream = (await this.docker.pull(reference, signal === undefined ? {} : { abortSignal: signal })) as Readable;
      let failed = false;
      await readJsonStream(stream, (message) => {
        if (message.error !== undefined || message.errorDetail !== undefined) failed = true;
      }, this.now);
      return !failed && (await this.inspectImage(reference)) !== undefined;
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError();
      const translated = this.translate(err, `pull ${reference}`);
      if (translated instanceof DaemonUnavailableError || translated instanceof DiskFullError) throw translated;
      return false;
    }
  }

  async pullTimed(reference: string, signal?: AbortSignal): Promise<PullTrace> {
    const decoder = new PullProgressDecoder();
    const startedAt = this.now();
    try {
      const stream = (await this.docker.pull(reference, signal === undefined ? {} : { abortSignal: signal })) as Readable;
      await readJsonStream(stream, (message, at) => decoder.push(message as PullStreamMessage, at), this.now);
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError();
      throw this.translate(err, `pull ${reference}`);
    }
    const wallMs = this.now() - startedAt;
    const decoded = decoder.finish();
    if (decoded.failure !== undefined) throw looksLikeDiskFull(decoded.failure) ? this.diskFull(decoded.failure) : new EngineError(this.endpoint, `pull ${reference}`, decoded.failure);
    return { wallMs, layers: decoded.layers, digest: decoded.digest };
  }

  async pushImage(reference: string): Promise<void> {
    // the daemon wants an X-Registry-Auth header even for a registry without auth
    const stream = (await this.call(() => this.docker.getImage(reference).push({ authconfig: {} }), `push ${reference}`)) as unknown as Readable;
    await this.readToEnd(stream, `push ${reference}`);
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const network = await this.call(() => this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true }), `create the network ${name}`);
    return network.id;
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    await this.call(() => this.docker.createVolume({ Name: name, Labels: labels }), `create the volume ${name}`);
  }

  async exec(containerId: string, command: string[]): Promise<ExecOutcome> {
    const what = `run ${command[0] ?? 'a command'} in the container ${containerId}`;
    const exec = await this.call(() => this.docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true }), what);
    const stream = (await this.call(() => exec.start({ hijack: true, stdin: false }), what)) as unknown as Readable;
    const chunks: Buffer[] = [];
    await this.call(async () => {
      for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    }, what);
    const inspected = await this.call(() => exec.inspect(), what);
    return { exitCode: inspected.ExitCode ?? -1, output: demuxLogs(Buffer.concat(chunks)) };
  }

  async privilegedWorks(image: string, labels: Record<string, string>): Promise<{ works: true } | { works: false; reason: string }> {
    const container = await this.call(() => this.docker.createContainer({ Image: image, Cmd: ['true'], Labels: labels, HostConfig: { Privileged: true } }), `create a container of ${image}`);
    try {
      await container.start();
      return { works: true };
    } catch (err) {
      return { works: false, reason: describe(err).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim() };
    } finally {
      await this.removeContainer(container.id);
    }
  }

  async runDetached(image: string, options: { labels: Record<string, string>; hostNetwork: boolean }): Promise<string> {
    const container = await this.call(() =>
      this.docker.createContainer({ Image: image, Labels: options.labels, HostConfig: options.hostNetwork ? { NetworkMode: 'host' } : {} }), `create a container of ${image}`,
    );
    try {
      await container.start();
    } catch (err) {
      await this.removeContainer(container.id);
      throw this.translate(err, `start a container of ${image}`);
    }
    return container.id;
  }

  async importImage(rootfs: Readable, reference: string, changes: string[]): Promise<string> {
    const [repo, tag] = splitReference(reference);
    const stream = (await this.call(() =>
      this.docker.importImage(rootfs, { repo, tag, changes } as unknown as Record<string, unknown>), `import ${reference}`,
    )) as unknown as Readable;
    await this.readToEnd(stream, `import ${reference}`);
    const image = await this.inspectImage(reference);
    if (image === undefined) throw new EngineError(this.endpoint, `import ${reference}`, 'the import reported no error, and left no image');
    return image.id;
  }

  async buildCacheUsage(): Promise<BuildCacheUsage> {
    const usage = (await this.call(() => this.docker.df(), 'report its disk usage')) as { BuildCache?: { Type?: string; Size?: number }[] | null };
    const entries = usage.BuildCache ?? [];
    const bytes = (list: typeof entries): number => list.reduce((sum, entry) => sum + (entry.Size ?? 0), 0);
    return { entries: entries.length, totalBytes: bytes(entries), cacheMountBytes: bytes(entries.filter((e) => e.Type === 'exec.cachemount')) };
  }

  async pruneBuildCache(): Promise<{ entries: number; reclaimedBytes: number }> {
    const answer = await new Promise<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>((resolve, reject) => {
      // dockerode's pruneBuilder sends no options; `all` removes more than the dangling entries
      this.docker.modem.dial(
        { path: '/build/prune?', method: 'POST', options: { all: true }, statusCodes: { 200: true, 500: 'server error' } },
        (err: unknown, data: unknown) => (err ? reject(this.translate(err, 'empty its build cache')) : resolve((data ?? {}) as { CachesDeleted?: string[] | null; SpaceReclaimed?: number })),
      );
    });
    return { entries: answer.CachesDeleted?.length ?? 0, reclaimedBytes: answer.SpaceReclaimed ?? 0 };
  }

  async removeImage(reference: string): Promise<void> {
    try {
      await this.docker.getImage(reference).remove({ force: true });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw this.translate(err, `remove the image ${reference}`);
    }
  }

  async removeUntaggedImages(ids: readonly string[], options: { prune: boolean }): Promise<string[]> {
    const kept: string[] = [];
    for (const id of ids) {
      const image = await this.inspectImage(id);
      if (image === undefined) continue;
      if (image.tags.length > 0) {
        kept.push(id);
        continue;
      }
      try {
        await this.docker.getImage(image.id).remove({ force: false, noprune: !options.prune });
      } catch (err) {
        const status = statusOf(err);
        if (status === 409) kept.push(id);
        else if (status !== 404) throw this.translate(err, `remove the image ${image.id}`);
      }
    }
    return kept;
  }

  async findUntaggedDescendants(parent: string, since: Date): Promise<string[]> {
    const parentImage = await this.inspectImage(parent);
    if (parentImage === undefined) return [];
    const images = await this.call(() => this.docker.listImages({ all: true }), 'list its images');
    const found: string[] = [];
    // breadth first from the parent: a cut build may have committed several steps on top of it
    for (let frontier = [parentImage.id]; frontier.length > 0; ) {
      const children = images.filter((image) => frontier.includes(image.ParentId) && untagged(image.RepoTags) && image.Created * 1000 >= since.getTime() - 1000);
      frontier = children.map((image) => image.Id).filter((id) => !found.includes(id));
      found.push(...frontier);
    }
    return found;
  }

  async listDanglingImages(): Promise<string[]> {
    const images = await this.call(() => this.docker.listImages({ filters: JSON.stringify({ dangling: ['true'] }) }), 'list its dangling images');
    return images.map((image) => image.Id);
  }

  async tagImage(id: string, reference: string): Promise<void> {
    const [repo, tag] = splitReference(reference);
    await this.call(() => this.docker.getImage(id).tag({ repo, tag }), `tag ${id} as ${reference}`);
  }

  async listImagesByReference(repositoryGlob: string, tag?: string): Promise<ImageSummary[]> {
    const filters = JSON.stringify({ reference: [tag === undefined ? repositoryGlob : `${repositoryGlob}:${tag}`] });
    const images = await this.call(() => this.docker.listImages({ filters }), `list the images named ${repositoryGlob}${tag === undefined ? '' : `:${tag}`}`);
    return images.map((image) => ({ id: image.Id, tags: (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>') }));
  }

  async startService(image: string, containerPort: number, labels: Record<string, string>): Promise<ServiceContainer> {
    const port = `${containerPort}/tcp`;
    const container = await this.call(() =>
      this.docker.createContainer({
        Image: image,
        Labels: labels,
        ExposedPorts: { [port]: {} },
        HostConfig: { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false },
      }), `create a container of ${image}`,
    );
    try {
      await container.start();
      const inspected = await container.inspect();
      const binding = inspected.NetworkSettings.Ports[port]?.[0];
      if (binding === undefined) throw new EngineError(this.endpoint, `publish port ${port} of a container of ${image}`, 'the started container has no binding for it on 127.0.0.1');
      return { id: container.id, hostPort: Number(binding.HostPort) };
    } catch (err) {
      await this.removeContainer(container.id);
      throw this.translate(err, `start a container of ${image}`);
    }
  }

  async containerLogs(id: string): Promise<string> {
    const buffer = (await this.call(() => this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 30 }), `read the log of the container ${id}`)) as unknown as Buffer;
    return demuxLogs(buffer);
  }

  async isRunning(id: string): Promise<boolean> {
    try {
      return (await this.docker.getContainer(id).inspect()).State.Running;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw this.translate(err, `inspect the container ${id}`);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 409) return; // gone, or removal already in progress
      throw this.translate(err, `remove the container ${id}`);
    }
  }

  async listLabelled(label: string): Promise<LabelledObjects> {
    const filters = JSON.stringify({ label: [label] });
    const [containers, images, networks, volumes] = await Promise.all([
      this.call(() => this.docker.listContainers({ all: true, filters }), `list the containers labelled ${label}`),
      this.call(() => this.docker.listImages({ all: false, filters }), `list the images labelled ${label}`),
      this.call(() => this.docker.listNetworks({ filters }), `list the networks labelled ${label}`),
      this.call(() => this.docker.listVolumes({ filters }), `list the volumes labelled ${label}`),
    ]);
    return {
      containers: containers.map((c) => ({ id: c.Id, labels: c.Labels ?? {} })),
      images: images.map((i) => ({ id: i.Id, labels: i.Labels ?? {} })),
      networks: networks.map((n) => ({ id: n.Id, labels: n.Labels ?? {} })),
      volumes: (volumes.Volumes ?? []).map((v) => ({ id: v.Name, labels: v.Labels ?? {} })),
    };
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw this.translate(err, `remove the network ${id}`);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw this.translate(err, `remove the volume ${name}`);
    }
  }

  private async answers(): Promise<boolean> {
    try {
      await this.ping();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads a progress stream to its end and throws the error it reported, if any: a full disk as
   * DiskFullError, anything else as an EngineError naming `operation` (e.g. `push x:1`).
   */
  private async readToEnd(stream: Readable, operation: string): Promise<void> {
    let failure: string | undefined;
    await this.call(() => readJsonStream(stream, (message) => {
      if (message.error !== undefined) failure = String(message.error);
    }, this.now), operation);
    if (failure !== undefined) throw looksLikeDiskFull(failure) ? this.diskFull(failure) : new EngineError(this.endpoint, operation, failure);
  }

  /** One request to the daemon; its failure translated, naming `what` was asked (a verb phrase). */
  private async call<T>(operation: () => Promise<T>, what: string): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw this.translate(err, what);
    }
  }

  /**
   * Every failure of a request to the daemon, as the error the CLI reports: the daemon gone,
   * its disk full, or (it answered) an EngineError naming `what` was asked. A LayerbenchError
   * thrown on the way is kept as it is.
   */
  private translate(err: unknown, what: string): LayerbenchError {
    if (err instanceof LayerbenchError) return err;
    const text = describe(err);
    if (/ECONNREFUSED|ENOENT|EACCES|ECONNRESET|EPIPE|socket hang up|connect ETIMEDOUT/.test(text) && statusOf(err) === undefined) {
      return new DaemonUnavailableError(this.endpoint, text);
    }
    if (looksLikeDiskFull(text)) return this.diskFull(text);
    return new EngineError(this.endpoint, what, text, statusOf(err));
  }

  private diskFull(detail: string): DiskFullError {
    const root = this.dataRoot ?? '/var/lib/docker';
    const where = `the Docker daemon's data root ${root}`;
    return new DiskFullError(where, this.host.kind === 'unix' ? freeBytes(root) : undefined, detail.split('\n')[0] ?? detail);
  }
}

function modemOptions(host: DockerHost, env: NodeJS.ProcessEnv): Docker.DockerOptions | undefined {
  const value = host.endpoint;
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  if (value.startsWith('npipe://')) return { socketPath: value.slice('npipe://'.length) };
  // TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) are read by docker-modem from the environment.
  if (env['DOCKER_TLS_VERIFY'] !== undefined || env['DOCKER_CERT_PATH'] !== undefined) return undefined;
  const url = new URL(value);
  const protocol = url.protocol === 'ssh:' ? 'ssh' : url.protocol === 'https:' ? 'https' : 'http';
  return {
    protocol,
    host: url.hostname,
    port: url.port === '' ? (protocol === 'ssh' ? 22 : protocol === 'https' ? 2376 : 2375) : Number(url.port),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
  };
}

function untagged(tags: readonly string[] | null | undefined): boolean {
  return (tags ?? []).every((tag) => tag === '<none>:<none>');
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
