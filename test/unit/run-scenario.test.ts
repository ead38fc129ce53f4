/**
 * runScenario without Docker: a scripted engine stands in for the daemon. What a run builds,
 * in which order, what it records, and what it leaves — after success, a failed build, an
 * interrupt, and when another run holds the daemon.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BuildFailedError, InterruptedError, RunInProgressError } from '../../src/errors.js';
import { readResult } from '../../src/result/read-result.js';
import type { SuiteResult } from '../../src/result/types.js';
import { RunRegistry } from '../../src/run/run-registry.js';
import { runScenario, type RunEvent, type RunScenarioOptions } from '../../src/run/run-scenario.js';
import { loadScenario } from '../../src/scenario/load-scenario.js';
import type { Scenario } from '../../src/scenario/scenario-types.js';
import { FakeEngine } from '../support/fake-engine.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';
import { buildRowsOf, buildSamplesOf } from '../../src/result/sample-kinds.js';

let root: string;
let engine: FakeEngine;
let registry: RunRegistry;
let events: RunEvent[];

beforeEach(() => {
  root = makeTempDir();
  writeTree(root, {
    'ctx/app.py': 'print("hello")\n',
    'Dockerfile': 'ARG BASE\nFROM ${BASE}\nCOPY . .\n',
    'scenario.yaml': [
      'name: fake',
      'context: ctx',
      'reps: 2',
      'warmup: 0',
      'variants:',
      '  - { name: a, dockerfile: Dockerfile, bases: { BASE: "base:1" } }',
      '  - { name: b, dockerfile: Dockerfile, bases: { BASE: "base:1" } }',
      'edits:',
      '  - { name: code, kind: append-line, file: app.py, line: "# {nonce}" }',
      'health: { port: 8000 }',
      '',
    ].join('\n'),
  });
  engine = new FakeEngine();
  registry = new RunRegistry(join(root, 'state'));
  events = [];
});

afterEach(async () => {
  await engine.close();
  removeTempDirs();
});

function scenario(): Scenario {
  return loadScenario(join(root, 'scenario.yaml'));
}

function options(extra: Partial<RunScenarioOptions> = {}): RunScenarioOptions {
  // most specs here read the blocked order, variant after variant; the rounds have their own
  return { engine, env: { LAYERBENCH_STATE_DIR: registry.dir }, outDir: join(root, 'out'), packageIndex: 'none', order: 'blocked', onProgress: (event) => events.push(event), ...extra };
}

/** What a finished (or failed) run must not leave: run images, containers, its record, its scratch. */
function expectNothingLeft(runId: string): void {
  expect(engine.images.runTags()).toEqual([]);
  expect(engine.containersLeft()).toEqual([]);
  expect(registry.runs()).toEqual([]);
  expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`layerbench-${runId}-`))).toEqual([]);
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (err: unknown) => err,
  );
}

