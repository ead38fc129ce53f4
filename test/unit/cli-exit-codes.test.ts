/**
 * One exit code per meaning, through the command line's own entry point, in-process: a finding
 * is 1, bad input 2, the environment 3, a bug 70 (never 1, so that a CI gate never reads one as
 * a regression). And the failures of the engine adapter, the pull experiment's helpers and the
 * run registry arrive as the typed errors that carry those codes, without Docker: a fake daemon
 * over HTTP, testcontainers-style errors handed to the translating function, stubbed execs.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import type { DockerEngine, ExecOutcome } from '../../src/engine/docker-engine.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { helperFailure } from '../../src/engine/helper-containers.js';
import {
  BandwidthError,
  DaemonUnavailableError,
  DiskFullError,
  EngineError,
  ExitCode,
  FreshHostError,
  HelperContainerError,
  LayerbenchError,
  LinkShapeError,
  RegistryError,
  RunStateError,
  UsageError,
} from '../../src/errors.js';
import { FreshHost } from '../../src/pull/fresh-host.js';
import { LinkShaper, tbfCommand } from '../../src/pull/link-shaper.js';
import { manifestLayers } from '../../src/pull/registry-manifest.js';
import { RunRegistry } from '../../src/run/run-registry.js';
import { FakeEngine } from '../support/fake-engine.js';
import { NO_STACK_TRACE, runMain, type MainOutcome } from './support/in-process-cli.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';

const root = makeTempDir();
// A run of this machine's own (a benchmark in another shell) must not be what these specs meet.
process.env['LAYERBENCH_STATE_DIR'] = join(root, 'state');
/** `layerbench clean`, whose first call is the engine's ping: what that throws is what the CLI reports. */
function cleanWith(engine: DockerEngine | undefined, env: NodeJS.ProcessEnv = process.env): Promise<MainOutcome> {
  return runMain(['clean', '--dry-run'], env, engine === undefined ? {} : { engine: () => engine });
}

const pingThrowing = (error: unknown): FakeEngine => {
  const engine = new FakeEngine();
  engine.system.ping = async () => {
    throw error;
  };
  return engine;
};

afterAll(() => removeTempDirs());

describe('an unexpected failure is a bug: exit 70, never 1', () => {
  it('a plain Error from an engine method exits 70 and says it is a bug, without a stack trace', async () => {
    const outcome = await cleanWith(pingThrowing(new Error('undefined is not a function')));
    expect(outcome.code).toBe(70);
    expect(outcome.code).toBe(ExitCode.unexpected);
    expect(outcome.code).not.toBe(ExitCode.failure);
    expect(outcome.stderr).toMatch(/^layerbench: unexpected failure: undefined is not a function\n/);
    expect(outcome.stderr).toMatch(/This is a bug in layerbench \(exit 70\)/);
    expect(outcome.stderr).toContain('LAYERBENCH_DEBUG=1');
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
  });

  it('something thrown that is not an Error is a bug too', async () => {
    const outcome = await cleanWith(pingThrowing('a string'));
    expect(outcome.code).toBe(70);
    expect(outcome.stderr).toMatch(/unexpected failure: a string\n.*is a bug in layerbench/);
  });

  it('LAYERBENCH_DEBUG=1 adds the stack trace, the code stays 70', async () => {
    const outcome = await cleanWith(pingThrowing(new TypeError('boom')), { ...process.env, LAYERBENCH_DEBUG: '1' });
    expect(outcome.code).toBe(70);
    expect(outcome.stderr).toMatch(NO_STACK_TRACE);
  });

  it('the help names code 70, at the top and for compare', async () => {
    let stdout = '';
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined }, env: process.env };
    expect(await main(['--help'], io)).toBe(0);
    expect(stdout.replace(/\s+/g, ' ')).toMatch(/3 environment .* · 70 an unexpected failure \(a bug in layerbench\) · 130 interrupted/);
    stdout = '';
    expect(await main(['compare', '--help'], io)).toBe(0);
    expect(stdout.replace(/\s+/g, ' ')).toMatch(/Exit codes: 0 no regression · 1 a regression · 2 not comparable .* · 70 an unexpected failure/);
  });
});

