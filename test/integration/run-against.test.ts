/**
 * Both sides on one machine: `run --against BASE` builds the base tree's and the working
 * tree's variants in the same rounds and gates the new side as `compare` does. A pull request
 * that copies the source before installing the requirements exits 1 naming the step; the same
 * tree on both sides exits 0. Runs from a copy of the bundled scenario (the new side), with a
 * second copy as the base directory.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/result/read-result.js';
import { labelledContainers, runImages } from '../support/cli.js';

const BIN = resolve('dist/bin.js');
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-against-'));
const baseTree = join(scratch, 'base');
const newTree = join(scratch, 'new');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(dir: string): void {
  for (const part of ['scenarios', 'docker/app', 'docker/variants']) cpSync(resolve(part), join(dir, part), { recursive: true });
}

function runIn(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const outcome = spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr };
}

describe('run --against: base and pull request in one run', () => {
  let gate: ReturnType<typeof runIn>;
  beforeAll(() => {
    tree(baseTree);
    tree(newTree);
    const file = join(newTree, 'docker/variants/optimized.Dockerfile');
    const original = readFileSync(file, 'utf8');
    const reordered = original.replace('COPY requirements.txt .\nRUN pip3 install --no-cache-dir -r requirements.txt\n\nCOPY . .\n', 'COPY . .\nRUN pip3 install --no-cache-dir -r requirements.txt\n');
    expect(reordered).not.toBe(original);
    writeFileSync(file, reordered);
    gate = runIn(newTree, ['run', '--scenario', 'scenarios/default.yaml', '--variants', 'optimized', '--edits', 'code', '--reps', '2', '--against', baseTree, '--out', join(scratch, 'pr')]);
  });

  it('exits 1 naming the variant, the edit and the step that lost its cache', () => {
    expect(gate.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toMatch(/- \*\*optimized\*\* · classic · edit "code": step "RUN pip3 install --no-cache-dir -r requirements\.txt" lost its cache/);
    expect(gate.stdout).toMatch(/optimized: the Dockerfile differs/);
  });

  it('built both sides in the same rounds, and wrote each side\'s result and the comparison', () => {
    const whole = readResult(join(scratch, 'pr'));
    expect(whole.scenario.order?.kind).toBe('rounds');
    expect(whole.scenario.variants.map((v) => v.name)).toEqual(['optimized.base', 'optimized.new']);
    const warm = whole.samples.flatMap((s) => (s.kind === 'build' && s.phase === 'warm' ? [s] : [])).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    expect(warm.map((s) => s.rep)).toEqual([1, 1, 2, 2]);
    expect(readResult(join(scratch, 'pr', 'base')).scenario.variants.map((v) => v.name)).toEqual(['optimized']);
    expect(readResult(join(scratch, 'pr', 'new')).samples).toHaveLength(3);
    expect(existsSync(join(scratch, 'pr', 'compare.md'))).toBe(true);
    expect(labelledContainers(whole.runId)).toEqual([]);
    expect(runImages(whole.runId)).toEqual([]);
  });

  it('exits 0 with the same tree on both sides', () => {
    const same = runIn(baseTree, ['run', '--scenario', 'scenarios/default.yaml', '--variants', 'optimized', '--edits', 'code', '--reps', '2', '--against', baseTree, '--out', join(scratch, 'same')]);
    expect(same.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/No regression/);
  });
});
