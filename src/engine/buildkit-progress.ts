/**
 * Decodes BuildKit's progress (`version=2` builds through the Engine API) into steps.
 *
 * The stream carries `{"id":"moby.buildkit.trace","aux":"<base64 StatusResponse>"}` messages
 * (see buildkit-trace.ts), then `{"id":"moby.image.id","aux":{"ID":"sha256:…"}}` on success or
 * `{"errorDetail":{"message":…},"error":…}` on failure, and a closing `Successfully tagged` line.
 *
 * BuildKit announces the whole graph first (vertexes without timestamps), then re-sends each
 * vertex as it starts, completes, or is found in the cache. The Dockerfile's steps are the
 * vertexes named `[N/M] INSTRUCTION` or `[stage N/M] INSTRUCTION`; `[internal] …`,
 * `copy /context /` and `exporting to image` are BuildKit's own work and not steps.
 *
 * - Steps are numbered by their position in the Dockerfile: `[stage i/m]` is the i-th
 *   FROM/RUN/COPY/ADD/WORKDIR of that stage (see dockerfile-model.ts). Without the Dockerfile,
 *   in order of first announcement. Identical steps of two stages (typically a shared `FROM`)
 *   are one vertex, so one step. Steps that never started (after a failing one) are left out.
 * - A step is cached when BuildKit last reported it so; FROM never builds anything and counts
 *   as cached, as in the classic decoder.
 * - Durations come from BuildKit's own started/completed timestamps (the daemon's clock),
 *   falling back to arrival times only for a step that never reported completion.
 */
import { TextDecoder } from 'node:util';
import { buildkitStepInstruction, type DockerfileModel } from '../dockerfile/dockerfile-model.js';
import type { BuildStreamMessage, DecodedBuild, TraceStep } from './build-trace.js';
import { decodeStatusResponse, type TraceStatus, type TraceVertex, type TraceVertexLog } from './buildkit-trace.js';

const TRACE_ID = 'moby.buildkit.trace';
const LOG_TAIL_LINES = 25;
/** `[2/6] WORKDIR /app`, `[build 1/3] FROM …`, `[linux/amd64 stage-1 3/3] RUN …` */
const STEP_NAME = /^\[(?:([^\]]*?) )?(\d+)\/(\d+)\] ([\s\S]*)$/;
const CANCELED = /\bcontext canceled\b|\bcanceled\b/i;
/** BuildKit's progress for a synced dir: `transferring context:`, `transferring dockerfile:` */
const TRANSFER = /^transferring [^:]+:/;

interface StepState {
  index: number;
  digest: string;
  inputs: string[];
  stage: string | null;
  line: number | null;
  /** the vertex name as BuildKit printed it, e.g. `[3/4] RUN echo hi` */
  name: string;
  instruction: string;
  total: number;
  cached: boolean;
  firstStartedMs: number | undefined;
  lastCompletedMs: number | undefined;
  /** arrival time (stream clock) of the first report that the step started */
  startedAt: number | undefined;
  announced: boolean;
  error: string;
}

export class BuildkitProgressDecoder {
  /** by vertex digest */
  private readonly steps = new Map<string, StepState>();
  private nextIndex = 1;
  private imageId: string | undefined;
  private streamError: string | undefined;
  private readonly tail: string[] = [];
  /** unfinished log line per vertex (BuildKit log chunks need not end at a newline) */
  private readonly partialLogs = new Map<string, { decoder: TextDecoder; text: string }>();
  /** the largest `current` of each `transferring …:` status (by vertex): what the builder received of a synced dir */
  private readonly transfers = new Map<string, number>();

  /**
   * @param onStep called with each step as it starts, for progress displays
   * @param dockerfile the parsed Dockerfile, for the position, line and stage of each step
   */
  constructor(
    private readonly onStep?: (index: number, total: number, instruction: string) => void,
    private readonly dockerfile?: DockerfileModel,
  ) {}

