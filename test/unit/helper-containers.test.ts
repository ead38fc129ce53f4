/**
 * The helper containers go to the daemon layerbench resolved, not to the one testcontainers
 * would find by itself (DOCKER_HOST of the process, else the default socket). A stub daemon on
 * a socket of its own answers what testcontainers asks before a container (its info, the
 * bridge's gateway, the image, the containers) and refuses the container: the refusal is the
 * stub's, and the process's DOCKER_HOST is as it was.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHelper, talksTo, type HelperSpec } from '../../src/engine/helper-containers.js';
import { HelperContainerError } from '../../src/errors.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';

const root = makeTempDir();
const socket = join(root, 'stub-docker.sock');
const requests: string[] = [];
let server: Server;

const spec: HelperSpec = { image: 'layerbench/pull-registry:1', name: 'layerbench-registry-x', network: 'lb-net', labels: { 'layerbench.run': 'x' }, ports: [5000], readyWhenLogs: /listening on/ };

/** What the stub daemon answers: enough of the Engine API for testcontainers to reach a container create, which it refuses. */
function answer(method: string, path: string): { status: number; body: unknown } {
  if (method === 'GET' && path.startsWith('/info')) return { status: 200, body: { ServerVersion: '26.1.5', OperatingSystem: 'Stub OS', OSType: 'linux', Architecture: 'x86_64', NCPU: 1, MemTotal: 1, IndexServerAddress: 'https://index.docker.io/v1/' } };
  if (method === 'GET' && path.startsWith('/networks/bridge')) return { status: 200, body: { IPAM: { Config: [{ Gateway: '172.17.0.1' }] } } };
  if (method === 'GET' && path.startsWith('/images/')) return { status: 200, body: { Id: 'sha256:stub' } };
  if (method === 'GET' && path.startsWith('/containers/json')) return { status: 200, body: [] };
  if (method === 'POST' && path.startsWith('/containers/create')) return { status: 500, body: { message: 'the stub daemon refuses containers' } };
  return { status: 404, body: { message: `the stub daemon has no ${method} ${path}` } };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    requests.push(`${method} ${path.split('?')[0] ?? path}`);
    request.resume();
    request.on('end', () => {
      const { status, body } = answer(method, path);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  removeTempDirs();
});

describe('helper containers', () => {
  it("start on the engine's daemon, whatever DOCKER_HOST the process has, and leave DOCKER_HOST as it was", async () => {
    const before = process.env['DOCKER_HOST'];
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/elsewhere.sock';
    try {
      const error = await startHelper({ endpoint: `unix://${socket}` }, spec).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(HelperContainerError);
      expect((error as HelperContainerError).message).toBe('The helper container layerbench-registry-x (layerbench/pull-registry:1) did not start: the stub daemon refuses containers.');
      expect(requests).toContain('GET /info');
      expect(requests).toContain('POST /containers/create');
      expect(process.env['DOCKER_HOST']).toBe('unix:///nonexistent/elsewhere.sock');
    } finally {
      if (before === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = before;
    }
  }, 30_000);

  it('for a second daemon in the same process are refused, not started on the first (testcontainers serves one)', async () => {
    const error = await startHelper({ endpoint: 'tcp://127.0.0.1:2375' }, spec).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(HelperContainerError);
    expect((error as HelperContainerError).message).toBe(`The helper container layerbench-registry-x (layerbench/pull-registry:1) did not start: testcontainers serves one Docker daemon per process, and here it serves unix://${socket}, not tcp://127.0.0.1:2375.`);
  });

  it('count a client as talking to an endpoint only by its socket path, or its host and port', () => {
    expect(talksTo({ socketPath: '/var/run/docker.sock' }, 'unix:///var/run/docker.sock')).toBe(true);
    expect(talksTo({ socketPath: '/var/run/docker.sock' }, 'unix:///run/user/1000/docker.sock')).toBe(false);
    expect(talksTo({ host: '127.0.0.1', port: '2375' }, 'tcp://127.0.0.1:2375')).toBe(true);
    expect(talksTo({ host: '127.0.0.1', port: 2376 }, 'tcp://127.0.0.1:2375')).toBe(false);
    expect(talksTo({ socketPath: '/var/run/docker.sock' }, 'tcp://127.0.0.1:2375')).toBe(false);
    expect(talksTo({ host: 'localhost', port: '' }, 'tcp://localhost')).toBe(true);
  });
});
