/**
 * Bad input, through the command line's own entry point, in-process: each is refused before
 * anything is made — the right exit code, one paragraph naming what is wrong, no stack trace,
 * no results directory, no scratch directory, not one call that would make a Docker object.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { chooseIndex, DEFAULT_INDEX_PORT } from '../../src/package-index/package-index.js';
import { FakeEngine } from '../support/fake-engine.js';
import { NO_STACK_TRACE, runMain, type MainOutcome } from './support/in-process-cli.js';
import { makeTempDir, writeTree } from './support/temp-dir.js';

const root = makeTempDir();
const out = join(root, 'results');
// A run of this machine's own (a benchmark in another shell) must not be what these specs meet.
process.env['LAYERBENCH_STATE_DIR'] = join(root, 'state');
// the scratch directories a run makes go here (read from the CLI's env): what is left is this spec's alone
const scratch = join(root, 'scratch');
mkdirSync(scratch, { recursive: true });
process.env['LAYERBENCH_SCRATCH'] = scratch;
interface Outcome extends MainOutcome {
  engineCalls: string[];
  ms: number;
}

/**
 * Runs the command line in-process. A scripted engine stands in for the daemon (it logs any
 * call that reaches it) unless DOCKER_HOST is set: then the real engine reads it.
 */
async function cli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  const engine = new FakeEngine();
  const started = Date.now();
  const outcome = await runMain(argv, env, env['DOCKER_HOST'] === undefined ? { engine: () => engine } : {});
  await engine.close();
  return { ...outcome, engineCalls: engine.log, ms: Date.now() - started };
}

/** A scenario beside a copy of a small context, with one thing changed. */
function scenarioFile(name: string, lines: string[]): string {
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function basicScenario(name: string, overrides: { variantName?: string; edit?: string; base?: string } = {}): string {
  return scenarioFile(name, [
    `name: ${name}`,
    'context: ctx',
    'variants:',
    `  - { name: ${overrides.variantName ?? 'plain'}, dockerfile: plain.Dockerfile, bases: { BASE: "${overrides.base ?? 'python-3.11-slim'}" } }`,
    '  - { name: ignoring, dockerfile: ignoring.Dockerfile }',
    'edits:',
    `  - ${overrides.edit ?? '{ name: code, kind: append-line, file: app.py, line: "# {nonce}" }'}`,
  ]);
}

beforeAll(() => {
  writeTree(root, {
    'ctx/app.py': 'print("hi")\n',
    'ctx/notes/todo.txt': 'nothing to see\n',
    'ctx/model.json': '{"weights": [1, 2, 3]}\n',
    'plain.Dockerfile': 'ARG BASE\nFROM ${BASE}\nCOPY . .\n',
    'ignoring.Dockerfile': 'FROM base:1\nCOPY . .\n',
    'ignoring.Dockerfile.dockerignore': 'notes/\n',
    'a-file': 'not a directory\n',
  });
  mkdirSync(join(root, 'a-directory.yaml'));
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 9; i += 1) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
  writeFileSync(join(root, 'bomb.yaml'), `${bomb.join('\n')}\n`);
  writeFileSync(join(root, 'huge.yaml'), `name: huge\n${'# padding\n'.repeat(200_000)}`);
});


