/**
 * Builds, through the Engine API (dockerode's modem, a BuildKit session of layerbench's own) or
 * the docker CLI; either way the stream is decoded and inspected before a build counts.
 */
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { asDiskFull } from '../../disk-space.js';
import { BuildDriverError, BuildFailedError, DaemonUnavailableError, InterruptedError, LayerbenchError, looksLikeDiskFull } from '../../errors.js';
import type { BuildArea, BuildRequest } from '../areas/build-area.js';
import type { ContainerArea } from '../areas/container-area.js';
import type { ImageArea } from '../areas/image-area.js';
import type { SystemArea } from '../areas/system-area.js';
import type { BuildStreamMessage, BuildTrace, ContextSent, DecodedBuild } from '../build-trace.js';
import { BuildkitProgressDecoder } from '../buildkit-progress.js';
import { ClassicProgressDecoder } from '../classic-progress.js';
import { runCliBuild } from '../cli/cli-build.js';
import { countingBytes } from '../counting-bytes.js';
import { readJsonStream } from '../read-json-stream.js';
import { openBuildSession, type BuildSession } from '../session/build-session.js';
import { hijackSession } from '../session/hijack-session.js';
import { describe, statusOf, type DaemonRequests } from './daemon-requests.js';

/** What a build driver hands back before the checks every build gets. */
interface DriverRun {
  decoded: DecodedBuild;
  wallMs: number;
  sent: ContextSent;
  /** the stream or process broke without the builder saying why */
  brokenBy: unknown;
}

/** What a build asks of the daemon's other areas: whether it still answers, the CLI, the image built, a container to let go of. */
export interface BuildNeighbours {
  system: Pick<SystemArea, 'ping' | 'dockerCli'>;
  images: Pick<ImageArea, 'inspect'>;
  containers: Pick<ContainerArea, 'remove'>;
}

export class DockerodeBuilds implements BuildArea {
  /** the daemon refused a BuildKit session once: its BuildKit builds go with a tar */
  private sessionsRefused = false;

  /** @param now the clock builds are timed with */
  constructor(
    private readonly docker: Docker,
    private readonly requests: DaemonRequests,
    private readonly now: () => number,
    private readonly neighbours: BuildNeighbours,
  ) {}

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
      throw new DaemonUnavailableError(this.requests.endpoint, `the build stopped: ${describe(run.brokenBy ?? decoded.failure?.message)}`, `the build of "${request.variant}"`);
    }
    this.throwIfFailed(request, decoded);
    if (run.brokenBy !== undefined) await this.throwForBrokenStream(request, decoded, run.brokenBy);
    if (decoded.imageId === undefined) {
      throw new BuildFailedError(request.variant, undefined, 'the builder reported no image', decoded.logTail);
    }
    const image = await this.neighbours.images.inspect(decoded.imageId);
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

  /** The docker CLI runs the build; its process is what is timed. */
  private async buildWithCli(request: BuildRequest): Promise<DriverRun> {
    const cli = await this.neighbours.system.dockerCli();
    if (cli === undefined) throw new BuildDriverError('--driver cli: no docker CLI was found on PATH.', 'Install the docker CLI, or use --driver api.');
    const outcome = await runCliBuild(cli, request, { endpoint: this.requests.endpoint, now: this.now }).catch((err: unknown) => {
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
      if (status === undefined && !(await this.answers())) throw new DaemonUnavailableError(this.requests.endpoint, describe(err), `the build of "${request.variant}"`);
      this.sessionsRefused = true;
      return undefined;
    }
  }

  /** The builder said the build failed (the HTTP status is 200 all the same). */
  private throwIfFailed(request: BuildRequest, decoded: DecodedBuild): void {
    if (decoded.failure === undefined) return;
    if (looksLikeDiskFull(decoded.failure.message)) throw this.requests.diskFull(decoded.failure.message);
    const { step } = decoded.failure;
    const failed = step === undefined ? undefined : decoded.steps.findLast((s) => !s.cached && s.instruction !== '' && step.includes(s.instruction));
    throw new BuildFailedError(request.variant, step, decoded.failure.message, decoded.logTail, failed?.line ?? null);
  }

  /** The stream broke without the builder saying why: the daemon went away, or refused the request. */
  private async throwForBrokenStream(request: BuildRequest, decoded: DecodedBuild, streamError: unknown): Promise<never> {
    const text = describe(streamError);
    if (looksLikeDiskFull(text)) throw this.requests.diskFull(text);
    if (statusOf(streamError) === undefined && !(await this.answers())) {
      throw new DaemonUnavailableError(this.requests.endpoint, `the build stream broke: ${text}`, `the build of "${request.variant}"`);
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
    await this.neighbours.containers.remove(decoded.runningContainerId);
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

  /** Whether the daemon still answers (after a build failed: was it the daemon that went?). */
  private async answers(): Promise<boolean> {
    try {
      await this.neighbours.system.ping();
      return true;
    } catch {
      return false;
    }
  }
}
