/**
 * Your own project on the command line (`--context`, `--dockerfile`, `--edit`), bad input in
 * each of its forms: refused before the first build with the right exit code and one
 * paragraph naming the option, no results directory, no scratch directory, nothing built or
 * started — and the project's tree byte for byte as it was.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { FakeEngine } from '../support/fake-engine.js';
import { treeHash } from '../support/tree-hash.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

const root = makeTempDir();
const project = join(root, 'project');
const out = join(root, 'results');
process.env['LAYERBENCH_STATE_DIR'] = join(root, 'state');
// the scratch directories a run makes go here (read from the CLI's env): what is left is this spec's alone
const scratch = join(root, 'scratch');
mkdirSync(scratch, { recursive: true });
process.env['LAYERBENCH_SCRATCH'] = scratch;
const NO_STACK_TRACE = /\n\s+at [\w.<]/;
/** Calls that would make something on the daemon. */
const MAKING = /^(builds\.build|containers\.(startService|runDetached)|networks\.create|images\.(tag|import))/;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  engineCalls: string[];
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env };
  const engine = new FakeEngine();
  const code = await main(argv, io, env['DOCKER_HOST'] === undefined ? { engine: () => engine } : {});
  await engine.close();
  return { code, stdout, stderr, engineCalls: engine.log };
}

const p = (name: string): string => join(project, name);
const own = (...more: string[]): string[] => ['run', '--context', project, '--dockerfile', p('Dockerfile'), '--out', out, '--concurrent', ...more];

let before: string;

beforeAll(() => {
  writeTree(project, {
    'app.py': 'GREETING = "hi"\nprint(GREETING)\n',
    'requirements.txt': 'flask==3.1.3\n',
    '.dockerignore': 'data/\n',
    'data/set.csv': 'a,b\n1,2\n',
    Dockerfile: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app.py .\n',
    'bad.Dockerfile': 'FROM python:3.11-slim\nRUNN pip install flask\n',
    'stages.Dockerfile': 'FROM base:1 AS build\nCOPY app.py .\nFROM base:1 AS runtime\nCOPY --from=build app.py .\n',
    'base1.Dockerfile': 'FROM base:1\nCOPY app.py .\n',
  });
  before = treeHash(project);
});

afterAll(() => removeTempDirs());

