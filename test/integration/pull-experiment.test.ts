/**
 * The pull experiment on the real daemon, at a tiny scale over an unlimited link: the tiers are
 * pushed to the local registry, pulled onto fresh hosts (Docker in Docker, started through
 * testcontainers); a host that holds App1 downloads only what App2 does not share with it,
 * while the monolithic App2 comes again whole but for the OS; the bytes counted on the fresh
 * host's interface match the layers' compressed sizes; nothing labelled is left.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededShuffle } from '../../src/measure/seeded-shuffle.js';
import { PULL_CASES } from '../../src/pull/run-pull.js';
import { readResult } from '../../src/result/read-result.js';
import { pullSamplesOf } from '../../src/result/sample-kinds.js';
import type { PullCase, PullSample, SuiteResult } from '../../src/result/types.js';
import { allImages, danglingImages, runCli, runImages, type CliOutcome } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-pull-'));
let outcome: CliOutcome;
let result: SuiteResult;
let imagesBefore: string[];
let danglingBefore: string[];
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  writeFileSync(
    join(scratch, 'tiny.yaml'),
    [
      'name: pull-tiny',
      `tiers: ${resolve('docker/tiers')}`,
      'reps: 1',
      'bandwidth: unlimited',
      'scale: tiny',
      'scales:',
      '  tiny: { securityPackages: [ca-certificates], generalPackages: [six], modelPackages: [fastapi, uvicorn], modelBytes: 3000000, appAssetBytes: 1000000 }',
      '',
    ].join('\n'),
  );
  imagesBefore = allImages();
  danglingBefore = danglingImages();
  outcome = runCli(['pull', '--scenario', join(scratch, 'tiny.yaml'), '--seed', '3', '--out', join(scratch, 'out')]);
  result = readResult(join(scratch, 'out'));
});

const pullOf = (kind: PullCase): PullSample => {
  const sample = pullSamplesOf(result.samples).find((s) => s.case === kind);
  if (sample === undefined) throw new Error(`no ${kind} pull`);
  return sample;
};
const imageLayers = (name: string): { digest: string; compressedBytes: number; tier: string }[] => result.pull?.images.find((i) => i.name === name)?.layers ?? [];

describe('the pull experiment (tiny scale)', () => {
  it('finishes with exit 0 and prints the table in the article\'s form', () => {
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/App2, host holds App1 \(with base\).*1 min 33 s/);
    expect(result.pull?.link).toMatchObject({ bandwidth: 'unlimited', bitsPerSecond: null });
  });

  it('pulls the four cases in the order the seed shuffles them, and records the seed', () => {
    expect(result.scenario.order).toEqual({ kind: 'rounds', seed: 3 });
    const inOrder = [...pullSamplesOf(result.samples)].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map((s) => s.case);
    expect(inOrder).toEqual(seededShuffle(3)(PULL_CASES).map((c) => c.case));
  });

  it('a host that holds App1 downloads exactly the layers App2 does not share with it', () => {
    const app1 = new Set(imageLayers('app1').map((l) => l.digest));
    const notShared = imageLayers('app2').filter((l) => !app1.has(l.digest));
    expect(notShared.length).toBeGreaterThan(0);
    const sample = pullOf('with-base');
    expect(sample.layers.filter((l) => l.status === 'downloaded').map((l) => l.digest)).toEqual(notShared.map((l) => l.digest));
    expect(sample.layers.filter((l) => l.status === 'already-present').every((l) => ['os', 'f1', 'f2', 'f3'].includes(l.tier ?? ''))).toBe(true);
    expect(sample.downloadedBytes).toBe(notShared.reduce((sum, l) => sum + l.compressedBytes, 0));
  });

  it('a host that holds the monolithic App1 downloads the monolithic App2 again, all but the OS', () => {
    const sample = pullOf('monolithic-with-app1');
    const own = imageLayers('app2-monolithic').filter((l) => l.tier !== 'os');
    expect(sample.layers.filter((l) => l.status === 'downloaded').map((l) => l.digest)).toEqual(own.map((l) => l.digest));
    expect(sample.downloadedBytes).toBeGreaterThan(pullOf('with-base').downloadedBytes * 10);
  });

  it('counts the bytes that crossed the link within 10 % of the compressed layers an empty host downloaded', () => {
    for (const kind of ['without-base', 'base-alone', 'monolithic-with-app1'] as const) {
      const sample = pullOf(kind);
      expect(sample.layers.every((l) => l.status === 'downloaded') || kind === 'monolithic-with-app1').toBe(true);
      expect(Math.abs((sample.bytesOverLink ?? 0) - sample.downloadedBytes) / sample.downloadedBytes, kind).toBeLessThan(0.1);
    }
  });

  it('starts the pulled App2 on the fresh host until it answers /health', () => {
    for (const kind of ['with-base', 'without-base', 'monolithic-with-app1'] as const) expect(pullOf(kind).health, kind).toMatchObject({ ok: true });
    expect(pullOf('base-alone').health).toBeNull();
  });

  it('leaves no container, network or volume of the run, and no image but the kept helpers', () => {
    const labelled = (kind: string): string => spawnSync('docker', [kind, 'ls', '-q', '--filter', `label=layerbench.run=${result.runId}`], { encoding: 'utf8' }).stdout.trim();
    expect(spawnSync('docker', ['ps', '-aq', '--filter', `label=layerbench.run=${result.runId}`], { encoding: 'utf8' }).stdout.trim()).toBe('');
    expect(labelled('network')).toBe('');
    expect(labelled('volume')).toBe('');
    expect(runImages(result.runId)).toEqual([]);
    const kept = spawnSync('docker', ['images', '-aq', '--no-trunc', '--filter', 'label=layerbench.base'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    const helperParents = allImages().filter((id) => !imagesBefore.includes(id) && !kept.includes(id));
    // the helper images' own build chain stays with them (kept like the bases); nothing of the run
    for (const id of helperParents) {
      const tags = spawnSync('docker', ['image', 'inspect', '-f', '{{.RepoTags}}', id], { encoding: 'utf8' }).stdout.trim();
      expect(tags, id).toBe('[]');
    }
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
  });
});