  push(message: BuildStreamMessage, atMs: number): void {
    // The Engine's BuildKit messages carry an `id` and a string `aux`, outside BuildStreamMessage's shape.
    const raw = message as unknown as { id?: unknown; aux?: unknown };
    if (message.errorDetail !== undefined || message.error !== undefined) {
      const text = message.errorDetail?.message ?? message.error ?? 'unknown build error';
      this.streamError = text.trim();
      // usually the failing vertex's error, already in the tail
      if (this.tail.at(-1) !== this.streamError) this.remember(text);
      return;
    }
    if (raw.id === TRACE_ID && typeof raw.aux === 'string') {
      let status: TraceStatus;
      try {
        status = decodeStatusResponse(raw.aux);
      } catch (err) {
        this.remember(`(undecodable BuildKit progress message: ${err instanceof Error ? err.message : String(err)})`);
        return;
      }
      this.pushStatus(status, atMs);
      return;
    }
    if (typeof raw.aux === 'object' && raw.aux !== null) {
      const id = (raw.aux as { ID?: unknown }).ID;
      if (typeof id === 'string') this.imageId = id;
    }
    if (typeof message.stream === 'string') this.remember(message.stream);
    else if (typeof message.status === 'string') this.remember(message.status);
  }

  finish(atMs: number): DecodedBuild {
    for (const vertex of [...this.partialLogs.keys()]) this.flushLog(vertex);
    const steps: TraceStep[] = [];
    for (const step of [...this.steps.values()].sort((a, b) => a.index - b.index)) {
      if (step.firstStartedMs === undefined && step.lastCompletedMs === undefined && step.startedAt === undefined) continue;
      steps.push({
        index: step.index,
        instruction: step.instruction,
        cached: step.error === '' && (step.cached || /^FROM\b/i.test(step.instruction)),
        durationMs: durationOf(step, atMs),
        stage: step.stage,
        line: step.line,
        vertex: { digest: step.digest, inputs: step.inputs },
      });
    }
    // BuildKit keeps stages in its own cache, not as images: there are none to clean up.
    const transferredBytes = this.transfers.size === 0 ? undefined : [...this.transfers.values()].reduce((sum, bytes) => sum + bytes, 0);
    return { steps, imageId: this.imageId, stageImageIds: [], reportedImages: [], runningContainerId: undefined, transferredBytes, failure: this.failure(), logTail: [...this.tail] };
  }

  private failure(): DecodedBuild['failure'] {
    const errored = [...this.steps.values()].filter((s) => s.error !== '').sort((a, b) => a.index - b.index);
    // The step that failed, not one BuildKit canceled because another failed.
    const culprit = errored.find((s) => !CANCELED.test(s.error)) ?? errored[0];
    if (this.streamError !== undefined) return { step: culprit?.name, message: this.streamError };
    // A step failed but the stream ended before the daemon's error message (e.g. a broken connection).
    if (culprit !== undefined && this.imageId === undefined) return { step: culprit.name, message: culprit.error };
    return undefined;
  }

  /** One solve status, however it arrived: the Engine API's trace, or the CLI's `--progress=rawjson`. */
  pushStatus(status: TraceStatus, atMs: number): void {
    for (const vertex of status.vertexes) this.consumeVertex(vertex, atMs);
    for (const progress of status.statuses) {
      // one status per synced dir and vertex: the context is synced once for .dockerignore, once for the files
      const key = `${progress.vertex} ${progress.id}`;
      if (TRANSFER.test(progress.id)) this.transfers.set(key, Math.max(this.transfers.get(key) ?? 0, progress.current));
    }
    for (const log of status.logs) this.consumeLog(log);
    for (const warning of status.warnings) {
      if (warning.short !== '') this.remember(`WARNING: ${warning.short}`);
    }
  }

