import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceError } from '../../src/errors.js';
import type { EditSpec } from '../../src/scenario/scenario-types.js';
import { ignoreRulesFor, parsePatterns, rulesFrom } from '../../src/workspace/ignore-rules.js';
import { OUTSIDE_DOCKERFILE_NAME, Workspace } from '../../src/workspace/workspace.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

const CONTEXT_FILES = {
  'app/main.py': 'import os\nGREETING = "hello"\nprint(GREETING)\n',
  'requirements.txt': 'fastapi==0.142.2\nnumpy==2.4.6\n',
  'tests/test_x.py': 'def test_x():\n    assert True\n',
  'docs/a.md': '# docs\n',
};

const CODE_EDIT: EditSpec = { name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING = .*$', with: 'GREETING = "build {nonce}"' };
const REQUIREMENTS_EDIT: EditSpec = { name: 'requirements', kind: 'add-requirement', file: 'requirements.txt', packages: ['six==1.17.0', 'toolz==1.1.0'] };

/** Every file under `dir` (relative, `/`-separated, sorted), directories left out. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

/** A hash of every path and content under `dir`: changes when anything in the tree does. */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(dir)) hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
  return hash.digest('hex');
}

/** The entry names of a tar stream, directories with their trailing slash removed. */
async function tarEntries(stream: Readable): Promise<string[]> {
  const names: string[] = [];
  const extractor = extract();
  await new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, body, next) => {
      if (header.type === 'file') names.push(header.name);
      body.on('end', () => next());
      body.resume();
    });
    extractor.on('finish', resolve);
    extractor.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extractor);
  });
  return names.sort();
}

/** Each file's content in a tar stream, by name. */
async function tarContents(stream: Readable): Promise<Map<string, Buffer>> {
  const contents = new Map<string, Buffer>();
  const extractor = extract();
  await new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      body.on('end', () => {
        contents.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    extractor.on('finish', resolve);
    extractor.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extractor);
  });
  return contents;
}

let root: string;
let context: string;
/** a Dockerfile outside the context, with its own `<Dockerfile>.dockerignore` */
let outsideDockerfile: string;
const workspaces: Workspace[] = [];

function create(dockerfile: string, name = 'ws'): Workspace {
  const workspace = Workspace.create(join(root, 'work', name), context, dockerfile);
  workspaces.push(workspace);
  return workspace;
}

beforeEach(() => {
  root = makeTempDir();
  context = join(root, 'context');
  writeTree(context, CONTEXT_FILES);
  outsideDockerfile = join(root, 'variants', 'app.Dockerfile');
  writeTree(root, {
    'variants/app.Dockerfile': 'FROM python:3.11-slim\nCOPY . /app\n',
    'variants/app.Dockerfile.dockerignore': '# not needed at run time\ntests/\ndocs/\n',
  });
});

afterEach(() => {
  for (const workspace of workspaces.splice(0)) workspace.dispose();
  removeTempDirs();
});

