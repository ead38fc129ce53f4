/**
 * A BuildKit build through layerbench's own session on the real daemon: `POST /session`
 * upgraded to h2c, then `POST /build?version=2&remote=client-session` with no body. The
 * daemon pulls what the Dockerfile names over file sync; a folder no COPY names stays home,
 * and a new session with the same shared key sends only what changed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBuildSession, type BuildSession } from '../../src/engine/session/build-session.js';
import { hijackSession } from '../../src/engine/session/hijack-session.js';

const docker = new Docker();
const run = randomBytes(4).toString('hex');
const baseTag = `layerbench-run/session-spec:base-${run}`;
const imageTag = `layerbench-run/session-spec:${run}`;
const BIG_BYTES = 50 * 1024 * 1024;

let scratch = '';
let context = '';
const sessions: BuildSession[] = [];
/** every image the spec's tag pointed to: a rebuild leaves the previous one dangling */
const built = new Set<string>();

interface BuildOutcome {
  status: number;
  lines: Record<string, unknown>[];
}

/** POST /build on the daemon's socket, no body, the stream read to its end. */
async function buildThroughSession(sessionId: string): Promise<BuildOutcome> {
  const query = new URLSearchParams({ version: '2', remote: 'client-session', session: sessionId, dockerfile: 'Dockerfile', t: imageTag });
  const socketPath = await (docker.modem as unknown as { getSocketPath(): Promise<string> }).getSocketPath();
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: `/build?${query}` }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const lines = body
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ status: res.statusCode ?? 0, lines });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function failureOf(outcome: BuildOutcome): string | undefined {
  const error = outcome.lines.find((l) => l.error !== undefined);
  return error === undefined ? undefined : String(error.error);
}

async function buildOnce(): Promise<{ outcome: BuildOutcome; traffic: { bytes: number; files: number } }> {
  // one session per build, as the docker CLI does: BuildKit keys a local source by session ID
  const session = await openBuildSession(hijackSession(docker), { dirs: { context, dockerfile: context }, sharedKey: `session-spec-${run}` });
  sessions.push(session);
  try {
    const outcome = await buildThroughSession(session.id);
    const id = await docker.getImage(imageTag).inspect().then((image) => image.Id, () => undefined);
    if (id !== undefined) built.add(id);
    return { outcome, traffic: session.takeTraffic() };
  } finally {
    await session.close();
  }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lb-session-spec-'));
  // a base image of one file, imported: no registry, no bootstrap needed
  const rootfs = join(scratch, 'rootfs');
  mkdirSync(rootfs);
  writeFileSync(join(rootfs, 'base.txt'), 'base\n');
  execFileSync('sh', ['-c', `tar -C "${rootfs}" -cf - . | docker import - "${baseTag}"`], { stdio: ['ignore', 'ignore', 'inherit'] });

  context = join(scratch, 'context');
  mkdirSync(join(context, 'src'), { recursive: true });
  mkdirSync(join(context, 'big'));
  writeFileSync(join(context, 'Dockerfile'), `FROM ${baseTag}\nCOPY requirements.txt /app/\nCOPY src /app/src\n`);
  writeFileSync(join(context, 'requirements.txt'), 'flask\n');
  writeFileSync(join(context, 'src', 'app.py'), 'print("one")\n');
  writeFileSync(join(context, 'src', 'util.py'), 'X = 1\n');
  writeFileSync(join(context, '.dockerignore'), '*.log\n');
  // a big folder no COPY names, not ignored
  for (let i = 0; i < 5; i++) writeFileSync(join(context, 'big', `blob-${i}.bin`), randomBytes(BIG_BYTES / 5));
}, 120_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  for (const reference of [imageTag, ...built, baseTag]) {
    await docker.getImage(reference).remove({ force: true }).catch(() => undefined);
  }
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('a BuildKit build through a layerbench session (remote=client-session, no body)', () => {
  it('builds, leaves the unreferenced big folder home, and then sends only the edited file', async () => {
    const first = await buildOnce();
    expect(first.outcome.status).toBe(200);
    expect(failureOf(first.outcome)).toBeUndefined();
    const image = await docker.getImage(imageTag).inspect();
    expect(image.Id).toMatch(/^sha256:/);
    // the Dockerfile, .dockerignore, requirements.txt and src/: bytes, not megabytes
    expect(first.traffic.bytes).toBeLessThan(BIG_BYTES / 100);
    expect(first.traffic.files).toBeGreaterThanOrEqual(3);

    writeFileSync(join(context, 'src', 'app.py'), 'print("two")\n');
    const second = await buildOnce();
    expect(failureOf(second.outcome)).toBeUndefined();
    expect(second.traffic).toEqual({ bytes: 'print("two")\n'.length, files: 1 });

    for (const session of sessions) await expect(session.ended).resolves.toBeUndefined();
  });
});