const cases: [string, number, () => string[], RegExp, NodeJS.ProcessEnv?][] = [
  ['--reps that is not a number', 2, () => ['run', '--reps', 'abc'], /--reps takes a whole number; it was given "abc"/],
  ['--reps 0', 2, () => ['run', '--reps', '0'], /--reps must be a whole number from 1 to 100; it was given 0/],
  ['--reps 1.5', 2, () => ['run', '--reps', '1.5'], /--reps takes a whole number; it was given "1\.5"/],
  ['--warmup 21', 2, () => ['run', '--warmup', '21'], /--warmup must be a whole number from 0 to 20/],
  ['-s without a value', 2, () => ['run', '-s'], /Not enough arguments following: s/],
  ['-s ""', 2, () => ['run', '-s', ''], /--scenario needs a scenario file; it was given an empty value/],
  ['--out without a value', 2, () => ['run', '--out'], /Not enough arguments following: out/],
  ['--out naming a file', 2, () => ['run', '--out', join(root, 'a-file')], /--out .*a-file is an existing file, not a directory/],
  ['--out below a file', 2, () => ['run', '--out', join(root, 'a-file', 'x')], /cannot be created: .*a-file is a file/],
  ['--out under /proc', 2, () => ['run', '--out', '/proc/layerbench-results'], /lies on proc, a kernel file system/],
  ['--index-port 99999', 2, () => ['run', '--index-port', '99999', '--out', out], /--index-port must be a port number from 1 to 65535; it was given 99999/],
  ['a scenario that is a directory', 2, () => ['run', '-s', join(root, 'a-directory.yaml')], /a-directory\.yaml: the file is a directory, not a scenario file/],
  ['a YAML alias bomb', 2, () => ['run', '-s', join(root, 'bomb.yaml')], /bomb\.yaml: the file cannot be read as a scenario: Excessive alias count/],
  ['a huge scenario file', 2, () => ['run', '-s', join(root, 'huge.yaml')], /huge\.yaml: the file is \d+ bytes; a scenario file is at most 1048576 bytes/],
  ['a missing scenario file', 2, () => ['run', '-s', join(root, 'nope.yaml')], /nope\.yaml: the file does not exist/],
  ['a variant name Docker refuses (naive-)', 2, () => ['run', '-s', basicScenario('dash', { variantName: 'naive-' }), '--out', out], /field "variants\[0\]\.name" must be usable in an image name/],
  ['a variant name Docker refuses (a..b)', 2, () => ['run', '-s', basicScenario('dots', { variantName: 'a..b' }), '--out', out], /field "variants\[0\]\.name" must be usable in an image name/],
  ['a base reference Docker refuses', 2, () => ['run', '-s', basicScenario('base', { base: 'Python:3' }), '--out', out], /field "variants\[0\]\.bases\.BASE" must be a logical base or an image reference/],
  [
    'an edit pattern that matches nothing',
    2,
    () => ['run', '-s', basicScenario('regex', { edit: "{ name: code, kind: replace-line, file: app.py, match: '^nothing$', with: 'x {nonce}' }" }), '--out', out],
    /field "edits\[0\]\.match" cannot be applied \(edit "code"\): The edit pattern \^nothing\$ matches no line of app\.py/,
  ],
  [
    'a refit of a file without decimals',
    2,
    () => ['run', '-s', basicScenario('refit', { edit: '{ name: model, kind: swap-asset, file: model.json, generator: refit-numbers }' }), '--out', out],
    /field "edits\[0\]\.generator" cannot be applied \(edit "model"\): The asset model\.json holds no decimal numbers/,
  ],
  [
    "an edit of a file one variant's .dockerignore drops",
    2,
    () => ['run', '-s', basicScenario('ignored', { edit: '{ name: notes, kind: append-line, file: notes/todo.txt, line: "# {nonce}" }' }), '--out', out],
    /field "edits\[0\]\.file" names notes\/todo\.txt, which .*ignoring\.Dockerfile\.dockerignore leaves out of variant "ignoring"'s build context: an edit there cannot change its build/,
  ],
  ['a --variants filter naming nothing in the scenario', 2, () => ['run', '--variants', 'fastest'], /--variants names fastest, which .*default\.yaml does not have \(it has: naive, optimized, multistage, cachemount\)/],
  ['--target-ci that is no percentage', 2, () => ['run', '--target-ci', 'tight', '--out', out], /--target-ci takes a percentage such as 10%; it was given "tight"/],
  ['--max-reps without --target-ci', 2, () => ['run', '--max-reps', '10', '--out', out], /--max-reps bounds the repetitions --target-ci asks for/],
  ['--reps with --target-ci', 2, () => ['run', '--reps', '3', '--target-ci', '5%', '--out', out], /--reps fixes how many repetitions each edit gets; --target-ci lets the samples decide/],
  ['--min-reps above --max-reps', 2, () => ['run', '--target-ci', '5%', '--min-reps', '9', '--max-reps', '8', '--out', out], /--min-reps 9 and --max-reps 8 must satisfy 1 ≤ min ≤ max ≤ 100/],
  ['--time-budget that is no duration', 2, () => ['run', '--time-budget', 'soon', '--out', out], /--time-budget takes a duration such as 90s, 20m or 1h30m; it was given "soon"/],
  ['--order that is neither', 2, () => ['run', '--order', 'random', '--out', out], /Invalid values:\s+Argument: order, Given: "random"/],
  ['--against naming neither a directory nor a commit', 2, () => ['run', '--against', 'no-such-branch-anywhere', '--out', out], /--against no-such-branch-anywhere is neither a directory nor a commit of the git repository/],
  ['an unknown command', 2, () => ['frobnicate'], /Unknown argument: frobnicate/],
  ['a malformed DOCKER_HOST, for a command that needs the daemon', 2, () => ['run', '--out', out], /DOCKER_HOST=tcp:\/\/:abc is not a Docker endpoint/, { ...process.env, DOCKER_HOST: 'tcp://:abc' }],
  ['a malformed DOCKER_HOST, for doctor', 2, () => ['doctor'], /DOCKER_HOST=garbage is not a Docker endpoint: it names no scheme/, { ...process.env, DOCKER_HOST: 'garbage' }],
];

