/**
 * The link between the registry and the fresh hosts, shaped where a pull's bytes leave: the
 * registry's network interface (egress). Bandwidth with a token bucket (tc tbf, which this
 * kernel has); latency with netem only where the kernel has it. Pure command builders, and
 * the few calls that run them in the registry's container.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { BandwidthError, LinkShapeError } from '../errors.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';

export interface LinkShape {
  bandwidth: string;
  latency: string;
}

/**
 * `tc qdisc replace dev eth0 root tbf rate 100mbit burst 256kb latency 50ms`: the bucket holds
 * at least 256 kB (less starves a fast link: tbf needs burst ≥ rate / HZ).
 */
export function tbfCommand(device: string, bandwidth: string): string[] {
  const bps = bitsPerSecond(bandwidth);
  if (bps === null) throw new BandwidthError(bandwidth);
  const burstKb = Math.max(256, Math.ceil(bps / 8 / 250 / 1024));
  return ['tc', 'qdisc', 'replace', 'dev', device, 'root', 'tbf', 'rate', bandwidth, 'burst', `${burstKb}kb`, 'latency', '50ms'];
}

/** netem with a rate limit of its own, for kernels that have netem. */
export function netemCommand(device: string, bandwidth: string, latency: string): string[] {
  const rate = bitsPerSecond(bandwidth) === null ? [] : ['rate', bandwidth];
  return ['tc', 'qdisc', 'replace', 'dev', device, 'root', 'netem', 'delay', latency, ...rate];
}

export function clearCommand(device: string): string[] {
  return ['tc', 'qdisc', 'del', 'dev', device, 'root'];
}

/** The shaper of one registry container: on, off, and whether the kernel could add latency. */
export class LinkShaper {
  private constructor(
    private readonly engine: DockerEngine,
    private readonly container: string,
    private readonly device: string,
    readonly shape: LinkShape,
    /** `tc netem` works here */
    readonly netem: boolean,
  ) {}

  /** Finds the registry's interface and tries netem once (removing it again). */
  static async forContainer(engine: DockerEngine, container: string, shape: LinkShape): Promise<LinkShaper> {
    const device = 'eth0';
    const probe = await engine.containers.exec(container, ['tc', 'qdisc', 'add', 'dev', device, 'root', 'netem', 'delay', '1ms']);
    if (probe.exitCode === 0) await engine.containers.exec(container, clearCommand(device));
    return new LinkShaper(engine, container, device, shape, probe.exitCode === 0);
  }

  /** The same link at another rate (a sweep): the interface and what the kernel can do stay. */
  at(bandwidth: string): LinkShaper {
    return new LinkShaper(this.engine, this.container, this.device, { ...this.shape, bandwidth }, this.netem);
  }

  /** What the result records of the latency. */
  get latencyRecord(): string {
    if (this.shape.latency === 'none') return 'none';
    return this.netem ? this.shape.latency : 'not shaped (this kernel has no netem)';
  }

  async on(): Promise<void> {
    const unlimited = bitsPerSecond(this.shape.bandwidth) === null;
    const latency = this.netem && this.shape.latency !== 'none';
    if (unlimited && !latency) return;
    const command = latency ? netemCommand(this.device, this.shape.bandwidth, this.shape.latency) : tbfCommand(this.device, this.shape.bandwidth);
    const outcome = await this.engine.containers.exec(this.container, command);
    if (outcome.exitCode !== 0) throw new LinkShapeError(command.join(' '), outcome.output.trim());
  }

  async off(): Promise<void> {
    // no qdisc to delete is fine
    await this.engine.containers.exec(this.container, clearCommand(this.device));
  }
}
