/**
 * What a shared base saves, from the measured pulls and the registry's manifests: the bytes
 * per deploy of App2 to a host that holds App1 (shared tiers against monolithic images), the
 * bytes to put both apps on an empty host, and what each is in time at the link's rate. Pure.
 */
import { pullRowsOf } from './sample-kinds.js';
import type { PullSetup, SummaryRow } from './types.js';

export interface PullRecommendation {
  /** per deploy of App2 to a host holding App1: monolithic minus shared, compressed bytes (medians of what was downloaded) */
  savedBytesPerDeploy: number | null;
  /** the same at the link's rate, in seconds; null on an unlimited link */
  savedSecondsPerDeploy: number | null;
  /** App1 and App2 onto an empty host: the distinct layers each way */
  bothApps: { sharedBytes: number; monolithicBytes: number; savedBytes: number; savedSeconds: number | null } | null;
  /** time of App2 without the base ÷ with it (medians) */
  ratioWithoutOverWith: number | null;
}

export function pullRecommendation(summary: readonly SummaryRow[], setup: PullSetup): PullRecommendation {
  const rows = pullRowsOf(summary);
  const row = (name: string): (typeof rows)[number] | undefined => rows.find((r) => r.case === name);
  const withBase = row('with-base');
  const without = row('without-base');
  const monolithic = row('monolithic-with-app1');
  const seconds = (bytes: number): number | null => (setup.link.bitsPerSecond === null ? null : (bytes * 8) / setup.link.bitsPerSecond);
  const saved = monolithic?.downloadedBytes != null && withBase?.downloadedBytes != null ? monolithic.downloadedBytes - withBase.downloadedBytes : null;
  const distinct = (names: string[]): number | null => {
    const images = names.map((name) => setup.images.find((image) => image.name === name));
    if (images.some((image) => image === undefined)) return null;
    const layers = new Map<string, number>();
    for (const image of images) for (const layer of image?.layers ?? []) layers.set(layer.digest, layer.compressedBytes);
    return [...layers.values()].reduce((sum, bytes) => sum + bytes, 0);
  };
  const shared = distinct(['app1', 'app2']);
  const mono = distinct(['app1-monolithic', 'app2-monolithic']);
  const ratio = without?.wallMs != null && withBase?.wallMs != null && withBase.wallMs.median > 0 ? without.wallMs.median / withBase.wallMs.median : null;
  return {
    savedBytesPerDeploy: saved,
    savedSecondsPerDeploy: saved === null ? null : seconds(saved),
    bothApps: shared === null || mono === null ? null : { sharedBytes: shared, monolithicBytes: mono, savedBytes: mono - shared, savedSeconds: seconds(mono - shared) },
    ratioWithoutOverWith: ratio,
  };
}
