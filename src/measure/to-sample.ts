/** What one build measured, in the shape of the result contract. Pure. */
import { firstMissStep, type BuildTrace, type ContextSent, type TraceStep } from '../engine/build-trace.js';
import type { LayerSize, LayerSizes } from '../engine/layer-sizes.js';
import type { BuildSample, CacheMiss, ContextSentRecord, HealthRecord, LayerComparison, SampleFlag, SampleProvenance, StepRecord } from '../result/types.js';
import type { PlannedBuild } from './plan.js';

export interface SampleFacts {
  planned: PlannedBuild & { phase: BuildSample['phase'] };
  trace: BuildTrace;
  sizes: LayerSizes;
  /** diff IDs of the image before this build (the variant's previous image; for a cold build, its base) */
  before: ReadonlySet<string>;
  /** why the first missed step missed (see cache-miss.ts) */
  cacheMiss: CacheMiss | null;
  health: HealthRecord | null;
  startedAt: Date;
  machine: string;
  provenance: SampleProvenance;
}

export function toSample(facts: SampleFacts): BuildSample {
  const miss = firstMissStep(facts.trace.steps);
  const flags: SampleFlag[] = [];
  if (facts.planned.phase === 'warm' && miss === null) flags.push('no-step-missed');
  if (facts.sizes.approximate) flags.push('layer-sizes-approximate');
  return {
    kind: 'build',
    variant: facts.planned.variant,
    builder: facts.trace.builder,
    edit: facts.planned.edit?.name ?? 'none',
    phase: facts.planned.phase,
    rep: facts.planned.rep,
    wallMs: Math.round(facts.trace.wallMs),
    steps: facts.trace.steps.map(stepRecord),
    firstMissStep: miss,
    layers: compareLayers(facts.sizes.layers, facts.before),
    image: { id: facts.trace.imageId, sizeBytes: facts.trace.sizeBytes, layerCount: facts.sizes.layers.length },
    health: facts.health,
    flags,
    startedAt: facts.startedAt.toISOString(),
    machine: facts.machine,
    provenance: facts.provenance,
    cacheMiss: facts.cacheMiss,
    driver: facts.trace.driver,
    contextSent: contextSentRecord(facts.trace.sent),
  };
}

/**
 * A traced step as result.json records it, field by field (in the order the file has always
 * had them), so that whatever else the engine keeps on a step stays out of the result.
 */
function stepRecord(step: TraceStep): StepRecord {
  const record: StepRecord = {
    index: step.index,
    instruction: step.instruction,
    cached: step.cached,
    durationMs: Math.round(step.durationMs),
    stage: step.stage,
    line: step.line,
  };
  if (step.vertex !== undefined) record.vertex = { digest: step.vertex.digest, inputs: [...step.vertex.inputs] };
  return record;
}

/** What the build sent of its context, as result.json records it. */
function contextSentRecord(sent: ContextSent): ContextSentRecord {
  return { transport: sent.transport, bytes: sent.bytes, files: sent.files };
}

/** Compares an image's layers with the diff IDs that were there before it was built. */
export function compareLayers(current: readonly LayerSize[], before: ReadonlySet<string>): LayerComparison {
  let reused = 0;
  let reusedBytes = 0;
  let newBytes = 0;
  for (const layer of current) {
    if (before.has(layer.diffId)) {
      reused += 1;
      reusedBytes += layer.sizeBytes;
    } else {
      newBytes += layer.sizeBytes;
    }
  }
  return { total: current.length, reused, reusedBytes, newBytes };
}

/**
 * Unique to the run, the variant, the builder, the edit and the repetition: the daemon's cache
 * cannot have seen it — not even from another variant whose Dockerfile begins the same way,
 * whose cache entries a shared prefix would otherwise reach (BuildKit's and the classic builder's alike).
 */
export function nonceFor(runId: string, planned: PlannedBuild): string {
  return `${runId}.${planned.variant}.${planned.builder}.${planned.edit?.name ?? 'none'}.${planned.phase}${planned.rep}`;
}
