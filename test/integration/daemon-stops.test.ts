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
import { allImages, labelledContainers, runCli, runImages, startCli, type CliOutcome } from '../support/cli.js';
import { SocketProxy } from '../support/socket-proxy.js';
import { buildSamplesOf } from '../../src/result/sample-kinds.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-daemon-stops-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI through a socket proxy, and cuts the proxy 3 s after the cold build was recorded. */
async function runUntilCut(socket: string, args: string[]): Promise<{ outcome: CliOutcome; out: string }> {
  const proxy = await SocketProxy.start(join(scratch, socket));
  const out = join(scratch, `out-${socket}`);
  let cut = false;
  const outcome = await startCli(
    ['run', '--variants', 'optimized', '--edits', 'requirements', '--reps', '2', '--out', out, ...args],
    (stderr) => {
      if (!cut && /optimized\s+cold\s/.test(stderr)) {
        cut = true;
        setTimeout(() => proxy.cut(), 3_000);
      }
    },
    { DOCKER_HOST: proxy.dockerHost },
  );
  expect(cut).toBe(true);
  return { outcome, out };
}

/** Once the daemon is back (the real socket): clean removes the dead run's image and leftovers, and the interrupted build's own images. */
async function expectCleanRemovesWhatTheRunLeft(runId: string, imagesBefore: readonly string[]): Promise<void> {
  const clean = runCli(['clean']);
  expect(clean.code).toBe(0);
  expect(runImages(runId)).toEqual([]);
  expect(labelledContainers(runId)).toEqual([]);
  // the interrupted build's own images: gone once the daemon has cancelled it
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  runCli(['clean']);
  expect(allImages().filter((id) => !imagesBefore.includes(id))).toEqual([]);
}

describe('a daemon that stops answering mid-build', () => {
  it('ends the run with exit 3 naming the build under way, keeps the samples so far, and clean removes the rest later', async () => {
    const imagesBefore = allImages();
    // optimized: a cold build, then a requirements edit whose pip install runs for several seconds
    const { outcome, out } = await runUntilCut('docker.sock', []);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/The Docker daemon at unix:\/\/.*docker\.sock stopped answering during "optimized" after edit "requirements" \(warm 1\/2\)/);
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    const partial = readResult(out);
    expect(partial.complete).toBe(false);
    expect(buildSamplesOf(partial.samples).map((s) => s.phase)).toEqual(['cold']);
    expect(runImages(partial.runId).length).toBeGreaterThan(0);
    await expectCleanRemovesWhatTheRunLeft(partial.runId, imagesBefore);
  });

  it("a BuildKit build over layerbench's own session (api driver) whose daemon goes away: exit 3 naming the daemon, no socket left open, nothing left once clean ran", async () => {
    const imagesBefore = allImages();
    const { outcome, out } = await runUntilCut('docker-session.sock', ['--builder', 'buildkit', '--driver', 'api']);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/The Docker daemon at unix:\/\/.*docker-session\.sock stopped answering during "optimized" after edit "requirements"/);
    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    // it exited at all: a session socket left open would have kept the process alive
    const partial = readResult(out);
    expect(buildSamplesOf(partial.samples).map((s) => [s.phase, s.contextSent?.transport])).toEqual([['cold', 'session']]);
    await expectCleanRemovesWhatTheRunLeft(partial.runId, imagesBefore);
  });
});