const cases: [string, number, () => string[], RegExp, NodeJS.ProcessEnv?][] = [
  ['a missing context', 2, () => ['run', '--context', join(root, 'nope'), '--dockerfile', p('Dockerfile')], /--context must name a directory; .*nope is not one/],
  ['a missing Dockerfile', 2, () => ['run', '--context', project, '--dockerfile', `slim=${p('nope.Dockerfile')}`], /--dockerfile "slim=.*nope\.Dockerfile" must name an existing Dockerfile; .* does not exist/],
  ['a Dockerfile syntax error', 2, () => ['run', '--context', project, '--dockerfile', p('bad.Dockerfile'), '-e', 'append-line:app.py'], /bad\.Dockerfile, line 2: Unknown instruction: RUNN\./],
  ['a --target the Dockerfile lacks', 2, () => ['run', '--context', project, '--dockerfile', p('stages.Dockerfile'), '--target', 'nope', '-e', 'append-line:app.py'], /names the stage "nope", which .*stages\.Dockerfile does not have \(its stages: build, runtime\)/],
  ['an unknown edit kind', 2, () => own('-e', 'frobnicate:app.py'), /--edit "frobnicate:app\.py": "frobnicate" is not an edit kind; the kinds are replace-line, replace, append-line, touch/],
  ['a glob matching nothing', 2, () => own('-e', 'touch:src/**/*.go'), /--edit "touch:src\/\*\*\/\*\.go" is a glob \(src\/\*\*\/\*\.go\) that matches no file variant "project"'s build receives/],
  ['a regex matching nothing', 2, () => own('-e', 'replace:app.py:^NOPE = .*$:NOPE = {nonce}'), /--edit "replace:app\.py:\^NOPE = \.\*\$:NOPE = \{nonce\}" cannot be applied \(edit "replace-app\.py"\): The edit pattern \^NOPE = \.\*\$ matches nothing in app\.py\.$/m],
  ['a replacement without {nonce}', 2, () => own('-e', 'replace:app.py:^GREETING = .*$:GREETING = 1'), /--edit "replace:app\.py:.*" must contain \{nonce\}, so that every edit is a new change/],
  ['an edit of a file the .dockerignore drops', 2, () => own('-e', 'append-line:data/set.csv'), /--edit "append-line:data\/set\.csv" names data\/set\.csv, which .*\.dockerignore leaves out of variant "project"'s build context: an edit there cannot change its build/],
  ['an edit outside the context', 2, () => own('-e', 'append-line:../elsewhere.py'), /--edit "append-line:\.\.\/elsewhere\.py" must stay inside the build context/],
  ['a replace-file whose source is missing', 2, () => own('-e', `replace-file:app.py:${join(root, 'nope.py')}`), /--edit "replace-file:app\.py:.*nope\.py" must name the file to put in place of app\.py; .*nope\.py does not exist/],
  ['--dockerfile without --context', 2, () => ['run', '--dockerfile', p('Dockerfile')], /--dockerfile describes your own project: give its build context with --context too/],
  ['--edit without --context', 2, () => ['run', '--edit', 'append-line:app.py'], /--edit describes your own project: give its build context with --context too/],
  ['--scenario and --context together', 2, () => ['run', '--scenario', 'scenarios/default.yaml', '--context', project, '--dockerfile', p('Dockerfile')], /--scenario and --context are two ways to say what to run: give one/],
  ['two Dockerfiles with one name', 2, () => ['run', '--context', project, '--dockerfile', p('Dockerfile'), '--dockerfile', p('Dockerfile')], /Two Dockerfiles would both be named "project" \(a Dockerfile is named after its directory\)\.\nName each variant: --dockerfile naive=path/],
  ['a --base-map that is not image=image', 2, () => own('--base-map', 'python'), /--base-map takes KEY=VALUE, e\.g\. --base-map python:3\.11-slim=layerbench\/bookworm-python3:2; it was given "python"/],
  ['a --base-map to an invalid reference', 2, () => own('--base-map', 'python:3.11-slim=Not/Valid', '-e', 'append-line:app.py'), /--base-map maps image references: "Not\/Valid" is not a valid image reference/],
  ['a --port out of range', 2, () => own('--port', '70000', '-e', 'append-line:app.py'), /--port must be a port number from 1 to 65535; it was given 70000/],
  ['a --health-path without a slash', 2, () => own('--health-path', 'health', '-e', 'append-line:app.py'), /--health-path must be a URL path starting with \/; it was given "health"/],
];

describe('your own project: bad input is refused before anything is made', () => {
  it.each(cases)('%s → exit %i, one paragraph naming it', async (_what, code, argv, message) => {
    const outcome = await cli(argv());
    expect(outcome.stderr).toMatch(message);
    expect(outcome.code).toBe(code);
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
    expect(outcome.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(outcome.engineCalls).toEqual([]);
    expect(readdirSync(root)).not.toContain('results');
    expect(treeHash(project)).toBe(before);
  });
});

describe('your own project: the environment refusing a run (exit 3) before the first build', () => {
  it('a base that is neither present nor pullable: the image, the Dockerfile line, the --base-map that would help', async () => {
    const outcome = await cli(own('-e', 'append-line:app.py'));
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/The base image python:3\.11-slim, named at .*Dockerfile, line 1, is not on this daemon and cannot be pulled\./);
    expect(outcome.stderr).toMatch(/--base-map 'python:3\.11-slim=layerbench\/bookworm-python3:2'/);
    expect(outcome.stderr).toContain('layerbench bootstrap');
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
    expect(outcome.engineCalls.filter((call) => MAKING.test(call))).toEqual([]);
    // no result was opened for a run that could not start
    expect(readdirSync(root)).not.toContain('results');
    expect(treeHash(project)).toBe(before);
  });

  it('a mapped base that is missing names the mapping it came from', async () => {
    const outcome = await cli(own('-e', 'append-line:app.py', '--base-map', 'python:3.11-slim=acme/python:9'));
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/The base image acme\/python:9 \(python:3\.11-slim is mapped to it\), named at .*Dockerfile, line 1/);
  });

  it.each([
    ['tcp://10.9.9.9:2375', /DOCKER_HOST=tcp:\/\/10\.9\.9\.9:2375 is a daemon at 10\.9\.9\.9, not on this machine's loopback\..*cannot reach/],
    ['ssh://builder@build-host', /DOCKER_HOST=ssh:\/\/builder@build-host is a daemon reached over SSH, on another machine\./],
  ])('a remote daemon (%s) is refused up front, with the reason', async (host, message) => {
    const outcome = await cli(own('-e', 'append-line:app.py'), { ...process.env, DOCKER_HOST: host });
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toMatch(/Run layerbench on the daemon's machine/);
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
    expect(readdirSync(root)).not.toContain('results');
  });

  it('leaves no scratch directory behind', () => {
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('your own project: a run the fake daemon completes', () => {
  it('picks the edits when none is given and says which; without --port no image is started and health is null', async () => {
    const outcome = await cli(['run', '--context', project, '--dockerfile', p('base1.Dockerfile'), '--out', join(root, 'ok'), '--concurrent', '--reps', '1', '--warmup', '0', '--json']);
    expect(outcome.stderr).toMatch(/no edits given; picked: "code" appends a comment to app\.py, a source file that every Dockerfile copies in/);
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout) as { samples: { edit: string; health: unknown }[]; scenario: { file: unknown; edits: { name: string; file: string }[] } };
    expect(result.scenario.file).toBeNull();
    expect(result.scenario.edits).toEqual([{ name: 'code', kind: 'append-line', file: 'app.py' }]);
    expect(result.samples.length).toBeGreaterThan(0);
    expect(result.samples.every((s) => s.health === null)).toBe(true);
    expect(outcome.engineCalls.filter((call) => call.startsWith('containers.startService'))).toEqual([]);
    expect(treeHash(project)).toBe(before);
  });
});
