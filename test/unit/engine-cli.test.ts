/**
 * The docker CLI as a build driver, with a fake `docker` on PATH (a shell script that answers
 * the version probes and prints recorded build output) and a stub daemon for what the engine
 * asks around the build (whether the daemon answers, the image built): how the CLI is found,
 * what it is run with, how its output becomes a trace, and how its failures read.
 */
import { chmodSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClassicProgressDecoder } from '../../src/engine/classic-progress.js';
import { cliCanBuild, cliVersionOf, describeCliBuild, findDockerCli } from '../../src/engine/cli/docker-cli.js';
import type { BuildRequest } from '../../src/engine/docker-engine.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { BuildDriverError, BuildFailedError, InterruptedError } from '../../src/errors.js';
import { StubDaemon } from '../support/stub-daemon.js';
import { loadFixture, replayFixture } from './support/replay-fixture.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';
import { rejectionOf } from './support/error-of.js';

/** What `docker` does here, steered by FAKE_DOCKER_* variables; every call logged to FAKE_DOCKER_LOG. */
const FAKE_DOCKER = `#!/bin/sh
log() { [ -n "$FAKE_DOCKER_LOG" ] && printf '%s\\n' "$*" >> "$FAKE_DOCKER_LOG"; return 0; }
log "argv: $*"
case "$1" in
  version) echo "\${FAKE_DOCKER_VERSION-28.2.2}"; exit 0 ;;
  context) [ -n "$FAKE_DOCKER_CONTEXT_HOST" ] || exit 1; echo "$FAKE_DOCKER_CONTEXT_HOST"; exit 0 ;;
esac
if [ "$1 $2" = "buildx version" ]; then
  [ -z "$FAKE_DOCKER_NO_BUILDX" ] || { echo "docker: 'buildx' is not a docker command." >&2; exit 1; }
  echo "github.com/docker/buildx v0.13.1 5a1a2b3"; exit 0
fi
log "env: DOCKER_HOST=\${DOCKER_HOST-} DOCKER_BUILDKIT=\${DOCKER_BUILDKIT-} DOCKER_CONTEXT=\${DOCKER_CONTEXT-unset}"
iid=""; previous=""
for arg in "$@"; do [ "$previous" = "--iidfile" ] && iid="$arg"; previous="$arg"; done
[ -z "$FAKE_DOCKER_STDOUT" ] || cat "$FAKE_DOCKER_STDOUT"
[ -z "$FAKE_DOCKER_STDERR" ] || cat "$FAKE_DOCKER_STDERR" >&2
case "\${FAKE_DOCKER_BUILD-ok}" in
  ok) printf '%s\\n' "$FAKE_DOCKER_IID" > "$iid"; exit 0 ;;
  fail) printf 'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3' >&2; exit 1 ;;
  silent-fail) echo 'unknown flag: --iidfile' >&2; echo "See 'docker build --help'." >&2; exit 125 ;;
  hang) trap 'echo cancelled >&2; exit 130' INT; while :; do sleep 0.02; done ;;
esac
`;

const IMAGE = `sha256:${'b'.repeat(64)}`;
const RAWJSON = new URL('../fixtures/buildx-rawjson-small.txt', import.meta.url);

let daemon: StubDaemon;
let bin: string;
let scratch: string;
let log: string;

beforeEach(async () => {
  daemon = await StubDaemon.start();
  daemon.on('GET', /^\/images\/sha256:[0-9a-f]+\/json$/, { json: { Id: IMAGE, Size: 4096 } });
  bin = makeTempDir();
  scratch = makeTempDir();
  log = join(scratch, 'calls.log');
  writeFileSync(join(bin, 'docker'), FAKE_DOCKER);
  chmodSync(join(bin, 'docker'), 0o755);
  // PATH holds the fake and the two programs it runs, nothing else: never a real docker
  for (const program of ['cat', 'sleep']) symlinkSync(which(program), join(bin, program));
  writeTree(scratch, { 'ctx/Dockerfile': 'FROM x\n' });
  vi.stubEnv('PATH', bin);
  vi.stubEnv('DOCKER_HOST', undefined);
  vi.stubEnv('LAYERBENCH_DOCKER_CLI', undefined);
  vi.stubEnv('FAKE_DOCKER_LOG', log);
  vi.stubEnv('FAKE_DOCKER_CONTEXT_HOST', 'unix:///var/run/docker.sock');
  vi.stubEnv('FAKE_DOCKER_IID', IMAGE);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await daemon.stop();
  removeTempDirs();
});

function buildRequest(over: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context: { dir: join(scratch, 'ctx'), pack: () => Readable.from([]) },
    driver: 'cli',
    dockerfile: 'Dockerfile',
    dockerfileModel: undefined,
    builder: 'buildkit',
    buildArgs: { A: '1' },
    tag: 'layerbench-run/r1:app-1',
    noCache: false,
    variant: 'app',
    hostNetwork: false,
    signal: undefined,
    onStep: undefined,
    onImage: undefined,
    ...over,
  };
}