describe('Workspace.create with a Dockerfile outside the context', () => {
  it('copies the context without the paths that <Dockerfile>.dockerignore ignores', () => {
    const workspace = create(outsideDockerfile);
    expect(filesUnder(workspace.dir)).toEqual(['.dockerignore', OUTSIDE_DOCKERFILE_NAME, 'app/main.py', 'requirements.txt']);
    expect(existsSync(join(workspace.dir, 'tests'))).toBe(false);
    expect(existsSync(join(workspace.dir, 'docs'))).toBe(false);
  });

  it('copies the kept files unchanged', () => {
    const workspace = create(outsideDockerfile);
    expect(readFileSync(join(workspace.dir, 'app/main.py'), 'utf8')).toBe(CONTEXT_FILES['app/main.py']);
  });

  it('places the Dockerfile as .layerbench-dockerfile and names it as the Dockerfile in the context', () => {
    const workspace = create(outsideDockerfile);
    expect(OUTSIDE_DOCKERFILE_NAME).toBe('.layerbench-dockerfile');
    expect(workspace.dockerfileInContext).toBe('.layerbench-dockerfile');
    expect(readFileSync(join(workspace.dir, '.layerbench-dockerfile'), 'utf8')).toBe('FROM python:3.11-slim\nCOPY . /app\n');
  });

  it('writes a .dockerignore that lists the placed Dockerfile and itself, so the daemon drops both', () => {
    const workspace = create(outsideDockerfile);
    expect(parsePatterns(readFileSync(join(workspace.dir, '.dockerignore'), 'utf8')).sort()).toEqual(['.dockerignore', '.layerbench-dockerfile']);
  });

  it('records where the ignore rules came from', () => {
    expect(create(outsideDockerfile).rules.source).toBe(`${outsideDockerfile}.dockerignore`);
  });

  it('copies everything when neither <Dockerfile>.dockerignore nor a context .dockerignore exists', () => {
    writeTree(root, { 'bare/Dockerfile': 'FROM scratch\n' });
    const workspace = create(join(root, 'bare/Dockerfile'));
    expect(filesUnder(workspace.dir)).toEqual(['.dockerignore', OUTSIDE_DOCKERFILE_NAME, ...Object.keys(CONTEXT_FILES)].sort());
    expect(workspace.rules.source).toBeUndefined();
  });

  it('throws a WorkspaceError when the context or the Dockerfile does not exist', () => {
    expect(() => Workspace.create(join(root, 'work/a'), join(root, 'missing'), outsideDockerfile)).toThrow(WorkspaceError);
    expect(() => Workspace.create(join(root, 'work/b'), context, join(root, 'missing.Dockerfile'))).toThrow(WorkspaceError);
  });
});

describe('Workspace.create with a Dockerfile inside the context', () => {
  beforeEach(() => {
    writeTree(context, { 'docker/Dockerfile': 'FROM scratch\nCOPY . .\n', '.dockerignore': 'docs\n' });
  });

  it('keeps the Dockerfile at its relative path and writes no .dockerignore of its own', () => {
    const workspace = create(join(context, 'docker/Dockerfile'));
    expect(workspace.dockerfileInContext).toBe('docker/Dockerfile');
    expect(readFileSync(join(workspace.dir, 'docker/Dockerfile'), 'utf8')).toBe('FROM scratch\nCOPY . .\n');
    expect(existsSync(join(workspace.dir, OUTSIDE_DOCKERFILE_NAME))).toBe(false);
    expect(readFileSync(join(workspace.dir, '.dockerignore'), 'utf8')).toBe('docs\n');
  });

  it("applies the context's own .dockerignore", () => {
    const workspace = create(join(context, 'docker/Dockerfile'));
    expect(filesUnder(workspace.dir)).toEqual(['.dockerignore', 'app/main.py', 'docker/Dockerfile', 'requirements.txt', 'tests/test_x.py']);
    expect(workspace.rules.source).toBe(join(context, '.dockerignore'));
  });

  it("lets <Dockerfile>.dockerignore beside the Dockerfile win over the context's .dockerignore", () => {
    writeTree(context, { 'docker/Dockerfile.dockerignore': 'tests\n' });
    const workspace = create(join(context, 'docker/Dockerfile'));
    const files = filesUnder(workspace.dir);
    expect(files).not.toContain('tests/test_x.py');
    expect(files).toContain('docs/a.md');
    expect(workspace.rules.source).toBe(join(context, 'docker/Dockerfile.dockerignore'));
  });

  // Regression: `docker build` always sends the Dockerfile and .dockerignore,
  // even when .dockerignore lists them; the workspace copy drops them, so the build cannot start.
  it('keeps the Dockerfile even when the .dockerignore lists it', () => {
    writeTree(context, { '.dockerignore': 'docker/Dockerfile\n' });
    const workspace = create(join(context, 'docker/Dockerfile'));
    expect(existsSync(join(workspace.dir, workspace.dockerfileInContext))).toBe(true);
  });
});

