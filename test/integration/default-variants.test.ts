/**
 * The seed claims, on the real daemon: with requirements installed before the source is
 * copied, a code edit reuses the installed stack; copied after, it reinstalls it.
 * Structure only — which step was cached, orders of magnitude of bytes — never times.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/result/read-result.js';
import type { BuildSample as Sample, SuiteResult } from '../../src/result/types.js';
import { danglingImages, labelledContainers, runCli, runImages, type CliOutcome } from '../support/cli.js';
import { treeHash } from '../support/tree-hash.js';
import { buildRowsOf, buildSamplesOf } from '../../src/result/sample-kinds.js';

const pipStep = (sample: Sample) => sample.steps.find((s) => /pip3? install/.test(s.instruction));
const copyStep = (sample: Sample, pattern: RegExp) => sample.steps.find((s) => pattern.test(s.instruction));

describe('the bundled naive and optimized variants, rebuilt after real edits', () => {
  const out = mkdtempSync(join(tmpdir(), 'lb-it-default-'));
  let outcome: CliOutcome;
  let result: SuiteResult;
  let treeBefore: string;
  let danglingBefore: string[];
  const samples = (variant: string, edit: string): Sample[] => buildSamplesOf(result.samples).filter((s) => s.variant === variant && s.edit === edit && s.phase === 'warm');

  beforeAll(() => {
    treeBefore = treeHash('docker');
    danglingBefore = danglingImages();
    outcome = runCli(['run', '--reps', '1', '--variants', 'naive', 'optimized', '--edits', 'code', 'requirements', '--out', out]);
    result = readResult(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('finishes with exit 0, prints the comparison table and the headline ratio last', () => {
    expect(outcome.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('edit "code": rebuild after the edit');
    expect(outcome.stdout.trim().split('\n').at(-1)).toMatch(/^code-edit rebuild naive\/optimized = [\d.]+x/);
  });

  it('writes the result contract (read back through readResult, so valid by the shipped schema): machine, bases, samples, summary', () => {
    expect(result.schemaVersion).toBe(2);
    expect(result.complete).toBe(true);
    expect(result.machine.cpus).toBeGreaterThan(0);
    expect(result.machine.storageDriver).not.toBe('');
    expect(result.bases.map((b) => b.name).sort()).toEqual(['general-os', 'python-3.11-slim']);
    expect(result.samples).toHaveLength(2 * (1 + 2));
    expect(readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n')).toHaveLength(buildSamplesOf(result.samples).length);
    for (const row of buildRowsOf(result.summary)) expect(row.n).toBeGreaterThan(0);
    expect(result.bases.every((b) => b.id?.startsWith('sha256:'))).toBe(true);
  });

  it('gives every step its Dockerfile line, and every sample the context it sent and what the edit changed', () => {
    const [sample] = samples('optimized', 'code');
    const lines = readFileSync('docker/variants/optimized.Dockerfile', 'utf8').split('\n');
    for (const step of sample?.steps ?? []) expect(lines[(step.line ?? 0) - 1]?.split(' ')[0], step.instruction).toBe(step.instruction.split(' ')[0]);
    expect(sample?.provenance.edit?.paths).toEqual(['app/main.py']);
    expect(sample?.provenance.contextSha256).not.toBe(result.scenario.variants.find((v) => v.name === 'optimized')?.contextSha256);
  });

  it('optimized: a code edit reuses the pip layer and rebuilds only from the source COPY', () => {
    const [sample] = samples('optimized', 'code');
    expect(sample).toBeDefined();
    if (sample === undefined) return;
    expect(pipStep(sample)?.cached).toBe(true);
    const copy = copyStep(sample, /^COPY \. \.$/);
    expect(copy?.cached).toBe(false);
    expect(sample.firstMissStep).toBe(copy?.index);
    expect(sample.layers.newBytes).toBeLessThan(1 << 20);
  });

  it('naive: a code edit reinstalls the whole Python stack', () => {
    const [sample] = samples('naive', 'code');
    expect(sample).toBeDefined();
    if (sample === undefined) return;
    expect(pipStep(sample)?.cached).toBe(false);
    expect(sample.layers.newBytes).toBeGreaterThan(50 << 20);
  });

  it('optimized sends far fewer new bytes than naive after a code edit', () => {
    const naive = samples('naive', 'code')[0]?.layers.newBytes ?? 0;
    const optimized = samples('optimized', 'code')[0]?.layers.newBytes ?? Number.POSITIVE_INFINITY;
    expect(optimized * 100).toBeLessThan(naive);
  });

  it('a requirements edit misses the cache at the install step in both variants', () => {
    for (const variant of ['naive', 'optimized']) {
      const [sample] = samples(variant, 'requirements');
      expect(sample && pipStep(sample)?.cached).toBe(false);
    }
  });

  it('every built image started and answered /health and /predict', () => {
    for (const sample of buildSamplesOf(result.samples)) {
      expect(sample.health, `${sample.variant}/${sample.edit}`).toMatchObject({ ok: true });
      if (sample.health?.ok === true) expect(sample.health.predict).toMatchObject({ label: expect.any(Number) as number });
    }
  });

  it('keeps the base images it built on, for the next run', () => {
    for (const base of result.bases) {
      expect(spawnSync('docker', ['image', 'inspect', base.image], { stdio: 'ignore' }).status, base.image).toBe(0);
    }
  });

  it('leaves no labelled container, no run image, no dangling image, and does not write into the repository', () => {
    expect(labelledContainers(result.runId)).toEqual([]);
    expect(runImages(result.runId)).toEqual([]);
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
    expect(treeHash('docker')).toBe(treeBefore);
  });
});
