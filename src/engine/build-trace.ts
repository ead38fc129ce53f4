/**
 * What the engine reports of one build, in its own terms: the steps as the builder ran them,
 * the image, and which images the build made or reused. `measure/` turns a trace into a sample.
 * The words a trace shares with the result (builder, driver, step, context sent) are the result
 * contract's own types, so the two cannot drift apart.
 */
import type { Builder, BuildDriver, ContextSentRecord, StepRecord } from '../result/types.js';

/** What a build sent of its context: the result's record of it, as the engine measured it. */
export type ContextSent = ContextSentRecord;

/**
 * A step as the builder ran it: the result's step record, its duration not yet rounded.
 * `measure/to-sample.ts` copies it into a sample field by field.
 */
export type TraceStep = StepRecord;

/** One Docker JSON stream message of a build (classic or BuildKit through the Engine API). */
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

/** An image a build stream named, as it named it. */
export interface ReportedImage {
  /** as printed: a short (12-hex) or full `sha256:` ID */
  id: string;
  /** `created`: a step of this build committed it; `reused`: a cache hit or a FROM image */
  how: 'created' | 'reused';
}

export interface DecodedBuild {
  steps: TraceStep[];
  /** the built image's ID (sha256:…), when the builder reported one */
  imageId: string | undefined;
  /**
   * Images the build reported besides the result: the last image of each earlier stage of a
   * multi-stage build (classic builder). Removing the result leaves them behind.
   */
  stageImageIds: string[];
  /** every image the stream named, in order (classic builder; BuildKit keeps its cache elsewhere) */
  reportedImages: ReportedImage[];
  /** the container of the step that was running when the stream ended, if one was */
  runningContainerId: string | undefined;
  /**
   * Bytes the builder said it received of the context: BuildKit's `transferring context:` (and
   * `dockerfile:`) progress, the classic CLI's `Sending build context` line; undefined when it said nothing.
   */
  transferredBytes: number | undefined;
  /** set when the stream carried an error: the build failed even if the HTTP status was 200 */
  failure: { step: string | undefined; message: string } | undefined;
  logTail: string[];
}

export interface BuildTrace {
  builder: Builder;
  driver: BuildDriver;
  /** what the build sent of its context */
  sent: ContextSent;
  imageId: string;
  /** the built image's size (all its layers, uncompressed) */
  sizeBytes: number;
  steps: TraceStep[];
  /** from sending the request to the end of the builder's stream */
  wallMs: number;
  /** images of earlier stages (classic multi-stage): the cache of the next build */
  stageImageIds: string[];
  reportedImages: ReportedImage[];
}

/** The index of the first step that missed the cache, or null. */
export function firstMissStep(steps: readonly Pick<TraceStep, 'index' | 'cached'>[]): number | null {
  return steps.find((s) => !s.cached)?.index ?? null;
}
