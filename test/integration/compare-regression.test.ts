/**
 * The CI gate, end to end on the real daemon: a pull request that makes the optimized
 * Dockerfile copy the source before installing the requirements turns `compare` red (exit 1),
 * naming the variant, the edit and the step that lost its cache. The runs also append their
 * report to $GITHUB_STEP_SUMMARY, as they do in GitHub Actions.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-compare-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('compare as the CI gate', () => {
  it('passes a result against itself, and fails a Dockerfile that lost its cache, naming variant, edit and step', () => {
    const summary = join(scratch, 'step-summary.md');
    writeFileSync(summary, '');
    const base = runCli(['run', '--variants', 'optimized', '--edits', 'code', '--reps', '1', '--out', join(scratch, 'base')], { GITHUB_STEP_SUMMARY: summary });
    expect(base.code).toBe(0);
    expect(readFileSync(summary, "utf8")).toMatch(/^# layerbench · default\n\n## Cold build \(no cache\)\n/);

    // the "pull request": the same variant, its source copied before the requirements are installed
    const original = readFileSync('docker/variants/optimized.Dockerfile', 'utf8');
    const reordered = original.replace('COPY requirements.txt .\nRUN pip3 install --no-cache-dir -r requirements.txt\n\nCOPY . .\n', 'COPY . .\nRUN pip3 install --no-cache-dir -r requirements.txt\n');
    expect(reordered).not.toBe(original);
    writeFileSync(join(scratch, 'optimized.Dockerfile'), reordered);
    copyFileSync('docker/variants/optimized.Dockerfile.dockerignore', join(scratch, 'optimized.Dockerfile.dockerignore'));
    const scenario = readFileSync('scenarios/default.yaml', 'utf8')
      .replace('context: ../docker/app', `context: ${resolve('docker/app')}`)
      .replace('dockerfile: ../docker/variants/optimized.Dockerfile', 'dockerfile: optimized.Dockerfile')
      .replace(/dockerfile: \.\.\/docker\/variants\/(naive|multistage)\.Dockerfile/g, (_, name: string) => `dockerfile: ${resolve(`docker/variants/${name}.Dockerfile`)}`);
    writeFileSync(join(scratch, 'pr.yaml'), scenario);
    const next = runCli(['run', '--scenario', join(scratch, 'pr.yaml'), '--variants', 'optimized', '--edits', 'code', '--reps', '1', '--out', join(scratch, 'pr')]);
    expect(next.code).toBe(0);

    const same = runCli(['compare', join(scratch, 'base'), join(scratch, 'base')]);
    expect(same.code).toBe(0);

    const gate = runCli(['compare', join(scratch, 'base'), join(scratch, 'pr')]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toMatch(/- \*\*optimized\*\* · classic · edit "code": step "RUN pip3 install --no-cache-dir -r requirements\.txt" lost its cache/);
    expect(gate.stdout).toMatch(/optimized: the Dockerfile differs/);
  });
});
