import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { pickDefaultEdits } from '../../src/workspace/default-edits.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

/** A project: the build context `ctx/` and the Dockerfiles beside it in `docker/`. */
let root: string;
let context: string;

beforeEach(() => {
  root = makeTempDir();
  context = join(root, 'ctx');
});
afterEach(removeTempDirs);

/** Writes the context files and one Dockerfile per variant (name → text); returns the variants. */
function project(files: Record<string, string>, dockerfiles: Record<string, string>): { name: string; dockerfile: string }[] {
  writeTree(context, files);
  return Object.entries(dockerfiles).map(([name, text]) => {
    writeTree(root, { [`docker/${name}.Dockerfile`]: text });
    return { name, dockerfile: join(root, 'docker', `${name}.Dockerfile`) };
  });
}

function pick(files: Record<string, string>, dockerfiles: Record<string, string>): ReturnType<typeof pickDefaultEdits> {
  return pickDefaultEdits(context, project(files, dockerfiles));
}

const COPY_ALL = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n';

function codeFile(result: ReturnType<typeof pickDefaultEdits>): string | undefined {
  return result.edits.find((e) => e.name === 'code')?.file;
}

function dependencyEdit(result: ReturnType<typeof pickDefaultEdits>): unknown {
  return result.edits.find((e) => e.name === 'dependencies');
}

describe('pickDefaultEdits: the code edit', () => {
  it('appends a comment (no line of its own) to a source file the Dockerfile copies in', () => {
    const result = pick({ 'main.py': 'print(1)\n' }, { only: COPY_ALL });
    expect(result.edits).toStrictEqual([{ name: 'code', kind: 'append-line', file: 'main.py' }]);
  });

  it('prefers an entry point (main.py, app.py …) over helpers that sort before it', () => {
    expect(codeFile(pick({ 'config.py': '', 'helpers.py': '', 'main.py': '' }, { only: COPY_ALL }))).toBe('main.py');
  });

  it('prefers an entry point deeper down over a helper at the top', () => {
    expect(codeFile(pick({ 'helpers.py': '', 'src/app.py': '' }, { only: COPY_ALL }))).toBe('src/app.py');
  });

  it('prefers the shallower of two entry points, even when the deeper sorts first', () => {
    expect(codeFile(pick({ 'app/main.py': '', 'main.py': '' }, { only: COPY_ALL }))).toBe('main.py');
  });

  it('picks a file that every variant copies in: COPY . . in one, COPY worker.py . in the other', () => {
    const result = pick({ 'main.py': '', 'worker.py': '' }, { all: COPY_ALL, one: 'FROM python:3.11-slim\nCOPY worker.py .\n' });
    expect(codeFile(result)).toBe('worker.py');
  });

  it('counts a directory copied in (COPY src/ /app/src/) and ./-prefixed sources', () => {
    const result = pick({ 'main.py': '', 'src/server.py': '' }, { a: 'FROM python:3.11\nCOPY src/ /app/src/\n', b: 'FROM python:3.11\nCOPY ./src ./src\n' });
    expect(codeFile(result)).toBe('src/server.py');
  });

  it('skips tests: files under tests/ and test_*.py', () => {
    expect(codeFile(pick({ 'tests/test_app.py': '', 'test_main.py': '', 'lib/core.py': '' }, { only: COPY_ALL }))).toBe('lib/core.py');
  });

  it('skips *.test.* and *.spec.* files', () => {
    expect(codeFile(pick({ 'index.test.js': '', 'index.spec.ts': '', 'src/routes.js': '' }, { only: 'FROM node:20\nCOPY . .\n' }))).toBe('src/routes.js');
  });

  it('ignores the sources of COPY --from=…, which do not come from the context', () => {
    const dockerfile = 'FROM python:3.11 AS build\nRUN true\nFROM python:3.11-slim\nCOPY --from=build main.py /app/\nCOPY worker.py /app/\n';
    expect(codeFile(pick({ 'main.py': '', 'worker.py': '' }, { only: dockerfile }))).toBe('worker.py');
  });

  it('never picks a file the .dockerignore leaves out', () => {
    expect(codeFile(pick({ '.dockerignore': 'main.py\n', 'main.py': '', 'worker.py': '' }, { only: COPY_ALL }))).toBe('worker.py');
  });

  it("honours a variant's own <Dockerfile>.dockerignore", () => {
    writeTree(root, { 'docker/slim.Dockerfile.dockerignore': 'app.py\n' });
    expect(codeFile(pick({ 'app.py': '', 'tasks.py': '' }, { full: COPY_ALL, slim: COPY_ALL }))).toBe('tasks.py');
  });

  it('falls back to another copied file, not a Dockerfile or .dockerignore, when no source file is copied', () => {
    const result = pick({ Dockerfile: COPY_ALL, '.dockerignore': '*.md\n', 'settings.yaml': 'a: 1\n', 'README.md': '' }, { only: COPY_ALL });
    expect(codeFile(result)).toBe('settings.yaml');
  });
});

