/**
 * One measured pull: a fresh host (given first what the case says it holds, over an unshaped
 * link), the image pulled over the shaped link, the bytes that crossed it, and the time until
 * the pulled app answers /health.
 */
import type { DockerEngine, PeerDaemon } from '../engine/docker-engine.js';
import { InterruptedError } from '../errors.js';
import { pollUntilHealthy } from '../measure/health-probe.js';
import type { HealthRecord, PullCase, PullSample } from '../result/types.js';
import { startFreshHost, type FreshHostMode } from './fresh-host.js';
import type { ShapedLink } from './shaped-link.js';
import { REGISTRY_PORT, type PublishedTiers } from './publish-tiers.js';
import { toPullSample } from './pull-sample.js';
import type { TierName } from './tier-images.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';

const HEALTH_TIMEOUT_MS = 60_000;

export interface PlannedPull {
  case: PullCase;
  image: TierName;
  /** what the fresh host holds before the measured pull */
  setup: TierName | undefined;
}

export interface CaseInputs {
  engine: DockerEngine;
  runId: string;
  machine: string;
  freshHostImage: string;
  published: PublishedTiers;
  /** the link into a fresh host (its container), shaped to a rate of the sweep */
  linkAt: (bandwidth: string, host: string) => ShapedLink;
  labels: Record<string, string>;
  now: () => number;
  signal: AbortSignal;
  status: (text: string) => void;
}

/** The pull, and the fresh host's mode (`auto` settles on the first host that starts). */
export async function measureCase(inputs: CaseInputs, planned: PlannedPull & { bandwidth: string }, at: { rep: number; of: number; host: number; mode: 'auto' | FreshHostMode }): Promise<{ sample: PullSample; mode: FreshHostMode }> {
  const { published, signal, runId } = inputs;
  if (signal.aborted) throw new InterruptedError();
  const said = `${planned.case} at ${planned.bandwidth} rep ${at.rep}/${at.of}`;
  inputs.status(`${said}: starting a fresh host`);
  const host = await startFreshHost(inputs.engine, { image: inputs.freshHostImage, network: published.network, registry: published.registryName, labels: inputs.labels, name: `layerbench-${runId}-host-${at.host}` }, at.mode);
  try {
    const shaper = inputs.linkAt(planned.bandwidth, host.id);
    const reference = (name: TierName): string => `${published.registryName}:${REGISTRY_PORT}/lb/${name}:${runId}`;
    if (planned.setup !== undefined) {
      // what the host already holds arrives over an unshaped link: only the measured pull is shaped
      inputs.status(`${said}: the host first gets ${planned.setup}`);
      await shaper.off();
      await host.inner.images.pullTimed(reference(planned.setup), signal);
    }
    await shaper.on();
    inputs.status(`${said}: pulling ${planned.image} over the link`);
    const pulledAt = new Date();
    const before = await host.receivedBytes();
    const trace = await host.inner.images.pullTimed(reference(planned.image), signal);
    const received = (await host.receivedBytes()) - before;
    await shaper.off();
    const health = planned.image === 'f3' ? null : await appHealth(host.inner, reference(planned.image), host.appUrl, inputs);
    const sample = toPullSample({
      case: planned.case,
      image: planned.image,
      rep: at.rep,
      trace,
      manifest: published.manifests.get(planned.image) ?? [],
      tiers: published.tiers,
      bytesOverLink: received,
      link: { bandwidth: planned.bandwidth, bitsPerSecond: bitsPerSecond(planned.bandwidth) },
      health,
      startedAt: pulledAt,
      machine: inputs.machine,
    });
    return { sample, mode: host.mode };
  } finally {
    await host.stop();
  }
}

/** The pulled app, started on the fresh host, until it answers /health. */
async function appHealth(inner: PeerDaemon, image: string, appUrl: string, { labels, now, signal }: CaseInputs): Promise<HealthRecord> {
  const startedAt = now();
  try {
    const container = await inner.containers.runDetached(image, { labels, hostNetwork: true });
    const polled = await pollUntilHealthy(`${appUrl}/health`, {
      now,
      deadline: startedAt + HEALTH_TIMEOUT_MS,
      signal,
      exited: async () => ((await inner.containers.isRunning(container)) ? undefined : (await inner.containers.logs(container)).trim().split('\n').slice(-3).join(' | ')),
    });
    return polled.ok ? { ok: true, timeToHealthyMs: Math.round(polled.atMs - startedAt), predict: null } : { ok: false, timeToHealthyMs: null, reason: polled.reason };
  } catch (err) {
    return { ok: false, timeToHealthyMs: null, reason: `could not start the image on the fresh host: ${(err as Error).message}` };
  }
}
