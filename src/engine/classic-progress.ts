/**
 * Decodes the classic builder's JSON stream (`version=1` builds) into steps.
 *
 * The classic builder prints no timing: a step's duration is measured between the arrival of
 * its `Step N/M` line and the next one. A step is cached when the builder said
 * ` ---> Using cache` for it; FROM (and ARG before FROM) never build anything and count as cached.
 */
import type { StepRecord } from '../report/result-types.js';

export interface BuildStreamMessage {
  /** BuildKit messages name their kind: `moby.buildkit.trace`, `moby.image.id` */
  id?: string;
  stream?: string;
  status?: string;
  /** an object (`{ID}`) from the classic builder and for the image id; base64 for BuildKit traces */
  aux?: string | ({ ID?: string } & Record<string, unknown>);
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

export interface DecodedBuild {
  steps: StepRecord[];
  /** the built image's ID (sha256:…), when the builder reported one */
  imageId: string | undefined;
  /**
   * Images the build reported besides the result: the last image of each earlier stage of a
   * multi-stage build (classic builder). They are nobody's parent, so removing the result
   * leaves them behind.
   */
  stageImageIds: string[];
  /**
   * Every image ID the stream named (` ---> 1a2b3c4d5e6f`), short form, cache hits included:
   * what an interrupted or failed build may leave behind.
   */
  mentionedImageIds: string[];
  /** the container of the step that was running when the stream ended, if one was */
  runningContainerId: string | undefined;
  /** set when the stream carried an error: the build failed even if the HTTP status was 200 */
  failure: { step: string | undefined; message: string } | undefined;
  logTail: string[];
}

const STEP_LINE = /^Step (\d+)\/(\d+) : (.*)$/;
const LOG_TAIL_LINES = 25;

interface OpenStep {
  index: number;
  total: number;
  instruction: string;
  startedAt: number;
  usedCache: boolean;
}

export class ClassicProgressDecoder {
  private readonly steps: StepRecord[] = [];
  private open: OpenStep | undefined;
  private readonly reportedIds: string[] = [];
  private builtId: string | undefined;
  private readonly mentionedIds: string[] = [];
  private runningContainer: string | undefined;
  private failure: DecodedBuild['failure'];
  private readonly tail: string[] = [];
  private partial = '';

  /**
   * @param onStep called with each step as it starts, for progress displays
   * @param requestLabels the `labels` build parameter: the classic builder applies it as extra
   *   last steps, one `LABEL k=v` per label, that are not in the Dockerfile and miss the cache
   *   whenever the labels change (every run); they are left out of the steps.
   */
  constructor(
    private readonly onStep?: (index: number, total: number, instruction: string) => void,
    private readonly requestLabels: Record<string, string> = {},
  ) {}

  push(message: BuildStreamMessage, atMs: number): void {
    if (message.errorDetail !== undefined || message.error !== undefined) {
      const text = message.errorDetail?.message ?? message.error ?? 'unknown build error';
      this.failure = { step: this.open ? `Step ${this.open.index}/${this.open.total} : ${this.open.instruction}` : undefined, message: text.trim() };
      this.remember(text);
      return;
    }
    if (typeof message.aux === 'object' && typeof message.aux.ID === 'string') this.reportedIds.push(message.aux.ID);
    if (typeof message.stream === 'string') this.consumeText(message.stream, atMs);
    else if (typeof message.status === 'string') this.remember(message.status);
  }

  finish(atMs: number): DecodedBuild {
    if (this.partial !== '') this.consumeLine(this.partial, atMs);
    this.partial = '';
    this.close(atMs);
    // A multi-stage build reports an ID per finished stage: after a failure, none is the image.
    const imageId = this.failure ? undefined : this.reportedIds.at(-1) ?? this.builtId;
    return {
      steps: this.steps,
      imageId,
      stageImageIds: this.reportedIds.filter((id) => id !== imageId),
      mentionedImageIds: [...this.mentionedIds],
      runningContainerId: this.runningContainer,
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
    const step = STEP_LINE.exec(line);
    if (step) {
      this.close(atMs);
      const instruction = step[3] ?? '';
      const index = Number(step[1]);
      const total = Number(step[2]);
      const injected = Object.keys(this.requestLabels).length;
      if (index > total - injected && this.isInjectedLabelStep(instruction)) {
        this.open = undefined;
        return;
      }
      this.open = { index, total, instruction, startedAt: atMs, usedCache: false };
      // The total counts the injected LABEL steps, which are not the user's.
      this.onStep?.(index, total - injected, instruction);
      return;
    }
    const arrow = /^\s*---> (?:Running in ([0-9a-f]{12,64})|([0-9a-f]{12,64}))\s*$/.exec(line);
    if (arrow?.[1] !== undefined) this.runningContainer = arrow[1];
    if (arrow?.[2] !== undefined) {
      this.mentionedIds.push(arrow[2]);
      this.runningContainer = undefined;
    }
    if (/^Removing intermediate container /.test(line)) this.runningContainer = undefined;
    if (this.open && line.trim() === '---> Using cache') this.open.usedCache = true;
    const built = /^Successfully built ([0-9a-f]+)$/.exec(line);
    if (built) {
      this.close(atMs);
      this.builtId = built[1];
    }
  }

  private isInjectedLabelStep(instruction: string): boolean {
    if (!instruction.startsWith('LABEL ')) return false;
    const label = instruction.slice('LABEL '.length).trim();
    return Object.entries(this.requestLabels).some(([key, value]) => label === `${key}=${value}` || label === `"${key}"="${value}"`);
  }

  private close(atMs: number): void {
    const step = this.open;
    if (step === undefined) return;
    this.open = undefined;
    const beforeFirstFrom = !this.steps.some((s) => /^FROM\b/i.test(s.instruction));
    const buildsNothing = /^FROM\b/i.test(step.instruction) || (/^ARG\b/i.test(step.instruction) && beforeFirstFrom);
    const failedHere = this.failure !== undefined;
    this.steps.push({
      index: step.index,
      instruction: step.instruction,
      cached: !failedHere && (step.usedCache || buildsNothing),
      durationMs: Math.max(0, atMs - step.startedAt),
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

/** The index of the first step that missed the cache, or null. */
export function firstMissStep(steps: readonly StepRecord[]): number | null {
  return steps.find((s) => !s.cached)?.index ?? null;
}