describe('each new error class, through main: its code, its message and its hint', () => {
  const cases: [string, LayerbenchError, number, RegExp][] = [
    ['EngineError', new EngineError('unix:///fake.sock', 'create the network n', '(HTTP code 500) server error - boom', 500), 3, /The Docker daemon at unix:\/\/\/fake\.sock could not create the network n: .*boom\.\n.*journalctl -u docker/],
    ['EngineError (404)', new EngineError('unix:///fake.sock', 'tag a as b', 'No such image: a', 404), 3, /The Docker daemon at unix:\/\/\/fake\.sock could not tag a as b: No such image: a\.\nSomething removed what layerbench had made or named/],
    ['HelperContainerError', new HelperContainerError('layerbench-registry-x', 'layerbench/pull-registry:1', 'did not start', 'boom'), 3, /The helper container layerbench-registry-x \(layerbench\/pull-registry:1\) did not start: boom\.\n.*layerbench doctor/],
    ['FreshHostError', new FreshHostError('abc', 'Could not read the byte counter of the fresh host abc.'), 3, /Could not read the byte counter of the fresh host abc\.\nThe fresh host's container may have stopped/],
    ['RegistryError', new RegistryError('127.0.0.1:5000', 'has no manifest for lb/f1:x (HTTP 404)'), 3, /The experiment's registry at 127\.0\.0\.1:5000 has no manifest for lb\/f1:x \(HTTP 404\)\.\nThe registry container may have stopped/],
    ['BandwidthError', new BandwidthError('fast'), 2, /"fast" is not a link rate\.\nWrite a rate as a number and kbit, mbit or gbit/],
    ['LinkShapeError', new LinkShapeError('tc qdisc replace dev eth0 root tbf', 'Operation not permitted'), 3, /Could not shape the link \(tc qdisc replace dev eth0 root tbf\): Operation not permitted\.\ntc needs the kernel's tbf/],
    ['RunStateError', new RunStateError('/nope', 'Could not write layerbench\'s run records in /nope (EACCES).'), 3, /Could not write layerbench's run records in \/nope \(EACCES\)\.\nMake \/nope writable, or point LAYERBENCH_STATE_DIR/],
  ];
  it.each(cases)('%s → its code', async (_name, error, code, message) => {
    expect(error.exitCode).toBe(code);
    const outcome = await cleanWith(pingThrowing(error));
    expect(outcome.code).toBe(code);
    expect(outcome.stderr).toMatch(new RegExp(`^layerbench: ${message.source}`));
    expect(outcome.stderr).not.toContain('bug');
    expect(outcome.stderr).not.toMatch(NO_STACK_TRACE);
  });

  it('the mapping that was there stays: no daemon and a full disk are 3, a usage error 2', async () => {
    expect((await cleanWith(pingThrowing(new DaemonUnavailableError('unix:///fake.sock', 'connect ENOENT')))).code).toBe(3);
    expect((await cleanWith(pingThrowing(new DiskFullError('/var/lib/docker', 1000, 'no space left on device')))).code).toBe(3);
    expect((await cleanWith(pingThrowing(new UsageError('bad')))).code).toBe(2);
  });
});

/** A "daemon" that answers /_ping and refuses everything else, as the Engine API refuses. */
describe('the engine adapter: a daemon that answers with an error is an EngineError (exit 3), not a bug', () => {
  let server: Server;
  let host: string;
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '';
    if (path.startsWith('/_ping')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (/\/push(\?|$)/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"preparing"}\n{"error":"denied: requested access to the resource is denied"}\n');
    } else if (/\/images\/[^/]+\/tag/.test(path) || /\/networks\//.test(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"No such object"}');
    } else {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"the fake daemon refuses"}');
    }
  };
  beforeAll(async () => {
    server = createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('through main: `clean` on a daemon that refuses to list exits 3, naming what it refused', async () => {
    const outcome = await cleanWith(undefined, { PATH: process.env['PATH'], DOCKER_HOST: host });
    expect(outcome.stderr).toMatch(/^layerbench: The Docker daemon at tcp:\/\/127\.0\.0\.1:\d+ could not list the (containers|images|networks|volumes) labelled layerbench\.run: the fake daemon refuses\./);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).not.toContain('bug');
  });

  it('an HTTP error names the operation and keeps the status', async () => {
    const engine = new DockerodeEngine({ DOCKER_HOST: host });
    const error = await engine.images.listDangling().then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).statusCode).toBe(500);
    expect((error as EngineError).message).toBe(`The Docker daemon at ${host} could not list its dangling images: the fake daemon refuses.`);
  });

  it('a 404 has a hint of its own; a network already gone is no error', async () => {
    const engine = new DockerodeEngine({ DOCKER_HOST: host });
    const error = await engine.images.tag('sha256:abc', 'x:1').then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).hint).toMatch(/Something removed what layerbench had made or named/);
    await expect(engine.networks.removeNetwork('gone')).resolves.toBeUndefined();
  });

  it('a push whose stream reports an error is an EngineError naming the push', async () => {
    const engine = new DockerodeEngine({ DOCKER_HOST: host });
    const error = await engine.images.push('127.0.0.1:5000/lb/f1:x').then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/could not push 127\.0\.0\.1:5000\/lb\/f1:x: denied: requested access to the resource is denied\.$/);
  });

  it('no daemon at all is still DaemonUnavailableError', async () => {
    const engine = new DockerodeEngine({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    await expect(engine.images.listDangling()).rejects.toBeInstanceOf(DaemonUnavailableError);
  });
});

