import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { projectScenario, type ProjectOptions } from '../../src/scenario/project-scenario.js';
import type { ScenarioOverrides } from '../../src/scenario/scenario-overrides.js';
import { errorOf } from './support/error-of.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

/**
 * A working directory `root` holding a project `proj/` (the build context, with its
 * Dockerfiles) and, outside it, `alt/app-v2.py` for replace-file and `outside.txt`.
 */
let root: string;
let project: string;

beforeEach(() => {
  root = makeTempDir();
  project = join(root, 'proj');
  const dockerfile = 'FROM python:3.11-slim\nCOPY . /app\n';
  writeTree(root, {
    'proj/app.py': 'print("hello")\n',
    'proj/requirements.txt': 'flask==3.0.0\n',
    'proj/Dockerfile': dockerfile,
    'proj/naive.Dockerfile': dockerfile,
    'proj/Dockerfile.optimized': dockerfile,
    'proj/Naive_V2.Dockerfile': dockerfile,
    'proj/docker/multistage/Dockerfile': dockerfile,
    'proj/other/Dockerfile.naive': dockerfile,
    'alt/app-v2.py': 'print("v2")\n',
    'outside.txt': 'not in the context\n',
  });
});
afterEach(removeTempDirs);

/** The project as the command line gives it, run from inside proj/. */
function scenarioOf(options: Partial<ProjectOptions> = {}, overrides: ScenarioOverrides = {}): ReturnType<typeof projectScenario> {
  return projectScenario({ context: '.', dockerfiles: ['naive.Dockerfile'], edits: [], cwd: project, ...options }, overrides);
}

describe('projectScenario: variants from --dockerfile', () => {
  it('takes the name before = and the path after it', () => {
    const scenario = scenarioOf({ dockerfiles: ['fast=Dockerfile'] });
    expect(scenario.variants.map((v) => [v.name, v.dockerfile])).toEqual([['fast', join(project, 'Dockerfile')]]);
  });

  it('names a variant from its path: naive.Dockerfile, Dockerfile.optimized, docker/multistage/Dockerfile', () => {
    const scenario = scenarioOf({ dockerfiles: ['naive.Dockerfile', 'Dockerfile.optimized', 'docker/multistage/Dockerfile'] });
    expect(scenario.variants.map((v) => v.name)).toEqual(['naive', 'optimized', 'multistage']);
    expect(scenario.variants.map((v) => v.dockerfile)).toEqual([join(project, 'naive.Dockerfile'), join(project, 'Dockerfile.optimized'), join(project, 'docker/multistage/Dockerfile')]);
  });

  it('makes a name from the path usable in an image name (lower case, dashes)', () => {
    expect(scenarioOf({ dockerfiles: ['Naive_V2.Dockerfile'] }).variants[0]?.name).toBe('naive-v2');
  });

  it('refuses two Dockerfiles that would get the same name, suggesting name=path', () => {
    const error = errorOf(UsageError, () => scenarioOf({ dockerfiles: ['naive.Dockerfile', 'other/Dockerfile.naive'] }));
    expect(error.message).toContain('"naive"');
    expect(error.hint).toMatch(/--dockerfile [a-z]+=\S+/);
  });

  it('accepts the same file twice under two names', () => {
    expect(scenarioOf({ dockerfiles: ['a=naive.Dockerfile', 'b=naive.Dockerfile'] }).variants.map((v) => v.name)).toEqual(['a', 'b']);
  });

  it('refuses a run without any --dockerfile', () => {
    expect(errorOf(UsageError, () => scenarioOf({ dockerfiles: [] })).message).toContain('--dockerfile');
  });

  it('refuses a Dockerfile that does not exist, quoting the --dockerfile as typed', () => {
    const error = errorOf(UsageError, () => scenarioOf({ dockerfiles: ['naive.Dockerfile', 'fast=missing.Dockerfile'] }));
    expect(error.message).toContain('--dockerfile "fast=missing.Dockerfile"');
    expect(error.message).toContain(join(project, 'missing.Dockerfile'));
  });

  it('refuses a name that is not usable in an image name, quoting the --dockerfile', () => {
    expect(errorOf(UsageError, () => scenarioOf({ dockerfiles: ['Fast=naive.Dockerfile'] })).message).toContain('--dockerfile "Fast=naive.Dockerfile"');
  });
});

describe('projectScenario: the context and the baseline', () => {
  it('resolves the context against cwd and names the scenario after it', () => {
    const scenario = projectScenario({ context: 'proj', dockerfiles: ['proj/naive.Dockerfile'], edits: [], cwd: root });
    expect(scenario.context).toBe(project);
    expect(scenario.name).toBe('proj');
    expect(scenario.variants[0]?.dockerfile).toBe(join(project, 'naive.Dockerfile'));
  });

  it('refuses a context that does not exist, mentioning --context', () => {
    const error = errorOf(UsageError, () => scenarioOf({ context: 'nowhere' }));
    expect(error.message).toContain('--context');
    expect(error.message).toContain(join(project, 'nowhere'));
  });

  it('takes the first Dockerfile as the baseline', () => {
    expect(scenarioOf({ dockerfiles: ['Dockerfile.optimized', 'naive.Dockerfile'] }).baseline).toBe('optimized');
  });

  it('takes the baseline the overrides name', () => {
    expect(scenarioOf({ dockerfiles: ['Dockerfile.optimized', 'naive.Dockerfile'] }, { baseline: 'naive' }).baseline).toBe('naive');
  });

  it('refuses a baseline that names no variant', () => {
    expect(errorOf(UsageError, () => scenarioOf({}, { baseline: 'fast' })).message).toContain('fast');
  });
});

