/**
 * Two runs against one daemon: the second is refused up front (it would measure the first),
 * `doctor` says a run is in progress, `clean` leaves the running one alone, and the first
 * completes unharmed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/result/read-result.js';
import { runCli, runImages, startCli, type CliOutcome } from '../support/cli.js';
import { buildSamplesOf } from '../../src/result/sample-kinds.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-concurrent-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a second run while one builds', () => {
  it('is refused naming the first; doctor reports it; clean skips it; the first completes with exit 0', async () => {
    let during: { second: CliOutcome; doctor: CliOutcome; clean: CliOutcome; runId: string; imagesBefore: string[] } | undefined;
    const first = startCli(['run', '--variants', 'optimized', '--edits', 'requirements', '--reps', '1', '--out', join(scratch, 'first')], (stderr) => {
      if (during !== undefined || !/optimized\s+cold\s/.test(stderr)) return;
      const runId = /run (\d{8}-\d{6}-[0-9a-f]{4})/.exec(stderr)?.[1] ?? '';
      const imagesBefore = runImages(runId);
      during = {
        runId,
        imagesBefore,
        second: runCli(['run', '--variants', 'optimized', '--edits', 'code', '--reps', '1', '--out', join(scratch, 'second')]),
        doctor: runCli(['doctor']),
        clean: runCli(['clean']),
      };
    });
    const outcome = await first;
    expect(during).toBeDefined();
    if (during === undefined) return;
    expect(during.second.code).toBe(3);
    expect(during.second.stderr).toMatch(new RegExp(`Another layerbench run is in progress against this daemon: run ${during.runId}, process \\d+, started 20\\d\\d-`));
    expect(during.doctor.stdout).toMatch(new RegExp(`FAIL\\s+runs in progress\\s+run ${during.runId}`));
    expect(during.clean.code).toBe(0);
    expect(during.clean.stdout).toContain(`skipped run ${during.runId}: its process is still running`);
    expect(during.imagesBefore.length).toBeGreaterThan(0);

    expect(outcome.stderr).not.toMatch(/\n\s+at [\w.<]/);
    expect(outcome.code).toBe(0);
    const result = readResult(join(scratch, 'first'));
    expect(result.complete).toBe(true);
    expect(buildSamplesOf(result.samples).map((s) => s.phase)).toEqual(['cold', 'warm']);
    expect(runImages(during.runId)).toEqual([]);
  });
});
