/**
 * Sample objects for report specs: a plausible measured build, with any field overridden.
 * Steps follow the bundled Dockerfiles: the first miss of a code edit is the `COPY . .` step.
 */
import type { Builder, Phase, Sample, StepRecord } from '../../../src/report/result-types.js';

export const STEPS = [
  'FROM python:3.11-slim',
  'WORKDIR /app',
  'COPY requirements.txt .',
  'RUN pip install --no-cache-dir -r requirements.txt',
  'COPY . .',
  'CMD ["uvicorn", "app.main:app"]',
] as const;

/** Step records where steps before `firstMiss` were cached (all cached when null). */
export function steps(firstMiss: number | null): StepRecord[] {
  return STEPS.map((instruction, i) => ({
    index: i + 1,
    instruction,
    cached: firstMiss === null || i + 1 < firstMiss,
    durationMs: firstMiss !== null && i + 1 >= firstMiss ? 500 : 2,
  }));
}

export interface SampleShape {
  variant?: string;
  builder?: Builder;
  edit?: string;
  phase?: Phase;
  rep?: number;
  wallMs?: number;
  firstMissStep?: number | null;
  newBytes?: number;
  imageBytes?: number;
  healthy?: boolean;
  timeToHealthyMs?: number;
  flags?: Sample['flags'];
}

export function makeSample(shape: SampleShape = {}): Sample {
  const phase = shape.phase ?? 'warm';
  const firstMissStep = shape.firstMissStep === undefined ? (phase === 'cold' ? 1 : 5) : shape.firstMissStep;
  const newBytes = shape.newBytes ?? 14_400;
  const imageBytes = shape.imageBytes ?? 286_000_000;
  return {
    variant: shape.variant ?? 'naive',
    builder: shape.builder ?? 'classic',
    edit: shape.edit ?? (phase === 'cold' ? 'none' : 'code'),
    phase,
    rep: shape.rep ?? 1,
    wallMs: shape.wallMs ?? 1_000,
    steps: steps(firstMissStep),
    firstMissStep,
    layers: { total: 6, reused: 5, reusedBytes: imageBytes - newBytes, newBytes },
    image: { id: `sha256:${'ab'.repeat(32)}`, sizeBytes: imageBytes, layerCount: 6 },
    health:
      shape.healthy === false
        ? { ok: false, timeToHealthyMs: null, reason: 'no answer on /health within 60 s' }
        : { ok: true, timeToHealthyMs: shape.timeToHealthyMs ?? 1_200, predict: { label: 0 } },
    flags: shape.flags ?? [],
    startedAt: '2025-11-25T16:00:00.000Z',
  };
}

/** One sample per wall time, reps numbered from 1. */
export function makeSamples(shape: Omit<SampleShape, 'wallMs' | 'rep'>, wallTimes: readonly number[]): Sample[] {
  return wallTimes.map((wallMs, i) => makeSample({ ...shape, wallMs, rep: i + 1 }));
}
