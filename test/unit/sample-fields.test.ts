/**
 * result.json holds the fields the result contract lists, not whatever the engine keeps: a
 * sample copies a traced step and the context it sent field by field, in the order the file
 * has always had them.
 */
import { describe, expect, it } from 'vitest';
import type { BuildTrace, TraceStep } from '../../src/engine/build-trace.js';
import { toSample, type SampleFacts } from '../../src/measure/to-sample.js';

/** What an engine might one day keep on a step or a context, beside the contract's fields. */
const engineOnly = { runningContainer: 'c0ffee', rawLines: ['Step 1/2 : FROM base'] };

const steps: TraceStep[] = [
  { index: 1, instruction: 'FROM base', cached: true, durationMs: 0.4, stage: '0', line: 1, ...engineOnly },
  { index: 2, instruction: 'COPY . .', cached: false, durationMs: 10.6, stage: '0', line: 2, vertex: { digest: 'sha256:v2', inputs: ['sha256:v1'] }, ...engineOnly },
];
const trace: BuildTrace = {
  builder: 'buildkit',
  driver: 'api',
  sent: { transport: 'session', bytes: 512, files: 3, ...engineOnly },
  imageId: 'sha256:new',
  sizeBytes: 10,
  stageImageIds: [],
  reportedImages: [],
  wallMs: 12.5,
  steps,
};
const facts: SampleFacts = {
  planned: { variant: 'optimized', builder: 'buildkit', edit: undefined, phase: 'cold', rep: 1, sequence: 0 },
  trace,
  sizes: { layers: [{ diffId: 'new', sizeBytes: 10 }], approximate: false },
  before: new Set(),
  cacheMiss: null,
  health: null,
  startedAt: new Date('2026-12-01T10:00:00Z'),
  machine: 'engine-1',
  provenance: { contextSha256: null, edit: null },
};

describe('a sample records what the result contract lists', () => {
  it('copies each step field by field, its duration rounded, and leaves the engine\'s own fields behind', () => {
    const sample = toSample(facts);
    expect(JSON.stringify(sample.steps)).toBe(
      JSON.stringify([
        { index: 1, instruction: 'FROM base', cached: true, durationMs: 0, stage: '0', line: 1 },
        { index: 2, instruction: 'COPY . .', cached: false, durationMs: 11, stage: '0', line: 2, vertex: { digest: 'sha256:v2', inputs: ['sha256:v1'] } },
      ]),
    );
  });

  it('copies what the build sent of its context, and nothing else', () => {
    expect(JSON.stringify(toSample(facts).contextSent)).toBe(JSON.stringify({ transport: 'session', bytes: 512, files: 3 }));
  });

  it('shares no array with the trace: a later change to the trace leaves the sample as it was', () => {
    const sample = toSample(facts);
    steps[1]?.vertex?.inputs.push('sha256:late');
    expect(sample.steps[1]?.vertex?.inputs).toEqual(['sha256:v1']);
  });
});