describe('Workspace.apply', () => {
  it('writes the edit into the workspace copy and returns what it wrote: the paths and a digest of their content', () => {
    const workspace = create(outsideDockerfile);
    const application = workspace.apply(CODE_EDIT, 'n1', 0);
    const written = readFileSync(join(workspace.dir, 'app/main.py'));
    expect(written.toString('utf8')).toContain('GREETING = "build n1"');
    expect(application.summary).toBe('app/main.py: line 2 replaced');
    expect(application.paths).toEqual(['app/main.py']);
    expect(application.sha256).toBe(createHash('sha256').update('app/main.py\n').update(written).digest('hex'));
    expect(workspace.apply(CODE_EDIT, 'n2', 1).sha256).not.toBe(application.sha256);
  });

  it('keeps the context digest up to date: a new edit, a new digest; the same content, the same digest', () => {
    const workspace = create(outsideDockerfile);
    const original = workspace.contextSha256();
    workspace.apply(CODE_EDIT, 'n1', 0);
    const edited = workspace.contextSha256();
    expect(edited).not.toBe(original);
    expect(create(outsideDockerfile, 'ws2').contextSha256()).toBe(original);
    workspace.apply(CODE_EDIT, 'n1', 1);
    expect(workspace.contextSha256()).toBe(edited);
  });

  it('never changes the source context, whatever is applied', () => {
    const before = treeHash(context);
    const workspace = create(outsideDockerfile);
    workspace.apply(CODE_EDIT, 'n1', 0);
    workspace.apply(CODE_EDIT, 'n2', 1);
    workspace.apply(REQUIREMENTS_EDIT, 'n3', 0);
    workspace.apply(REQUIREMENTS_EDIT, 'n4', 1);
    expect(treeHash(context)).toBe(before);
    expect(readFileSync(join(context, 'app/main.py'), 'utf8')).toBe(CONTEXT_FILES['app/main.py']);
  });

  it('starts every application from the original content, not from the previous edit', () => {
    const workspace = create(outsideDockerfile);
    workspace.apply(REQUIREMENTS_EDIT, 'n1', 0);
    workspace.apply(REQUIREMENTS_EDIT, 'n2', 1);
    expect(readFileSync(join(workspace.dir, 'requirements.txt'), 'utf8')).toBe('fastapi==0.142.2\nnumpy==2.4.6\ntoolz==1.1.0  # layerbench edit n2\n');
  });

  it('throws a WorkspaceError when the edited file is ignored (not sent to the daemon)', () => {
    const workspace = create(outsideDockerfile);
    const edit: EditSpec = { name: 'tests', kind: 'append-line', file: 'tests/test_x.py', line: '# {nonce}' };
    expect(() => workspace.apply(edit, 'n', 0)).toThrow(WorkspaceError);
    expect(() => workspace.apply(edit, 'n', 0)).toThrow(/tests\/test_x\.py/);
  });

  // Regression: cpSync rewrites a relative symlink into an absolute one that
  // points back into the source context, and apply() then writes through it.
  it('never writes through a symlink into the source context', () => {
    symlinkSync('main.py', join(context, 'app/entry.py'));
    const before = treeHash(context);
    const workspace = create(outsideDockerfile);
    workspace.apply({ ...CODE_EDIT, file: 'app/entry.py' }, 'n1', 0);
    expect(treeHash(context)).toBe(before);
  });
});

