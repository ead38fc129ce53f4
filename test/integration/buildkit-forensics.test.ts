/**
 * Why a step missed, on the real daemon, under both builders in one run: the optimized variant
 * after a code edit has its pip step cached and its source COPY rebuilt, and the explanation
 * names the file the edit changed. A failing RUN under BuildKit is the same typed error as under
 * the classic builder. BuildKit's cache is looked at, never pruned unasked.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_CATALOG } from '../../src/bases/base-catalog.js';
import { parseDockerfile } from '../../src/dockerfile/dockerfile-model.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { BuildFailedError } from '../../src/errors.js';
import { readResult } from '../../src/result/read-result.js';
import type { BuildSample, SuiteResult } from '../../src/result/types.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { labelledContainers, runCli, runImages } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-forensics-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the optimized variant after a code edit, under the classic builder and BuildKit in one run', () => {
  let result: SuiteResult;
  let outcome: ReturnType<typeof runCli>;
  const warm = (builder: string): BuildSample[] =>
    result.samples.filter((s): s is BuildSample => s.kind === 'build' && s.builder === builder && s.edit === 'code' && s.phase === 'warm');

  beforeAll(() => {
    outcome = runCli(['run', '--builder', 'classic,buildkit', '--variants', 'optimized', '--edits', 'code', '--reps', '2', '--warmup', '0', '--out', join(scratch, 'out')]);
    result = readResult(join(scratch, 'out'));
  });

  it('completes with samples of both builders, of the same shape', () => {
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(outcome.code).toBe(0);
    expect(result.scenario.builders).toEqual(['classic', 'buildkit']);
    for (const builder of ['classic', 'buildkit']) {
      expect(warm(builder)).toHaveLength(2);
      expect(Object.keys(warm(builder)[0] ?? {}).sort()).toEqual(Object.keys(warm('classic')[0] ?? {}).sort());
    }
    expect(outcome.stdout).toMatch(/variant +builder +median/);
  });

  it.each(['classic', 'buildkit'])('under %s: the pip step is cached, the source COPY is not, and the explanation names the file the edit changed', (builder) => {
    for (const sample of warm(builder)) {
      const pip = sample.steps.find((s) => /pip3? install/.test(s.instruction));
      const source = sample.steps.find((s) => s.instruction === 'COPY . .');
      expect(pip?.cached).toBe(true);
      expect(source?.cached).toBe(false);
      expect(sample.cacheMiss).toMatchObject({ step: source?.index, instruction: 'COPY . .', reason: 'context-changed', changedFiles: ['app/main.py'], because: 'app/main.py changed (edit "code")' });
      expect(sample.cacheMiss?.rebuiltMs).toBeGreaterThan(0);
    }
  });

  it('numbers BuildKit steps by their position in the Dockerfile, as the classic builder does', () => {
    const classic = warm('classic')[0];
    const buildkit = warm('buildkit')[0];
    const indexOf = (sample: BuildSample | undefined, instruction: string): number | undefined => sample?.steps.find((s) => s.instruction === instruction)?.index;
    expect(indexOf(buildkit, 'COPY . .')).toBe(indexOf(classic, 'COPY . .'));
    expect(indexOf(buildkit, 'COPY requirements.txt .')).toBe(indexOf(classic, 'COPY requirements.txt .'));
  });

  it('says why it rebuilt in the terminal, and records what a cold BuildKit build clears', () => {
    expect(outcome.stdout).toMatch(/why optimized \[buildkit\]: step \d+ COPY \. \. missed: app\/main\.py changed \(edit "code"\)/);
    // how each builder's context travelled is the driver's note; no note claims a tar upload any more
    expect(result.notes?.map((n) => n.code)).toEqual([expect.stringMatching(/^driver-(cli|api)-classic$/), expect.stringMatching(/^driver-(cli|api)-buildkit$/), 'buildkit-cold-build']);
  });

  it('leaves nothing of the run behind', () => {
    expect(labelledContainers(result.runId)).toEqual([]);
    expect(runImages(result.runId)).toEqual([]);
  });
});

describe('a RUN that fails under BuildKit', () => {
  it('rejects with BuildFailedError naming the step, its line and the log tail', async () => {
    const context = join(scratch, 'failing');
    mkdirSync(context);
    writeFileSync(join(context, 'app.txt'), 'hello\n');
    const dockerfile = ['ARG PYTHON_BASE', 'FROM ${PYTHON_BASE}', 'COPY app.txt /app/', 'RUN echo about to fail under buildkit && exit 3', ''].join('\n');
    writeFileSync(join(scratch, 'failing.Dockerfile'), dockerfile);
    const engine = new DockerodeEngine();
    const workspace = Workspace.create(join(scratch, 'failing-ws'), context, join(scratch, 'failing.Dockerfile'));
    const failure = await engine.builds
      .build({
        context: workspace,
        dockerfile: workspace.dockerfileInContext,
        dockerfileModel: parseDockerfile(dockerfile),
        builder: 'buildkit',
        buildArgs: { PYTHON_BASE: BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '' },
        tag: 'layerbench-test/buildkit-failure:1',
        noCache: false,
        variant: 'failing',
        hostNetwork: false,
        signal: undefined,
        onStep: undefined,
        onImage: undefined,
      })
      .then(() => undefined, (err: unknown) => err);
    workspace.dispose();
    expect(failure).toBeInstanceOf(BuildFailedError);
    const error = failure as BuildFailedError;
    expect(error.step).toMatch(/RUN echo about to fail under buildkit && exit 3/);
    expect(error.line).toBe(4);
    expect(error.reason).toMatch(/exit code: 3|non-zero code: 3/);
    expect(error.logTail.join('\n')).toContain('about to fail under buildkit');
  });
});

describe("BuildKit's build cache", () => {
  it('`clean --build-cache --dry-run` says what it would remove, and that it is not only layerbench\'s, and removes nothing', async () => {
    const engine = new DockerodeEngine();
    const before = await engine.system.buildCacheUsage();
    const outcome = runCli(['clean', '--build-cache', '--dry-run']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/would remove BuildKit's build cache: \d+ entries, .* \(cache mounts .*\)\. It belongs to every BuildKit build on this daemon, not only layerbench's/);
    expect((await engine.system.buildCacheUsage()).entries).toBe(before.entries);
  });
});
