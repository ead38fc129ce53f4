/**
 * Your own project, on the real daemon: the Flask example with its naive and optimized
 * Dockerfiles (FROM python:3.11-slim, mapped to the local stand-in), two edits, the health
 * probe on. The cache misses fall where the Dockerfiles say they must; the project's tree is
 * byte for byte what it was after the run and after a build that fails in one of its steps;
 * nothing the runs made is left.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_CATALOG } from '../../src/bases/base-catalog.js';
import { BuildFailedError } from '../../src/errors.js';
import { readResult } from '../../src/result/read-result.js';
import type { BuildSample, StepRecord, SuiteResult } from '../../src/result/types.js';
import { runScenario } from '../../src/run/run-scenario.js';
import { projectScenario } from '../../src/scenario/project-scenario.js';
import { danglingImages, labelledContainers, runCli, runImages } from '../support/cli.js';
import { treeHash } from '../support/tree-hash.js';

const EXAMPLE = resolve('docker/examples/flask');
const STAND_IN = BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '';
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-own-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const missOf = (sample: BuildSample | undefined): StepRecord | undefined => sample?.steps.find((s) => s.index === sample.firstMissStep);
const stepOf = (sample: BuildSample | undefined, pattern: RegExp): StepRecord | undefined => sample?.steps.find((s) => pattern.test(s.instruction));

describe('the Flask example, two Dockerfiles and two edits', () => {
  let result: SuiteResult;
  let exampleBefore: string;
  let outcome: ReturnType<typeof runCli>;
  const warm = (variant: string, edit: string): BuildSample[] => result.samples.filter((s): s is BuildSample => s.kind === 'build' && s.variant === variant && s.edit === edit && s.phase === 'warm');

  beforeAll(() => {
    exampleBefore = treeHash(EXAMPLE);
    outcome = runCli([
      'run',
      '--context', EXAMPLE,
      '--dockerfile', `naive=${join(EXAMPLE, 'naive.Dockerfile')}`,
      '--dockerfile', `optimized=${join(EXAMPLE, 'optimized.Dockerfile')}`,
      '--edit', 'code=replace:app.py:^GREETING = .*$:GREETING = "hello ({nonce})"',
      '--edit', 'deps=add-requirement:requirements.txt:six',
      '--base-map', `python:3.11-slim=${STAND_IN}`,
      '--port', '8000', '--health-path', '/health',
      '--reps', '2', '--warmup', '0',
      '--out', join(scratch, 'out'),
    ]);
    result = readResult(join(scratch, 'out'));
  });

  it('completes (exit 0) and says what it changed in its copies of the Dockerfiles', () => {
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain(`naive: line 3: FROM python:3.11-slim → ${STAND_IN}`);
    for (const variant of result.scenario.variants) {
      expect(variant.dockerfileChanges?.[0]).toBe(`line 3: FROM python:3.11-slim → ${STAND_IN}`);
      expect(variant.dockerfileChanges?.[1] ?? '').toMatch(/^declared PIP_INDEX_URL.* after the FROM on line 3/);
    }
  });

  it('a code edit misses at COPY . . in the naive file and reinstalls; the optimized one misses at COPY app.py . and reuses the install', () => {
    const naive = warm('naive', 'code');
    const optimized = warm('optimized', 'code');
    expect(naive).toHaveLength(2);
    expect(optimized).toHaveLength(2);
    for (const sample of naive) {
      expect(missOf(sample)?.instruction).toBe('COPY . .');
      expect(stepOf(sample, /^RUN pip install/)?.cached).toBe(false);
    }
    for (const sample of optimized) {
      expect(missOf(sample)?.instruction).toBe('COPY app.py .');
      expect(stepOf(sample, /^RUN pip install/)?.cached).toBe(true);
      // what a push would send: the code layer, not the installed packages
      expect(sample.layers.newBytes).toBeLessThan(100_000);
    }
    expect(Math.min(...naive.map((s) => s.layers.newBytes))).toBeGreaterThan(1_000_000);
  });

  it('a dependency edit reinstalls in both', () => {
    expect(missOf(warm('naive', 'deps')[0])?.instruction).toBe('COPY . .');
    expect(missOf(warm('optimized', 'deps')[0])?.instruction).toBe('COPY requirements.txt .');
    for (const variant of ['naive', 'optimized']) expect(stepOf(warm(variant, 'deps')[0], /^RUN pip install/)?.cached).toBe(false);
  });

  it('names steps by the lines of your Dockerfile; the ARGs layerbench added have no line', () => {
    const sample = warm('naive', 'code')[0];
    expect(stepOf(sample, /^COPY \. \.$/)?.line).toBe(5);
    expect(stepOf(sample, /^RUN pip install/)?.line).toBe(6);
    expect(stepOf(sample, /^ARG PIP_INDEX_URL$/)?.line).toBeNull();
  });

  it('probes every image on --port and --health-path: all healthy', () => {
    const samples = result.samples.filter((s) => s.kind === 'build');
    expect(samples.length).toBe(2 * (1 + 2 + 2));
    expect(samples.every((s) => s.health?.ok === true)).toBe(true);
  });

  it('leaves the project as it was and nothing of the run on the daemon', () => {
    expect(treeHash(EXAMPLE)).toBe(exampleBefore);
    expect(labelledContainers(result.runId)).toEqual([]);
    expect(runImages(result.runId)).toEqual([]);
  });
});

describe('a build that fails in one of your steps', () => {
  it('rejects with BuildFailedError naming the step, its line and the log tail; the tree untouched, nothing left', async () => {
    const project = join(scratch, 'failing');
    cpSync(EXAMPLE, project, { recursive: true });
    // a data folder the .dockerignore drops, which must not be copied or sent either
    mkdirSync(join(project, 'data'));
    writeFileSync(join(project, 'data', 'set.bin'), Buffer.alloc(5_000_000, 7));
    writeFileSync(join(project, 'fails.Dockerfile'), 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN echo "failing on purpose" && exit 3\n');
    const before = treeHash(project);
    const danglingBefore = danglingImages();
    const scenario = projectScenario(
      { context: project, dockerfiles: [join(project, 'fails.Dockerfile')], edits: ['append-line:app.py'] },
      { baseMap: { 'python:3.11-slim': STAND_IN }, reps: 1, warmup: 0 },
    );
    const failure = await runScenario(scenario, { outDir: join(scratch, 'failing-out'), concurrent: true }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(BuildFailedError);
    const error = failure as BuildFailedError;
    expect(error.variant).toBe('fails');
    expect(error.step).toMatch(/RUN echo "failing on purpose" && exit 3/);
    expect(error.line).toBe(4);
    expect(error.message).toContain('(line 4 of its Dockerfile)');
    expect(error.logTail.join('\n')).toContain('failing on purpose');
    expect(treeHash(project)).toBe(before);
    const partial = readResult(join(scratch, 'failing-out'));
    expect(Object.keys(partial.scenario.variants[0]?.contextFiles ?? {}).filter((f) => f.startsWith('data/'))).toEqual([]);
    expect(labelledContainers(partial.runId)).toEqual([]);
    expect(runImages(partial.runId)).toEqual([]);
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
  });
});
