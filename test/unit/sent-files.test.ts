import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rulesFrom } from '../../src/workspace/ignore-rules.js';
import { OUTSIDE_DOCKERFILE_NAME, sentFiles, touchTarget } from '../../src/workspace/sent-files.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

let context: string;

beforeEach(() => {
  context = makeTempDir();
  writeTree(context, {
    'zeta.py': '',
    'app/main.py': '',
    'app/util.py': '',
    'Dockerfile': 'FROM scratch\n',
    'docs/guide.md': '',
    'docs/keep.txt': '',
    'data/raw/big.bin': '',
    '.env': 'SECRET=1\n',
  });
});
afterEach(removeTempDirs);

describe('sentFiles', () => {
  it('lists every regular file, relative and /-separated, sorted, dotfiles included', () => {
    expect(sentFiles(context, rulesFrom(undefined, []))).toEqual(['.env', 'Dockerfile', 'app/main.py', 'app/util.py', 'data/raw/big.bin', 'docs/guide.md', 'docs/keep.txt', 'zeta.py']);
  });

  it('leaves out ignored files and everything under ignored directories', () => {
    expect(sentFiles(context, rulesFrom(undefined, ['docs', 'data/', '*.py', '.env']))).toEqual(['Dockerfile', 'app/main.py', 'app/util.py']);
  });

  it('does not enter an ignored directory when no exception could re-include anything', () => {
    const rules = rulesFrom(undefined, ['data']);
    const asked: string[] = [];
    sentFiles(context, { ...rules, ignores: (path) => (asked.push(path), rules.ignores(path)) });
    expect(asked).toContain('data');
    expect(asked.filter((path) => path.startsWith('data/'))).toEqual([]);
  });

  it('re-includes a file that an exception names inside an ignored directory (docs + !docs/keep.txt)', () => {
    const files = sentFiles(context, rulesFrom(undefined, ['docs', '!docs/keep.txt']));
    expect(files).toContain('docs/keep.txt');
    expect(files).not.toContain('docs/guide.md');
  });

  it('lists files only, never a directory', () => {
    writeTree(context, { 'empty/.keep': '' });
    const files = sentFiles(context, rulesFrom(undefined, ['empty/.keep']));
    expect(files).not.toContain('empty');
    expect(files).not.toContain('app');
  });
});

describe('touchTarget', () => {
  const files = ['.dockerignore', '.env', OUTSIDE_DOCKERFILE_NAME, 'Dockerfile', 'app/main.py', 'app/util.py', 'src/a/b.js', 'zeta.py'];

  it('picks the first file the glob matches, in the order given (path order)', () => {
    expect(touchTarget('app/*.py', files)).toBe('app/main.py');
    expect(touchTarget('**/*.py', files)).toBe('app/main.py');
  });

  it('matches a plain file name exactly', () => {
    expect(touchTarget('zeta.py', files)).toBe('zeta.py');
    expect(touchTarget('app', files)).toBeUndefined();
  });

  it('accepts a ./ prefix', () => {
    expect(touchTarget('./app/util.py', files)).toBe('app/util.py');
    expect(touchTarget('./src/**/*.js', files)).toBe('src/a/b.js');
  });

  it('lets * stay within one directory and ** cross them', () => {
    expect(touchTarget('src/*.js', files)).toBeUndefined();
    expect(touchTarget('src/**/*.js', files)).toBe('src/a/b.js');
  });

  it('matches dotfiles', () => {
    expect(touchTarget('.env', files)).toBe('.env');
    expect(touchTarget('.e*', files)).toBe('.env');
  });

  it('never picks .dockerignore or the placed Dockerfile (.layerbench-dockerfile), even when the glob matches only them first', () => {
    expect(touchTarget('*', files)).toBe('.env');
    expect(touchTarget('.dockerignore', files)).toBeUndefined();
    expect(touchTarget(OUTSIDE_DOCKERFILE_NAME, files)).toBeUndefined();
    expect(touchTarget('.layerbench-*', files)).toBeUndefined();
  });

  it('gives undefined when nothing matches', () => {
    expect(touchTarget('**/*.rb', files)).toBeUndefined();
    expect(touchTarget('*.py', [])).toBeUndefined();
  });
});
