/** Containers layerbench starts itself, through dockerode: services, pulled apps, exec. */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { EngineError } from '../../errors.js';
import type { ContainerArea, ExecOutcome, HelperSpec, ServiceContainer, StartedHelper } from '../areas/container-area.js';
import { startHelper } from '../helper-containers.js';
import { describe, type DaemonRequests } from './daemon-requests.js';

export class DockerodeContainers implements ContainerArea {
  constructor(
    private readonly docker: Docker,
    private readonly requests: DaemonRequests,
  ) {}

  async startService(image: string, containerPort: number, labels: Record<string, string>): Promise<ServiceContainer> {
    const port = `${containerPort}/tcp`;
    const container = await this.requests.call(() =>
      this.docker.createContainer({
        Image: image,
        Labels: labels,
        ExposedPorts: { [port]: {} },
        HostConfig: { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false },
      }), `create a container of ${image}`,
    );
    try {
      await container.start();
      const inspected = await container.inspect();
      const binding = inspected.NetworkSettings.Ports[port]?.[0];
      if (binding === undefined) throw new EngineError(this.requests.endpoint, `publish port ${port} of a container of ${image}`, 'the started container has no binding for it on 127.0.0.1');
      return { id: container.id, hostPort: Number(binding.HostPort) };
    } catch (err) {
      await this.remove(container.id);
      throw this.requests.translate(err, `start a container of ${image}`);
    }
  }

  async runDetached(image: string, options: { labels: Record<string, string>; hostNetwork: boolean }): Promise<string> {
    const container = await this.requests.call(() =>
      this.docker.createContainer({ Image: image, Labels: options.labels, HostConfig: options.hostNetwork ? { NetworkMode: 'host' } : {} }), `create a container of ${image}`,
    );
    try {
      await container.start();
    } catch (err) {
      await this.remove(container.id);
      throw this.requests.translate(err, `start a container of ${image}`);
    }
    return container.id;
  }

  /** Through testcontainers (helper-containers.ts), on this daemon: the host layerbench resolved. */
  startHelper(spec: HelperSpec): Promise<StartedHelper> {
    return startHelper({ endpoint: this.requests.endpoint }, spec);
  }

  async exec(containerId: string, command: string[]): Promise<ExecOutcome> {
    const what = `run ${command[0] ?? 'a command'} in the container ${containerId}`;
    const exec = await this.requests.call(() => this.docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true }), what);
    const stream = (await this.requests.call(() => exec.start({ hijack: true, stdin: false }), what)) as unknown as Readable;
    const chunks: Buffer[] = [];
    await this.requests.call(async () => {
      for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    }, what);
    const inspected = await this.requests.call(() => exec.inspect(), what);
    return { exitCode: inspected.ExitCode ?? -1, output: demuxLogs(Buffer.concat(chunks)) };
  }

  async logs(id: string): Promise<string> {
    const buffer = (await this.requests.call(() => this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 30 }), `read the log of the container ${id}`)) as unknown as Buffer;
    return demuxLogs(buffer);
  }

  async isRunning(id: string): Promise<boolean> {
    const inspected = await this.requests.call(() => this.docker.getContainer(id).inspect(), `inspect the container ${id}`, { 404: undefined });
    return inspected === undefined ? false : inspected.State.Running;
  }

  async remove(id: string): Promise<void> {
    // gone, or removal already in progress
    await this.requests.call(() => this.docker.getContainer(id).remove({ force: true, v: true }), `remove the container ${id}`, { 404: undefined, 409: undefined });
  }

  async privilegedWorks(image: string, labels: Record<string, string>): Promise<{ works: true } | { works: false; reason: string }> {
    const container = await this.requests.call(() => this.docker.createContainer({ Image: image, Cmd: ['true'], Labels: labels, HostConfig: { Privileged: true } }), `create a container of ${image}`);
    try {
      await container.start();
      return { works: true };
    } catch (err) {
      return { works: false, reason: describe(err).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim() };
    } finally {
      await this.remove(container.id);
    }
  }
}

/** Container logs without a TTY come multiplexed: 8-byte headers before each frame. */
function demuxLogs(buffer: Buffer): string {
  if (!Buffer.isBuffer(buffer)) return String(buffer);
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}
