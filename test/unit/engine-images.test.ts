/**
 * The engine's image area against a stub daemon: inspection, removal (and what a refusal
 * means), the leftover search a cut build needs, and the pull, push and import streams, which
 * answer 200 and report a failure inside the stream.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { DaemonUnavailableError, DiskFullError, EngineError, InterruptedError } from '../../src/errors.js';
import { StubDaemon } from '../support/stub-daemon.js';
import { loadFixture } from './support/replay-fixture.js';
import { rejectionOf } from './support/error-of.js';

const ID = `sha256:${'a'.repeat(64)}`;

/** An /images/{name}/json answer. */
function inspection(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: ID,
    Size: 123_456,
    RootFS: { Type: 'layers', Layers: ['sha256:l1', 'sha256:l2'] },
    Config: { Labels: { 'layerbench.run': 'r1' } },
    RepoTags: ['app:1', '<none>:<none>'],
    Created: '2026-01-02T03:04:05.000Z',
    Parent: 'sha256:parent',
    ...over,
  };
}

let daemon: StubDaemon;
let engine: DockerodeEngine;

beforeEach(async () => {
  daemon = await StubDaemon.start();
  engine = new DockerodeEngine(daemon.env);
});

afterEach(async () => {
  await daemon.stop();
});

describe('inspect', () => {
  it('reads size, diff IDs, labels, tags (without <none>:<none>), creation and parent', async () => {
    daemon.on('GET', /^\/images\/app:1\/json$/, { json: inspection() });
    expect(await engine.images.inspect('app:1')).toEqual({
      id: ID,
      sizeBytes: 123_456,
      diffIds: ['sha256:l1', 'sha256:l2'],
      labels: { 'layerbench.run': 'r1' },
      tags: ['app:1'],
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      parentId: 'sha256:parent',
    });
  });

  it('an image without tags, labels, layers or parent (a builder\'s intermediate image)', async () => {
    daemon.on('GET', /^\/images\/.+\/json$/, { json: inspection({ RootFS: undefined, Config: { Labels: null }, RepoTags: null, Parent: '' }) });
    expect(await engine.images.inspect(ID)).toMatchObject({ diffIds: [], labels: {}, tags: [], parentId: '' });
  });

  it('a reference with a registry port and a path reaches the daemon as it is', async () => {
    daemon.on('GET', /^\/images\/.+\/json$/, { json: inspection() });
    await engine.images.inspect('127.0.0.1:5000/lb/f1:x');
    expect(daemon.requests.at(-1)?.path).toBe('/images/127.0.0.1:5000/lb/f1:x/json');
  });

  it('404 is "not there": undefined; any other refusal an EngineError naming the image', async () => {
    daemon.on('GET', /^\/images\/gone\/json$/, { status: 404, json: { message: 'No such image: gone' } });
    expect(await engine.images.inspect('gone')).toBeUndefined();
    daemon.on('GET', /^\/images\/bad\/json$/, { status: 500, json: { message: 'layer store corrupt' } });
    const error = await rejectionOf(engine.images.inspect('bad'));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ operation: 'inspect the image bad', statusCode: 500, reason: 'layer store corrupt' });
  });

  it('the daemon gone is DaemonUnavailableError, not "not there"', async () => {
    daemon.vanish();
    await expect(engine.images.inspect('app:1')).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('layer sizes: the diff IDs paired with the history\'s layer-making entries, oldest first', async () => {
    daemon.on('GET', /^\/images\/app:1\/json$/, { json: inspection() });
    daemon.on('GET', /^\/images\/app:1\/history$/, {
      json: [
        { CreatedBy: '/bin/sh -c #(nop)  CMD ["python"]', Size: 0 },
        { CreatedBy: 'RUN /bin/sh -c pip install x', Size: 900 },
        { CreatedBy: '/bin/sh -c #(nop) ADD file:abc in / ', Size: 100 },
      ],
    });
    expect(await engine.images.layerSizes('app:1')).toEqual({
      layers: [
        { diffId: 'sha256:l1', sizeBytes: 100 },
        { diffId: 'sha256:l2', sizeBytes: 900 },
      ],
      approximate: false,
    });
  });
});

