/** Networks and named volumes, through dockerode; removing one already gone is no error. */
import type Docker from 'dockerode';
import type { NetworkArea } from '../areas/network-area.js';
import type { DaemonRequests } from './daemon-requests.js';

export class DockerodeNetworks implements NetworkArea {
  constructor(
    private readonly docker: Docker,
    private readonly requests: DaemonRequests,
  ) {}

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const network = await this.requests.call(() => this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true }), `create the network ${name}`);
    return network.id;
  }

  async removeNetwork(id: string): Promise<void> {
    await this.requests.call(() => this.docker.getNetwork(id).remove(), `remove the network ${id}`, { 404: undefined });
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    await this.requests.call(() => this.docker.createVolume({ Name: name, Labels: labels }), `create the volume ${name}`);
  }

  async removeVolume(name: string): Promise<void> {
    await this.requests.call(() => this.docker.getVolume(name).remove(), `remove the volume ${name}`, { 404: undefined });
  }
}
