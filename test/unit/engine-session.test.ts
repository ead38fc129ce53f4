/**
 * A BuildKit session as the daemon meets it: layerbench's gRPC server over one connection,
 * called by the daemon's side (test/support/session-peer.ts) as BuildKit calls it — the health
 * check, credentials, and file sync of the two synced dirs with the filters BuildKit sends.
 */
import { symlinkSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBuildSession, type BuildSession } from '../../src/engine/session/build-session.js';
import { resolveFollowPaths } from '../../src/engine/session/synced-dir-walk.js';
import { encodePacket, PacketType } from '../../src/engine/session/wire.js';
import { SessionPeer } from '../support/session-peer.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

let server: Server;
let socketPath: string;
let peers: Promise<SessionPeer>[];
let context: string;
let session: BuildSession | undefined;

beforeEach(async () => {
  const dir = makeTempDir();
  socketPath = join(dir, 'session.sock');
  context = join(dir, 'ctx');
  writeTree(context, { Dockerfile: 'FROM x\nCOPY . .\n', 'app.py': 'print(1)\n', 'secret.txt': 'do not send\n', 'café.txt': 'accent\n', '.dockerignore': 'secret.txt\n' });
  peers = [];
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterEach(async () => {
  await session?.close();
  session = undefined;
  await new Promise((resolve) => server.close(resolve));
  removeTempDirs();
});

/** A session whose hijack connects to the "daemon" here; resolves with it and the daemon's side of it. */
async function open(): Promise<{ session: BuildSession; peer: SessionPeer; headers: Record<string, string | string[]> }> {
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  let sent: Record<string, string | string[]> = {};
  session = await openBuildSession(
    async (headers) => {
      sent = headers;
      const socket = connect(socketPath);
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    },
    { dirs: { context, dockerfile: context }, sharedKey: 'key-1' },
  );
  const peer = SessionPeer.over(await accepted);
  peers.push(Promise.resolve(peer));
  return { session, peer, headers: sent };
}

const DIFF_COPY = '/moby.filesync.v1.FileSync/DiffCopy';

describe('openBuildSession', () => {
  it('announces itself as the docker CLI does: an ID, the context\'s name, the shared key, each served method', async () => {
    const { headers, session: opened } = await open();
    expect(headers['X-Docker-Expose-Session-Uuid']).toBe(opened.id);
    expect(opened.id).toMatch(/^[0-9a-f]{32}$/);
    expect(headers['X-Docker-Expose-Session-Name']).toBe('ctx');
    expect(headers['X-Docker-Expose-Session-Sharedkey']).toBe('key-1');
    expect(headers['X-Docker-Expose-Session-Grpc-Method']).toEqual([DIFF_COPY, '/moby.filesync.v1.Auth/Credentials', '/grpc.health.v1.Health/Check']);
  });

  it('answers the health check SERVING, and credentials anonymously', async () => {
    const { peer } = await open();
    const health = await peer.unary('/grpc.health.v1.Health/Check', Buffer.alloc(0));
    expect(health.status).toBe(0);
    // HealthCheckResponse{status: SERVING}
    expect(health.messages).toEqual([Buffer.from([0x08, 0x01])]);
    const credentials = await peer.unary('/moby.filesync.v1.Auth/Credentials', Buffer.from([0x0a, 0x09, ...Buffer.from('docker.io')]));
    expect(credentials).toMatchObject({ status: 0, messages: [Buffer.alloc(0)] });
  });

  it('syncs the context without what its .dockerignore excludes, owners reset to 0, and counts what travelled until taken', async () => {
    const { peer, session: opened } = await open();
    const received = await peer.diffCopy({ 'dir-name': 'context' });
    expect(received.status).toBe(0);
    expect([...received.files.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'café.txt']);
    expect(received.stats.every((stat) => stat.uid === 0 && stat.gid === 0)).toBe(true);
    const bytes = [...received.files.values()].reduce((sum, content) => sum + content.length, 0);
    expect(opened.takeTraffic()).toEqual({ bytes, files: 4 });
    expect(opened.takeTraffic()).toEqual({ bytes: 0, files: 0 });
  });

  it('the request\'s own excludes apply where the request says override-excludes', async () => {
    const { peer } = await open();
    const received = await peer.diffCopy({ 'dir-name': 'context', 'override-excludes': 'true', 'exclude-patterns': 'app.py' });
    expect([...received.files.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'café.txt', 'secret.txt']);
  });

  it('include patterns, joined into one header value or query-escaped (BuildKit ≥ 0.12 for non-ASCII names)', async () => {
    const { peer } = await open();
    expect([...(await peer.diffCopy({ 'dir-name': 'dockerfile', 'include-patterns': 'Dockerfile, app.py' })).files.keys()].sort()).toEqual(['Dockerfile', 'app.py']);
    const escaped = await peer.diffCopy({ 'dir-name': 'dockerfile', 'include-patterns': encodeURIComponent('café.txt'), 'include-patterns-encoded': '1' });
    expect([...escaped.files.keys()]).toEqual(['café.txt']);
  });

  it('follow paths with a wildcard (COPY lib/*.py): each match, and where a match is a symlink, its target too', async () => {
    writeTree(context, { 'lib/a.py': 'a\n', 'lib/b.txt': 'b\n', 'vendor/real.py': 'real\n' });
    symlinkSync('../vendor/real.py', join(context, 'lib/linked.py'));
    const { peer } = await open();
    const received = await peer.diffCopy({ 'dir-name': 'context', followpaths: 'lib/*.py' });
    expect(received.stats.map((stat) => stat.path)).toEqual(['lib', 'lib/a.py', 'lib/linked.py', 'vendor', 'vendor/real.py']);
    expect(received.stats.find((stat) => stat.path === 'lib/linked.py')?.linkname).toBe('../vendor/real.py');
    expect([...received.files.keys()]).toEqual(['lib/a.py', 'vendor/real.py']);
  });

  it('a wildcard follow path stays a pattern (the walk matches it) and adds the targets of the symlinks it matches, as fsutil does', async () => {
    writeTree(context, { 'v/a1': '', 'v/b2': '', 'v/*x': '' });
    symlinkSync('a1', join(context, 'v/l1'));
    symlinkSync('b2', join(context, 'v/l2'));
    // Go's path.Match: ?, [classes], [^negations], escapes
    expect(await resolveFollowPaths(context, ['v/l?'])).toEqual(['v/a1', 'v/b2', 'v/l?']);
    expect(await resolveFollowPaths(context, ['v/l[1]'])).toEqual(['v/a1', 'v/l[1]']);
    expect(await resolveFollowPaths(context, ['v/l[^1]'])).toEqual(['v/b2', 'v/l[^1]']);
    // matches only `*x`, which is no symlink; a folder that is not there matches nothing
    expect(await resolveFollowPaths(context, ['v/\\*x'])).toEqual(['v/\\*x']);
    expect(await resolveFollowPaths(context, ['nowhere/*.py'])).toEqual(['nowhere/*.py']);
  });

  it('a dir it does not serve is NOT_FOUND', async () => {
    const { peer } = await open();
    const refused = await peer.diffCopy({ 'dir-name': 'secrets' });
    expect(refused).toMatchObject({ status: 5, message: 'no access allowed to dir "secrets"' });
  });

  it('an ERR from the daemon ends the call with its message (UNKNOWN)', async () => {
    const { peer } = await open();
    const failed = await peer.unary(DIFF_COPY, encodePacket({ type: PacketType.ERR, id: 0, data: Buffer.from('disk quota exceeded') }), { 'dir-name': 'context' });
    expect(failed.status).toBe(2);
    expect(failed.message).toBe('error from receiver: disk quota exceeded');
  });

  it('`ended` resolves when the daemon closes the connection (a restart); close() after that still resolves', async () => {
    const { peer, session: opened } = await open();
    peer.close();
    await opened.ended;
    await opened.close();
  });

  it('a hijack that fails rejects, and leaves no server behind', async () => {
    const refused = Object.assign(new Error('(HTTP code 404) sessions not supported'), { statusCode: 404 });
    await expect(openBuildSession(() => Promise.reject(refused), { dirs: { context, dockerfile: context }, sharedKey: 'k' })).rejects.toBe(refused);
  });
});
