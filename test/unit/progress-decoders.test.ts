/**
 * What both progress decoders promise, on streams recorded from the real daemon with each
 * builder: a fully cached rebuild has no missed step; after a source edit the install step
 * stays cached and the source COPY is the first miss.
 */
import { describe, expect, it } from 'vitest';
import { BuildkitProgressDecoder } from '../../src/engine/buildkit-progress.js';
import { firstMissStep } from '../../src/engine/build-trace.js';
import { ClassicProgressDecoder } from '../../src/engine/classic-progress.js';
import { parseDockerfile } from '../../src/dockerfile/dockerfile-model.js';
import { fixtureDockerfile, lastReportedImageId, replayFixture, type ProgressDecoder } from './support/replay-fixture.js';

const INSTALL = /pip3? install/;

describe.each([
  { builder: 'classic', decoder: (): ProgressDecoder => new ClassicProgressDecoder() },
  { builder: 'buildkit', decoder: (): ProgressDecoder => new BuildkitProgressDecoder() },
])('$builder progress decoder', ({ builder, decoder }) => {
  it('decodes a fully cached rebuild: every step cached, no first miss', () => {
    const build = replayFixture(`${builder}-cached`, decoder());
    expect(build.failure).toBeUndefined();
    expect(build.imageId).toBe(lastReportedImageId(`${builder}-cached`));
    expect(build.steps.length).toBeGreaterThan(0);
    expect(build.steps.filter((s) => !s.cached)).toEqual([]);
    expect(firstMissStep(build.steps)).toBeNull();
  });

  it('decodes a rebuild after a source edit: install cached, the source COPY is the first miss', () => {
    const build = replayFixture(`${builder}-code-edit`, decoder());
    expect(build.failure).toBeUndefined();
    expect(build.imageId).toBe(lastReportedImageId(`${builder}-code-edit`));
    const install = build.steps.find((s) => INSTALL.test(s.instruction));
    const copySource = build.steps.find((s) => s.instruction === 'COPY app.py .');
    expect(install?.cached).toBe(true);
    expect(copySource?.cached).toBe(false);
    expect(firstMissStep(build.steps)).toBe(copySource?.index);
    const after = build.steps.filter((s) => s.index > (copySource?.index ?? Infinity));
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.cached)).toEqual([]);
    for (const step of build.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe.each([
  { builder: 'classic', decoder: (): ProgressDecoder => new ClassicProgressDecoder(undefined, undefined, parseDockerfile(fixtureDockerfile('app'))) },
  { builder: 'buildkit', decoder: (): ProgressDecoder => new BuildkitProgressDecoder(undefined, parseDockerfile(fixtureDockerfile('app'))) },
])('$builder progress decoder with the Dockerfile', ({ builder, decoder }) => {
  it('numbers each step by its position in the Dockerfile and names its line', () => {
    const build = replayFixture(`${builder}-code-edit`, decoder());
    const lines = fixtureDockerfile('app').split('\n');
    for (const step of build.steps) {
      expect(step.line, step.instruction).not.toBeNull();
      // the instruction starts on that line (BuildKit prints FROM with the registry it resolved)
      expect(lines[(step.line ?? 0) - 1]?.split(' ')[0], step.instruction).toBe(step.instruction.split(' ')[0]);
      expect(step.stage).toBe('0');
    }
    expect(build.steps.find((s) => s.instruction === 'COPY app.py .')).toMatchObject({ index: 5, line: 5 });
  });
});
