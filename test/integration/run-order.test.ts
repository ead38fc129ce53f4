/**
 * The rounds order on the real daemon: two Dockerfiles that begin alike (same base, same ARG)
 * built in rounds take the same cached and missed steps, sample for sample, as built one
 * variant after the other. Without the realigning builds the classic builder would put the
 * first variant on the second's chain after both cold builds, and its first rebuild would
 * miss at WORKDIR instead of at the edited COPY. A third, two-stage Dockerfile keeps its first
 * stage's image between rounds although the other variants' builds come between.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_CATALOG } from '../../src/bases/base-catalog.js';
import { readResult } from '../../src/result/read-result.js';
import type { BuildSample, SuiteResult } from '../../src/result/types.js';
import { danglingImages, labelledContainers, runCli, runImages } from '../support/cli.js';

const BASE = BASE_CATALOG['general-os']?.bootstrap.image ?? '';
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-order-'));
const project = join(scratch, 'project');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * `classic a none cold 1: ARG SHARED_PREFIX=1 ✗ · COPY a.txt . ✗ · …`: each sample's steps,
 * cached or not, sorted (BuildKit reports two stages' steps in either order), in a line that
 * diffs well. BuildKit's cold builds are left out: a no-cache BuildKit build reports its
 * WORKDIR cached when an earlier run left that entry (the second run of this file sees the
 * first's), which says which run came first, not in which order its builds ran.
 */
function cacheShape(result: SuiteResult): string[] {
  return result.samples
    .filter((s): s is BuildSample => s.kind === 'build' && !(s.builder === 'buildkit' && s.phase === 'cold'))
    .map((s) => `${s.builder} ${s.variant} ${s.edit} ${s.phase} ${s.rep}: ${s.steps.map((step) => `${step.instruction}${step.cached ? ' ✓' : ' ✗'}`).sort().join(' · ')}`)
    .sort();
}

describe('rounds and blocks on one daemon', () => {
  let rounds: SuiteResult;
  let blocked: SuiteResult;
  let roundsOutcome: ReturnType<typeof runCli>;
  const danglingBefore = danglingImages();

  beforeAll(() => {
    mkdirSync(project);
    writeFileSync(join(project, 'a.txt'), 'a\n');
    writeFileSync(join(project, 'code.txt'), 'code\n');
    const prefix = `FROM ${BASE}\nARG SHARED_PREFIX=1\n`;
    writeFileSync(join(project, 'a.Dockerfile'), `${prefix}WORKDIR /app\nCOPY a.txt .\nRUN cat a.txt > /a.out\nCOPY code.txt .\n`);
    writeFileSync(join(project, 'b.Dockerfile'), `${prefix}RUN echo b > /b.out\nCOPY code.txt .\n`);
    // two stages: the first stage's last image has no child, only the next build's cache holds it
    writeFileSync(join(project, 'c.Dockerfile'), `FROM ${BASE} AS build\nARG SHARED_PREFIX=1\nRUN echo built > /built\nFROM ${BASE}\nCOPY --from=build /built /built\nCOPY code.txt .\n`);
    const run = (order: string, seed: string): ReturnType<typeof runCli> =>
      runCli([
        'run', '--context', project,
        '--dockerfile', `a=${join(project, 'a.Dockerfile')}`, '--dockerfile', `b=${join(project, 'b.Dockerfile')}`, '--dockerfile', `c=${join(project, 'c.Dockerfile')}`,
        '--edit', 'code=append-line:code.txt',
        '--builder', 'classic,buildkit', '--driver', 'api',
        '--reps', '3', '--warmup', '0', '--order', order, '--seed', seed,
        '--out', join(scratch, order),
      ]);
    expect(run('blocked', '1').code).toBe(0);
    roundsOutcome = run('rounds', '2');
    blocked = readResult(join(scratch, 'blocked'));
    rounds = readResult(join(scratch, 'rounds'));
  });

  it('records the order and its seed, and realigns the first variant under the classic builder only', () => {
    expect(roundsOutcome.code).toBe(0);
    expect(rounds.scenario.order).toEqual({ kind: 'rounds', seed: 2 });
    expect(blocked.scenario.order).toEqual({ kind: 'blocked', seed: 1 });
    expect(roundsOutcome.stderr).toMatch(/a \[classic\] · realigning build/);
    expect(roundsOutcome.stderr).toMatch(/b \[classic\] · realigning build/);
    expect(roundsOutcome.stderr).not.toMatch(/c \[classic\] · realigning build|\[buildkit\] · realigning/);
  });

  it('misses and reuses the same steps in every sample as the blocked order does', () => {
    expect(cacheShape(rounds)).toEqual(cacheShape(blocked));
    // and the shape is the one the Dockerfiles call for: an edit misses at the COPY of code.txt only
    const warm = rounds.samples.filter((s): s is BuildSample => s.kind === 'build' && s.phase === 'warm');
    expect(warm).toHaveLength(2 * 3 * 3);
    for (const sample of warm) expect(sample.steps.find((s) => s.index === sample.firstMissStep)?.instruction).toMatch(/^COPY code\.txt/);
  });

  it('interleaves the variants: each round builds both before the next round starts', () => {
    const warm = rounds.samples.filter((s): s is BuildSample => s.kind === 'build' && s.phase === 'warm' && s.builder === 'classic').sort((x, y) => x.startedAt.localeCompare(y.startedAt));
    expect(warm.map((s) => s.rep)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });

  it('leaves nothing behind', () => {
    expect(labelledContainers(rounds.runId)).toEqual([]);
    expect(runImages(rounds.runId)).toEqual([]);
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
  });
});