describe('bad input on the command line', () => {
  it.each(cases)('%s → exit %i, a message naming it, nothing made', async (_what, code, argv, message, env) => {
    const outcome = await cli(argv(), env);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.code).toBe(code);
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
    expect(outcome.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(outcome.stdout).toBe('');
    expect(outcome.ms).toBeLessThan(10_000);
    // nothing reached the daemon, nothing was written
    expect(outcome.engineCalls).toEqual([]);
    expect(readdirSync(root)).not.toContain('results');
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('the environment refusing a run (exit 3), before anything is made', () => {
  let holder: Server | undefined;
  afterAll(() => holder?.close());

  it('a daemon that does not answer: exit 3 and how to start one', async () => {
    let stderr = '';
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: { ...process.env, DOCKER_HOST: `unix://${join(root, 'no-daemon.sock')}` } };
    const port = await freePort();
    expect(await main(['run', '--out', out, '--index-port', String(port)], io)).toBe(3);
    expect(stderr).toMatch(/No Docker daemon answers at unix:\/\/.*no-daemon\.sock/);
    expect(stderr).toMatch(/npm run setup|systemctl start docker/);
    expect(readdirSync(root)).not.toContain('results');
  });

  it('the package-index port held by another program: exit 3, naming the port', async () => {
    if ((await chooseIndex()).mode !== 'local') return; // no index is served where PyPI answers or pip has no local index
    holder = await new Promise<Server>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(server));
      server.listen(DEFAULT_INDEX_PORT, '127.0.0.1', () => resolve(server));
    });
    const outcome = await cli(['run', '--out', out]);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(new RegExp(`cannot be served on 127\\.0\\.0\\.1:${DEFAULT_INDEX_PORT}: the port is in use`));
    expect(outcome.engineCalls).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('help and version', () => {
  it.each([['--help'], ['--version'], ['run', '--help']])('%s works even with a malformed DOCKER_HOST', async (...argv) => {
    const outcome = await cli(argv, { ...process.env, DOCKER_HOST: 'tcp://:abc' });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).not.toBe('');
    expect(outcome.stderr).toBe('');
  });

  it('--help lists every command and the exit codes', async () => {
    const { stdout } = await cli(['--help']);
    for (const command of ['run', 'doctor', 'bootstrap', 'clean']) expect(stdout).toContain(`layerbench ${command}`);
    expect(stdout.replace(/\s+/g, ' ')).toMatch(/Exit codes: 0 ok · 1 .* · 2 bad input .* · 3 environment .* · 130 interrupted/);
  });
});
