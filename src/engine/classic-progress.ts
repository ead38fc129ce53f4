/**
 * Decodes the classic builder's JSON stream (`version=1` builds) into steps.
 *
 * The classic builder prints no timing: a step's duration is measured between the arrival of
 * its `Step N/M` line and the next one. A step is cached when the builder said
 * ` ---> Using cache` for it; FROM (and ARG before FROM) never build anything and count as cached.
 * `Step N` is the N-th instruction of the Dockerfile, which gives its line and stage.
 *
 * Every ` ---> <id>` line names an image: one a step of this build committed, or one it
 * reused (a cache hit, a FROM). They are reported as they arrive, so that the caller knows
 * what a build made even when it is interrupted half-way.
 */
import type { DockerfileModel } from '../dockerfile/dockerfile-model.js';
import type { BuildStreamMessage, DecodedBuild, ReportedImage, TraceStep } from './build-trace.js';

const STEP_LINE = /^Step (\d+)\/(\d+) : (.*)$/;
const LOG_TAIL_LINES = 25;
/** The classic CLI's `Sending build context to Docker daemon  2.048kB` (redrawn as the tar grows) */
const SENDING_CONTEXT = /Sending build context to Docker daemon\s+([\d.]+)\s*([kMGT]?B)\s*$/;
/** docker's HumanSize: decimal units, four significant digits */
const DECIMAL_UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

function humanBytes(value: number, unit: string): number {
  return Math.round(value * (DECIMAL_UNITS[unit] ?? 1));
}

interface OpenStep {
  index: number;
  total: number;
  instruction: string;
  startedAt: number;
  usedCache: boolean;
  /** the step's image was reported (` ---> id`) */
  imageReported: boolean;
}

export class ClassicProgressDecoder {
  private readonly steps: TraceStep[] = [];
  private open: OpenStep | undefined;
  private readonly stageIds: string[] = [];
  private builtId: string | undefined;
  private readonly reported: ReportedImage[] = [];
  private runningContainer: string | undefined;
  private failure: DecodedBuild['failure'];
  private readonly tail: string[] = [];
  private partial = '';
  private sentBytes: number | undefined;
  /** the last image each finished stage named, from the step lines (the CLI's output has no `aux` IDs) */
  private readonly stageEnds: string[] = [];
  private lastImage: string | undefined;

  /**
   * @param onStep called with each step as it starts, for progress displays
   * @param onImage called with each image the stream names, as it arrives
   * @param dockerfile the parsed Dockerfile, for the line and stage of each step
   */
  constructor(
    private readonly onStep?: (index: number, total: number, instruction: string) => void,
    private readonly onImage?: (image: ReportedImage) => void,
    private readonly dockerfile?: DockerfileModel,
  ) {}

  push(message: BuildStreamMessage, atMs: number): void {
    if (message.errorDetail !== undefined || message.error !== undefined) {
      const text = message.errorDetail?.message ?? message.error ?? 'unknown build error';
      this.failure = { step: this.open ? `Step ${this.open.index}/${this.open.total} : ${this.open.instruction}` : undefined, message: text.trim() };
      this.remember(text);
      return;
    }
    if (typeof message.aux === 'object' && typeof message.aux.ID === 'string') {
      // one per finished stage: the last is the image, the others are earlier stages
      this.stageIds.push(message.aux.ID);
    }
    if (typeof message.stream === 'string') this.consumeText(message.stream, atMs);
    else if (typeof message.status === 'string') this.remember(message.status);
  }

  finish(atMs: number): DecodedBuild {
    if (this.partial !== '') this.consumeLine(this.partial, atMs);
    this.partial = '';
    this.close(atMs);
    // A multi-stage build reports an ID per finished stage: after a failure, none is the image.
    const imageId = this.failure ? undefined : this.stageIds.at(-1) ?? this.builtId;
    // The Engine API names each stage's image (aux); the CLI prints only its ` ---> id` lines.
    const stageImageIds = this.stageIds.length > 0 ? this.stageIds.filter((id) => id !== imageId) : this.stageEnds;
    return {
      steps: this.steps,
      imageId,
      stageImageIds,
      reportedImages: [...this.reported],
      runningContainerId: this.runningContainer,
      transferredBytes: this.sentBytes,
      failure: this.failure,
      logTail: [...this.tail],
    };
  }

  private consumeText(text: string, atMs: number): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.consumeLine(line, atMs);
  }

  private consumeLine(rawLine: string, atMs: number): void {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;
    this.remember(line);
    const sending = SENDING_CONTEXT.exec(line);
    if (sending) this.sentBytes = humanBytes(Number(sending[1]), sending[2] ?? 'B');
    const step = STEP_LINE.exec(line);
    if (step) {
      this.close(atMs);
      const instruction = step[3] ?? '';
      const index = Number(step[1]);
      const total = Number(step[2]);
      // a FROM after the first: the stage before it ended with the last image it named
      if (/^FROM\b/i.test(instruction) && this.lastImage !== undefined) this.stageEnds.push(this.lastImage);
      this.open = { index, total, instruction, startedAt: atMs, usedCache: false, imageReported: false };
      this.onStep?.(index, total, instruction);
      return;
    }
    const arrow = /^\s*---> (?:Running in ([0-9a-f]{12,64})|([0-9a-f]{12,64}))\s*$/.exec(line);
    if (arrow?.[1] !== undefined) this.runningContainer = arrow[1];
    if (arrow?.[2] !== undefined) this.reportImage(arrow[2]);
    if (/^Removing intermediate container /.test(line)) this.runningContainer = undefined;
    if (this.open && line.trim() === '---> Using cache') this.open.usedCache = true;
    const built = /^Successfully built ([0-9a-f]+)$/.exec(line);
    if (built) {
      this.close(atMs);
      this.builtId = built[1];
    }
  }

  private reportImage(id: string): void {
    this.runningContainer = undefined;
    const step = this.open;
    // The first id after a step line is that step's image; FROM and cache hits only name an existing one.
    const how = step !== undefined && !step.imageReported && !step.usedCache && !/^FROM\b/i.test(step.instruction) ? 'created' : 'reused';
    if (step !== undefined) step.imageReported = true;
    const image: ReportedImage = { id, how };
    this.lastImage = id;
    this.reported.push(image);
    this.onImage?.(image);
  }

  private close(atMs: number): void {
    const step = this.open;
    if (step === undefined) return;
    this.open = undefined;
    const beforeFirstFrom = !this.steps.some((s) => /^FROM\b/i.test(s.instruction));
    const buildsNothing = /^FROM\b/i.test(step.instruction) || (/^ARG\b/i.test(step.instruction) && beforeFirstFrom);
    const failedHere = this.failure !== undefined;
    // Step N is the N-th instruction only when the builder counts what the Dockerfile holds (ONBUILD triggers add steps).
    const source = this.dockerfile?.instructions.length === step.total ? this.dockerfile.instructions[step.index - 1] : undefined;
    this.steps.push({
      index: step.index,
      instruction: step.instruction,
      cached: !failedHere && (step.usedCache || buildsNothing),
      durationMs: Math.max(0, atMs - step.startedAt),
      stage: source?.stage ?? null,
      line: source?.line ?? null,
    });
  }

  private remember(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.tail.push(line.trimEnd());
      if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
    }
  }
}
