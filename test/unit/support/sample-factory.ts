/**
 * Sample objects for report specs: a plausible measured build, with any field overridden.
 * Steps follow the bundled Dockerfiles: the first miss of a code edit is the `COPY . .` step.
 */
import { assembleResult } from '../../../src/result/assemble-result.js';
import type { Builder, BuildSample, Phase, StepRecord, SuiteResult } from '../../../src/result/types.js';

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
    stage: '0',
    line: i + 1,
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
  /** false: unhealthy; null: not checked */
  healthy?: boolean | null;
  timeToHealthyMs?: number;
  flags?: BuildSample['flags'];
  machine?: string;
}

export function makeSample(shape: SampleShape = {}): BuildSample {
  const phase = shape.phase ?? 'warm';
  const firstMissStep = shape.firstMissStep === undefined ? (phase === 'cold' ? 1 : 5) : shape.firstMissStep;
  const newBytes = shape.newBytes ?? 14_400;
  const imageBytes = shape.imageBytes ?? 286_000_000;
  return {
    kind: 'build',
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
      shape.healthy === null ? null
      : shape.healthy === false ? { ok: false, timeToHealthyMs: null, reason: 'no answer on /health within 60 s' }
      : { ok: true, timeToHealthyMs: shape.timeToHealthyMs ?? 1_200, predict: { label: 0 } },
    flags: shape.flags ?? [],
    startedAt: '2025-11-25T16:00:00.000Z',
    machine: shape.machine ?? 'engine-1',
    provenance: { contextSha256: 'c'.repeat(64), edit: phase === 'cold' ? null : { sha256: 'e'.repeat(64), paths: ['app/main.py'] } },
  };
}

/** One sample per wall time, reps numbered from 1. */
export function makeSamples(shape: Omit<SampleShape, 'wallMs' | 'rep'>, wallTimes: readonly number[]): BuildSample[] {
  return wallTimes.map((wallMs, i) => makeSample({ ...shape, wallMs, rep: i + 1 }));
}

/** The scenario part of a result that the comparison reads: variants and edits in order, the baseline. */
export function scenarioOf(variants: readonly string[], edits: readonly string[], baseline = variants[0] ?? ''): {
  baseline: string;
  variants: { name: string }[];
  edits: { name: string }[];
} {
  return { baseline, variants: variants.map((name) => ({ name })), edits: edits.map((name) => ({ name })) };
}

/**
 * A small run: naive and optimized, each built cold 3 times and rebuilt 3 times after a code
 * edit. naive's code edit misses the cache at the pip install (step 4), optimized's at
 * `COPY . .` (step 5); one extra optimized sample missed no step at all and is flagged.
 */
export function smallRun(): BuildSample[] {
  return [
    ...makeSamples({ variant: 'naive', phase: 'cold', firstMissStep: 1, newBytes: 286_000_000 }, [60_000, 62_000, 61_000]),
    ...makeSamples({ variant: 'optimized', phase: 'cold', firstMissStep: 1, newBytes: 200_000_000, imageBytes: 200_000_000 }, [40_000, 42_000, 41_000]),
    ...makeSamples({ variant: 'naive', phase: 'warm', edit: 'code', firstMissStep: 4, newBytes: 120_000_000 }, [30_000, 31_000, 29_000]),
    ...makeSamples({ variant: 'optimized', phase: 'warm', edit: 'code', firstMissStep: 5, imageBytes: 200_000_000 }, [1_000, 1_100, 900]),
    makeSample({ variant: 'optimized', phase: 'warm', edit: 'code', rep: 4, wallMs: 200, firstMissStep: null, newBytes: 0, imageBytes: 200_000_000, flags: ['no-step-missed'] }),
  ];
}

/** A whole result around some samples: one machine, the variants and edits the samples name. */
export function resultOf(samples: BuildSample[], runId = '20261125-100000-abcd'): SuiteResult {
  const variants = [...new Set(samples.map((s) => s.variant))];
  const edits = [...new Set(samples.filter((s) => s.edit !== 'none').map((s) => s.edit))];
  return assembleResult({
    runId,
    startedAt: new Date('2026-11-25T10:00:00Z'),
    finishedAt: new Date('2026-11-25T10:05:00Z'),
    complete: true,
    machine: { id: 'engine-1', cpus: 2, memoryBytes: 24e9, engineVersion: '20.10.24', apiVersion: '1.41', storageDriver: 'overlay2', os: 'Debian', endpoint: 'unix' },
    scenario: {
      name: 'synthetic',
      file: 'scenarios/synthetic.yaml',
      sha256: 'a'.repeat(64),
      builder: 'classic',
      reps: Math.max(1, ...samples.map((s) => s.rep)),
      warmup: 0,
      cold: samples.some((s) => s.phase === 'cold'),
      baseline: variants[0] ?? 'naive',
      variants: variants.map((name) => ({ name, dockerfile: `${name}.Dockerfile`, dockerfileSha256: 'b'.repeat(64), ignoreFile: null, contextSha256: 'c'.repeat(64), contextFiles: { 'app/main.py': 'd'.repeat(64) } })),
      edits: edits.map((name) => ({ name, kind: 'append-line', file: 'app/main.py' })),
    },
    packageIndex: { mode: 'local', urls: ['http://127.0.0.1:38751/index-0/simple/'] },
    bases: [{ name: 'python-3.11-slim', image: 'layerbench/bookworm-python3:1', id: 'sha256:old', source: 'bootstrapped' }],
    samples,
    conditions: { loadAverageAtStart: 0.2, cpus: 2 },
  });
}
