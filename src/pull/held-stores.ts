/**
 * What a fresh host holds before its measured pull (App1, monolithic App1), made once per run:
 * one host pulls it over the unshaped link and stops, and every later host of that case starts
 * from a copy of its store. The measured host then holds exactly what a host that had pulled
 * App1 holds, and its store is its own, without each repetition spending a pull and an
 * extraction (≈ 20 s at the default scale, minutes at the article's) on what it does not measure.
 */
import type { HeldRun } from '../run/run-session.js';
import { startFreshHost, type FreshHostMode } from './fresh-host.js';
import type { CaseInputs } from './measure-case.js';
import { REGISTRY_PORT } from './publish-tiers.js';
import type { TierName } from './tier-images.js';

export type StoreInputs = Pick<CaseInputs, 'engine' | 'runId' | 'freshHostImage' | 'published' | 'linkAt' | 'labels' | 'signal' | 'status'>;

export class HeldStores {
  private readonly volumes = new Map<TierName, string>();

  constructor(
    private readonly inputs: StoreInputs,
    private readonly session: Pick<HeldRun, 'defer'>,
  ) {}

  /** The volume of a stopped host's store that holds `image`, made the first time it is asked for. */
  async holding(image: TierName, bandwidth: string, mode: 'auto' | FreshHostMode): Promise<{ volume: string; mode: FreshHostMode | 'auto' }> {
    const made = this.volumes.get(image);
    if (made !== undefined) return { volume: made, mode };
    const { engine, published, runId } = this.inputs;
    this.inputs.status(`making a store that holds ${image}: a fresh host pulls it once, unshaped; the hosts that hold it start from a copy`);
    const host = await startFreshHost(engine, { image: this.inputs.freshHostImage, network: published.network, registry: published.registryName, labels: this.inputs.labels, name: `layerbench-${runId}-store-${image}` }, mode);
    try {
      await this.inputs.linkAt(bandwidth, host.id).off();
      await host.inner.images.pullTimed(`${published.registryName}:${REGISTRY_PORT}/lb/${image}:${runId}`, this.inputs.signal);
    } catch (err) {
      await host.stop();
      throw err;
    }
    const kept = await host.stopKeepingStore();
    this.session.defer(`the store that holds ${image}`, () => engine.networks.removeVolume(kept));
    this.volumes.set(image, kept);
    return { volume: kept, mode: host.mode };
  }
}
