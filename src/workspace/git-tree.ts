/**
 * The other side of a two-sided run, as a directory: a commit of the repository the run
 * starts in, exported with `git archive` into a scratch directory (the user's tree and its
 * git state are only read), or a directory given as is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-fs';
import { UsageError } from '../errors.js';

export interface SideTree {
  /** the directory the other side's paths are rebased into */
  root: string;
  /** what it is, for messages and the result: `main (3f2c1ab)`, or the directory */
  label: string;
  /** the commit, when it is one */
  commit: string | null;
  /** removes the exported copy (nothing for a directory given as is) */
  dispose(): void;
}

/** Where the new side's paths live: the top of the git repository the run starts in, else the working directory. */
export function newSideRoot(cwd: string = process.cwd()): string {
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' });
  return top.status === 0 ? top.stdout.trim() : cwd;
}

/** `REF` names a directory, or a commit of the repository at `root`. */
/** @param scratch where the exported copy goes (LAYERBENCH_SCRATCH, else the system's temporary directory) */
export async function sideTree(against: string, root: string, runId: string, scratch: string = tmpdir()): Promise<SideTree> {
  if (existsSync(against) && statSync(against).isDirectory()) {
    return { root: resolve(against), label: resolve(against), commit: null, dispose: () => {} };
  }
  const commit = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${against}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (commit.status !== 0) {
    throw new UsageError(
      `--against ${against} is neither a directory nor a commit of the git repository at ${root}.`,
      'Name a branch, tag or commit (e.g. --against origin/main; in CI fetch it first: git fetch origin main), or a directory holding the other tree.',
    );
  }
  const sha = commit.stdout.trim();
  const dir = mkdtempSync(join(scratch, `layerbench-${runId}-against-`));
  try {
    const git = spawn('git', ['archive', '--format=tar', sha], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    git.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => git.on('close', done));
    await pipeline(git.stdout, extract(dir));
    if ((await exited) !== 0) throw new UsageError(`git archive ${against} failed: ${stderr.trim()}`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { root: dir, label: `${against} (${sha.slice(0, 7)})`, commit: sha, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A path of the new side as the same path in the other tree; a path outside the new side's root stays as it is. */
export function rebase(path: string, from: string, to: string): string {
  const absolute = resolve(path);
  const inside = relative(from, absolute);
  return inside.startsWith('..') || isAbsolute(inside) ? absolute : join(to, inside);
}
