/**
 * `--shape client`: the link shaped where a pull's bytes arrive — the fresh host's ingress —
 * for links where the host, not the registry, is the bottleneck. Ingress cannot be queued, so
 * it is redirected through an ifb device whose egress the token bucket shapes:
 *   eth0 ingress → mirred → ifb0 → tbf at the rate.
 * Latency stays on the registry's side (netem, where the kernel has it). The commands run in
 * the fresh host's container, which Docker in Docker starts with NET_ADMIN.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { LinkShapeError } from '../errors.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';
import { tbfCommand } from './link-shaper.js';

const DEVICE = 'eth0';
const IFB = 'ifb0';

/** The commands that send eth0's ingress through ifb0 and shape ifb0 to `bandwidth`. */
export function clientShapeCommands(bandwidth: string): string[][] {
  return [
    ['ip', 'link', 'add', IFB, 'type', 'ifb'],
    ['ip', 'link', 'set', IFB, 'up'],
    ['tc', 'qdisc', 'replace', 'dev', DEVICE, 'handle', 'ffff:', 'ingress'],
    ['tc', 'filter', 'replace', 'dev', DEVICE, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', IFB],
    tbfCommand(IFB, bandwidth),
  ];
}

export function clientClearCommands(): string[][] {
  return [
    ['tc', 'qdisc', 'del', 'dev', DEVICE, 'ingress'],
    ['tc', 'qdisc', 'del', 'dev', IFB, 'root'],
  ];
}

/** The ingress shaper of one fresh host, at one rate. */
export class ClientShaper {
  constructor(
    private readonly engine: DockerEngine,
    private readonly host: string,
    readonly bandwidth: string,
  ) {}

  async on(): Promise<void> {
    if (bitsPerSecond(this.bandwidth) === null) return;
    const [addIfb, ...rest] = clientShapeCommands(this.bandwidth);
    // a host that was shaped before keeps its ifb0: "File exists" is fine
    if (addIfb !== undefined) await this.engine.containers.exec(this.host, addIfb);
    for (const command of rest) {
      const outcome = await this.engine.containers.exec(this.host, command);
      if (outcome.exitCode !== 0) throw new LinkShapeError(command.join(' '), outcome.output.trim());
    }
  }

  async off(): Promise<void> {
    for (const command of clientClearCommands()) await this.engine.containers.exec(this.host, command);
  }
}
