/** One pull, in the shape of the result contract: each layer of the image, as the registry and the fresh host saw it. Pure. */
import type { PullTrace } from '../engine/docker-engine.js';
import type { HealthRecord, PullCase, PullSample } from '../result/types.js';
import { shortLayerId, type ManifestLayer } from './registry-manifest.js';

export interface PullFacts {
  case: PullCase;
  image: string;
  rep: number;
  trace: PullTrace;
  /** the pulled image's layers, as the registry holds them */
  manifest: readonly ManifestLayer[];
  /** which tier each layer (by digest) belongs to */
  tiers: ReadonlyMap<string, string>;
  bytesOverLink: number | null;
  health: HealthRecord | null;
  startedAt: Date;
  machine: string;
}

export function toPullSample(facts: PullFacts): PullSample {
  const layers = facts.manifest.map((layer) => {
    const pulled = facts.trace.layers.find((l) => l.id === shortLayerId(layer.digest));
    const downloaded = pulled?.status === 'downloaded';
    return {
      digest: layer.digest,
      tier: facts.tiers.get(layer.digest) ?? null,
      compressedBytes: layer.size,
      status: downloaded ? ('downloaded' as const) : ('already-present' as const),
      downloadMs: downloaded ? round(pulled.downloadMs) : null,
      extractMs: downloaded ? round(pulled.extractMs) : null,
    };
  });
  return {
    kind: 'pull',
    case: facts.case,
    image: facts.image,
    rep: facts.rep,
    wallMs: Math.round(facts.trace.wallMs),
    layers,
    downloadedBytes: layers.filter((l) => l.status === 'downloaded').reduce((sum, l) => sum + (l.compressedBytes ?? 0), 0),
    bytesOverLink: facts.bytesOverLink,
    health: facts.health,
    startedAt: facts.startedAt.toISOString(),
    machine: facts.machine,
  };
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms);
}