describe('runScenario with a scripted engine', () => {
  it('builds each variant cold, then rebuilds it after each edit, variant after variant', async () => {
    await runScenario(scenario(), options());
    expect(engine.builds.requests.map((b) => `${b.variant}${b.noCache ? ' cold' : ''}`)).toEqual(['a cold', 'a', 'a', 'b cold', 'b', 'b']);
  });

  it('runs in rounds unless told otherwise: both cold builds first, then round k of each edit for both variants, the seed recorded', async () => {
    const result = await runScenario(scenario(), options({ order: undefined, seed: 5 }));
    expect(result.scenario.order).toEqual({ kind: 'rounds', seed: 5 });
    const builds = engine.builds.requests.map((b) => `${b.variant}${b.noCache ? ' cold' : ''}`);
    expect(builds.slice(0, 2)).toEqual(['a cold', 'b cold']);
    const warm = buildSamplesOf(result.samples).filter((s) => s.phase === 'warm');
    expect(warm.map((s) => s.rep)).toEqual([1, 1, 2, 2]);
    expect(result.repetitions).toEqual({ minReps: 2, maxReps: 2, targetCi: null, timeBudgetMs: null, groups: expect.arrayContaining([expect.objectContaining({ variant: 'a', edit: 'code', reps: 2, stoppedBecause: 'reps' })]) });
  });

  it('tags every build with the run, passes the resolved base as a build arg, and sends no label', async () => {
    const result = await runScenario(scenario(), options());
    for (const build of engine.builds.requests) {
      expect(build.tag).toBe(`layerbench-run/${build.variant}:${result.runId}`);
      expect(build.buildArgs).toEqual({ BASE: 'base:1' });
      expect(Object.keys(build)).not.toContain('labels');
      expect(build.dockerfileModel?.instructions.map((i) => i.keyword)).toEqual(['ARG', 'FROM', 'COPY']);
    }
  });

  it('records one sample per measured build, in the result contract, written as it goes', async () => {
    const result = await runScenario(scenario(), options());
    expect(result.complete).toBe(true);
    expect(buildSamplesOf(result.samples).map((s) => [s.kind, s.variant, s.edit, s.phase, s.rep])).toEqual([
      ['build', 'a', 'none', 'cold', 1],
      ['build', 'a', 'code', 'warm', 1],
      ['build', 'a', 'code', 'warm', 2],
      ['build', 'b', 'none', 'cold', 1],
      ['build', 'b', 'code', 'warm', 1],
      ['build', 'b', 'code', 'warm', 2],
    ]);
    expect(readResult(join(root, 'out'))).toEqual(result);
    expect(readFileSync(join(root, 'out', 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(result.samples);
  });

  it('gives each sample its machine, its health, the context it sent and what the edit changed', async () => {
    const result = await runScenario(scenario(), options());
    const [cold, first, second] = buildSamplesOf(result.samples);
    expect(result.machine.id).toBe('FAKE:ENGINE');
    expect(cold?.machine).toBe('FAKE:ENGINE');
    expect(cold?.health).toMatchObject({ ok: true, predict: null });
    expect(cold?.provenance.edit).toBeNull();
    expect(first?.provenance.edit?.paths).toEqual(['app.py']);
    expect(first?.provenance.contextSha256).not.toBe(cold?.provenance.contextSha256);
    expect(second?.provenance.contextSha256).not.toBe(first?.provenance.contextSha256);
    expect(first?.layers).toEqual({ total: 2, reused: 1, reusedBytes: 100, newBytes: 10 });
  });

  it('records the provenance of the run: scenario file, Dockerfiles, contexts, bases', async () => {
    const result = await runScenario(scenario(), options());
    expect(result.scenario.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.scenario.baseline).toBe('a');
    // the context as sent: the Dockerfile from outside it rides along under a fixed name, dropped by the daemon
    const sent = ['.dockerignore', '.layerbench-dockerfile', 'app.py'];
    expect(result.scenario.variants.map((v) => [v.name, v.dockerfileSha256?.length, v.contextSha256?.length, Object.keys(v.contextFiles ?? {})])).toEqual([
      ['a', 64, 64, sent],
      ['b', 64, 64, sent],
    ]);
    expect(result.bases).toEqual([{ name: 'base:1', image: 'base:1', id: expect.stringMatching(/^sha256:/) as string, source: 'present' }]);
  });

  it('flags a warm build in which nothing missed the cache and leaves it out of the statistics', async () => {
    engine.thenBuilds(
      () => ({}),
      () => ({ steps: [{ instruction: 'FROM base', cached: true }, { instruction: 'COPY . .', cached: true }] }),
    );
    const result = await runScenario(scenario(), options());
    expect(buildSamplesOf(result.samples)[1]?.flags).toEqual(['no-step-missed']);
    expect(buildRowsOf(result.summary).find((row) => row.variant === 'a' && row.edit === 'code')).toMatchObject({ n: 1, excluded: 1 });
  });

  it('leaves nothing behind when it completes: run images, health containers, its record, its scratch', async () => {
    const result = await runScenario(scenario(), options());
    expectNothingLeft(result.runId);
    expect(engine.log).toContain(`images.remove layerbench-run/b:${result.runId}`);
  });

  describe('after a failed build', () => {
    it('measures the other variants, then rejects with the build\'s error, the failure noted in a partial result, and leaves nothing', async () => {
      engine.thenBuilds(() => ({}), () => ({}), () => ({ error: new BuildFailedError('a', 'Step 3/3 : COPY . .', 'no space for it', ['log']) }));
      const failure = await failureOf(runScenario(scenario(), options()));
      expect(failure).toBeInstanceOf(BuildFailedError);
      const partial = readResult(join(root, 'out'));
      expect(partial.complete).toBe(false);
      expect(buildSamplesOf(partial.samples).map((s) => `${s.variant} ${s.phase} ${s.rep}`)).toEqual(['a cold 1', 'a warm 1', 'b cold 1', 'b warm 1', 'b warm 2']);
      expect(partial.notes).toContainEqual({ code: 'build-failed', message: expect.stringMatching(/^The build of "a" failed at Step 3\/3 : COPY \. \.: no space for it/) });
      expect(partial.repetitions?.groups).toContainEqual(expect.objectContaining({ variant: 'a', edit: 'code', stoppedBecause: 'build-failed' }));
      expectNothingLeft(partial.runId);
      expect(events.filter((e) => e.type === 'result-written')).toEqual([{ type: 'result-written', file: join(root, 'out', 'result.json'), complete: false, samples: 5, line: `partial result: ${join(root, 'out', 'result.json')} (5 samples)` }]);
    });

    it('reports a failure while cleaning up beside the build\'s error, never in its place', async () => {
      engine.thenBuilds(() => ({}), () => ({ error: new BuildFailedError('a', undefined, 'broken', []) }));
      engine.images.remove = async () => {
        throw new Error('daemon refused');
      };
      const failure = await failureOf(runScenario(scenario(), options()));
      expect(failure).toBeInstanceOf(BuildFailedError);
      expect(events).toContainEqual(expect.objectContaining({ type: 'cleanup-failed', what: 'the containers, networks, volumes and images of the run' }));
    });
  });

  describe('after an interrupt', () => {
    it('stops the build under way, rejects with InterruptedError, keeps the samples so far and leaves nothing', async () => {
      const controller = new AbortController();
      engine.thenBuilds(() => ({}), () => ({ hangUntilAborted: true }));
      const run = runScenario(scenario(), options({ signal: controller.signal, onSample: () => controller.abort() }));
      const failure = await failureOf(run);
      expect(failure).toBeInstanceOf(InterruptedError);
      const partial = readResult(join(root, 'out'));
      expect(partial).toMatchObject({ complete: false });
      expect(partial.samples).toHaveLength(1);
      expectNothingLeft(partial.runId);
    });

    it('has written a readable partial result before it releases anything (a second Ctrl-C may come during cleanup)', async () => {
      const controller = new AbortController();
      let resultWhenCleanupBegan: SuiteResult | undefined;
      engine.thenBuilds(() => ({ hangUntilAborted: true }));
      const listImages = engine.images.listByReference.bind(engine.images);
      engine.images.listByReference = async (glob, tag) => {
        resultWhenCleanupBegan ??= readResult(join(root, 'out'));
        return listImages(glob, tag);
      };
      setTimeout(() => controller.abort(), 50);
      await failureOf(runScenario(scenario(), options({ signal: controller.signal })));
      expect(resultWhenCleanupBegan).toMatchObject({ complete: false, samples: [] });
    });
  });

  describe('while another run builds on the same daemon', () => {
    it('is refused up front with the other run\'s id, process and start, and writes nothing', async () => {
      registry.register({ runId: '20261125-100000-aaaa', pid: process.pid, processStart: null, startedAt: '2026-11-25T10:00:00.000Z', daemonId: 'FAKE:ENGINE', endpoint: 'x', scratch: null, indexPort: null }, true);
      const failure = await failureOf(runScenario(scenario(), options()));
      expect(failure).toBeInstanceOf(RunInProgressError);
      expect((failure as RunInProgressError).message).toContain(`run 20261125-100000-aaaa, process ${process.pid}, started 2026-11-25T10:00:00.000Z`);
      expect(engine.builds.requests).toEqual([]);
      expect(existsSync(join(root, 'out'))).toBe(false);
      registry.unregister('20261125-100000-aaaa');
    });

    it('runs when asked to run concurrently, and leaves the other run\'s lock alone', async () => {
      registry.register({ runId: '20261125-100000-aaaa', pid: process.pid, processStart: null, startedAt: '2026-11-25T10:00:00.000Z', daemonId: 'FAKE:ENGINE', endpoint: 'x', scratch: null, indexPort: null }, true);
      const result = await runScenario(scenario(), options({ concurrent: true }));
      expect(result.complete).toBe(true);
      expect(registry.holderOf('FAKE:ENGINE')?.runId).toBe('20261125-100000-aaaa');
      registry.unregister('20261125-100000-aaaa');
    });

    it('takes over the lock of a run whose process is gone', async () => {
      registry.register({ runId: '20261125-100000-dead', pid: 2 ** 22 + 1, processStart: null, startedAt: '2026-11-25T10:00:00.000Z', daemonId: 'FAKE:ENGINE', endpoint: 'x', scratch: null, indexPort: null }, true);
      expect((await runScenario(scenario(), options())).complete).toBe(true);
    });
  });

  it('does not reach the daemon at all for a scenario whose edit cannot apply', async () => {
    const text = readFileSync(join(root, 'scenario.yaml'), 'utf8').replace('kind: append-line, file: app.py, line: "# {nonce}"', () => "kind: replace-line, file: app.py, match: '^nothing$', with: 'x {nonce}'");
    writeTree(root, { 'scenario.yaml': text });
    await expect(runScenario(join(root, 'scenario.yaml'), options())).rejects.toThrow(/edits\[0\]\.match" cannot be applied \(edit "code"\): The edit pattern \^nothing\$ matches no line of app\.py/);
    expect(engine.log).toEqual([]);
    expect(existsSync(join(root, 'out'))).toBe(false);
  });
});

describe('runScenario: the builder and the driver', () => {
  it("builds with the daemon's default builder when the scenario names none, and records the driver of every sample", async () => {
    engine.system.defaultBuilder = { builder: 'buildkit', why: 'its /_ping answers Builder-Version: 2' };
    const result = await runScenario(scenario(), options());
    expect(result.scenario.builders).toEqual(['buildkit']);
    expect(engine.builds.requests.every((b) => b.builder === 'buildkit' && b.driver === 'api')).toBe(true);
    expect(buildSamplesOf(result.samples).every((s) => s.driver === 'api' && s.contextSent?.transport === 'tar')).toBe(true);
    expect(events).toContainEqual({ type: 'note', text: expect.stringMatching(/^builder: buildkit \(.*Builder-Version: 2/) });
    expect(result.notes?.map((n) => n.code)).toContain('driver-api-buildkit');
  });

  it('runs builds through the docker CLI where one can build with the builder', async () => {
    engine.system.cli = { command: 'docker', clientVersion: '28.2.2', buildxVersion: 'v0.13.1', endpoint: 'unix:///var/run/docker.sock' };
    const result = await runScenario(scenario(), options());
    expect(engine.builds.requests.every((b) => b.driver === 'cli')).toBe(true);
    expect(result.machine.dockerCli).toBe('docker 28.2.2');
  });

  it('stops before the first build when a BuildKit Dockerfile names a `# syntax=` frontend the daemon has not and cannot pull: exit 3, naming the image', async () => {
    writeTree(root, { Dockerfile: '# syntax=example.invalid/frontend:9\nARG BASE\nFROM ${BASE}\nCOPY . .\n' });
    const attempt = runScenario({ ...scenario(), builders: ['buildkit'] }, options());
    await expect(attempt).rejects.toThrow(/asks for the BuildKit frontend example\.invalid\/frontend:9/);
    await expect(runScenario({ ...scenario(), builders: ['buildkit'] }, options({ outDir: join(root, 'out2') }))).rejects.toMatchObject({ exitCode: 3 });
    expect(engine.builds.requests).toEqual([]);
    // the classic builder ignores the directive
    await expect(runScenario({ ...scenario(), builders: ['classic'] }, options({ outDir: join(root, 'out3') }))).resolves.toMatchObject({ complete: true });
  });
});
