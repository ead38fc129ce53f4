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
  /** the link rate it was pulled at */
  link: { bandwidth: string; bitsPerSecond: number | null };
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
      downloadStartMs: downloaded ? round(pulled.downloadStartMs) : null,
      downloadEndMs: downloaded ? round(pulled.downloadEndMs) : null,
      extractStartMs: downloaded ? round(pulled.extractStartMs) : null,
      extractEndMs: downloaded ? round(pulled.extractEndMs) : null,
    };
  });
  const wallMs = Math.round(facts.trace.wallMs);
  const lastByteMs = lastByteOf(facts.trace);
  return {
    kind: 'pull',
    case: facts.case,
    image: facts.image,
    rep: facts.rep,
    wallMs,
    lastByteMs,
    extractTailMs: lastByteMs === null ? null : Math.max(0, wallMs - lastByteMs),
    layers,
    downloadedBytes: layers.filter((l) => l.status === 'downloaded').reduce((sum, l) => sum + (l.compressedBytes ?? 0), 0),
    bytesOverLink: facts.bytesOverLink,
    bandwidth: facts.link.bandwidth,
    bitsPerSecond: facts.link.bitsPerSecond,
    health: facts.health,
    startedAt: facts.startedAt.toISOString(),
    machine: facts.machine,
  };
}

/** When the last downloaded layer's download completed; null when none was downloaded, or one's end is unknown. */
function lastByteOf(trace: PullTrace): number | null {
  const downloaded = trace.layers.filter((l) => l.status === 'downloaded');
  const ends = downloaded.flatMap((l) => (l.downloadEndMs === null ? [] : [l.downloadEndMs]));
  return downloaded.length === 0 || ends.length < downloaded.length ? null : Math.round(Math.max(...ends));
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms);
}
