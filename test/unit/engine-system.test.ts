/**
 * The engine's system area and its error translation, against a stub daemon: whether the
 * daemon answers, what it is (and which builder it picks itself), what carries a label,
 * BuildKit's cache; and how every failed request reads (the daemon gone, its disk full, or
 * an EngineError naming what was asked, with the status).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { DaemonRequests } from '../../src/engine/dockerode/daemon-requests.js';
import { DaemonUnavailableError, DiskFullError, EngineError, UsageError } from '../../src/errors.js';
import { StubDaemon } from '../support/stub-daemon.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';
import { rejectionOf } from './support/error-of.js';

const INFO = {
  ID: 'ABCD:EFGH',
  ServerVersion: '24.0.5',
  Driver: 'overlay2',
  OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  KernelVersion: '6.1.0-18-amd64',
  OSType: 'linux',
  DockerRootDir: '/var/lib/docker',
  NCPU: 4,
  MemTotal: 8_000_000_000,
};
const VERSION = { Version: '24.0.5', ApiVersion: '1.43' };

let daemon: StubDaemon;
let engine: DockerodeEngine;

beforeEach(async () => {
  daemon = await StubDaemon.start();
  daemon.on('GET', /^\/info$/, { json: INFO }).on('GET', /^\/version$/, { json: VERSION });
  engine = new DockerodeEngine(daemon.env);
});

afterEach(async () => {
  vi.useRealTimers();
  await daemon.stop();
  removeTempDirs();
});

describe('ping', () => {
  it('resolves when the daemon answers /_ping', async () => {
    await expect(engine.system.ping()).resolves.toBeUndefined();
    expect(daemon.requestsTo('GET', /^\/_ping$/)).toHaveLength(1);
  });

  it('no socket there: DaemonUnavailableError naming the endpoint', async () => {
    daemon.vanish();
    const error = await rejectionOf(engine.system.ping());
    expect(error).toBeInstanceOf(DaemonUnavailableError);
    expect((error as DaemonUnavailableError).endpoint).toBe(daemon.dockerHost);
    expect((error as DaemonUnavailableError).reason).toMatch(/ENOENT/);
    expect((error as DaemonUnavailableError).message).toMatch(/^No Docker daemon answers at unix:\/\/.*docker\.sock \(connect ENOENT/);
  });

  it('a daemon that answers /_ping with an error is not there either', async () => {
    daemon.on('GET', /^\/_ping$/, { status: 500, text: 'starting' });
    await expect(engine.system.ping()).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('a daemon that takes the connection and never answers: unavailable after 5 s', async () => {
    daemon.on('GET', /^\/_ping$/, () => new Promise(() => undefined));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pinged = rejectionOf(engine.system.ping());
    await vi.advanceTimersByTimeAsync(5_000);
    const error = await pinged;
    expect(error).toBeInstanceOf(DaemonUnavailableError);
    expect((error as DaemonUnavailableError).reason).toBe('no answer within 5 s');
  });
});

describe('facts', () => {
  it('reads the daemon from /info and /version', async () => {
    const facts = await engine.system.facts();
    expect(facts).toEqual({
      id: 'ABCD:EFGH',
      engineVersion: '24.0.5',
      apiVersion: '1.43',
      storageDriver: 'overlay2',
      os: 'Debian GNU/Linux 12 (bookworm) (6.1.0-18-amd64)',
      dockerRootDir: '/var/lib/docker',
      cpus: 4,
      memoryBytes: 8_000_000_000,
      buildkitSupported: true,
      defaultBuilder: { builder: 'buildkit', why: "the daemon's default: its /_ping answers Builder-Version: 2" },
      endpoint: 'unix',
    });
  });

  it('takes the default builder from the Builder-Version header of /_ping: 1 is classic, none is classic (an engine before 23.0)', async () => {
    daemon.on('GET', /^\/_ping$/, { text: 'OK', headers: { 'Builder-Version': '1' } });
    expect((await engine.system.facts()).defaultBuilder).toEqual({ builder: 'classic', why: "the daemon's default: its /_ping answers Builder-Version: 1" });
    daemon.on('GET', /^\/_ping$/, { text: 'OK' });
    expect((await engine.system.facts()).defaultBuilder).toEqual({
      builder: 'classic',
      why: "the daemon's default: its /_ping names no Builder-Version (an engine before 23.0 builds with the classic builder)",
    });
  });

  it('BuildKit is supported from API 1.39, on Linux only', async () => {
    daemon.on('GET', /^\/version$/, { json: { Version: '18.06.3', ApiVersion: '1.38' } });
    expect((await engine.system.facts()).buildkitSupported).toBe(false);
    daemon.on('GET', /^\/version$/, { json: { Version: '28.0.0', ApiVersion: '1.48' } });
    daemon.on('GET', /^\/info$/, { json: { ...INFO, OSType: 'windows' } });
    expect((await engine.system.facts()).buildkitSupported).toBe(false);
  });

  it('fills what an answer leaves out with placeholders, not undefined', async () => {
    daemon.on('GET', /^\/info$/, { json: {} }).on('GET', /^\/version$/, { json: {} });
    const facts = await engine.system.facts();
    expect(facts).toMatchObject({ id: 'unknown', engineVersion: 'unknown', apiVersion: '', storageDriver: 'unknown', os: 'unknown ()', dockerRootDir: '/var/lib/docker', cpus: 0, memoryBytes: 0, buildkitSupported: false });
  });

  it('a refused /info is an EngineError naming what was asked, with the status and the daemon\'s message', async () => {
    daemon.on('GET', /^\/info$/, { status: 500, json: { message: 'the daemon is shutting down' } });
    const error = await rejectionOf(engine.system.facts());
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ statusCode: 500, operation: 'report its system information', reason: 'the daemon is shutting down' });
    expect((error as EngineError).message).toBe(`The Docker daemon at ${daemon.dockerHost} could not report its system information: the daemon is shutting down.`);
  });

  it('a tcp endpoint with nothing listening: the daemon is unavailable', async () => {
    const remote = new DockerodeEngine({ DOCKER_HOST: 'tcp://127.0.0.1:1' });
    expect(remote.endpoint).toBe('tcp://127.0.0.1:1');
    await expect(remote.system.facts()).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('a malformed DOCKER_HOST is a UsageError from the constructor', () => {
    expect(() => new DockerodeEngine({ DOCKER_HOST: 'localhost:2375' })).toThrow(UsageError);
  });
});

describe('labelled objects and the build cache', () => {
  it('lists containers (all), images, networks and volumes carrying the label, by a label filter', async () => {
    daemon
      .on('GET', /^\/containers\/json$/, { json: [{ Id: 'c1', Labels: { 'layerbench.run': 'r1' } }, { Id: 'c2', Labels: null }] })
      .on('GET', /^\/images\/json$/, { json: [{ Id: 'sha256:i1', Labels: { 'layerbench.run': 'r1' } }] })
      .on('GET', /^\/networks$/, { json: [{ Id: 'n1', Labels: { 'layerbench.run': 'r1' } }] })
      .on('GET', /^\/volumes$/, { json: { Volumes: [{ Name: 'v1', Labels: { 'layerbench.run': 'r1' } }] } });
    const objects = await engine.system.listLabelled('layerbench.run=r1');
    expect(objects).toEqual({
      containers: [{ id: 'c1', labels: { 'layerbench.run': 'r1' } }, { id: 'c2', labels: {} }],
      images: [{ id: 'sha256:i1', labels: { 'layerbench.run': 'r1' } }],
      networks: [{ id: 'n1', labels: { 'layerbench.run': 'r1' } }],
      volumes: [{ id: 'v1', labels: { 'layerbench.run': 'r1' } }],
    });
    const [containers] = daemon.requestsTo('GET', /^\/containers\/json$/);
    expect(containers?.query.get('all')).toBe('true');
    for (const request of daemon.requests.filter((r) => r.path !== '/_ping')) {
      expect(JSON.parse(request.query.get('filters') ?? '{}')).toEqual({ label: ['layerbench.run=r1'] });
    }
  });

  it('a daemon with no volumes answers Volumes: null; that is none', async () => {
    daemon
      .on('GET', /^\/containers\/json$/, { json: [] })
      .on('GET', /^\/images\/json$/, { json: [] })
      .on('GET', /^\/networks$/, { json: [] })
      .on('GET', /^\/volumes$/, { json: { Volumes: null } });
    expect((await engine.system.listLabelled('layerbench.run')).volumes).toEqual([]);
  });

  it('counts the build cache as `docker system df` does, cache mounts apart', async () => {
    daemon.on('GET', /^\/system\/df$/, {
      json: { BuildCache: [{ Type: 'regular', Size: 1000 }, { Type: 'exec.cachemount', Size: 250 }, { Type: 'source.local' }] },
    });
    expect(await engine.system.buildCacheUsage()).toEqual({ entries: 3, totalBytes: 1250, cacheMountBytes: 250 });
    daemon.on('GET', /^\/system\/df$/, { json: { BuildCache: null } });
    expect(await engine.system.buildCacheUsage()).toEqual({ entries: 0, totalBytes: 0, cacheMountBytes: 0 });
  });

  it('prunes all of the build cache (all=true, not only the dangling entries) and counts what went', async () => {
    daemon.on('POST', /^\/build\/prune$/, { json: { CachesDeleted: ['a', 'b'], SpaceReclaimed: 4096 } });
    expect(await engine.system.pruneBuildCache()).toEqual({ entries: 2, reclaimedBytes: 4096 });
    expect(daemon.requestsTo('POST', /^\/build\/prune$/)[0]?.query.get('all')).toBe('true');
    daemon.on('POST', /^\/build\/prune$/, { json: { CachesDeleted: null } });
    expect(await engine.system.pruneBuildCache()).toEqual({ entries: 0, reclaimedBytes: 0 });
  });

  it('a refused prune is an EngineError naming it', async () => {
    daemon.on('POST', /^\/build\/prune$/, { status: 500, json: { message: 'builder is busy' } });
    await expect(engine.system.pruneBuildCache()).rejects.toMatchObject({ name: 'EngineError', operation: 'empty its build cache', statusCode: 500 });
  });
});

describe('DaemonRequests: how a failed request reads', () => {
  const unix = new DaemonRequests({ endpoint: 'unix:///var/run/docker.sock', kind: 'unix' });
  const httpError = (statusCode: number, message: string): Error => Object.assign(new Error(`(HTTP code ${statusCode}) - ${message}`), { statusCode, json: { message } });

  it('answers the refusals a caller expects with the value they mean; others throw, named', async () => {
    await expect(unix.call(() => Promise.reject(httpError(404, 'No such image')), 'inspect x', { 404: undefined })).resolves.toBeUndefined();
    await expect(unix.call(() => Promise.reject(httpError(409, 'in use')), 'remove x', { 404: 'gone', 409: 'in use' })).resolves.toBe('in use');
    const error = await rejectionOf(unix.call(() => Promise.reject(httpError(404, 'No such image')), 'inspect x'));
    expect(error).toMatchObject({ name: 'EngineError', statusCode: 404, operation: 'inspect x', reason: 'No such image' });
    expect((error as EngineError).hint).toMatch(/Something removed what layerbench had made or named/);
  });

  it('a 409 hints at what an earlier run left; a 500 at the daemon\'s log', () => {
    expect(unix.translate(httpError(409, 'Conflict. The name is already in use'), 'create x').hint).toMatch(/layerbench clean/);
    expect(unix.translate(httpError(500, 'boom'), 'create x').hint).toMatch(/journalctl -u docker/);
  });

  it('a connection that fails without an answer is the daemon gone; with an HTTP status it is not', () => {
    for (const message of ['connect ECONNREFUSED 127.0.0.1:2375', 'connect ENOENT /run/docker.sock', 'socket hang up', 'write EPIPE', 'read ECONNRESET', 'connect EACCES /var/run/docker.sock']) {
      expect(unix.translate(new Error(message), 'list images')).toBeInstanceOf(DaemonUnavailableError);
    }
    expect(unix.translate(Object.assign(new Error('socket hang up'), { statusCode: 502 }), 'list images')).toBeInstanceOf(EngineError);
  });

  it('a response cut off mid-stream (Node says only "aborted", its errno in `code`) is the daemon gone too', () => {
    const cut = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(unix.translate(cut, 'push x')).toMatchObject({ name: 'DaemonUnavailableError', reason: 'aborted (ECONNRESET)' });
  });

  it('"no space left on device" is a DiskFullError naming the data root facts() learnt, with what is free there', () => {
    const root = makeTempDir();
    const requests = new DaemonRequests({ endpoint: 'unix:///var/run/docker.sock', kind: 'unix' });
    expect(requests.translate(httpError(500, 'write /x: no space left on device'), 'pull x')).toMatchObject({ where: "the Docker daemon's data root /var/lib/docker" });
    requests.noteDataRoot(root);
    const error = requests.translate(httpError(500, 'failed to register layer: write /x: no space left on device\nmore detail'), 'pull x');
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ where: `the Docker daemon's data root ${root}`, detail: 'failed to register layer: write /x: no space left on device' });
    expect((error as DiskFullError).freeBytes).toBeGreaterThan(0);
  });

  it('a daemon on another machine: its free space is not read from this one', () => {
    const tcp = new DaemonRequests({ endpoint: 'tcp://10.0.0.2:2375', kind: 'tcp' });
    expect(tcp.diskFull('no space left on device').freeBytes).toBeUndefined();
  });

  it('keeps a LayerbenchError thrown on the way as it is, and names what is not an Error', () => {
    const own = new UsageError('bad');
    expect(unix.translate(own, 'x')).toBe(own);
    expect(unix.translate('a string was thrown', 'do x')).toMatchObject({ name: 'EngineError', reason: 'a string was thrown' });
  });
});
