/**
 * The fake daemon's containers. A service's published port, and every port a helper container
 * (the registry, a fresh host) publishes, is a real HTTP server on 127.0.0.1: the health probe
 * and the registry's manifest read are real code too. Each answers /health (and /predict), and
 * the fake registry's manifests (/v2/<repository>/manifests/<tag>); a fresh host's /health only
 * while its own daemon runs a container (the pulled app). A command run in a container
 * succeeds and prints nothing, but for a helper's byte counter (what the daemon it serves pulled).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HelperSpec, StartedHelper } from '../../../src/engine/areas/container-area.js';
import type { ContainerArea, ExecOutcome, ServiceContainer } from '../../../src/engine/docker-engine.js';
import { HelperContainerError } from '../../../src/errors.js';
import type { FakeDaemon, FakeHelper } from './fake-daemon.js';

/** How a fresh host's bytes received are read (fresh-host.ts). */
const RX_BYTES = 'cat /sys/class/net/eth0/statistics/rx_bytes';

export class FakeContainers implements ContainerArea {
  private healthServer: Server | undefined;
  /** the listeners of each helper's published ports, by container ID */
  private readonly helperListeners = new Map<string, Server[]>();

  constructor(private readonly daemon: FakeDaemon) {}

  async startService(image: string, _port: number, labels: Record<string, string>): Promise<ServiceContainer> {
    const id = this.create(image, labels);
    this.daemon.log.push(`containers.startService ${image}`);
    return { id, hostPort: await this.healthPort() };
  }

  async runDetached(image: string, options: { labels: Record<string, string>; hostNetwork: boolean }): Promise<string> {
    this.daemon.log.push(`containers.runDetached ${image}`);
    return this.create(image, options.labels);
  }

  /** Starts a helper as testcontainers would: its image present, its network and volumes made; refused otherwise. */
  async startHelper(spec: HelperSpec): Promise<StartedHelper> {
    this.daemon.log.push(`containers.startHelper ${spec.name}${spec.mode === undefined || spec.mode === 'plain' ? '' : ` ${spec.mode}`}`);
    const refusal = this.helperRefusal(spec);
    if (refusal !== undefined) throw new HelperContainerError(spec.name, spec.image, 'did not start', refusal);
    const helper: FakeHelper = { name: spec.name, ports: new Map(), inner: undefined };
    const listeners = await Promise.all(spec.ports.map(() => this.listen(helper)));
    spec.ports.forEach((port, i) => helper.ports.set(port, (listeners[i]?.address() as { port: number }).port));
    const { ports } = helper;
    const id = this.create(spec.image, spec.labels, helper);
    this.helperListeners.set(id, listeners);
    return {
      id,
      hostPort: (port) => {
        const hostPort = ports.get(port);
        if (hostPort === undefined) throw new HelperContainerError(spec.name, spec.image, 'has no published port', `port ${port} is not among those published (${spec.ports.join(', ')})`);
        return hostPort;
      },
      stop: async () => {
        this.daemon.log.push(`containers.stopHelper ${spec.name}`);
        await this.removeContainer(id);
      },
    };
  }

  async exec(containerId: string, command: string[]): Promise<ExecOutcome> {
    this.daemon.log.push(`containers.exec ${containerId} ${command.join(' ')}`);
    const container = this.daemon.containers.get(containerId);
    if (!container?.running) throw this.daemon.notFound(`run ${command[0] ?? 'a command'} in the container ${containerId}`, `container: ${containerId}`);
    if (container.helper !== undefined && command.join(' ') === RX_BYTES) return { exitCode: 0, output: `${container.helper.inner?.receivedBytes ?? 0}\n` };
    return { exitCode: 0, output: '' };
  }

  async logs(id: string): Promise<string> {
    return this.daemon.containers.get(id)?.logs ?? '';
  }

  async isRunning(id: string): Promise<boolean> {
    return this.daemon.containers.get(id)?.running ?? false;
  }

  /** By ID, or by a helper's name (as the daemon takes either). */
  async remove(id: string): Promise<void> {
    this.daemon.log.push(`containers.remove ${id}`);
    const byName = [...this.daemon.containers.entries()].find(([, container]) => container.helper?.name === id)?.[0];
    await this.removeContainer(byName ?? id);
  }

  async privilegedWorks(): Promise<{ works: true }> {
    return { works: true };
  }

  /** Stops the health server, if a service started it, and the listeners of helpers left running. */
  async close(): Promise<void> {
    const servers = [...(this.healthServer === undefined ? [] : [this.healthServer]), ...[...this.helperListeners.values()].flat()];
    this.healthServer = undefined;
    this.helperListeners.clear();
    await Promise.all(servers.map(closeServer));
  }

  private create(image: string, labels: Record<string, string>, helper?: FakeHelper): string {
    const id = `container-${this.daemon.newId()}`;
    this.daemon.containers.set(id, { image, labels, running: true, ...(helper === undefined ? {} : { helper }) });
    return id;
  }

  private async removeContainer(id: string): Promise<void> {
    this.daemon.containers.delete(id);
    const listeners = this.helperListeners.get(id) ?? [];
    this.helperListeners.delete(id);
    await Promise.all(listeners.map(closeServer));
  }

  /** Why the daemon would refuse the helper, if it would. */
  private helperRefusal(spec: HelperSpec): string | undefined {
    if (this.daemon.findImage(spec.image) === undefined) return `No such image: ${spec.image}`;
    if (!this.daemon.networks.has(spec.network)) return `network ${spec.network} not found`;
    const missing = (spec.volumes ?? []).find((v) => !this.daemon.volumes.has(v.volume));
    if (missing !== undefined) return `volume ${missing.volume} not found`;
    if ([...this.daemon.containers.values()].some((c) => c.helper?.name === spec.name)) return `Conflict. The container name "/${spec.name}" is already in use`;
    return undefined;
  }

  private async healthPort(): Promise<number> {
    this.healthServer ??= await this.listen();
    return (this.healthServer.address() as { port: number }).port;
  }

  private async listen(helper?: FakeHelper): Promise<Server> {
    const server = createServer((request, response) => this.answer(request, response, helper));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** /health and /predict as a healthy app answers (on a fresh host, once its app runs); a manifest as the registry holds it. */
  private answer(request: IncomingMessage, response: ServerResponse, helper: FakeHelper | undefined): void {
    const json = (status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(request.url ?? '');
    const appRuns = helper?.inner === undefined || [...helper.inner.containers.values()].some((c) => c.running);
    if (manifest === null && !appRuns) return json(503, { status: 'no app runs on this host' });
    if (manifest === null) return json(200, request.url === '/predict' ? { label: 3 } : { status: 'ok' });
    const held = this.daemon.registry.get(`${manifest[1] ?? ''}:${manifest[2] ?? ''}`);
    if (held === undefined) return json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    json(200, { schemaVersion: 2, layers: held.digests.map((digest, i) => ({ digest, size: held.sizes[i] ?? 0 })) });
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
