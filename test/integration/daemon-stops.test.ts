/**
 * The daemon stops answering in the middle of a run (its socket closes mid-stream): exit 3,
 * a message saying during what, the samples measured before kept; and once the daemon is
 * back, `layerbench clean` removes what the dead run left on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/result/read-result.js';
import { allImages, labelledContainers, runCli, runImages, startCli } from '../support/cli.js';
import { SocketProxy } from '../support/socket-proxy.js';
import { buildSamplesOf } from '../../src/result/sample-kinds.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-daemon-stops-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a daemon that stops answering mid-build', () => {
  it('ends the run with exit 3 naming the build under way, keeps the samples so far, and clean removes the rest later', async () => {
    const imagesBefore = allImages();
    const proxy = await SocketProxy.start(join(scratch, 'docker.sock'));
    const out = join(scratch, 'out');
    let cut = false;
    // optimized: a cold build, then a requirements edit whose pip install runs for several seconds
    const outcome = await startCli(
      ['run', '--variants', 'optimized', '--edits', 'requirements', '--reps', '2', '--out', out],
      (stderr) => {
        if (!cut && /optimized\s+cold\s/.test(stderr)) {
          cut = true;
          setTimeout(() => proxy.cut(), 3_000);
        }
      },
      { DOCKER_HOST: proxy.dockerHost },
    );
    expect(cut).toBe(true);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/The Docker daemon at unix:\/\/.*docker\.sock stopped answering during "optimized" after edit "requirements" \(warm 1\/2\)/);
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    const partial = readResult(out);
    expect(partial.complete).toBe(false);
    expect(buildSamplesOf(partial.samples).map((s) => s.phase)).toEqual(['cold']);

    // the daemon is back (the real socket): the dead run's image and leftovers go
    expect(runImages(partial.runId).length).toBeGreaterThan(0);
    const clean = runCli(['clean']);
    expect(clean.code).toBe(0);
    expect(runImages(partial.runId)).toEqual([]);
    expect(labelledContainers(partial.runId)).toEqual([]);
    // the interrupted build's own images: gone once the daemon has cancelled it
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    runCli(['clean']);
    expect(allImages().filter((id) => !imagesBefore.includes(id))).toEqual([]);
  });

  it('a BuildKit build over layerbench\'s own session (api driver) whose daemon goes away: exit 3 naming the daemon, no socket left open, nothing left once clean ran', async () => {
    const imagesBefore = allImages();
    const proxy = await SocketProxy.start(join(scratch, 'docker-session.sock'));
    const out = join(scratch, 'out-session');
    let cut = false;
    const outcome = await startCli(
      ['run', '--variants', 'optimized', '--edits', 'requirements', '--reps', '2', '--builder', 'buildkit', '--driver', 'api', '--out', out],
      (stderr) => {
        if (!cut && /optimized\s+cold\s/.test(stderr)) {
          cut = true;
          setTimeout(() => proxy.cut(), 3_000);
        }
      },
      { DOCKER_HOST: proxy.dockerHost },
    );
    expect(cut).toBe(true);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/The Docker daemon at unix:\/\/.*docker-session\.sock stopped answering during "optimized" after edit "requirements"/);
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    // it exited at all: a session socket left open would have kept the process alive
    const partial = readResult(out);
    expect(buildSamplesOf(partial.samples).map((s) => [s.phase, s.contextSent?.transport])).toEqual([['cold', 'session']]);
    const clean = runCli(['clean']);
    expect(clean.code).toBe(0);
    expect(runImages(partial.runId)).toEqual([]);
    expect(labelledContainers(partial.runId)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    runCli(['clean']);
    expect(allImages().filter((id) => !imagesBefore.includes(id))).toEqual([]);
  });
});
