/**
 * Ctrl-C and SIGTERM (a cancelled CI job, `timeout`) in the middle of a run: the run stops,
 * keeps what it measured, and removes what it made — the builder's unlabelled containers and
 * images included. A second Ctrl-C leaves the cleaning to `layerbench clean`, with the partial
 * result already on disk.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/result/read-result.js';
import { allContainers, allImages, labelledContainers, runCli, runImages, startCli } from '../support/cli.js';
import { buildSamplesOf } from '../../src/result/sample-kinds.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-interrupt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const NO_STACK_TRACE = /\n\s+at [\w.<]/;

function expectNothingNew(before: { containers: string[]; images: string[] }, runId: string): void {
  expect(labelledContainers()).toEqual([]);
  expect(runImages(runId)).toEqual([]);
  // the builder's own containers and intermediate images carry no label: they must be gone too
  expect(allContainers().filter((id) => !before.containers.includes(id))).toEqual([]);
  expect(allImages().filter((id) => !before.images.includes(id))).toEqual([]);
}

describe('an interrupted run', () => {
  it('Ctrl-C during a build: exits 130, writes a partial result, and leaves nothing', async () => {
    const before = { containers: allContainers(), images: allImages() };
    const out = join(scratch, 'sigint');
    let interrupted = false;
    // The optimized cold build installs the Python stack: SIGINT lands while it runs.
    const outcome = await startCli(['run', '--variants', 'optimized', '--edits', 'code', '--reps', '1', '--out', out], (stderr, child) => {
      if (!interrupted && stderr.includes('package index:')) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), 4_000);
      }
    });
    expect(interrupted).toBe(true);
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toContain('interrupted');
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
    const result = readResult(out);
    expect(result.complete).toBe(false);
    expect(existsSync(join(out, 'samples.jsonl'))).toBe(true);
    expectNothingNew(before, result.runId);
  });

  it.each([0, 200, 400])('SIGTERM %i ms after a sample completes (between two builds, or early in the next): exits 130 and leaves nothing', async (delay) => {
    const before = { containers: allContainers(), images: allImages() };
    const out = join(scratch, `sigterm-${delay}`);
    let sent = false;
    const outcome = await startCli(['run', '--variants', 'optimized', '--edits', 'code', '--reps', '3', '--out', out], (stderr, child) => {
      if (!sent && /optimized\s+code #1\s/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGTERM'), delay);
      }
    });
    expect(sent).toBe(true);
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
    const result = readResult(out);
    expect(result.complete).toBe(false);
    expect(buildSamplesOf(result.samples).length).toBeGreaterThanOrEqual(2);
    expectNothingNew(before, result.runId);
  });

  it('a second Ctrl-C: leaves at once with the partial result on disk; `layerbench clean` removes the rest', async () => {
    const before = { containers: allContainers(), images: allImages() };
    const out = join(scratch, 'twice');
    let presses = 0;
    const outcome = await startCli(['run', '--variants', 'optimized', '--edits', 'code', '--reps', '3', '--out', out], (stderr, child) => {
      if (presses === 0 && /optimized\s+cold\s/.test(stderr)) {
        presses = 1;
        child.kill('SIGINT');
      } else if (presses === 1 && stderr.includes('interrupted:')) {
        presses = 2;
        child.kill('SIGINT');
      }
    });
    expect(presses).toBe(2);
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toContain('`layerbench clean` removes what this run created');
    const result = readResult(out);
    expect(result.complete).toBe(false);
    expect(buildSamplesOf(result.samples).map((s) => s.phase)).toContain('cold');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(runCli(['clean']).code).toBe(0);
    expectNothingNew(before, result.runId);
  });
});
