/** Builds: a context and a Dockerfile in, a trace of what each step cost out. */
import type { Readable } from 'node:stream';
import type { DockerfileModel } from '../../dockerfile/dockerfile-model.js';
import type { Builder, BuildDriver } from '../../result/types.js';
import type { BuildTrace, ReportedImage } from '../build-trace.js';

/** A build context on disk: a folder, and the tar of it that a tar upload sends (after .dockerignore). */
export interface BuildContext {
  readonly dir: string;
  pack(): Readable;
}

export interface BuildRequest {
  context: BuildContext;
  /**
   * How the build is run: `cli`, the docker CLI as the user runs it (`docker buildx build`,
   * `docker build`); `api`, the Engine API (a session with file sync for BuildKit, else a tar).
   * @default 'api'
   */
  driver?: BuildDriver | undefined;
  /**
   * BuildKit's shared key for the context (API driver): the same for every build of one
   * workspace, so that from the second build on only changed files travel. @default the context dir
   */
  sharedKey?: string | undefined;
  /** path of the Dockerfile inside the context */
  dockerfile: string;
  /** the parsed Dockerfile: gives each step its line and stage */
  dockerfileModel: DockerfileModel | undefined;
  builder: Builder;
  buildArgs: Record<string, string>;
  /** the stage to build (`--target`); unset: the last */
  target?: string | null | undefined;
  /**
   * The run-specific tag the image gets: how a run finds what it built. (No build labels:
   * the classic builder turns each into one more committed step, which would be timed.)
   */
  tag: string;
  noCache: boolean;
  /** the name shown in errors */
  variant: string;
  /** build with the host's network (needed to reach a package index bound to 127.0.0.1) */
  hostNetwork: boolean;
  signal: AbortSignal | undefined;
  onStep: ((index: number, total: number, instruction: string) => void) | undefined;
  /** each image the build stream names, as it arrives (also when the build is interrupted) */
  onImage: ((image: ReportedImage) => void) | undefined;
}

export interface BuildArea {
  /**
   * Builds and resolves once the stream ended and was inspected. Rejects with
   * BuildFailedError (the build failed), DaemonUnavailableError (the daemon stopped answering),
   * DiskFullError, or InterruptedError (the signal fired; the daemon has let go of the build).
   */
  build(request: BuildRequest): Promise<BuildTrace>;
}
