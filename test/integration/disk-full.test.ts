/**
 * A disk that fills up during a run: exit 3, a message naming the directory and what is free
 * there, no stack trace, nothing left behind. Staged with a tiny tmpfs as the scratch
 * directory (mounting needs root; elsewhere the spec says so and passes).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allImages, labelledContainers, runCli } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-disk-full-'));
const tiny = join(scratch, 'tiny');
mkdirSync(tiny);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', tiny]).status === 0;
afterAll(() => {
  if (mounted) spawnSync('umount', [tiny]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('a disk that fills up', () => {
  it('ends the run with exit 3 naming the full directory and its free space, leaving nothing', () => {
    if (!mounted) {
      console.warn('disk-full spec skipped: mounting a tmpfs needs root');
      return;
    }
    const imagesBefore = allImages();
    const outcome = runCli(['run', '--variants', 'optimized', '--edits', 'code', '--reps', '1', '--out', join(scratch, 'out')], { LAYERBENCH_SCRATCH: tiny });
    expect(outcome.stderr).toMatch(new RegExp(`The disk is full: ${tiny.replace(/[/.-]/g, '\\$&')}/layerbench-[^ ]+ has \\d+ kB free \\(no space left on device\\)`));
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(readdirSync(tiny)).toEqual([]);
    expect(labelledContainers()).toEqual([]);
    expect(allImages().filter((id) => !imagesBefore.includes(id))).toEqual([]);
  });
});
