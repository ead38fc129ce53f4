/** The fake daemon's networks and volumes, labelled as asked. */
import type { NetworkArea } from '../../../src/engine/docker-engine.js';
import type { FakeDaemon } from './fake-daemon.js';

export class FakeNetworks implements NetworkArea {
  constructor(private readonly daemon: FakeDaemon) {}

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    this.daemon.log.push(`networks.createNetwork ${name}`);
    this.daemon.networks.set(name, { id: name, labels });
    return name;
  }

  async removeNetwork(id: string): Promise<void> {
    this.daemon.log.push(`networks.removeNetwork ${id}`);
    this.daemon.networks.delete(id);
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    this.daemon.log.push(`networks.createVolume ${name}`);
    this.daemon.volumes.set(name, { id: name, labels });
  }

  async removeVolume(name: string): Promise<void> {
    this.daemon.log.push(`networks.removeVolume ${name}`);
    this.daemon.volumes.delete(name);
  }
}