describe('pickDefaultEdits: the dependency edit', () => {
  it('adds six to requirements.txt', () => {
    const result = pick({ 'app.py': '', 'requirements.txt': 'flask==3.0.0\n' }, { only: COPY_ALL });
    expect(dependencyEdit(result)).toStrictEqual({ name: 'dependencies', kind: 'add-requirement', file: 'requirements.txt', packages: ['six'] });
  });

  it('takes the next candidate when six is already listed, in any spelling', () => {
    expect(dependencyEdit(pick({ 'requirements.txt': 'Six==1.16.0\n' }, { only: COPY_ALL }))).toMatchObject({ packages: ['tabulate'] });
  });

  it('takes the candidate after that when the second is listed too', () => {
    expect(dependencyEdit(pick({ 'requirements.txt': 'six\ntabulate>=0.9\n' }, { only: COPY_ALL }))).toMatchObject({ packages: ['python-dotenv'] });
  });

  it('does not take a package whose name merely starts with six for six', () => {
    expect(dependencyEdit(pick({ 'requirements.txt': 'sixty==1.0\n' }, { only: COPY_ALL }))).toMatchObject({ packages: ['six'] });
  });

  it('adds an npm package spec (name@version) to package.json', () => {
    const result = pick({ 'index.js': '', 'package.json': '{"name": "web", "dependencies": {"express": "4.19.2"}}\n' }, { only: 'FROM node:20\nCOPY . .\n' });
    const edit = dependencyEdit(result) as { file: string; packages: string[] };
    expect(edit.file).toBe('package.json');
    expect(edit.packages).toHaveLength(1);
    expect(edit.packages[0]).toMatch(/^[a-z][a-z0-9.-]*@\d+\.\d+\.\d+$/);
  });

  it('takes another npm package when the first candidate is already a dependency', () => {
    const variants = project({ 'package.json': '{"name": "web"}\n' }, { only: 'FROM node:20\nCOPY . .\n' });
    const first = (dependencyEdit(pickDefaultEdits(context, variants)) as { packages: string[] }).packages[0] ?? '';
    writeTree(context, { 'package.json': JSON.stringify({ name: 'web', dependencies: { [first.slice(0, first.lastIndexOf('@'))]: '*' } }) });
    const second = (dependencyEdit(pickDefaultEdits(context, variants)) as { packages: string[] }).packages[0];
    expect(second).toMatch(/^[a-z][a-z0-9.-]*@\d+\.\d+\.\d+$/);
    expect(second).not.toBe(first);
  });

  it('makes no dependency edit when a variant does not copy the manifest in', () => {
    const result = pick({ 'app.py': '', 'requirements.txt': 'flask\n' }, { all: COPY_ALL, code: 'FROM python:3.11\nCOPY app.py .\n' });
    expect(result.edits.map((e) => e.name)).toEqual(['code']);
  });

  it('makes only the dependency edit when the manifest is all every variant copies in', () => {
    const result = pick({ 'app.py': '', 'requirements.txt': 'flask\n' }, { deps: 'FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n' });
    expect(result.edits.map((e) => [e.name, e.file])).toEqual([['dependencies', 'requirements.txt']]);
  });
});

describe('pickDefaultEdits: notes and refusal', () => {
  it('says which files it picked, one note per edit', () => {
    const result = pick({ 'main.py': '', 'requirements.txt': 'flask\n' }, { only: COPY_ALL });
    expect(result.notes).toHaveLength(2);
    expect(result.notes[0]).toContain('main.py');
    expect(result.notes[1]).toContain('requirements.txt');
    expect(result.notes[1]).toContain('six');
  });

  it('throws a UsageError naming the context when no file is copied in', () => {
    const attempt = (): unknown => pick({ 'main.py': '' }, { only: 'FROM alpine\nRUN echo hello\n' });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(context);
  });

  it('throws a UsageError when the variants copy in no file in common', () => {
    expect(() => pick({ 'a.py': '', 'b.py': '' }, { a: 'FROM python:3.11\nCOPY a.py .\n', b: 'FROM python:3.11\nCOPY b.py .\n' })).toThrow(UsageError);
  });

  it('throws a UsageError when every copied file is ignored', () => {
    expect(() => pick({ '.dockerignore': '*\n', 'main.py': '' }, { only: 'FROM python:3.11\nCOPY main.py .\n' })).toThrow(UsageError);
  });
});

describe('pickDefaultEdits: the manifest the build installs', () => {
  it('prefers requirements.txt over requirements-dev.txt', () => {
    const result = pick({ 'app.py': 'x = 1\n', 'requirements.txt': 'flask\n', 'requirements-dev.txt': 'pytest\n' }, { only: `${COPY_ALL}RUN pip install -r requirements.txt\n` });
    expect(result.edits.find((e) => e.name === 'dependencies')?.file).toBe('requirements.txt');
  });

  it('reads a JSON-form COPY source with a space in its name', () => {
    const result = pick({ 'my app.py': 'x = 1\n' }, { only: 'FROM python:3.11-slim\nCOPY ["my app.py", "./"]\n' });
    expect(codeFile(result)).toBe('my app.py');
  });
});