describe('Workspace.pack', () => {
  it('yields a tar stream whose entries are exactly the workspace files', async () => {
    const workspace = create(outsideDockerfile);
    workspace.apply(CODE_EDIT, 'n1', 0);
    expect(await tarEntries(workspace.pack())).toEqual(filesUnder(workspace.dir));
  });

  it('carries the edited content', async () => {
    const workspace = create(outsideDockerfile);
    workspace.apply(CODE_EDIT, 'n9', 0);
    const contents = await tarContents(workspace.pack());
    expect(contents.get('app/main.py')?.toString('utf8')).toContain('GREETING = "build n9"');
  });

  it('carries a file larger than its 1 MB reads byte for byte, and an empty one', async () => {
    const big = Buffer.alloc(3 * (1 << 20) + 12_345);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 31 + (i >> 11)) & 0xff;
    writeTree(context, { 'Dockerfile': 'FROM scratch\n', 'empty.txt': '' });
    writeFileSync(join(context, 'big.bin'), big);
    const workspace = create(join(context, 'Dockerfile'));
    const contents = await tarContents(workspace.pack());
    expect(contents.get('big.bin')?.equals(big)).toBe(true);
    expect(contents.get('empty.txt')?.length).toBe(0);
  });

  it('leaves ignored paths out even when exception patterns (!…) made the copy keep them', async () => {
    writeTree(context, { 'Dockerfile': 'FROM scratch\n', '.dockerignore': 'docs\n!requirements.txt\n' });
    const workspace = create(join(context, 'Dockerfile'));
    expect(workspace.rules.hasExceptions).toBe(true);
    const entries = await tarEntries(workspace.pack());
    expect(entries).not.toContain('docs/a.md');
    expect(entries).toEqual(expect.arrayContaining(['Dockerfile', 'app/main.py', 'requirements.txt', 'tests/test_x.py']));
  });

  // Regression: tar-fs skips an ignored directory whole, so a file that an
  // exception pattern re-includes inside it is never sent.
  it('sends a file that an exception re-includes inside an ignored directory (docs + !docs/a.md)', async () => {
    writeTree(context, { 'Dockerfile': 'FROM scratch\n', '.dockerignore': 'docs\n!docs/a.md\n' });
    const workspace = create(join(context, 'Dockerfile'));
    expect(await tarEntries(workspace.pack())).toContain('docs/a.md');
  });
});

describe('Workspace.dispose', () => {
  it('removes the workspace directory and leaves the context alone', () => {
    const before = treeHash(context);
    const workspace = Workspace.create(join(root, 'work', 'gone'), context, outsideDockerfile);
    workspace.dispose();
    expect(existsSync(workspace.dir)).toBe(false);
    expect(treeHash(context)).toBe(before);
  });
});

describe('ignore rules', () => {
  it('prefers <Dockerfile>.dockerignore over the context .dockerignore', () => {
    writeTree(context, { '.dockerignore': 'app\n' });
    const rules = ignoreRulesFor(context, outsideDockerfile);
    expect(rules.source).toBe(`${outsideDockerfile}.dockerignore`);
    expect(rules.patterns).toEqual(['tests/', 'docs/']);
  });

  it('ignores nothing when there is no .dockerignore', () => {
    const rules = ignoreRulesFor(context, join(root, 'nowhere/Dockerfile'));
    expect(rules.source).toBeUndefined();
    expect(rules.patterns).toEqual([]);
    expect(rules.ignores('app/main.py')).toBe(false);
  });

  it('reads patterns without comments, blank lines or surrounding spaces', () => {
    expect(parsePatterns('# comment\n\n  tests/  \ndocs\n')).toEqual(['tests/', 'docs']);
  });

  it('ignores a directory named with a trailing slash and everything under it', () => {
    const rules = rulesFrom(undefined, ['tests/']);
    expect(rules.ignores('tests')).toBe(true);
    expect(rules.ignores('tests/test_x.py')).toBe(true);
    expect(rules.ignores('app/tests.py')).toBe(false);
  });

  it('never ignores the context root itself', () => {
    expect(rulesFrom(undefined, ['*']).ignores('')).toBe(false);
  });

  it('follows Docker semantics for ** and exceptions', () => {
    const rules = rulesFrom(undefined, ['**/*.pyc', 'docs', '!docs/keep.md']);
    expect(rules.ignores('app/__pycache__/main.cpython-311.pyc')).toBe(true);
    expect(rules.ignores('docs/a.md')).toBe(true);
    expect(rules.ignores('docs/keep.md')).toBe(false);
    expect(rules.hasExceptions).toBe(true);
  });

  it('is case-sensitive, as on Linux', () => {
    expect(rulesFrom(undefined, ['Docs']).ignores('docs/a.md')).toBe(false);
  });

  it('reports no exceptions without ! patterns', () => {
    expect(rulesFrom(undefined, ['docs']).hasExceptions).toBe(false);
  });
});

describe('the workspace directory', () => {
  it('is created, with its parent, where it is asked for', () => {
    const workspace = create(outsideDockerfile, 'nested');
    expect(workspace.dir).toBe(join(root, 'work', 'nested'));
    expect(statSync(workspace.dir).isDirectory()).toBe(true);
  });
});