describe('the helper containers: what testcontainers throws becomes a typed error', () => {
  const spec = { name: 'layerbench-registry-x', image: 'layerbench/pull-registry:1', readyWhenLogs: /listening on/, startupTimeoutMs: 30_000 };
  const endpoint = 'unix:///var/run/docker.sock';

  it('the log wait strategy timing out: HelperContainerError, exit 3, with the timeout and what it waited for', () => {
    const error = helperFailure(new Error('Log message "/listening on/" not received after 30000ms'), spec, 'start', endpoint);
    expect(error).toBeInstanceOf(HelperContainerError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe('The helper container layerbench-registry-x (layerbench/pull-registry:1) was not ready within 30 s: it never logged a line matching /listening on/.');
    expect(error.hint).toMatch(/run again; `layerbench doctor` checks/);
  });

  it('the container exiting before it was ready', () => {
    const error = helperFailure(new Error('Log stream ended and message "/listening on/" was not received'), spec, 'start', endpoint);
    expect(error).toBeInstanceOf(HelperContainerError);
    expect(error.message).toMatch(/exited before it was ready/);
  });

  it('a container that will not start (the daemon refusing it), and a name already taken', () => {
    const refused = Object.assign(new Error('(HTTP code 500) server error - failed to create task'), { statusCode: 500, json: { message: 'failed to create task for container: operation not permitted' } });
    const error = helperFailure(refused, spec, 'start', endpoint);
    expect(error).toBeInstanceOf(HelperContainerError);
    expect(error.message).toBe('The helper container layerbench-registry-x (layerbench/pull-registry:1) did not start: failed to create task for container: operation not permitted.');
    const taken = helperFailure(Object.assign(new Error('(HTTP code 409) conflict'), { statusCode: 409, json: { message: 'Conflict. The container name is already in use' } }), spec, 'start', endpoint);
    expect(taken.hint).toMatch(/layerbench clean/);
  });

  it('no daemon, or a full disk, keep their own classes', () => {
    expect(helperFailure(new Error('Could not find a working container runtime strategy'), spec, 'start', endpoint)).toBeInstanceOf(DaemonUnavailableError);
    const gone = helperFailure(new Error('connect ECONNREFUSED /var/run/docker.sock'), spec, 'start', endpoint);
    expect(gone).toBeInstanceOf(DaemonUnavailableError);
    expect(gone.message).toMatch(/unix:\/\/\/var\/run\/docker\.sock stopped answering during the start of layerbench-registry-x/);
    expect(helperFailure(new Error('write /var/lib/docker/x: no space left on device'), spec, 'start', endpoint)).toBeInstanceOf(DiskFullError);
  });

  it('a stop that fails, and an error already named, pass as they should', () => {
    expect(helperFailure(new Error('(HTTP code 500) server error'), spec, 'stop', endpoint).message).toMatch(/could not be stopped/);
    const named = new HelperContainerError('a', 'b', 'did not start', 'c');
    expect(helperFailure(named, spec, 'start', endpoint)).toBe(named);
  });
});

describe('the pull experiment and the run registry throw typed errors', () => {
  const execEngine = (outcome: ExecOutcome): DockerEngine => ({ containers: { exec: async () => outcome } }) as unknown as DockerEngine;

  it('a bandwidth that is not a rate is bad input (2)', () => {
    expect(() => tbfCommand('eth0', 'fast')).toThrow(BandwidthError);
    expect(new BandwidthError('fast').exitCode).toBe(2);
  });

  it('tc failing to shape the link is LinkShapeError (3)', async () => {
    const shaper = await LinkShaper.forContainer(execEngine({ exitCode: 2, output: 'RTNETLINK answers: Operation not permitted\n' }), 'registry', { bandwidth: '100mbit', latency: 'none' });
    const error = await shaper.on().then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(LinkShapeError);
    expect((error as LinkShapeError).message).toMatch(/^Could not shape the link \(tc qdisc replace dev eth0 root tbf rate 100mbit .*\): RTNETLINK answers: Operation not permitted\.$/);
  });

  it("a fresh host's byte counter that cannot be read is FreshHostError (3)", async () => {
    const helper = { id: 'f'.repeat(64), hostPort: () => 1, stop: async () => undefined };
    const host = Reflect.construct(FreshHost as unknown as new (...args: unknown[]) => FreshHost, [execEngine({ exitCode: 1, output: 'cat: no such file' }), helper, 'volume', undefined, 'privileged']) as FreshHost;
    const error = await host.receivedBytes().then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(FreshHostError);
    expect((error as FreshHostError).exitCode).toBe(3);
    expect((error as FreshHostError).message).toMatch(/byte counter of the fresh host ffffffffffff .*: cat: no such file\./);
  });

  it('a registry without the manifest, or not answering, is RegistryError (3)', async () => {
    const registry = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const port = (registry.address() as AddressInfo).port;
    try {
      const missing = await manifestLayers(port, 'lb/f1', 'x').then(() => undefined, (err: unknown) => err);
      expect(missing).toBeInstanceOf(RegistryError);
      expect((missing as RegistryError).message).toBe(`The experiment's registry at 127.0.0.1:${port} has no manifest for lb/f1:x (HTTP 404).`);
    } finally {
      await new Promise((resolve) => registry.close(resolve));
    }
    const closed = await manifestLayers(port, 'lb/f1', 'x').then(() => undefined, (err: unknown) => err);
    expect(closed).toBeInstanceOf(RegistryError);
    expect((closed as RegistryError).message).toMatch(/did not serve the manifest of lb\/f1:x \(ECONNREFUSED\)/);
  });

  it('a state directory that cannot be written is RunStateError (3)', () => {
    const file = join(root, 'not-a-directory');
    writeFileSync(file, 'x');
    const registry = new RunRegistry(join(file, 'state'));
    let error: unknown;
    try {
      registry.register({ runId: 'r1', pid: process.pid, processStart: null, startedAt: new Date().toISOString(), daemonId: 'D', endpoint: 'unix:///fake.sock', scratch: null, indexPort: null }, true);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RunStateError);
    expect((error as RunStateError).exitCode).toBe(3);
    expect((error as RunStateError).message).toMatch(/Could not write layerbench's run records in .*not-a-directory\/state \(ENOTDIR\)\./);
    expect(() => registry.journal('r1', 'sha256:x')).toThrow(RunStateError);
  });
});
