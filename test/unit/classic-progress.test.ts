import { describe, expect, it } from 'vitest';
import { ClassicProgressDecoder, firstMissStep, type DecodedBuild } from '../../src/engine/classic-progress.js';
import { type StepEvent, lastReportedImageId, loadFixture, replayFixture, replayWithEvents } from './support/replay-fixture.js';

function decode(name: string): { build: DecodedBuild; events: StepEvent[] } {
  return replayWithEvents(name, (onStep) => new ClassicProgressDecoder(onStep));
}

const INSTALL = /pip3? install/;

function expectSaneDurations(build: DecodedBuild): void {
  for (const step of build.steps) {
    expect(Number.isFinite(step.durationMs)).toBe(true);
    expect(step.durationMs).toBeGreaterThanOrEqual(0);
  }
}

describe('ClassicProgressDecoder and the labels of the build request', () => {
  const labels = { 'layerbench.run': 'fixture-recording' };

  it('leaves out the LABEL steps the daemon appends for the request labels', () => {
    const events: StepEvent[] = [];
    const build = replayFixture('classic-cold', new ClassicProgressDecoder((index, total, instruction) => events.push({ index, total, instruction }), labels));
    const withoutLabels = decode('classic-cold').build;
    expect(build.steps).toHaveLength(withoutLabels.steps.length - 1);
    expect(build.steps.some((s) => s.instruction.includes('layerbench.run'))).toBe(false);
    // the progress total counts only the Dockerfile's own steps
    expect(new Set(events.map((e) => e.total))).toEqual(new Set([build.steps.length]));
  });

  it('keeps a LABEL the Dockerfile itself has', () => {
    const decoder = new ClassicProgressDecoder(undefined, labels);
    decoder.push({ stream: 'Step 1/3 : FROM scratch\n' }, 0);
    decoder.push({ stream: 'Step 2/3 : LABEL team=core\n' }, 1);
    decoder.push({ stream: 'Step 3/3 : LABEL layerbench.run=fixture-recording\n' }, 2);
    decoder.push({ aux: { ID: 'sha256:abc' } }, 3);
    expect(decoder.finish(4).steps.map((s) => s.instruction)).toEqual(['FROM scratch', 'LABEL team=core']);
  });

  it('a fully cached rebuild with new run labels still has no missed step', () => {
    const build = replayFixture('classic-cached', new ClassicProgressDecoder(undefined, labels));
    expect(firstMissStep(build.steps)).toBeNull();
  });
});

describe('ClassicProgressDecoder on recorded classic-builder streams', () => {
  it('decodes a cold build: every step, in order, nothing but FROM cached', () => {
    const { build, events } = decode('classic-cold');
    expect(build.failure).toBeUndefined();
    expect(build.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(build.imageId).toBe(lastReportedImageId('classic-cold'));
    expect(build.steps.map((s) => s.index)).toEqual(build.steps.map((_, i) => i + 1));
    expect(build.steps[0]?.instruction).toMatch(/^FROM /);
    expect(build.steps[0]?.cached).toBe(true);
    expect(build.steps.slice(1).filter((s) => s.cached)).toEqual([]);
    const runs = build.steps.filter((s) => /^RUN /.test(s.instruction));
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.some((s) => INSTALL.test(s.instruction))).toBe(true);
    // the daemon turns the build's `labels` parameter into a last LABEL step of its own
    expect(build.steps.at(-1)?.instruction).toMatch(/^LABEL layerbench\.run=/);
    expect(events.map((e) => e.index)).toEqual(build.steps.map((s) => s.index));
    expect(new Set(events.map((e) => e.total))).toEqual(new Set([build.steps.length]));
    expectSaneDurations(build);
    expect(firstMissStep(build.steps)).toBe(2);
  });

  it('decodes a failing RUN: the failure names the step and the exit code, the tail has its output', () => {
    const { build } = decode('classic-failure');
    expect(build.imageId).toBeUndefined();
    expect(build.failure).toBeDefined();
    expect(build.failure?.step).toMatch(/RUN echo about to fail && exit 3$/);
    expect(build.failure?.message).toMatch(/non-zero code: 3\b/);
    expect(build.logTail).toContain('about to fail');
    expect(build.logTail.length).toBeLessThanOrEqual(25);
    const failed = build.steps.at(-1);
    expect(failed?.instruction).toBe('RUN echo about to fail && exit 3');
    expect(failed?.cached).toBe(false);
    expect(build.steps.some((s) => /never reached/.test(s.instruction))).toBe(false);
    expectSaneDurations(build);
  });

  it('decodes a multi-stage build: both FROMs are steps, the image id is the final one', () => {
    const { build } = decode('classic-multistage');
    expect(build.failure).toBeUndefined();
    const froms = build.steps.filter((s) => /^FROM /.test(s.instruction));
    expect(froms).toHaveLength(2);
    expect(froms.every((s) => s.cached)).toBe(true);
    expect(build.steps.some((s) => s.instruction === 'COPY --from=build /opt/x /opt/x' && !s.cached)).toBe(true);
    // the classic builder also reports each finished stage's image as aux.ID: the last one wins
    const stageIds = loadFixture('classic-multistage').filter(({ msg }) => typeof msg.aux === 'object' && typeof msg.aux.ID === 'string');
    expect(stageIds.length).toBeGreaterThan(1);
    expect(build.imageId).toBe(lastReportedImageId('classic-multistage'));
    // the earlier stages' images are reported too, so that a run can remove them
    expect(build.stageImageIds).toHaveLength(stageIds.length - 1);
    expect(build.stageImageIds).not.toContain(build.imageId);
    expect(build.logTail).toEqual(expect.arrayContaining(['built', 'hello']));
    expectSaneDurations(build);
  });
});
