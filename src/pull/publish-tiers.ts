/**
 * The experiment's registry, on a network of the run's own, holding every image: each is
 * pushed, and its manifest read back (the layers' digests and compressed sizes), so that each
 * layer can be named by its tier.
 */
import type { DockerEngine, StartedHelper } from '../engine/docker-engine.js';
import type { HeldRun } from '../run/run-session.js';
import { manifestLayers, type ManifestLayer } from './registry-manifest.js';
import { tierTag } from './build-tiers.js';
import { tierOfLayers, type TierName } from './tier-images.js';

export const REGISTRY_PORT = 5000;
const PUSHED: readonly TierName[] = ['f1', 'f2', 'f3', 'app1', 'app2', 'app1-monolithic', 'app2-monolithic'];

export interface PublishedTiers {
  network: string;
  /** the registry's name on the run's network (how the fresh hosts reach it) */
  registryName: string;
  registry: StartedHelper;
  manifests: Map<TierName, ManifestLayer[]>;
  /** which tier each layer (by digest) belongs to */
  tiers: Map<string, string>;
}

export async function publishTiers(
  inputs: { engine: DockerEngine; registryImage: string; osImage: string; labels: Record<string, string>; status: (text: string) => void },
  session: HeldRun,
): Promise<PublishedTiers> {
  const { engine, labels } = inputs;
  const { runId } = session;
  const network = `layerbench-${runId}`;
  await engine.networks.createNetwork(network, labels);
  const registryName = `layerbench-registry-${runId}`;
  const registry = await engine.containers.startHelper({ image: inputs.registryImage, name: registryName, network, labels, ports: [REGISTRY_PORT], capabilities: ['NET_ADMIN'], readyWhenLogs: /listening on/ });
  session.defer('the registry', () => registry.stop());
  const registryPort = registry.hostPort(REGISTRY_PORT);
  const manifests = new Map<TierName, ManifestLayer[]>();
  for (const name of PUSHED) {
    inputs.status(`pushing ${name} to the registry`);
    const pushed = `127.0.0.1:${registryPort}/lb/${name}:${runId}`;
    await engine.images.tag(tierTag(name, runId), pushed);
    try {
      await engine.images.push(pushed);
    } finally {
      await engine.images.remove(pushed);
    }
    manifests.set(name, await manifestLayers(registryPort, `lb/${name}`, runId));
  }
  const osLayers = (await engine.images.inspect(inputs.osImage))?.diffIds.length ?? 0;
  const tiers = tierOfLayers(new Map([...manifests].map(([name, layers]) => [name, layers.map((l) => l.digest)])), osLayers);
  return { network, registryName, registry, manifests, tiers };
}
