import { describe, expect, it } from 'vitest';
import type { BuildTrace } from '../../src/engine/build-trace.js';
import type { LayerSizes } from '../../src/engine/layer-sizes.js';
import type { PlannedBuild } from '../../src/measure/plan.js';
import { nonceFor, toSample, type SampleFacts } from '../../src/measure/to-sample.js';
import type { EditSpec } from '../../src/scenario/scenario-types.js';

const code: EditSpec = { name: 'code', kind: 'append-line', file: 'app.py', line: '# {nonce}' };
const planned: PlannedBuild = { variant: 'optimized', builder: 'classic', edit: code, phase: 'warm', rep: 2, sequence: 1 };
const sizes: LayerSizes = {
  layers: [
    { diffId: 'base', sizeBytes: 100 },
    { diffId: 'pip', sizeBytes: 50 },
    { diffId: 'src-new', sizeBytes: 3 },
  ],
  approximate: false,
};
const trace = (cached: boolean[]): BuildTrace => ({
  builder: 'classic',
  driver: 'cli',
  sent: { transport: 'tar', bytes: 2048, files: null },
  imageId: 'sha256:new',
  sizeBytes: 153,
  stageImageIds: [],
  reportedImages: [],
  wallMs: 1234.4,
  steps: cached.map((c, i) => ({ index: i + 1, instruction: `STEP ${i + 1}`, cached: c, durationMs: 10.6, stage: '0', line: i + 3 })),
});
const provenance = { contextSha256: 'c'.repeat(64), edit: { sha256: 'e'.repeat(64), paths: ['app.py'] } };
const facts = (cached: boolean[]): SampleFacts => ({
  planned: { ...planned, phase: 'warm' },
  trace: trace(cached),
  sizes,
  before: new Set(['base', 'pip', 'src-old']),
  cacheMiss: null,
  health: { ok: true, timeToHealthyMs: 900, predict: null },
  startedAt: new Date('2026-11-25T10:00:00Z'),
  machine: 'engine-1',
  provenance,
});

describe('toSample: one build in the shape of the result contract', () => {
  it('is a build sample naming the variant, builder, edit, phase and rep, with times rounded and the first missed step', () => {
    const sample = toSample(facts([true, true, false, false]));
    expect(sample).toMatchObject({ kind: 'build', variant: 'optimized', builder: 'classic', edit: 'code', phase: 'warm', rep: 2, wallMs: 1234, firstMissStep: 3 });
    expect(sample.steps.every((s) => Number.isInteger(s.durationMs))).toBe(true);
    expect(sample.flags).toEqual([]);
  });

  it('keeps each step\'s stage and Dockerfile line, the machine and the provenance', () => {
    const sample = toSample(facts([true, false]));
    expect(sample.steps.map((s) => [s.stage, s.line])).toEqual([['0', 3], ['0', 4]]);
    expect(sample.machine).toBe('engine-1');
    expect(sample.provenance).toEqual(provenance);
    expect(sample.startedAt).toBe('2026-11-25T10:00:00.000Z');
  });

  it('records which driver ran the build and what it sent of the context', () => {
    const sample = toSample(facts([true, false]));
    expect(sample.driver).toBe('cli');
    expect(sample.contextSent).toEqual({ transport: 'tar', bytes: 2048, files: null });
  });

  it('counts reused layers and new bytes against the image before the edit', () => {
    expect(toSample(facts([true, false])).layers).toEqual({ total: 3, reused: 2, reusedBytes: 150, newBytes: 3 });
    expect(toSample(facts([true, false])).image).toEqual({ id: 'sha256:new', sizeBytes: 153, layerCount: 3 });
  });

  it('flags a warm sample in which no step missed the cache: the edit measured nothing', () => {
    const sample = toSample(facts([true, true, true]));
    expect(sample.firstMissStep).toBeNull();
    expect(sample.flags).toContain('no-step-missed');
  });

  it('does not flag a cold build, and marks approximate layer sizes', () => {
    const cold = toSample({ ...facts([true]), planned: { ...planned, phase: 'cold' }, sizes: { ...sizes, approximate: true } });
    expect(cold.flags).toEqual(['layer-sizes-approximate']);
  });

  it('records a health check that was not run as null, not as a failure', () => {
    expect(toSample({ ...facts([false]), health: null }).health).toBeNull();
  });
});

describe('nonceFor', () => {
  it('is unique per run, variant, builder, edit, phase and repetition', () => {
    const nonces = new Set([
      nonceFor('run-a', planned),
      nonceFor('run-b', planned),
      nonceFor('run-a', { ...planned, rep: 3 }),
      nonceFor('run-a', { ...planned, phase: 'warmup' }),
      nonceFor('run-a', { ...planned, edit: { ...code, name: 'other' } }),
      // two variants whose Dockerfiles begin alike must not meet in the cache
      nonceFor('run-a', { ...planned, variant: 'cachemount' }),
      nonceFor('run-a', { ...planned, builder: 'buildkit' }),
    ]);
    expect(nonces.size).toBe(7);
  });
});
