/**
 * The fake daemon's builds: each answers from a script (one function per build, then the
 * default), reads the context as the daemon would, and commits an image tagged as asked.
 */
import type { BuildTrace, ReportedImage, TraceStep } from '../../../src/engine/build-trace.js';
import type { BuildArea, BuildRequest } from '../../../src/engine/docker-engine.js';
import { InterruptedError } from '../../../src/errors.js';
import { drain, type FakeDaemon } from './fake-daemon.js';

interface ScriptedBuild {
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

export type BuildScript = (request: BuildRequest, call: number) => ScriptedBuild;

export class FakeBuilds implements BuildArea {
  /** every build asked for, in order */
  readonly requests: BuildRequest[] = [];
  private readonly script: BuildScript[] = [];

  constructor(
    private readonly daemon: FakeDaemon,
    private readonly defaultBuild: BuildScript,
  ) {}

  /** Scripts the next builds, one function per build; after them, the default. */
  scriptNext(...builds: BuildScript[]): void {
    this.script.push(...builds);
  }

  async build(request: BuildRequest): Promise<BuildTrace> {
    const call = this.requests.length;
    this.requests.push(request);
    this.daemon.log.push(`builds.build ${request.variant}${request.noCache ? ' nocache' : ''}`);
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
    const steps = stepsOf(scripted);
    for (const step of steps) request.onStep?.(step.index, steps.length, step.instruction);
    // A new top layer per build that missed somewhere; the base layer is always shared.
    const fresh = steps.some((s) => !s.cached);
    const id = this.daemon.addImage(request.tag, fresh ? ['sha256:base-layer', `sha256:layer-${call}`] : ['sha256:base-layer', 'sha256:layer-0'], [100, 10]);
    for (const image of this.daemon.images.values()) if (image.id !== id) image.tags.delete(request.tag);
    return { builder: request.builder, driver: request.driver ?? 'api', sent: { transport: 'tar', bytes: sentBytes, files: null }, imageId: id, sizeBytes: 110, steps, wallMs: scripted.wallMs ?? 1_000 + call, stageImageIds: [], reportedImages: scripted.images ?? [] };
  }
}

function stepsOf(scripted: ScriptedBuild): TraceStep[] {
  return (scripted.steps ?? [{ instruction: 'FROM base', cached: true }, { instruction: 'COPY . .', cached: false }]).map((step, i) => ({
    index: i + 1,
    instruction: step.instruction,
    cached: step.cached,
    durationMs: step.cached ? 1 : 100,
    stage: '0',
    line: i + 1,
  }));
}
