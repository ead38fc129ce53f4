import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildArguments, childEnvironment } from '../../src/engine/cli/cli-build.js';
import { SolveStatusReader, instantMs } from '../../src/engine/cli/solve-status-json.js';
import { BuildkitProgressDecoder } from '../../src/engine/buildkit-progress.js';
import { ClassicProgressDecoder } from '../../src/engine/classic-progress.js';
import type { TraceStatus } from '../../src/engine/buildkit-trace.js';
import type { BuildRequest } from '../../src/engine/docker-engine.js';

/** `docker buildx build --progress=rawjson` of a 4-step Dockerfile (buildx 0.13.1, Engine 20.10), as it printed it. */
const RAWJSON = readFileSync(new URL('../fixtures/buildx-rawjson-small.txt', import.meta.url), 'utf8');

function read(text: string): { statuses: TraceStatus[]; plain: string[] } {
  const statuses: TraceStatus[] = [];
  const plain: string[] = [];
  const reader = new SolveStatusReader((s) => statuses.push(s), (l) => plain.push(l));
  for (const line of text.split('\n')) reader.push(line);
  reader.end();
  return { statuses, plain };
}

describe('SolveStatusReader: buildx --progress=rawjson', () => {
  it('splits the indented JSON objects buildx prints, one solve status each', () => {
    const { statuses, plain } = read(RAWJSON);
    expect(statuses).toHaveLength(28);
    expect(plain).toEqual([]);
    expect(statuses[0]?.vertexes[0]?.name).toBe('[internal] load build definition from Dockerfile');
  });

  it('passes the plain lines between objects on (buildx prints its errors so)', () => {
    const { statuses, plain } = read('{\n  "vertexes": [ { "digest": "sha256:a", "name": "[1/2] FROM x" } ]\n}\nERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1\n');
    expect(statuses).toHaveLength(1);
    expect(plain).toEqual(['ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1']);
  });

  it('is not fooled by braces inside strings (a log line of JSON, say)', () => {
    const { statuses } = read('{\n  "vertexes": [ { "digest": "sha256:a", "name": "[2/2] RUN echo \\"{\\" }" } ]\n}\n');
    expect(statuses[0]?.vertexes[0]?.name).toBe('[2/2] RUN echo "{" }');
  });

  it('gives the same steps the API trace gives: cached or not, durations from BuildKit\'s timestamps', () => {
    const decoder = new BuildkitProgressDecoder();
    for (const status of read(RAWJSON).statuses) decoder.pushStatus(status, 0);
    const decoded = decoder.finish(0);
    expect(decoded.steps.map((s) => [s.index, s.instruction])).toEqual([
      [1, 'FROM docker.io/layerbench/bookworm-python3:2'],
      [2, 'WORKDIR /app'],
      [3, 'COPY a.txt .'],
      [4, 'RUN cat a.txt'],
    ]);
    expect(decoded.steps.every((s) => s.durationMs >= 0)).toBe(true);
    expect(decoded.steps.find((s) => s.index === 4)?.durationMs).toBeGreaterThan(0);
  });

  it('counts what BuildKit received of the synced dirs: each dir per vertex, at its largest', () => {
    const decoder = new BuildkitProgressDecoder();
    for (const status of read(RAWJSON).statuses) decoder.pushStatus(status, 0);
    // dockerfile 112 bytes; the context twice: 2 bytes for .dockerignore, 35 for a.txt (not the 1 MB folder no COPY names)
    expect(decoder.finish(0).transferredBytes).toBe(112 + 2 + 35);
  });

  it('reads RFC 3339 instants to the microsecond, and Go\'s zero time as unset', () => {
    expect(instantMs('2026-12-02T18:25:59.527386533Z')).toBeCloseTo(Date.parse('2026-12-02T18:25:59.527Z') + 0.386533, 5);
    expect(instantMs('2026-12-02T18:25:59Z')).toBe(Date.parse('2026-12-02T18:25:59Z'));
    expect(instantMs('0001-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('the classic CLI', () => {
  it("takes the context's size from the CLI's `Sending build context` line (decimal units), at its last redraw", () => {
    const decoder = new ClassicProgressDecoder();
    decoder.push({ stream: 'Sending build context to Docker daemon  512B\rSending build context to Docker daemon  1.005MB\n' }, 0);
    expect(decoder.finish(1).transferredBytes).toBe(1_005_000);
  });
});

describe('buildArguments: what a user would type', () => {
  const request = (over: Partial<BuildRequest>): BuildRequest => ({
    context: { dir: '/work/ctx', pack: () => { throw new Error('not packed'); } },
    dockerfile: 'docker/app.Dockerfile',
    dockerfileModel: undefined,
    builder: 'buildkit',
    buildArgs: { PIP_INDEX_URL: 'http://127.0.0.1:38751/simple' },
    tag: 'layerbench-run/app:r1',
    noCache: false,
    variant: 'app',
    hostNetwork: true,
    signal: undefined,
    onStep: undefined,
    onImage: undefined,
    ...over,
  });

  it('BuildKit: docker buildx build with rawjson progress, the same tag, Dockerfile, args, network and context', () => {
    expect(buildArguments(request({}), '/tmp/iid')).toEqual([
      'buildx', 'build', '--progress=rawjson', '--iidfile', '/tmp/iid', '-f', '/work/ctx/docker/app.Dockerfile', '-t', 'layerbench-run/app:r1',
      '--network', 'host', '--build-arg', 'PIP_INDEX_URL=http://127.0.0.1:38751/simple', '/work/ctx',
    ]);
  });

  it('classic: docker build, removing intermediate containers as the API build does; target and no-cache when asked', () => {
    const args = buildArguments(request({ builder: 'classic', target: 'runtime', noCache: true, hostNetwork: false, buildArgs: {} }), '/tmp/iid');
    expect(args.slice(0, 3)).toEqual(['build', '--rm', '--force-rm']);
    expect(args).toContain('--no-cache');
    expect(args.join(' ')).toContain('--target runtime');
    expect(args).not.toContain('--network');
    expect(args.at(-1)).toBe('/work/ctx');
  });
});

describe('childEnvironment: the CLI as the user runs it, on the daemon layerbench inspects', () => {
  const user = { PATH: '/usr/bin', DOCKER_CONTEXT: 'default' };
  it("leaves the user's environment as it is where the CLI already talks to that daemon", () => {
    const env = childEnvironment({ endpoint: 'unix:///var/run/docker.sock' }, 'buildkit', { endpoint: 'unix:///var/run/docker.sock', env: user });
    expect(env).toEqual({ ...user, DOCKER_BUILDKIT: '1' });
  });

  it('points the CLI at the daemon where its context names another, dropping the context', () => {
    const env = childEnvironment({ endpoint: 'unix:///home/me/.docker/desktop/docker.sock' }, 'classic', { endpoint: 'unix:///var/run/docker.sock', env: user });
    expect(env).toEqual({ PATH: '/usr/bin', DOCKER_BUILDKIT: '0', DOCKER_HOST: 'unix:///var/run/docker.sock' });
  });
});
