/**
 * What changed in a build context between two builds, as builders tell files apart: content,
 * mode, type and link target count; a new modification time alone does not (touching a file
 * does not bust a build cache, so it must not explain a miss either).
 */
import { chmodSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedPaths, ContextManifest } from '../../src/workspace/context-manifest.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

let root: string;

beforeEach(() => {
  root = makeTempDir();
  writeTree(root, {
    'app.py': 'print("one")\n',
    'run.sh': 'echo hi\n',
    'a/x.py': 'X = 1\n',
    'a.txt': 'alpha\n',
    'lib/util.py': 'def f(): pass\n',
    'old.txt': 'going away\n',
    'one.txt': '1\n',
    'two.txt': '2\n',
  });
  chmodSync(join(root, 'run.sh'), 0o644);
  symlinkSync('one.txt', join(root, 'link'));
});
afterEach(removeTempDirs);

/** The paths that changed between a scan before `change` and one after it. */
function changesAcross(change: () => void): string[] {
  const before = ContextManifest.scan(root).snapshot();
  change();
  return changedPaths(before, ContextManifest.scan(root).snapshot());
}

describe('changedPaths between two scans of a context', () => {
  it('finds nothing when nothing changed', () => {
    expect(changesAcross(() => {})).toEqual([]);
  });

  it('finds a file whose content changed, also when its size did not', () => {
    expect(changesAcross(() => writeFileSync(join(root, 'app.py'), 'print("two")\n'))).toEqual(['app.py']);
  });

  it('finds a file whose mode alone changed (chmod +x)', () => {
    expect(changesAcross(() => chmodSync(join(root, 'run.sh'), 0o755))).toEqual(['run.sh']);
  });

  it('finds a new file and a removed one, and nothing else (their directory is no change of its own)', () => {
    expect(
      changesAcross(() => {
        writeFileSync(join(root, 'lib', 'new.py'), 'NEW = 1\n');
        rmSync(join(root, 'old.txt'));
      }),
    ).toEqual(['lib/new.py', 'old.txt']);
  });

  it('finds a symlink pointed at another target (of the same length)', () => {
    expect(
      changesAcross(() => {
        unlinkSync(join(root, 'link'));
        symlinkSync('two.txt', join(root, 'link'));
      }),
    ).toEqual(['link']);
  });

  it('finds a file that became a symlink to the same content', () => {
    expect(
      changesAcross(() => {
        rmSync(join(root, 'two.txt'));
        symlinkSync('one.txt', join(root, 'two.txt'));
      }),
    ).toEqual(['two.txt']);
  });

  it('does not count a new modification time alone as a change (touch, or rewriting the same bytes)', () => {
    expect(
      changesAcross(() => {
        const later = new Date('2031-01-01T00:00:00Z');
        utimesSync(join(root, 'app.py'), later, later);
        utimesSync(join(root, 'lib'), later, later);
        writeFileSync(join(root, 'a.txt'), 'alpha\n');
      }),
    ).toEqual([]);
  });

  it('gives the paths sorted, removed ones among the rest ("a.txt" before "a/x.py", as strings sort)', () => {
    expect(
      changesAcross(() => {
        writeFileSync(join(root, 'a/x.py'), 'X = 2\n');
        writeFileSync(join(root, 'a.txt'), 'beta\n');
        writeFileSync(join(root, 'z-new.txt'), 'new\n');
        rmSync(join(root, 'app.py'));
      }),
    ).toEqual(['a.txt', 'a/x.py', 'app.py', 'z-new.txt']);
  });
});

describe('ContextManifest.snapshot', () => {
  it('is what the context was when taken: refreshing the manifest afterwards does not change it', () => {
    const manifest = ContextManifest.scan(root);
    const before = manifest.snapshot();
    writeFileSync(join(root, 'app.py'), 'print("edited")\n');
    manifest.refresh('app.py');
    const after = manifest.snapshot();
    expect(changedPaths(before, after)).toEqual(['app.py']);
    expect(changedPaths(before, ContextManifest.scan(root).snapshot())).toEqual(['app.py']);
  });

  it('holds every entry of the context, directories and links included', () => {
    expect([...ContextManifest.scan(root).snapshot().keys()].sort()).toEqual(
      ['a', 'a/x.py', 'a.txt', 'app.py', 'lib', 'lib/util.py', 'link', 'old.txt', 'one.txt', 'run.sh', 'two.txt'].sort(),
    );
  });
});