describe('remove and removeUntagged', () => {
  it('remove forces, and an image already gone is no error', async () => {
    daemon.on('DELETE', /^\/images\/app:1$/, { json: [{ Untagged: 'app:1' }] });
    await engine.images.remove('app:1');
    expect(daemon.requests.at(-1)?.query.get('force')).toBe('true');
    daemon.on('DELETE', /^\/images\/app:1$/, { status: 404, json: { message: 'No such image' } });
    await expect(engine.images.remove('app:1')).resolves.toBeUndefined();
    daemon.on('DELETE', /^\/images\/app:1$/, { status: 500, json: { message: 'driver failed' } });
    await expect(engine.images.remove('app:1')).rejects.toMatchObject({ name: 'EngineError', operation: 'remove the image app:1' });
  });

  it('keeps what is tagged or in use (409), skips what is gone (404, before or at the removal), and removes the rest without force', async () => {
    const images: Record<string, Record<string, unknown>> = {
      tagged: inspection({ Id: 'sha256:tagged', RepoTags: ['keep:1'] }),
      loose: inspection({ Id: 'sha256:loose', RepoTags: [] }),
      used: inspection({ Id: 'sha256:used', RepoTags: ['<none>:<none>'] }),
      racing: inspection({ Id: 'sha256:racing', RepoTags: [] }),
    };
    daemon.on('GET', /^\/images\/.+\/json$/, (request) => {
      const image = images[request.path.split('/')[2]?.replace('sha256:', '') ?? ''];
      return image === undefined ? { status: 404, json: { message: 'No such image' } } : { json: image };
    });
    daemon.on('DELETE', /^\/images\/sha256:loose$/, { json: [{ Deleted: 'sha256:loose' }] });
    daemon.on('DELETE', /^\/images\/sha256:used$/, { status: 409, json: { message: 'image is being used by stopped container 1234' } });
    daemon.on('DELETE', /^\/images\/sha256:racing$/, { status: 404, json: { message: 'No such image' } });

    const kept = await engine.images.removeUntagged(['sha256:tagged', 'sha256:loose', 'sha256:used', 'sha256:gone', 'sha256:racing'], { prune: false });
    expect(kept).toEqual(['sha256:tagged', 'sha256:used']);
    const removals = daemon.requestsTo('DELETE', /^\/images\//);
    expect(removals.map((r) => r.path)).toEqual(['/images/sha256:loose', '/images/sha256:used', '/images/sha256:racing']);
    expect(removals.every((r) => r.query.get('force') === 'false' && r.query.get('noprune') === 'true')).toBe(true);
  });

  it('prune: the untagged parents go too (noprune=false), as `docker rmi` does', async () => {
    daemon.on('GET', /^\/images\/.+\/json$/, { json: inspection({ Id: 'sha256:loose', RepoTags: [] }) });
    daemon.on('DELETE', /^\/images\/.+$/, { json: [] });
    expect(await engine.images.removeUntagged(['sha256:loose'], { prune: true })).toEqual([]);
    expect(daemon.requests.at(-1)?.query.get('noprune')).toBe('false');
  });

  it('any other refusal of a removal is an EngineError', async () => {
    daemon.on('GET', /^\/images\/.+\/json$/, { json: inspection({ Id: 'sha256:loose', RepoTags: [] }) });
    daemon.on('DELETE', /^\/images\/.+$/, { status: 500, json: { message: 'driver failed' } });
    await expect(engine.images.removeUntagged(['sha256:loose'], { prune: false })).rejects.toMatchObject({ name: 'EngineError', operation: 'remove the image sha256:loose', statusCode: 500 });
  });
});

describe('findUntaggedDescendants: what a cut build committed on top of its parent', () => {
  const since = new Date(1_700_000_000_500);
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  const summary = (id: string, parent: string, createdMs: number, tags: string[] | null = ['<none>:<none>']): Record<string, unknown> => ({
    Id: id,
    ParentId: parent,
    Created: seconds(createdMs),
    RepoTags: tags,
  });

  beforeEach(() => {
    daemon.on('GET', /^\/images\/base:1\/json$/, { json: inspection({ Id: 'sha256:base' }) });
  });

  it('follows the chain of parent IDs breadth first, nearest first, untagged and created since the build began', async () => {
    daemon.on('GET', /^\/images\/json$/, {
      json: [
        summary('sha256:grandchild', 'sha256:child-a', since.getTime() + 3000),
        summary('sha256:child-a', 'sha256:base', since.getTime() + 1000),
        summary('sha256:child-b', 'sha256:base', since.getTime() + 2000, null),
        summary('sha256:great', 'sha256:grandchild', since.getTime() + 4000),
        // the same second as `since` (Created has whole seconds): counted
        summary('sha256:same-second', 'sha256:child-b', since.getTime() - 400),
        // before the build began: an earlier build's
        summary('sha256:older', 'sha256:base', since.getTime() - 5000),
        // tagged: a real image, and nothing is searched beneath it
        summary('sha256:tagged', 'sha256:base', since.getTime() + 1000, ['app:1']),
        summary('sha256:under-tagged', 'sha256:tagged', since.getTime() + 2000),
        // not a descendant at all
        summary('sha256:stranger', 'sha256:other', since.getTime() + 1000),
      ],
    });
    expect(await engine.images.findUntaggedDescendants(['base:1'], since)).toEqual([
      'sha256:child-a',
      'sha256:child-b',
      'sha256:grandchild',
      'sha256:same-second',
      'sha256:great',
    ]);
    // every image, intermediate ones included
    expect(daemon.requestsTo('GET', /^\/images\/json$/)[0]?.query.get('all')).toBe('true');
  });

  it('ends on a loop of parent IDs (a list the daemon changed while it was read)', async () => {
    daemon.on('GET', /^\/images\/json$/, {
      json: [summary('sha256:x', 'sha256:base', since.getTime() + 1000), summary('sha256:base', 'sha256:x', since.getTime() + 1000)],
    });
    expect(await engine.images.findUntaggedDescendants(['base:1'], since)).toEqual(['sha256:x', 'sha256:base']);
  });

  it('a parent that is not there has no descendants (and the images are not listed)', async () => {
    daemon.on('GET', /^\/images\/gone\/json$/, { status: 404, json: { message: 'No such image' } });
    expect(await engine.images.findUntaggedDescendants(['gone'], since)).toEqual([]);
    expect(daemon.requestsTo('GET', /^\/images\/json$/)).toEqual([]);
  });
});

describe('listing and tagging', () => {
  it('lists the dangling images by the dangling filter', async () => {
    daemon.on('GET', /^\/images\/json$/, { json: [{ Id: 'sha256:d1' }, { Id: 'sha256:d2' }] });
    expect(await engine.images.listDangling()).toEqual(['sha256:d1', 'sha256:d2']);
    expect(JSON.parse(daemon.requests.at(-1)?.query.get('filters') ?? '')).toEqual({ dangling: ['true'] });
  });

  it('lists by reference glob, with or without a tag, tags without <none>:<none>', async () => {
    daemon.on('GET', /^\/images\/json$/, { json: [{ Id: 'sha256:r1', RepoTags: ['layerbench-run/a:1', '<none>:<none>'] }, { Id: 'sha256:r2', RepoTags: null }] });
    expect(await engine.images.listByReference('layerbench-run/*')).toEqual([
      { id: 'sha256:r1', tags: ['layerbench-run/a:1'] },
      { id: 'sha256:r2', tags: [] },
    ]);
    expect(JSON.parse(daemon.requests.at(-1)?.query.get('filters') ?? '')).toEqual({ reference: ['layerbench-run/*'] });
    await engine.images.listByReference('layerbench-run/*', 'r1');
    expect(JSON.parse(daemon.requests.at(-1)?.query.get('filters') ?? '')).toEqual({ reference: ['layerbench-run/*:r1'] });
    daemon.on('GET', /^\/images\/json$/, { status: 500, json: { message: 'no' } });
    await expect(engine.images.listByReference('x/*', 't')).rejects.toMatchObject({ operation: 'list the images named x/*:t' });
  });

  it('tags: repository and tag apart; a registry port is not a tag; no tag is latest', async () => {
    daemon.on('POST', /^\/images\/.+\/tag$/, { status: 201, json: {} });
    await engine.images.tag(ID, '127.0.0.1:5000/lb/f1:x');
    expect(Object.fromEntries(daemon.requests.at(-1)?.query ?? [])).toEqual({ repo: '127.0.0.1:5000/lb/f1', tag: 'x' });
    await engine.images.tag(ID, '127.0.0.1:5000/lb/f1');
    expect(Object.fromEntries(daemon.requests.at(-1)?.query ?? [])).toEqual({ repo: '127.0.0.1:5000/lb/f1', tag: 'latest' });
    expect(daemon.requests.at(-1)?.path).toBe(`/images/${ID}/tag`);
  });
});

describe('pull', () => {
  const pullStream = loadFixture('pull-sharing-base').map(({ msg }) => msg);

  it('resolves true once the stream ended cleanly and the image is there', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: pullStream });
    daemon.on('GET', /^\/images\/.+\/json$/, { json: inspection() });
    expect(await engine.images.pull('lbreg:5000/lb/lbprobe-derived-1:1')).toBe(true);
    const [request] = daemon.requestsTo('POST', /^\/images\/create$/);
    expect(request?.query.get('fromImage')).toBe('lbreg:5000/lb/lbprobe-derived-1');
    expect(request?.query.get('tag')).toBe('1');
  });

  it('an error line in the middle of the stream is a failed pull: false', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: [...pullStream.slice(0, 5), { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }, ...pullStream.slice(5)] });
    daemon.on('GET', /^\/images\/.+\/json$/, { json: inspection() });
    expect(await engine.images.pull('lb/x:1')).toBe(false);
  });

  it('a clean stream that left no image: false', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: pullStream });
    daemon.on('GET', /^\/images\/.+\/json$/, { status: 404, json: { message: 'No such image' } });
    expect(await engine.images.pull('lb/x:1')).toBe(false);
  });

  it('the registry refusing (404 from the daemon): false; the daemon gone or its disk full: thrown', async () => {
    daemon.on('POST', /^\/images\/create$/, { status: 404, json: { message: 'pull access denied for lb/x' } });
    expect(await engine.images.pull('lb/x:1')).toBe(false);
    daemon.on('POST', /^\/images\/create$/, { status: 500, json: { message: 'write /var/lib/docker/tmp: no space left on device' } });
    await expect(engine.images.pull('lb/x:1')).rejects.toBeInstanceOf(DiskFullError);
    daemon.vanish();
    await expect(engine.images.pull('lb/x:1')).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('an aborted signal is an interruption, not a failed pull', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: pullStream });
    await expect(engine.images.pull('lb/x:1', AbortSignal.abort())).rejects.toBeInstanceOf(InterruptedError);
    await expect(engine.images.pullTimed('lb/x:1', AbortSignal.abort())).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe('pullTimed', () => {
  /** An engine whose clock reads the recorded arrival times: one reading at the request, one per message, one at the end. */
  function engineReplaying(name: string): { engine: DockerodeEngine; lines: unknown[] } {
    const recorded = loadFixture(name);
    const times = [0, ...recorded.map(({ t }) => t), (recorded.at(-1)?.t ?? 0) + 1];
    let reading = 0;
    const clock = (): number => times[Math.min(reading++, times.length - 1)] ?? 0;
    return { engine: new DockerodeEngine(daemon.env, clock), lines: recorded.map(({ msg }) => msg) };
  }

  it('a host holding the base: the base layer already present, the others downloaded with their bytes and times, the digest', async () => {
    const { engine: timed, lines } = engineReplaying('pull-sharing-base');
    daemon.on('POST', /^\/images\/create$/, { lines });
    expect(await timed.images.pullTimed('lbreg:5000/lb/lbprobe-derived-1:1')).toEqual({
      wallMs: 400,
      layers: [
        { id: '8fdcbd84fe6d', status: 'already-present', downloadBytes: null, downloadMs: null, extractMs: null, downloadStartMs: null, downloadEndMs: null, extractStartMs: null, extractEndMs: null },
        { id: 'd1f1fcea5fda', status: 'downloaded', downloadBytes: 3_001_127, downloadMs: 198, extractMs: 83, downloadStartMs: 46, downloadEndMs: 244, extractStartMs: 244, extractEndMs: 327 },
        { id: 'ecbe99fbc43f', status: 'downloaded', downloadBytes: 2_000_823, downloadMs: 151, extractMs: 65, downloadStartMs: 47, downloadEndMs: 198, extractStartMs: 329, extractEndMs: 394 },
      ],
      digest: 'sha256:45d5b258d9228065cddde848084ca52f11947848f641e71b8be07c73e59828be',
    });
  });

  it('an empty host: the one layer downloaded', async () => {
    const { engine: timed, lines } = engineReplaying('pull-empty-host');
    daemon.on('POST', /^\/images\/create$/, { lines });
    const trace = await timed.images.pullTimed('lb/layerbench-bookworm-python3-1:1');
    expect(trace.layers).toEqual([
      { id: '8fdcbd84fe6d', status: 'downloaded', downloadBytes: 79_422_539, downloadMs: 3299, extractMs: 4075, downloadStartMs: 71, downloadEndMs: 3370, extractStartMs: 3478, extractEndMs: 7553 },
    ]);
  });

  it('an error line in the middle of the stream rejects with an EngineError naming the pull and the registry\'s words', async () => {
    const lines = loadFixture('pull-sharing-base').map(({ msg }) => msg);
    daemon.on('POST', /^\/images\/create$/, { lines: [...lines.slice(0, 8), { errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' }, ...lines.slice(8)] });
    const error = await rejectionOf(engine.images.pullTimed('lb/x:1'));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ operation: 'pull lb/x:1', reason: 'unexpected EOF' });
  });

  it('a full disk reported in the stream is a DiskFullError', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: [{ status: 'Pulling fs layer', id: '8fdcbd84fe6d' }, { error: 'failed to register layer: no space left on device' }] });
    await expect(engine.images.pullTimed('lb/x:1')).rejects.toBeInstanceOf(DiskFullError);
  });

  it('a refused request rejects (it does not resolve false as pull does)', async () => {
    daemon.on('POST', /^\/images\/create$/, { status: 404, json: { message: 'manifest for lb/x:1 not found' } });
    await expect(engine.images.pullTimed('lb/x:1')).rejects.toMatchObject({ name: 'EngineError', statusCode: 404 });
  });

  it('the daemon going away mid-pull is DaemonUnavailableError (the cut response says only "aborted")', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: [{ status: 'Pulling fs layer', id: '8fdcbd84fe6d' }], then: 'vanish' });
    const error = await rejectionOf(engine.images.pullTimed('lb/x:1'));
    expect(error).toBeInstanceOf(DaemonUnavailableError);
    expect((error as DaemonUnavailableError).reason).toBe('aborted (ECONNRESET)');
  });
});