describe('projectScenario: overrides', () => {
  it('probes no image without --port or --health-path: health is null', () => {
    expect(scenarioOf().health).toBeNull();
  });

  it('probes the port given, on /health by default', () => {
    expect(scenarioOf({}, { port: 9000 }).health).toEqual({ port: 9000, path: '/health', timeoutMs: 60_000, predict: undefined });
  });

  it('probes the path given, on port 8000 by default', () => {
    expect(scenarioOf({}, { healthPath: '/ready' }).health).toMatchObject({ port: 8000, path: '/ready' });
  });

  it('takes the base map of the overrides', () => {
    expect(scenarioOf({}, { baseMap: { 'python:3.11-slim': 'mirror.local/python:3.11-slim' } }).baseMap).toEqual({ 'python:3.11-slim': 'mirror.local/python:3.11-slim' });
  });

  it('refuses a base map with an invalid reference, naming --base-map and the reference', () => {
    const error = errorOf(UsageError, () => scenarioOf({}, { baseMap: { 'UPPER:case': 'python:3.11' } }));
    expect(error.message).toContain('--base-map');
    expect(error.message).toContain('"UPPER:case"');
  });

  it('gives every variant the build args and the target', () => {
    const scenario = scenarioOf({ dockerfiles: ['naive.Dockerfile', 'Dockerfile.optimized'] }, { buildArgs: { PYTHON: '3.12' }, target: 'runtime' });
    for (const variant of scenario.variants) {
      expect(variant.buildArgs).toEqual({ PYTHON: '3.12' });
      expect(variant.target).toBe('runtime');
    }
  });

  it('builds the last stage and passes no build args without overrides', () => {
    expect(scenarioOf().variants[0]).toMatchObject({ buildArgs: {}, bases: {}, target: null });
  });
});

describe('projectScenario: edits from --edit', () => {
  it('parses each rule, its file relative to the context', () => {
    const scenario = projectScenario({ context: 'proj', dockerfiles: ['proj/naive.Dockerfile'], edits: ['code=append-line:app.py', 'add-requirement:requirements.txt:six'], cwd: root });
    expect(scenario.edits).toEqual([
      { name: 'code', kind: 'append-line', file: 'app.py' },
      { name: 'add-requirement-requirements.txt', kind: 'add-requirement', file: 'requirements.txt', packages: ['six'] },
    ]);
  });

  it('resolves the from of replace-file against cwd, not the context', () => {
    const scenario = projectScenario({ context: 'proj', dockerfiles: ['proj/naive.Dockerfile'], edits: ['replace-file:app.py:alt/app-v2.py'], cwd: root });
    expect(scenario.edits[0]).toMatchObject({ kind: 'replace-file', file: 'app.py', from: join(root, 'alt/app-v2.py') });
  });

  it('keeps default names unique across the rules', () => {
    expect(scenarioOf({ edits: ['append-line:app.py', 'append-line:app.py'] }).edits.map((e) => e.name)).toEqual(['append-line-app.py', 'append-line-app.py-2']);
  });

  it('leaves the edits empty when no rule is given (they are picked when the run is prepared)', () => {
    expect(scenarioOf().edits).toEqual([]);
  });

  it('refuses an edit of a file outside the context (../x), naming the --edit', () => {
    const error = errorOf(UsageError, () => scenarioOf({ edits: ['append-line:app.py', 'append-line:../outside.txt'] }));
    expect(error.message).toContain('--edit "append-line:../outside.txt"');
    expect(error.message).toContain('inside the build context');
  });

  it('refuses an edit of a file the context does not hold, naming the --edit', () => {
    expect(errorOf(UsageError, () => scenarioOf({ edits: ['append-line:missing.py'] })).message).toContain('--edit "append-line:missing.py"');
  });

  it('refuses an edit the schema refuses (a replacement without {nonce}), naming the --edit', () => {
    const error = errorOf(UsageError, () => scenarioOf({ edits: ['replace:app.py:hello:bye'] }));
    expect(error.message).toContain('--edit "replace:app.py:hello:bye"');
    expect(error.message).toContain('{nonce}');
  });

  it('refuses a malformed rule with the rule quoted', () => {
    expect(errorOf(UsageError, () => scenarioOf({ edits: ['rewrite:app.py'] })).message).toContain('--edit "rewrite:app.py"');
  });
});

describe('projectScenario: what it records', () => {
  it('has no scenario file and no file digest', () => {
    const scenario = scenarioOf();
    expect(scenario.file).toBeNull();
    expect(scenario.sha256).toBeNull();
  });

  it('keeps the options as typed in declared.options, and the names in declared', () => {
    const dockerfiles = ['naive.Dockerfile', 'fast=Dockerfile.optimized'];
    const edits = ['code=append-line:app.py', 'touch:*.py'];
    const scenario = scenarioOf({ dockerfiles, edits });
    expect(scenario.declared).toEqual({ variants: ['naive', 'fast'], edits: ['code', expect.stringMatching(/^touch-/)], options: { variants: dockerfiles, edits } });
  });
});

describe('projectScenario: a bare Dockerfile in the working directory given', () => {
  it('is named after that directory, not the process working directory', () => {
    expect(scenarioOf({ dockerfiles: ['Dockerfile'] }).variants[0]?.name).toBe('proj');
  });
});

describe('projectScenario: one name per file', () => {
  it('takes ./app.py as app.py, the name the context manifest knows it by', () => {
    expect(scenarioOf({ edits: ['append-line:./app.py', 'touch:./*.py'] }).edits.map((e) => e.file)).toEqual(['app.py', '*.py']);
  });
});
