/**
 * `layerbench clean --build-cache`: BuildKit's build cache is every BuildKit build's on the
 * daemon, not a layerbench object, so it goes only when asked — and the command says what it
 * is (how big, that it is not only layerbench's) before removing it, or instead, on a dry run.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { FakeEngine } from '../support/fake-engine.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';

const root = makeTempDir();
process.env['LAYERBENCH_STATE_DIR'] = join(root, 'state');
// clean also removes dead runs' scratch directories: keep it away from the real temporary directory
process.env['LAYERBENCH_SCRATCH'] = join(root, 'scratch');
afterAll(() => removeTempDirs());

/** A daemon whose build cache holds something; it notes what had been printed when the prune came. */
class CacheHoldingEngine extends FakeEngine {
  stdoutAtPrune: string | undefined;
  constructor(stdout: () => string) {
    super();
    const prune = this.system.pruneBuildCache.bind(this.system);
    this.system.buildCacheUsage = async () => {
      this.log.push('system.buildCacheUsage');
      return { entries: 42, totalBytes: 3_400_000_000, cacheMountBytes: 250_000_000 };
    };
    this.system.pruneBuildCache = async () => {
      this.stdoutAtPrune = stdout();
      await prune();
      return { entries: 40, reclaimedBytes: 3_100_000_000 };
    };
  }
}

async function clean(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; engine: CacheHoldingEngine }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: process.env };
  const engine = new CacheHoldingEngine(() => stdout);
  const code = await main(['clean', ...args], io, { engine: () => engine });
  await engine.close();
  return { code, stdout, stderr, engine };
}

const prunes = (engine: FakeEngine): number => engine.log.filter((call) => call === 'system.pruneBuildCache').length;
const WHAT = "BuildKit's build cache: 42 entries, 3.4 GB (cache mounts 250 MB). It belongs to every BuildKit build on this daemon, not only layerbench's";

describe('clean --build-cache', () => {
  it('--dry-run says what it would remove, with its size and whose it is, and removes nothing', async () => {
    const outcome = await clean('--build-cache', '--dry-run');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout.split('\n')).toContain(`would remove ${WHAT}`);
    expect(outcome.stdout).not.toMatch(/^removing /m);
    expect(prunes(outcome.engine)).toBe(0);
  });

  it('says what it is removing first, prunes it once, then says what was removed', async () => {
    const outcome = await clean('--build-cache');
    expect(outcome.code).toBe(0);
    const lines = outcome.stdout.split('\n');
    const removing = lines.indexOf(`removing ${WHAT}`);
    const removed = lines.indexOf('removed 40 build cache entries, 3.1 GB');
    expect(removing).toBeGreaterThanOrEqual(0);
    expect(removed).toBeGreaterThan(removing);
    expect(prunes(outcome.engine)).toBe(1);
    expect(outcome.engine.stdoutAtPrune).toContain(`removing ${WHAT}`);
    expect(outcome.engine.stdoutAtPrune).not.toContain('build cache entries');
  });

  it('still cleans what dead runs left, as plain clean does', async () => {
    const outcome = await clean('--build-cache');
    expect(outcome.stdout).toMatch(/^removed 0 containers, 0 networks, 0 volumes, 0 image tags and up to 0 intermediate images of 0 finished runs, 0 scratch directories$/m);
  });
});

describe('clean without --build-cache', () => {
  it('leaves the build cache alone and does not mention it', async () => {
    const outcome = await clean();
    expect(outcome.code).toBe(0);
    expect(prunes(outcome.engine)).toBe(0);
    expect(outcome.stdout).not.toContain('build cache');
  });

  it('--dry-run alone does not mention it either', async () => {
    const outcome = await clean('--dry-run');
    expect(outcome.code).toBe(0);
    expect(prunes(outcome.engine)).toBe(0);
    expect(outcome.stdout).not.toContain('build cache');
  });
});
