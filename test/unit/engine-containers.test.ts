/**
 * The engine's container and network areas against a stub daemon: the containers layerbench
 * starts itself (a service on a published port, a detached app, a privileged probe), a command
 * run in one through the exec endpoints (a hijacked, multiplexed stream), logs, and removal
 * where "already gone" is no error; networks and volumes likewise.
 */
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { DaemonUnavailableError, EngineError } from '../../src/errors.js';
import { StubDaemon, type StubRequest } from '../support/stub-daemon.js';
import { rejectionOf } from './support/error-of.js';

/** One frame of a multiplexed stream (no TTY): stream 1 stdout, 2 stderr. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const bodyOf = (request: StubRequest | undefined): Record<string, unknown> => JSON.parse(request?.body.toString() ?? '{}') as Record<string, unknown>;

let daemon: StubDaemon;
let engine: DockerodeEngine;

beforeEach(async () => {
  daemon = await StubDaemon.start();
  engine = new DockerodeEngine(daemon.env);
  daemon.on('POST', /^\/containers\/create$/, { status: 201, json: { Id: 'c1', Warnings: [] } });
  daemon.on('POST', /^\/containers\/c1\/start$/, { status: 204, text: '' });
  daemon.on('DELETE', /^\/containers\/c1$/, { status: 204, text: '' });
});

afterEach(async () => {
  await daemon.stop();
});

const removals = (): StubRequest[] => daemon.requestsTo('DELETE', /^\/containers\/c1$/);

describe('startService', () => {
  it('publishes the port on 127.0.0.1 (a random host port), labelled, and resolves with the port the daemon chose', async () => {
    daemon.on('GET', /^\/containers\/c1\/json$/, { json: { Id: 'c1', State: { Running: true }, NetworkSettings: { Ports: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }] } } } });
    expect(await engine.containers.startService('app:1', 8000, { 'layerbench.run': 'r1' })).toEqual({ id: 'c1', hostPort: 49153 });
    expect(bodyOf(daemon.requestsTo('POST', /^\/containers\/create$/)[0])).toEqual({
      Image: 'app:1',
      Labels: { 'layerbench.run': 'r1' },
      ExposedPorts: { '8000/tcp': {} },
      HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false },
    });
    expect(removals()).toEqual([]);
  });

  it('a started container without the binding: removed, and an EngineError naming the port', async () => {
    daemon.on('GET', /^\/containers\/c1\/json$/, { json: { Id: 'c1', NetworkSettings: { Ports: {} } } });
    const error = await rejectionOf(engine.containers.startService('app:1', 8000, {}));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ operation: 'publish port 8000/tcp of a container of app:1', reason: 'the started container has no binding for it on 127.0.0.1' });
    expect(removals()).toHaveLength(1);
  });

  it('a container that will not start: removed, and an EngineError with the daemon\'s reason', async () => {
    daemon.on('POST', /^\/containers\/c1\/start$/, { status: 500, json: { message: 'driver failed programming external connectivity: port is already allocated' } });
    const error = await rejectionOf(engine.containers.startService('app:1', 8000, {}));
    expect(error).toMatchObject({ name: 'EngineError', operation: 'start a container of app:1', statusCode: 500 });
    expect((error as EngineError).reason).toMatch(/port is already allocated/);
    expect(removals()).toHaveLength(1);
  });

  it('an image the daemon does not have: the create is refused, nothing to remove', async () => {
    daemon.on('POST', /^\/containers\/create$/, { status: 404, json: { message: 'No such image: app:1' } });
    await expect(engine.containers.startService('app:1', 8000, {})).rejects.toMatchObject({ name: 'EngineError', operation: 'create a container of app:1', statusCode: 404 });
    expect(removals()).toEqual([]);
  });
});

describe('runDetached', () => {
  it('starts a labelled container, on the host network when asked', async () => {
    expect(await engine.containers.runDetached('app:1', { labels: { a: 'b' }, hostNetwork: true })).toBe('c1');
    expect(bodyOf(daemon.requestsTo('POST', /^\/containers\/create$/)[0])).toEqual({ Image: 'app:1', Labels: { a: 'b' }, HostConfig: { NetworkMode: 'host' } });
    await engine.containers.runDetached('app:1', { labels: {}, hostNetwork: false });
    expect(bodyOf(daemon.requestsTo('POST', /^\/containers\/create$/)[1])).toMatchObject({ HostConfig: {} });
  });

  it('a start refused: the container removed, an EngineError', async () => {
    daemon.on('POST', /^\/containers\/c1\/start$/, { status: 500, json: { message: 'OCI runtime create failed' } });
    await expect(engine.containers.runDetached('app:1', { labels: {}, hostNetwork: false })).rejects.toMatchObject({ name: 'EngineError', operation: 'start a container of app:1' });
    expect(removals()).toHaveLength(1);
  });
});

describe('exec', () => {
  beforeEach(() => {
    daemon.on('POST', /^\/containers\/c1\/exec$/, { status: 201, json: { Id: 'e1' } });
    daemon.on('POST', /^\/exec\/e1\/start$/, {
      upgrade: (socket: Duplex) => socket.end(Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')])),
    });
    daemon.on('GET', /^\/exec\/e1\/json$/, { json: { ExitCode: 3, Running: false } });
  });

  it('runs the command with stdout and stderr attached, and resolves with its exit code and both streams as written', async () => {
    expect(await engine.containers.exec('c1', ['sh', '-c', 'echo hi'])).toEqual({ exitCode: 3, output: 'out one\nerr one\nout two\n' });
    expect(bodyOf(daemon.requestsTo('POST', /^\/containers\/c1\/exec$/)[0])).toEqual({ Cmd: ['sh', '-c', 'echo hi'], AttachStdout: true, AttachStderr: true });
    // the start is hijacked: the output arrives on the upgraded connection
    expect(daemon.requestsTo('POST', /^\/exec\/e1\/start$/)[0]?.headers.upgrade).toBe('tcp');
  });

  it('an exec whose exit code the daemon does not know reads -1', async () => {
    daemon.on('GET', /^\/exec\/e1\/json$/, { json: { ExitCode: null } });
    expect((await engine.containers.exec('c1', ['true'])).exitCode).toBe(-1);
  });

  it('a container that is gone, or stopped: an EngineError naming the command and the container', async () => {
    daemon.on('POST', /^\/containers\/c1\/exec$/, { status: 404, json: { message: 'No such container: c1' } });
    await expect(engine.containers.exec('c1', ['pip', 'config'])).rejects.toMatchObject({ name: 'EngineError', operation: 'run pip in the container c1', statusCode: 404 });
    daemon.on('POST', /^\/containers\/c1\/exec$/, { status: 201, json: { Id: 'e1' } });
    daemon.on('POST', /^\/exec\/e1\/start$/, { status: 409, json: { message: 'Container c1 is not running' } });
    await expect(engine.containers.exec('c1', ['pip'])).rejects.toMatchObject({ name: 'EngineError', statusCode: 409 });
  });
});

describe('logs, isRunning, remove, privilegedWorks', () => {
  it('logs: the last 30 lines of both streams, demultiplexed', async () => {
    daemon.on('GET', /^\/containers\/c1\/logs$/, { text: Buffer.concat([frame(1, 'Uvicorn running\n'), frame(2, 'WARNING: x\n')]) });
    expect(await engine.containers.logs('c1')).toBe('Uvicorn running\nWARNING: x\n');
    const [request] = daemon.requestsTo('GET', /\/logs$/);
    expect(Object.fromEntries(request?.query ?? [])).toMatchObject({ stdout: 'true', stderr: 'true', tail: '30' });
  });

  it('logs that are not multiplexed (shorter than a frame header) come as they are', async () => {
    daemon.on('GET', /^\/containers\/c1\/logs$/, { text: 'ready' });
    expect(await engine.containers.logs('c1')).toBe('ready');
  });

  it('isRunning: the container\'s state; one that is gone is not running; a refusal is an EngineError', async () => {
    daemon.on('GET', /^\/containers\/c1\/json$/, { json: { State: { Running: true } } });
    expect(await engine.containers.isRunning('c1')).toBe(true);
    daemon.on('GET', /^\/containers\/c1\/json$/, { json: { State: { Running: false } } });
    expect(await engine.containers.isRunning('c1')).toBe(false);
    daemon.on('GET', /^\/containers\/c1\/json$/, { status: 404, json: { message: 'No such container' } });
    expect(await engine.containers.isRunning('c1')).toBe(false);
    daemon.on('GET', /^\/containers\/c1\/json$/, { status: 500, json: { message: 'boom' } });
    await expect(engine.containers.isRunning('c1')).rejects.toMatchObject({ name: 'EngineError', operation: 'inspect the container c1' });
  });

  it('remove: forced, with its anonymous volumes; gone (404) or already being removed (409) is no error', async () => {
    await engine.containers.remove('c1');
    expect(Object.fromEntries(removals()[0]?.query ?? [])).toEqual({ force: 'true', v: 'true' });
    daemon.on('DELETE', /^\/containers\/c1$/, { status: 404, json: { message: 'No such container' } });
    await expect(engine.containers.remove('c1')).resolves.toBeUndefined();
    daemon.on('DELETE', /^\/containers\/c1$/, { status: 409, json: { message: 'removal of container c1 is already in progress' } });
    await expect(engine.containers.remove('c1')).resolves.toBeUndefined();
    daemon.on('DELETE', /^\/containers\/c1$/, { status: 500, json: { message: 'device busy' } });
    await expect(engine.containers.remove('c1')).rejects.toMatchObject({ name: 'EngineError', operation: 'remove the container c1' });
  });

  it('remove with no daemon: DaemonUnavailableError', async () => {
    daemon.vanish();
    await expect(engine.containers.remove('c1')).rejects.toBeInstanceOf(DaemonUnavailableError);
  });

  it('privilegedWorks: a privileged container of the image that starts works; it is removed either way', async () => {
    expect(await engine.containers.privilegedWorks('docker:dind', { a: 'b' })).toEqual({ works: true });
    expect(bodyOf(daemon.requestsTo('POST', /^\/containers\/create$/)[0])).toEqual({ Image: 'docker:dind', Cmd: ['true'], Labels: { a: 'b' }, HostConfig: { Privileged: true } });
    expect(removals()).toHaveLength(1);
  });

  it('privilegedWorks: a start refused says why, in the daemon\'s words (without the HTTP preamble)', async () => {
    daemon.on('POST', /^\/containers\/c1\/start$/, { status: 500, json: { message: 'failed to create shim task: OCI runtime create failed: operation not permitted' } });
    expect(await engine.containers.privilegedWorks('docker:dind', {})).toEqual({ works: false, reason: 'failed to create shim task: OCI runtime create failed: operation not permitted' });
    expect(removals()).toHaveLength(1);
  });
});

describe('networks and volumes', () => {
  it('creates a labelled bridge network (refusing a duplicate name) and resolves with its ID', async () => {
    daemon.on('POST', /^\/networks\/create$/, { status: 201, json: { Id: 'n1', Warning: '' } });
    expect(await engine.networks.createNetwork('lb-net', { 'layerbench.run': 'r1' })).toBe('n1');
    expect(bodyOf(daemon.requests.at(-1))).toEqual({ Name: 'lb-net', Driver: 'bridge', Labels: { 'layerbench.run': 'r1' }, CheckDuplicate: true });
  });

  it('a network name taken: an EngineError with the 409 hint', async () => {
    daemon.on('POST', /^\/networks\/create$/, { status: 409, json: { message: 'network with name lb-net already exists' } });
    const error = await rejectionOf(engine.networks.createNetwork('lb-net', {}));
    expect(error).toMatchObject({ name: 'EngineError', operation: 'create the network lb-net', statusCode: 409 });
    expect((error as EngineError).hint).toMatch(/layerbench clean/);
  });

  it('removes a network; one already gone is no error, another refusal is', async () => {
    daemon.on('DELETE', /^\/networks\/n1$/, { status: 204, text: '' });
    await engine.networks.removeNetwork('n1');
    daemon.on('DELETE', /^\/networks\/n1$/, { status: 404, json: { message: 'network n1 not found' } });
    await expect(engine.networks.removeNetwork('n1')).resolves.toBeUndefined();
    daemon.on('DELETE', /^\/networks\/n1$/, { status: 403, json: { message: 'network n1 has active endpoints' } });
    await expect(engine.networks.removeNetwork('n1')).rejects.toMatchObject({ name: 'EngineError', operation: 'remove the network n1', statusCode: 403 });
  });

  it('creates a labelled volume and removes it; one already gone is no error', async () => {
    daemon.on('POST', /^\/volumes\/create$/, { status: 201, json: { Name: 'lb-vol' } });
    await engine.networks.createVolume('lb-vol', { 'layerbench.run': 'r1' });
    expect(bodyOf(daemon.requests.at(-1))).toEqual({ Name: 'lb-vol', Labels: { 'layerbench.run': 'r1' } });
    daemon.on('DELETE', /^\/volumes\/lb-vol$/, { status: 404, json: { message: 'no such volume' } });
    await expect(engine.networks.removeVolume('lb-vol')).resolves.toBeUndefined();
    daemon.on('DELETE', /^\/volumes\/lb-vol$/, { status: 409, json: { message: 'volume is in use' } });
    await expect(engine.networks.removeVolume('lb-vol')).rejects.toMatchObject({ name: 'EngineError', operation: 'remove the volume lb-vol', statusCode: 409 });
    daemon.on('POST', /^\/volumes\/create$/, { status: 500, json: { message: 'no' } });
    await expect(engine.networks.createVolume('lb-vol', {})).rejects.toMatchObject({ operation: 'create the volume lb-vol' });
  });
});
