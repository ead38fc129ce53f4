/**
 * What a shared base saves, from the measured pulls and the registry's manifests: in time, the
 * measured medians (App2 onto a host holding App1 as monolithic images against shared tiers;
 * App2 onto a host without the base against one with it); in bytes, per deploy and for both
 * apps onto an empty host, with what those bytes would take at the link's rate beside them as
 * an estimate (a pull is not bound by bytes alone: extraction and fixed costs add to it). Pure.
 */
import { pullRowsOf } from './sample-kinds.js';
import type { PullSetup, PullSummaryRow, SummaryRow } from './types.js';

/** One measured saving: the median time of the pull it spares, minus the median of the pull it takes instead. */
export interface MeasuredSaving {
  insteadMs: number;
  withSharedBaseMs: number;
  savedMs: number;
}

export interface PullRecommendation {
  /** the link rate the rows were pulled at, which the estimates divide by; null: unlimited */
  bitsPerSecond: number | null;
  /** measured: monolithic App2 onto a host holding monolithic App1, minus App2 on shared tiers onto a host holding App1 (medians) */
  measuredPerDeploy: MeasuredSaving | null;
  /** measured: App2 onto an empty host, minus App2 onto a host holding the base (medians) */
  measuredBaseHeld: MeasuredSaving | null;
  /** per deploy of App2 to a host holding App1: monolithic minus shared, compressed bytes (medians of what was downloaded) */
  savedBytesPerDeploy: number | null;
  /** an estimate: those bytes ÷ the link's rate, in seconds; null on an unlimited link */
  savedSecondsPerDeploy: number | null;
  /** App1 and App2 onto an empty host: the distinct layers each way (savedSeconds: bytes ÷ rate, an estimate) */
  bothApps: { sharedBytes: number; monolithicBytes: number; savedBytes: number; savedSeconds: number | null } | null;
  /** time of App2 without the base ÷ with it (medians) */
  ratioWithoutOverWith: number | null;
}

/**
 * @param summary rows of one link rate; given rows of several (a sweep), those of `bandwidth`,
 *   or of the first row's rate when it is not given
 */
export function pullRecommendation(summary: readonly SummaryRow[], setup: PullSetup, bandwidth?: string): PullRecommendation {
  const rows = rowsOfOneLink(pullRowsOf(summary), bandwidth);
  const row = (name: string): (typeof rows)[number] | undefined => rows.find((r) => r.case === name);
  const withBase = row('with-base');
  const without = row('without-base');
  const monolithic = row('monolithic-with-app1');
  const rate = rows[0]?.bitsPerSecond !== undefined ? rows[0].bitsPerSecond : setup.link.bitsPerSecond;
  const seconds = (bytes: number): number | null => (rate === null ? null : (bytes * 8) / rate);
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
    bitsPerSecond: rate,
    measuredPerDeploy: measuredSaving(monolithic, withBase),
    measuredBaseHeld: measuredSaving(without, withBase),
    savedBytesPerDeploy: saved,
    savedSecondsPerDeploy: saved === null ? null : seconds(saved),
    bothApps: shared === null || mono === null ? null : { sharedBytes: shared, monolithicBytes: mono, savedBytes: mono - shared, savedSeconds: seconds(mono - shared) },
    ratioWithoutOverWith: ratio,
  };
}

function rowsOfOneLink(rows: readonly PullSummaryRow[], bandwidth: string | undefined): PullSummaryRow[] {
  const link = bandwidth ?? rows[0]?.bandwidth ?? null;
  return rows.filter((r) => (r.bandwidth ?? null) === link);
}

function measuredSaving(instead: PullSummaryRow | undefined, withSharedBase: PullSummaryRow | undefined): MeasuredSaving | null {
  if (instead?.wallMs == null || withSharedBase?.wallMs == null) return null;
  return { insteadMs: instead.wallMs.median, withSharedBaseMs: withSharedBase.wallMs.median, savedMs: instead.wallMs.median - withSharedBase.wallMs.median };
}
