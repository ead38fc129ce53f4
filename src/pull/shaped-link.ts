/**
 * The link a measured pull crosses, shaped on the side `--shape` names: the registry's egress
 * (the default: where the bytes leave) or the fresh host's ingress (`client`: where they arrive,
 * for links where the host is the bottleneck). Latency is always added on the registry's side.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { ClientShaper } from './client-shaper.js';
import type { LinkShaper } from './link-shaper.js';

export type ShapeSide = 'registry' | 'client';

export interface ShapedLink {
  on(): Promise<void>;
  off(): Promise<void>;
}

/** How the link into `host` is shaped to `bandwidth`, from the registry's shaper. */
export function shapedLinks(engine: DockerEngine, registry: LinkShaper, side: ShapeSide): (bandwidth: string, host: string) => ShapedLink {
  if (side === 'registry') return (bandwidth) => registry.at(bandwidth);
  return (bandwidth, host) => {
    const latency = registry.at('unlimited');
    const ingress = new ClientShaper(engine, host, bandwidth);
    return {
      on: async () => {
        await latency.on();
        await ingress.on();
      },
      off: async () => {
        await ingress.off();
        await latency.off();
      },
    };
  };
}
