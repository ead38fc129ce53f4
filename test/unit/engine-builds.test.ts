/**
 * Builds through the Engine API against a stub daemon that replays recorded build streams:
 * the classic tar upload, BuildKit over a session of layerbench's own (the stub's session peer
 * pulls the files as BuildKit does) and the tar where the daemon refuses sessions, and every
 * way a build fails (an error line though the status is 200, a stream cut off, the daemon
 * gone, a full disk, no image, an interrupt).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BuildkitProgressDecoder } from '../../src/engine/buildkit-progress.js';
import { ClassicProgressDecoder } from '../../src/engine/classic-progress.js';
import type { BuildRequest } from '../../src/engine/docker-engine.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { SERVED_METHODS } from '../../src/engine/session/build-session.js';
import { parseDockerfile } from '../../src/dockerfile/dockerfile-model.js';
import { BuildFailedError, DaemonUnavailableError, DiskFullError, InterruptedError } from '../../src/errors.js';
import { SessionPeer, type ReceivedDir } from '../support/session-peer.js';
import { StubDaemon } from '../support/stub-daemon.js';
import { fixtureDockerfile, loadFixture, replayFixture, replayWithEvents } from './support/replay-fixture.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';
import { rejectionOf } from './support/error-of.js';

const TAR = Buffer.from('the context, as a tar');
const CLASSIC_IMAGE = 'sha256:6e19cab3c878fe7b4e3598ffea04a9a9384fea6541222c9f1125d25030396f19';
const BUILDKIT_IMAGE = 'sha256:4edbfe3b9d69210a5117c4f3790f0b9d0a53f95e385821afc51b56776f839d92';

let daemon: StubDaemon;
let contextDir: string;

beforeEach(async () => {
  daemon = await StubDaemon.start();
  daemon.on('GET', /^\/images\/sha256:[0-9a-f]+\/json$/, (request) => ({ json: { Id: request.path.split('/')[2], Size: 286_000_000 } }));
  contextDir = makeTempDir();
  writeTree(contextDir, { Dockerfile: fixtureDockerfile('app'), 'app.py': 'print("hi")\n', 'requirements.txt': 'fastapi\n' });
});

afterEach(async () => {
  await daemon.stop();
  removeTempDirs();
});

function buildRequest(over: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context: { dir: contextDir, pack: () => Readable.from([TAR]) },
    dockerfile: 'Dockerfile',
    dockerfileModel: undefined,
    builder: 'classic',
    buildArgs: { PIP_INDEX_URL: 'http://127.0.0.1:3141/simple' },
    tag: 'layerbench-run/r1:app-1',
    noCache: false,
    variant: 'app',
    hostNetwork: true,
    signal: undefined,
    onStep: undefined,
    onImage: undefined,
    ...over,
  };
}

/** The messages of a recorded stream, and an engine whose clock reads their recorded times (one reading at the start, one per message, one at the end). */
function replaying(name: string, onReading?: (reading: number) => void): { engine: DockerodeEngine; lines: unknown[]; endsAt: number } {
  const recorded = loadFixture(name);
  const endsAt = recorded.at(-1)?.t ?? 0;
  const times = [0, ...recorded.map(({ t }) => t), endsAt];
  let reading = 0;
  const clock = (): number => {
    onReading?.(reading);
    return times[Math.min(reading++, times.length - 1)] ?? endsAt;
  };
  return { engine: new DockerodeEngine(daemon.env, clock), lines: recorded.map(({ msg }) => msg), endsAt };
}