/** Where a program is on this machine's PATH. */
function which(program: string): string {
  const dir = (process.env['PATH'] ?? '/usr/bin:/bin').split(':').find((d) => d !== '' && existsSync(join(d, program)));
  if (dir === undefined) throw new Error(`${program} is not on PATH`);
  return join(dir, program);
}

/** The lines the fake CLI logged. */
const calls = (): string[] => readFileSync(log, 'utf8').trim().split('\n');

/** Writes `text` to a file the fake CLI prints from; returns its path. */
function output(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('findDockerCli', () => {
  const env = (): NodeJS.ProcessEnv => ({ ...process.env });

  it('finds the client\'s version, the buildx plugin\'s, and the endpoint of the current context', async () => {
    expect(await findDockerCli(env())).toEqual({ command: 'docker', clientVersion: '28.2.2', buildxVersion: 'v0.13.1', endpoint: 'unix:///var/run/docker.sock' });
    expect(calls()).toEqual(['argv: version --format {{.Client.Version}}', 'argv: buildx version', 'argv: context inspect --format {{.Endpoints.docker.Host}}']);
  });

  it('DOCKER_HOST is the endpoint where it is set (no context is asked); no buildx plugin is null; no context endpoint is null', async () => {
    expect(await findDockerCli({ ...env(), DOCKER_HOST: 'tcp://127.0.0.1:2375', FAKE_DOCKER_NO_BUILDX: '1' })).toMatchObject({ buildxVersion: null, endpoint: 'tcp://127.0.0.1:2375' });
    expect(calls().some((line) => line.includes('context'))).toBe(false);
    expect((await findDockerCli({ ...env(), FAKE_DOCKER_CONTEXT_HOST: '' }))?.endpoint).toBeNull();
  });

  it('no CLI that runs, or one that prints no version, is none', async () => {
    expect(await findDockerCli(env(), join(bin, 'not-there'))).toBeUndefined();
    expect(await findDockerCli({ ...env(), FAKE_DOCKER_VERSION: '' })).toBeUndefined();
  });

  it('LAYERBENCH_DOCKER_CLI names the program to run instead of `docker`', async () => {
    expect((await findDockerCli({ ...env(), LAYERBENCH_DOCKER_CLI: join(bin, 'docker') }))?.command).toBe(join(bin, 'docker'));
  });

  it('what a CLI can build, and how it is named in notes and results', () => {
    const cli = { command: 'docker', clientVersion: '28.2.2', buildxVersion: 'v0.13.1', endpoint: null };
    const noBuildx = { ...cli, buildxVersion: null };
    expect(cliCanBuild(noBuildx, 'classic')).toBe(true);
    expect(cliCanBuild(noBuildx, 'buildkit')).toBe(false);
    expect(cliCanBuild(cli, 'buildkit')).toBe(true);
    expect(describeCliBuild(cli, 'buildkit')).toBe('docker buildx build (docker 28.2.2, buildx v0.13.1)');
    expect(describeCliBuild(noBuildx, 'buildkit')).toBe('docker buildx build (docker 28.2.2, buildx missing)');
    expect(describeCliBuild(cli, 'classic')).toBe('DOCKER_BUILDKIT=0 docker build (docker 28.2.2)');
    expect(cliVersionOf(cli, 'buildkit')).toBe('docker 28.2.2, buildx v0.13.1');
    expect(cliVersionOf(cli, 'classic')).toBe('docker 28.2.2');
  });
});

describe('a build with --driver cli', () => {
  it('BuildKit: `docker buildx build --progress=rawjson` on the daemon layerbench inspects; the trace from its solve status, the image from --iidfile', async () => {
    vi.stubEnv('FAKE_DOCKER_STDERR', RAWJSON.pathname);
    const engine = new DockerodeEngine(daemon.env);
    const trace = await engine.builds.build(buildRequest());
    expect(trace).toMatchObject({ builder: 'buildkit', driver: 'cli', imageId: IMAGE, sizeBytes: 4096 });
    expect(trace.steps.map((s) => [s.index, s.instruction])).toEqual([
      [1, 'FROM docker.io/layerbench/bookworm-python3:2'],
      [2, 'WORKDIR /app'],
      [3, 'COPY a.txt .'],
      [4, 'RUN cat a.txt'],
    ]);
    // what BuildKit said it received of the synced dirs
    expect(trace.sent).toEqual({ transport: 'session', bytes: 112 + 2 + 35, files: null });
    const build = calls().find((line) => line.startsWith('argv: buildx build'));
    expect(build).toMatch(/^argv: buildx build --progress=rawjson --iidfile \S+ -f \S+\/ctx\/Dockerfile -t layerbench-run\/r1:app-1 --build-arg A=1 \S+\/ctx$/);
    // its context names another daemon: the CLI is pointed at this one, the context dropped
    expect(calls()).toContain(`env: DOCKER_HOST=${daemon.dockerHost} DOCKER_BUILDKIT=1 DOCKER_CONTEXT=unset`);
  });

  it('classic: `docker build` with DOCKER_BUILDKIT=0; steps from its stdout, the context size from its Sending line, its deprecation notice ignored', async () => {
    const stdout = loadFixture('classic-cold')
      .map(({ msg }) => msg.stream ?? '')
      .join('');
    vi.stubEnv('FAKE_DOCKER_STDOUT', output('classic.out', `Sending build context to Docker daemon  2.048kB\r\n${stdout}`));
    vi.stubEnv('FAKE_DOCKER_STDERR', output('classic.err', 'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n'));
    const seen: number[] = [];
    const trace = await new DockerodeEngine(daemon.env).builds.build(buildRequest({ builder: 'classic', onStep: (index) => seen.push(index) }));
    const expected = replayFixture('classic-cold', new ClassicProgressDecoder());
    expect(trace.steps.map((s) => [s.index, s.instruction, s.cached])).toEqual(expected.steps.map((s) => [s.index, s.instruction, s.cached]));
    expect(seen).toEqual(expected.steps.map((s) => s.index));
    expect(trace).toMatchObject({ builder: 'classic', driver: 'cli', imageId: IMAGE, sent: { transport: 'tar', bytes: 2048, files: null } });
    expect(calls().find((line) => line.startsWith('argv: build '))).toMatch(/^argv: build --rm --force-rm --iidfile /);
    expect(calls()).toContain(`env: DOCKER_HOST=${daemon.dockerHost} DOCKER_BUILDKIT=0 DOCKER_CONTEXT=unset`);
  });

  it('the CLI where the daemon is its own: its environment as it is', async () => {
    vi.stubEnv('FAKE_DOCKER_CONTEXT_HOST', daemon.dockerHost);
    vi.stubEnv('DOCKER_CONTEXT', 'mine');
    vi.stubEnv('FAKE_DOCKER_STDERR', RAWJSON.pathname);
    await new DockerodeEngine(daemon.env).builds.build(buildRequest());
    expect(calls()).toContain('env: DOCKER_HOST= DOCKER_BUILDKIT=1 DOCKER_CONTEXT=mine');
  });

  it('buildx\'s ERROR line is a BuildFailedError with its words', async () => {
    vi.stubEnv('FAKE_DOCKER_STDERR', RAWJSON.pathname);
    vi.stubEnv('FAKE_DOCKER_BUILD', 'fail');
    const error = await rejectionOf(new DockerodeEngine(daemon.env).builds.build(buildRequest()));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect((error as BuildFailedError).reason).toBe('failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3');
  });

  it('a CLI that exits non-zero without saying why the build failed: a failed build with its exit code and last lines (not the notice)', async () => {
    vi.stubEnv('FAKE_DOCKER_STDERR', output('classic.err', 'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n'));
    vi.stubEnv('FAKE_DOCKER_BUILD', 'silent-fail');
    const error = await rejectionOf(new DockerodeEngine(daemon.env).builds.build(buildRequest({ builder: 'classic' })));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect((error as BuildFailedError).reason).toBe("docker exited 125: unknown flag: --iidfile | See 'docker build --help'.");
  });

  it('interrupted: the CLI gets SIGINT (it cancels the build on the daemon) and the build is InterruptedError', async () => {
    const controller = new AbortController();
    vi.stubEnv('FAKE_DOCKER_STDOUT', output('start.out', 'Step 1/2 : FROM x\n'));
    vi.stubEnv('FAKE_DOCKER_BUILD', 'hang');
    const build = new DockerodeEngine(daemon.env).builds.build(buildRequest({ builder: 'classic', signal: controller.signal, onStep: () => controller.abort() }));
    await expect(build).rejects.toBeInstanceOf(InterruptedError);
    // a signal that fired before the CLI started: it is not started at all
    const before = calls().filter((line) => line.startsWith('argv: build ')).length;
    await expect(new DockerodeEngine(daemon.env).builds.build(buildRequest({ builder: 'classic', signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(InterruptedError);
    expect(calls().filter((line) => line.startsWith('argv: build '))).toHaveLength(before);
  });

  it('no docker CLI on PATH: BuildDriverError', async () => {
    vi.stubEnv('PATH', makeTempDir());
    const error = await rejectionOf(new DockerodeEngine(daemon.env).builds.build(buildRequest()));
    expect(error).toBeInstanceOf(BuildDriverError);
    expect((error as BuildDriverError).message).toBe('--driver cli: no docker CLI was found on PATH.');
  });

  it('a CLI found that then cannot be run: BuildDriverError naming it', async () => {
    const engine = new DockerodeEngine(daemon.env);
    expect((await engine.system.dockerCli())?.command).toBe('docker');
    rmSync(join(bin, 'docker'));
    const error = await rejectionOf(engine.builds.build(buildRequest()));
    expect(error).toBeInstanceOf(BuildDriverError);
    expect((error as BuildDriverError).message).toMatch(/^--driver cli: docker could not be run: spawn docker ENOENT\.$/);
  });
});