  private consumeVertex(vertex: TraceVertex, atMs: number): void {
    const named = STEP_NAME.exec(vertex.name);
    if (named === null) {
      if (vertex.error !== '' && !CANCELED.test(vertex.error)) this.remember(`${vertex.name}: ${vertex.error}`);
      return;
    }
    let step = this.steps.get(vertex.digest);
    if (step === undefined) {
      const stageLabel = named[1]?.split(' ').at(-1);
      const source = this.dockerfile === undefined ? undefined : buildkitStepInstruction(this.dockerfile, stageLabel, Number(named[2]));
      step = {
        index: source?.position ?? this.fallbackIndex(stageLabel, Number(named[2])),
        digest: vertex.digest,
        inputs: vertex.inputs,
        stage: source?.stage ?? (stageLabel === undefined ? null : stageLabel.replace(/^stage-(\d+)$/, '$1')),
        line: source?.line ?? null,
        name: vertex.name,
        instruction: (named[4] ?? '').trim(),
        total: this.dockerfile?.instructions.length ?? Number(named[3]),
        cached: false,
        firstStartedMs: undefined,
        lastCompletedMs: undefined,
        startedAt: undefined,
        announced: false,
        error: '',
      };
      this.steps.set(vertex.digest, step);
    }
    const begun = vertex.startedMs !== undefined || vertex.completedMs !== undefined || vertex.cached;
    if (!begun) return;
    step.cached = vertex.cached;
    if (vertex.startedMs !== undefined) step.firstStartedMs = Math.min(step.firstStartedMs ?? Infinity, vertex.startedMs);
    if (vertex.completedMs !== undefined) step.lastCompletedMs = Math.max(step.lastCompletedMs ?? -Infinity, vertex.completedMs);
    step.startedAt ??= atMs;
    if (vertex.error !== '') step.error = vertex.error;
    if (!step.announced) {
      step.announced = true;
      this.remember(step.name);
      this.onStep?.(step.index, step.total, step.instruction);
    }
    if (vertex.completedMs !== undefined) this.flushLog(vertex.digest);
    if (vertex.error !== '' && !CANCELED.test(vertex.error)) this.remember(vertex.error);
  }

  /**
   * Without the Dockerfile (or for a step it does not explain): a single-stage build's
   * `[i/m]` is its order; otherwise the order BuildKit announced the steps in, after every
   * instruction the Dockerfile has.
   */
  private fallbackIndex(stage: string | undefined, positionInStage: number): number {
    if (this.dockerfile === undefined && stage === undefined) return positionInStage;
    return (this.dockerfile?.instructions.length ?? 0) + this.nextIndex++;
  }

  private consumeLog(log: TraceVertexLog): void {
    let partial = this.partialLogs.get(log.vertex);
    if (partial === undefined) {
      partial = { decoder: new TextDecoder(), text: '' };
      this.partialLogs.set(log.vertex, partial);
    }
    const lines = (partial.text + partial.decoder.decode(log.msg, { stream: true })).split('\n');
    partial.text = lines.pop() ?? '';
    for (const line of lines) this.remember(lastRedraw(line));
  }

  private flushLog(vertex: string): void {
    const partial = this.partialLogs.get(vertex);
    if (partial === undefined) return;
    this.partialLogs.delete(vertex);
    const rest = partial.text + partial.decoder.decode();
    if (rest !== '') this.remember(lastRedraw(rest));
  }

  private remember(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.tail.push(line.trimEnd());
      if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
    }
  }
}

/** What a terminal would show of a line redrawn with carriage returns (progress bars). */
function lastRedraw(line: string): string {
  const parts = line.replace(/\r+$/, '').split('\r');
  return parts[parts.length - 1] ?? '';
}

function durationOf(step: StepState, finishedAt: number): number {
  if (step.firstStartedMs !== undefined && step.lastCompletedMs !== undefined) {
    return toMicros(Math.max(0, step.lastCompletedMs - step.firstStartedMs));
  }
  // Never reported complete (the build ended under it): measure on the stream's clock.
  if (step.startedAt !== undefined && step.lastCompletedMs === undefined) return toMicros(Math.max(0, finishedAt - step.startedAt));
  return 0;
}

/** Milliseconds kept to the microsecond: BuildKit's nanosecond timestamps make long fractions. */
function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