describe('classic, the context as a tar', () => {
  it('posts the tar to /build with what the request says, and traces the recorded stream as the decoder reads it', async () => {
    const { engine, lines, endsAt } = replaying('classic-cold');
    daemon.on('POST', /^\/build$/, { lines });
    const steps: [number, number, string][] = [];
    const trace = await engine.builds.build(buildRequest({ onStep: (index, total, instruction) => steps.push([index, total, instruction]) }));

    const expected = replayWithEvents('classic-cold', (onStep) => new ClassicProgressDecoder(onStep));
    expect(trace).toEqual({
      builder: 'classic',
      driver: 'api',
      sent: { transport: 'tar', bytes: TAR.length, files: null },
      imageId: CLASSIC_IMAGE,
      sizeBytes: 286_000_000,
      steps: expected.build.steps,
      wallMs: endsAt,
      stageImageIds: expected.build.stageImageIds,
      reportedImages: expected.build.reportedImages,
    });
    expect(steps).toEqual(expected.events.map((e) => [e.index, e.total, e.instruction]));

    const [posted] = daemon.requestsTo('POST', /^\/build$/);
    expect(posted?.body.equals(TAR)).toBe(true);
    expect(posted?.headers['content-type']).toBe('application/tar');
    expect(Object.fromEntries(posted?.query ?? [])).toEqual({
      dockerfile: 'Dockerfile',
      buildargs: JSON.stringify({ PIP_INDEX_URL: 'http://127.0.0.1:3141/simple' }),
      t: 'layerbench-run/r1:app-1',
      nocache: 'false',
      rm: 'true',
      forcerm: 'true',
      pull: 'false',
      version: '1',
      networkmode: 'host',
    });
    // classic builds never ask for a session
    expect(daemon.requestsTo('POST', /^\/session$/)).toEqual([]);
  });

  it('a target stage, no cache and the default network reach the query as such', async () => {
    const { engine, lines } = replaying('classic-multistage');
    daemon.on('POST', /^\/build$/, { lines });
    const trace = await engine.builds.build(buildRequest({ target: 'build', noCache: true, hostNetwork: false }));
    const query = daemon.requestsTo('POST', /^\/build$/)[0]?.query;
    expect(query?.get('target')).toBe('build');
    expect(query?.get('nocache')).toBe('true');
    expect(query?.has('networkmode')).toBe(false);
    // the earlier stage's last image is the next build's cache: reported beside the result
    expect(trace.stageImageIds).toEqual(replayFixture('classic-multistage', new ClassicProgressDecoder()).stageImageIds);
    expect(trace.stageImageIds.length).toBeGreaterThan(0);
  });

  it('an error line (status 200 all the same) is a BuildFailedError naming the step, its Dockerfile line and the log tail', async () => {
    const { engine, lines } = replaying('classic-failure');
    daemon.on('POST', /^\/build$/, { lines });
    const dockerfileModel = parseDockerfile(fixtureDockerfile('failing'));
    const error = await rejectionOf(engine.builds.build(buildRequest({ dockerfileModel })));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect(error).toMatchObject({
      variant: 'app',
      step: 'Step 3/4 : RUN echo about to fail && exit 3',
      reason: "The command '/bin/sh -c echo about to fail && exit 3' returned a non-zero code: 3",
      line: 3,
    });
    expect((error as BuildFailedError).logTail).toContain('about to fail');
  });

  it('"no space left on device" in the stream is a DiskFullError, not a failed build', async () => {
    daemon.on('POST', /^\/build$/, { lines: [{ stream: 'Step 1/2 : FROM x\n' }, { errorDetail: { message: 'write /var/lib/docker/tmp/x: no space left on device' }, error: 'write /var/lib/docker/tmp/x: no space left on device' }] });
    await expect(new DockerodeEngine(daemon.env).builds.build(buildRequest())).rejects.toBeInstanceOf(DiskFullError);
  });

  it('a stream that ends without naming an image is a failed build', async () => {
    daemon.on('POST', /^\/build$/, { lines: [{ stream: 'Step 1/1 : FROM x\n' }, { stream: ' ---> 6d5fed2fb984\n' }] });
    const error = await rejectionOf(new DockerodeEngine(daemon.env).builds.build(buildRequest()));
    expect(error).toMatchObject({ name: 'BuildFailedError', reason: 'the builder reported no image' });
  });

  it('a stream cut off while the daemon still answers: a BuildFailedError with what the log said so far', async () => {
    const { engine, lines } = replaying('classic-cold');
    daemon.on('POST', /^\/build$/, { lines: lines.slice(0, 12), then: 'break' });
    const error = await rejectionOf(engine.builds.build(buildRequest()));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect(error).toMatchObject({ variant: 'app', reason: 'aborted' });
    expect((error as BuildFailedError).logTail.length).toBeGreaterThan(0);
  });

  it('the daemon going away mid-build: DaemonUnavailableError during the build of the variant', async () => {
    const { engine, lines } = replaying('classic-cold');
    daemon.on('POST', /^\/build$/, { lines: lines.slice(0, 12), then: 'vanish' });
    const error = await rejectionOf(engine.builds.build(buildRequest()));
    expect(error).toBeInstanceOf(DaemonUnavailableError);
    expect(error).toMatchObject({ during: 'the build of "app"' });
    expect((error as DaemonUnavailableError).reason).toMatch(/^the build stopped: /);
  });

  it('a request the daemon refuses (400, an unknown target): a failed build with its words', async () => {
    daemon.on('POST', /^\/build$/, { status: 400, json: { message: 'failed to reach build target nope in Dockerfile' } });
    const error = await rejectionOf(new DockerodeEngine(daemon.env).builds.build(buildRequest({ target: 'nope' })));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect((error as BuildFailedError).reason).toMatch(/failed to reach build target nope in Dockerfile/);
  });

  it('interrupted mid-step: waits until the daemon has removed the step\'s container, then InterruptedError', async () => {
    const controller = new AbortController();
    // Ctrl-C as the engine reads the daemon's "Running in b726f08f8625" (message 11 of the recording)
    const recorded = loadFixture('classic-failure');
    const running = recorded.findIndex(({ msg }) => msg.stream?.includes('Running in b726f08f8625') === true);
    const { engine, lines } = replaying('classic-failure', (reading) => reading === running + 1 && controller.abort());
    daemon.on('POST', /^\/build$/, { lines: lines.slice(0, running + 1) });
    let inspections = 0;
    daemon.on('GET', /^\/containers\/b726f08f8625\/json$/, () => (++inspections === 1 ? { json: { State: { Running: true } } } : { status: 404, json: { message: 'No such container' } }));
    await expect(engine.builds.build(buildRequest({ signal: controller.signal }))).rejects.toBeInstanceOf(InterruptedError);
    expect(inspections).toBe(2);
  });
});

