/** The CLI as a user meets it: help, bad input, a daemon that does not answer. Exit codes from one table. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const noStackTrace = /\n\s+at [\w.<]/;

describe('layerbench on the command line', () => {
  it('runs as `npx layerbench` from the project root, as the README and the checks call it (the built bin is executable)', () => {
    const outcome = spawnSync('npx', ['--no-install', 'layerbench', '--version'], { encoding: 'utf8' });
    expect(outcome.stderr).toBe('');
    expect(outcome.status).toBe(0);
    expect(outcome.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("npm's scripts start the programs they name: `npm run bench` reaches layerbench's command line, `bench:overhead` its benchmark", () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const programOf = (script: string | undefined): string => /\bnode (dist\/\S+\.js)/.exec(script ?? '')?.[1] ?? 'no `node dist/…` in the script';
    // a module that only exports (dist/cli.js) exits 0 and prints nothing: the README's first command did nothing
    const bench = spawnSync('node', [programOf(scripts['bench']), '--version'], { encoding: 'utf8' });
    expect(bench.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const overhead = spawnSync('node', [programOf(scripts['bench:overhead']), '--pairs', '0'], { encoding: 'utf8' });
    expect(overhead.stderr).toContain('--pairs takes a whole number');
  });

  it('--help lists the commands; each command has its own help with an example', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'doctor', 'bootstrap', 'clean']) expect(help.stdout).toContain(`layerbench ${command}`);
    const runHelp = runCli(['run', '--help']);
    expect(runHelp.stdout).toContain('--scenario');
    expect(runHelp.stdout).toContain('Examples:');
  });

  it('an unknown command or option is a usage error (exit 2)', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
    const outcome = runCli(['run', '--no-such-option']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('Unknown argument');
  });

  it('a malformed scenario names the file, the field and what was expected (exit 2)', () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(file, 'name: bad\ncontext: .\nbuilder: docker\nvariants: []\nedits: []\n');
    const outcome = runCli(['run', '--scenario', file]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/bad\.yaml: field "builder" must be one of "classic", "buildkit"/);
    expect(outcome.stderr).not.toMatch(noStackTrace);
  });

  it('a missing scenario file is bad input, not a crash', () => {
    const outcome = runCli(['run', '--scenario', join(scratch, 'nope.yaml')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/nope\.yaml: the file does not exist/);
  });

  it('a --variants filter that names nothing in the scenario is a usage error', () => {
    const outcome = runCli(['run', '--variants', 'fastest']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('naive, optimized, multistage');
  });

  it('a daemon that does not answer: exit 3 and how to start one', () => {
    const env = { DOCKER_HOST: `unix://${join(scratch, 'no-daemon.sock')}` };
    const run = runCli(['run'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/No Docker daemon answers at unix:\/\/.*no-daemon\.sock/);
    expect(run.stderr).toMatch(/npm run setup|systemctl start docker/);
    expect(run.stderr).not.toMatch(noStackTrace);
    const doctor = runCli(['doctor'], env);
    expect(doctor.code).toBe(3);
    expect(doctor.stdout).toMatch(/FAIL\s+daemon/);
  });

  it('doctor on this machine: the daemon answers and a run can proceed', () => {
    const outcome = runCli(['doctor', '--json']);
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout) as { canRun: boolean; checks: { name: string; verdict: string }[] };
    expect(report.canRun).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['daemon', 'engine', 'storage driver', 'disk', 'BuildKit', 'runs in progress', 'base general-os', 'base python-3.11-slim', 'package index']),
    );
  });
});

describe('layerbench as a library', () => {
  it('is importable by its package name from the project root, with runScenario, loadScenario and readResult', () => {
    const outcome = spawnSync('node', ['-e', "import('layerbench').then(m => console.log([typeof m.runScenario, typeof m.loadScenario, typeof m.readResult].join(' ')))"], { encoding: 'utf8' });
    expect(outcome.stdout.trim()).toBe('function function function');
  });
});
