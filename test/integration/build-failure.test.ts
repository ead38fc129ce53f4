/** A Dockerfile that fails: a typed error naming the step and the log tail, exit 1, no stack trace. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_CATALOG } from '../../src/bases/base-catalog.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { BuildLeftovers } from '../../src/measure/build-leftovers.js';
import { BuildFailedError } from '../../src/errors.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { danglingImages, labelledContainers, runCli, runImages } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-failure-'));
const context = join(scratch, 'context');
mkdirSync(context);
writeFileSync(join(context, 'app.txt'), 'hello\n');
writeFileSync(
  join(scratch, 'broken.Dockerfile'),
  ['ARG PYTHON_BASE', 'FROM ${PYTHON_BASE}', 'COPY app.txt /app/', 'RUN echo about to fail && exit 3', 'CMD ["true"]', ''].join('\n'),
);
writeFileSync(
  join(scratch, 'broken.yaml'),
  [
    'name: broken',
    'context: context',
    'reps: 1',
    'variants:',
    '  - { name: broken, dockerfile: broken.Dockerfile, bases: { PYTHON_BASE: python-3.11-slim } }',
    'edits:',
    '  - { name: code, kind: append-line, file: app.txt, line: "edit {nonce}" }',
  ].join('\n'),
);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a build that fails', () => {
  it('rejects with BuildFailedError naming the failing step, its reason and the log tail', async () => {
    const engine = new DockerodeEngine();
    const leftovers = new BuildLeftovers(engine);
    leftovers.buildStarted(new Date());
    const workspace = Workspace.create(join(scratch, 'ws'), context, join(scratch, 'broken.Dockerfile'));
    const base = (await engine.images.inspect('python:3.11-slim-bookworm')) ? 'python:3.11-slim-bookworm' : (BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '');
    const failure = await engine.builds
      .build({
        context: workspace,
        dockerfile: workspace.dockerfileInContext,
        dockerfileModel: undefined,
        builder: 'classic',
        buildArgs: { PYTHON_BASE: base },
        tag: 'layerbench-test/failure:1',
        noCache: false,
        variant: 'broken',
        hostNetwork: false,
        signal: undefined,
        onStep: undefined,
        onImage: (image) => leftovers.imageReported(image),
      })
      .then(() => undefined, (err: unknown) => err);
    workspace.dispose();
    await leftovers.sweepAll();
    expect(failure).toBeInstanceOf(BuildFailedError);
    const error = failure as BuildFailedError;
    expect(error.step).toMatch(/RUN echo about to fail && exit 3/);
    expect(error.reason).toMatch(/non-zero code: 3/);
    expect(error.logTail.join('\n')).toContain('about to fail');
  });

  it('makes `layerbench run` exit 1 with one paragraph naming the step, no stack trace, nothing left', () => {
    const danglingBefore = danglingImages();
    const outcome = runCli(['run', '--scenario', join(scratch, 'broken.yaml'), '--out', join(scratch, 'out')]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/The build of "broken" failed at Step \d+\/\d+ : RUN echo about to fail && exit 3/);
    expect(outcome.stderr).toContain('returned a non-zero code: 3');
    expect(outcome.stderr).toContain('| about to fail');
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect(labelledContainers()).toEqual([]);
    expect(runImages()).toEqual([]);
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
  });
});