describe('BuildKit over the API', () => {
  it('over a session of its own: no tar, the daemon pulls the context and the Dockerfile through file sync, and the trace counts what travelled', async () => {
    const { engine, lines, endsAt } = replaying('buildkit-cold');
    let synced: Promise<[ReceivedDir, ReceivedDir, { status: number }]> | undefined;
    daemon.on('POST', /^\/session$/, {
      upgrade: (socket) => {
        const peer = SessionPeer.over(socket);
        synced = Promise.all([
          peer.diffCopy({ 'dir-name': 'context' }),
          peer.diffCopy({ 'dir-name': 'dockerfile', 'include-patterns': 'Dockerfile' }),
          peer.unary('/grpc.health.v1.Health/Check', Buffer.alloc(0)),
        ]);
      },
    });
    // BuildKit streams its progress once it has the files
    daemon.on('POST', /^\/build$/, async () => {
      await synced;
      return { lines };
    });

    const trace = await engine.builds.build(buildRequest({ builder: 'buildkit', sharedKey: 'workspace-key', dockerfileModel: parseDockerfile(fixtureDockerfile('app')) }));

    const [context, dockerfile, health] = (await synced) ?? [];
    expect(health?.status).toBe(0);
    expect([...(context?.files.keys() ?? [])].sort()).toEqual(['Dockerfile', 'app.py', 'requirements.txt']);
    expect(context?.files.get('app.py')?.toString()).toBe('print("hi")\n');
    expect([...(dockerfile?.files.keys() ?? [])]).toEqual(['Dockerfile']);
    const bytes = (name: string): number => readFileSync(join(contextDir, name)).length;
    expect(trace.sent).toEqual({ transport: 'session', bytes: 2 * bytes('Dockerfile') + bytes('app.py') + bytes('requirements.txt'), files: 4 });

    const expected = replayFixture('buildkit-cold', new BuildkitProgressDecoder(undefined, parseDockerfile(fixtureDockerfile('app'))));
    expect(trace).toMatchObject({ builder: 'buildkit', driver: 'api', imageId: BUILDKIT_IMAGE, steps: expected.steps, wallMs: endsAt });

    const [session] = daemon.requestsTo('POST', /^\/session$/);
    const [posted] = daemon.requestsTo('POST', /^\/build$/);
    expect(session?.headers['x-docker-expose-session-sharedkey']).toBe('workspace-key');
    expect(session?.headers['x-docker-expose-session-name']).toBe(contextDir.split('/').pop());
    expect(String(session?.headers['x-docker-expose-session-grpc-method']).split(', ')).toEqual([...SERVED_METHODS]);
    expect(posted?.query.get('session')).toBe(session?.headers['x-docker-expose-session-uuid']);
    expect(posted?.query.get('remote')).toBe('client-session');
    expect(posted?.query.get('version')).toBe('2');
    expect(posted?.body.length).toBe(0);
  });

  it('the daemon refusing sessions (404): the tar goes instead, and later builds do not ask again', async () => {
    const { engine, lines } = replaying('buildkit-cold');
    daemon.on('POST', /^\/session$/, { status: 404, json: { message: 'page not found' } });
    daemon.on('POST', /^\/build$/, { lines });
    const trace = await engine.builds.build(buildRequest({ builder: 'buildkit' }));
    expect(trace.sent).toEqual({ transport: 'tar', bytes: TAR.length, files: null });
    expect(trace.imageId).toBe(BUILDKIT_IMAGE);
    const [posted] = daemon.requestsTo('POST', /^\/build$/);
    expect(posted?.body.equals(TAR)).toBe(true);
    expect(posted?.query.has('session')).toBe(false);
    expect(posted?.query.get('version')).toBe('2');

    await engine.builds.build(buildRequest({ builder: 'buildkit' }));
    expect(daemon.requestsTo('POST', /^\/session$/)).toHaveLength(1);
  });

  it('the session request breaking while the daemon answers: treated as refused, the tar goes', async () => {
    const { engine, lines } = replaying('buildkit-cold');
    daemon.on('POST', /^\/session$/, { hangUp: true });
    daemon.on('POST', /^\/build$/, { lines });
    expect((await engine.builds.build(buildRequest({ builder: 'buildkit' }))).sent.transport).toBe('tar');
  });

  it('the daemon gone when the session is asked for: DaemonUnavailableError during the build', async () => {
    daemon.on('POST', /^\/session$/, () => {
      daemon.vanish();
      return { hangUp: true };
    });
    const error = await rejectionOf(new DockerodeEngine(daemon.env).builds.build(buildRequest({ builder: 'buildkit' })));
    expect(error).toBeInstanceOf(DaemonUnavailableError);
    expect(error).toMatchObject({ during: 'the build of "app"' });
  });

  it('a BuildKit error line is a BuildFailedError naming the failed vertex', async () => {
    const { engine, lines } = replaying('buildkit-failure');
    daemon.on('POST', /^\/session$/, { status: 404, json: { message: 'page not found' } });
    daemon.on('POST', /^\/build$/, { lines });
    const error = await rejectionOf(engine.builds.build(buildRequest({ builder: 'buildkit', dockerfileModel: parseDockerfile(fixtureDockerfile('failing')) })));
    expect(error).toBeInstanceOf(BuildFailedError);
    expect(error).toMatchObject({ reason: 'executor failed running [/bin/sh -c echo about to fail && exit 3]: exit code: 3', line: 3 });
    expect((error as BuildFailedError).step).toMatch(/RUN echo about to fail && exit 3/);
  });
});
