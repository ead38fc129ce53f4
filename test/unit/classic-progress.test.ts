import { describe, expect, it } from 'vitest';
import { firstMissStep, type DecodedBuild, type ReportedImage } from '../../src/engine/build-trace.js';
import { ClassicProgressDecoder } from '../../src/engine/classic-progress.js';
import { parseDockerfile } from '../../src/dockerfile/dockerfile-model.js';
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

describe('ClassicProgressDecoder and the images a build names', () => {
  it('reports each image as it arrives: the ones its steps committed, and the ones it only reused', () => {
    const reported: ReportedImage[] = [];
    const decoder = new ClassicProgressDecoder(undefined, (image) => reported.push(image));
    decoder.push({ stream: 'Step 1/3 : FROM base\n ---> 111111111111\n' }, 0);
    decoder.push({ stream: 'Step 2/3 : COPY a .\n ---> Using cache\n ---> 222222222222\n' }, 1);
    decoder.push({ stream: 'Step 3/3 : RUN make\n ---> Running in 999999999999\n' }, 2);
    expect(reported).toEqual([{ id: '111111111111', how: 'reused' }, { id: '222222222222', how: 'reused' }]);
    decoder.push({ stream: 'Removing intermediate container 999999999999\n ---> 333333333333\n' }, 3);
    expect(reported.at(-1)).toEqual({ id: '333333333333', how: 'created' });
    expect(decoder.finish(4).reportedImages).toEqual(reported);
  });

  it('knows the container of the step that was running when the stream ended', () => {
    const decoder = new ClassicProgressDecoder();
    decoder.push({ stream: 'Step 1/2 : FROM base\n ---> 111111111111\nStep 2/2 : RUN sleep 60\n ---> Running in 999999999999\n' }, 0);
    expect(decoder.finish(1).runningContainerId).toBe('999999999999');
  });

  it('on a recorded cold build: FROM reused, every other image committed by the build', () => {
    const build = replayFixture('classic-cold', new ClassicProgressDecoder());
    expect(build.reportedImages[0]?.how).toBe('reused');
    expect(build.reportedImages.slice(1).every((image) => image.how === 'created')).toBe(true);
    expect(build.reportedImages.length).toBe(build.steps.filter((s) => !/^(ARG|FROM)\b/.test(s.instruction)).length + 1);
  });

  it('on a recorded cached rebuild: nothing committed', () => {
    const build = replayFixture('classic-cached', new ClassicProgressDecoder());
    expect(build.reportedImages.filter((image) => image.how === 'created')).toEqual([]);
  });
});

describe('ClassicProgressDecoder and the Dockerfile', () => {
  it('gives each step the line and stage of the N-th instruction', () => {
    const dockerfile = parseDockerfile('FROM a AS build\nRUN x \\\n  && y\n\nFROM b\nCOPY --from=build /x /x\n');
    const decoder = new ClassicProgressDecoder(undefined, undefined, dockerfile);
    decoder.push({ stream: 'Step 1/4 : FROM a AS build\nStep 2/4 : RUN x   && y\nStep 3/4 : FROM b\nStep 4/4 : COPY --from=build /x /x\n' }, 0);
    expect(decoder.finish(1).steps.map((s) => [s.index, s.line, s.stage])).toEqual([[1, 1, 'build'], [2, 2, 'build'], [3, 5, '1'], [4, 6, '1']]);
  });

  it('leaves line and stage unknown when the builder counts other steps than the Dockerfile has', () => {
    const decoder = new ClassicProgressDecoder(undefined, undefined, parseDockerfile('FROM a\nRUN x\n'));
    decoder.push({ stream: 'Step 1/3 : FROM a\nStep 2/3 : RUN x\nStep 3/3 : RUN onbuild-trigger\n' }, 0);
    expect(decoder.finish(1).steps.map((s) => [s.line, s.stage])).toEqual([[null, null], [null, null], [null, null]]);
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
    // no step the Dockerfile does not have (a build label would add one)
    expect(build.steps.at(-1)?.instruction).toMatch(/^CMD /);
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

  it("finds the earlier stages' images in the step lines alone, as the docker CLI prints them (no aux IDs): the next build's cache", () => {
    const viaApi = decode('classic-multistage').build;
    const lines = new ClassicProgressDecoder();
    // what `docker build` prints: the same stream text, without the aux messages
    for (const { msg, t } of loadFixture('classic-multistage')) if (typeof msg.stream === 'string') lines.push({ stream: msg.stream }, t);
    const viaCli = lines.finish(10_000);
    expect(viaCli.stageImageIds).toHaveLength(viaApi.stageImageIds.length);
    viaCli.stageImageIds.forEach((short, i) => expect(viaApi.stageImageIds[i]?.replace(/^sha256:/, '').startsWith(short)).toBe(true));
  });
});