describe('push and import', () => {
  it('push sends an (empty) X-Registry-Auth, reads the stream to its end and resolves', async () => {
    daemon.on('POST', /^\/images\/.+\/push$/, { lines: [{ status: 'The push refers to repository [127.0.0.1:5000/lb/f1]' }, { status: 'x: digest: sha256:abc size: 1' }] });
    await engine.images.push('127.0.0.1:5000/lb/f1:x');
    const [request] = daemon.requestsTo('POST', /\/push$/);
    expect(request?.path).toBe('/images/127.0.0.1:5000/lb/f1:x/push');
    expect(JSON.parse(Buffer.from(String(request?.headers['x-registry-auth']), 'base64').toString())).toEqual({});
  });

  it('push: an error in the stream is an EngineError, a full disk a DiskFullError, a refused request an EngineError with its status', async () => {
    daemon.on('POST', /\/push$/, { lines: [{ status: 'Preparing' }, { error: 'denied: requested access to the resource is denied' }] });
    await expect(engine.images.push('r/x:1')).rejects.toMatchObject({ name: 'EngineError', operation: 'push r/x:1', reason: 'denied: requested access to the resource is denied' });
    daemon.on('POST', /\/push$/, { lines: [{ error: 'write: no space left on device' }] });
    await expect(engine.images.push('r/x:1')).rejects.toBeInstanceOf(DiskFullError);
    daemon.on('POST', /\/push$/, { status: 404, json: { message: 'No such image: r/x:1' } });
    await expect(engine.images.push('r/x:1')).rejects.toMatchObject({ name: 'EngineError', statusCode: 404 });
  });

  it('push: the daemon going away mid-stream is DaemonUnavailableError, not "could not push: aborted"', async () => {
    daemon.on('POST', /\/push$/, { lines: [{ status: 'Preparing' }], then: 'vanish' });
    await expect(engine.images.push('r/x:1')).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('import sends the root file system as the body, with repository, tag and changes, and resolves with the new image\'s ID', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: [{ status: 'sha256:abc' }] });
    daemon.on('GET', /^\/images\/lb\/fresh:1\/json$/, { json: inspection() });
    const id = await engine.images.import(Readable.from([Buffer.from('rootfs-tar-bytes')]), 'lb/fresh:1', ['ENV A=1', 'CMD ["sh"]']);
    expect(id).toBe(ID);
    const [request] = daemon.requestsTo('POST', /^\/images\/create$/);
    expect(request?.body.toString()).toBe('rootfs-tar-bytes');
    expect(request?.query.get('fromSrc')).toBe('-');
    expect(request?.query.get('repo')).toBe('lb/fresh');
    expect(request?.query.get('tag')).toBe('1');
    expect(request?.query.getAll('changes')).toEqual(['ENV A=1', 'CMD ["sh"]']);
  });

  it('import: an error in the stream, or no image after a clean one, is an EngineError', async () => {
    daemon.on('POST', /^\/images\/create$/, { lines: [{ error: 'archive/tar: invalid tar header' }] });
    await expect(engine.images.import(Readable.from([Buffer.from('x')]), 'lb/fresh:1', [])).rejects.toMatchObject({ name: 'EngineError', reason: 'archive/tar: invalid tar header' });
    daemon.on('POST', /^\/images\/create$/, { lines: [{ status: 'sha256:abc' }] });
    daemon.on('GET', /^\/images\/.+\/json$/, { status: 404, json: { message: 'No such image' } });
    await expect(engine.images.import(Readable.from([Buffer.from('x')]), 'lb/fresh:1', [])).rejects.toMatchObject({
      name: 'EngineError',
      operation: 'import lb/fresh:1',
      reason: 'the import reported no error, and left no image',
    });
  });
});
