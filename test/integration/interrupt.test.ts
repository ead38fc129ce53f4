/** Ctrl-C in the middle of a build: the run stops, keeps what it measured, and removes what it made. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/result/read-result.js';
import { allContainers, allImages, labelledContainers, runImages, startCli } from '../support/cli.js';

const out = mkdtempSync(join(tmpdir(), 'lb-it-interrupt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('an interrupted run', () => {
  it('exits 130, writes a partial result, and leaves no labelled container or image', async () => {
    const containersBefore = allContainers();
    const imagesBefore = allImages();
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
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    const result = readResult(out);
    expect(result.complete).toBe(false);
    expect(existsSync(join(out, 'samples.jsonl'))).toBe(true);
    expect(labelledContainers()).toEqual([]);
    expect(runImages(result.runId)).toEqual([]);
    // the builder's own container for the interrupted RUN step carries no label: it must be gone too
    expect(allContainers().filter((id) => !containersBefore.includes(id))).toEqual([]);
    // nor do the intermediate images of the interrupted build (the builder does not label them)
    expect(allImages().filter((id) => !imagesBefore.includes(id))).toEqual([]);
  });
});
