/**
 * Per-layer sizes from what the Engine API offers: `RootFS.Layers` (diff IDs, oldest first)
 * and `/images/{id}/history` (newest first, one entry per instruction, Size per entry).
 *
 * The API's history does not say which entries made no layer (ENV, CMD …), so they are told
 * apart by what created them: an entry made a layer when it has bytes, or when it is a RUN,
 * COPY, ADD or WORKDIR (which make a layer even when it is empty), or an import.
 * When that count disagrees with the diff IDs, sizes are marked approximate.
 */

export interface HistoryEntry {
  CreatedBy: string;
  Size: number;
}

export interface LayerSize {
  diffId: string;
  sizeBytes: number;
}

export interface LayerSizes {
  layers: LayerSize[];
  approximate: boolean;
}

const METADATA_ONLY = /#\(nop\)\s+(ENV|LABEL|CMD|EXPOSE|ENTRYPOINT|ARG|USER|MAINTAINER|STOPSIGNAL|HEALTHCHECK|SHELL|VOLUME|ONBUILD)\b|^(ENV|LABEL|CMD|EXPOSE|ENTRYPOINT|ARG|USER|MAINTAINER|STOPSIGNAL|HEALTHCHECK|SHELL|VOLUME|ONBUILD)\b/;

export function makesLayer(entry: HistoryEntry): boolean {
  if (entry.Size > 0) return true;
  return !METADATA_ONLY.test(entry.CreatedBy.trim());
}

export function layerSizes(diffIds: readonly string[], historyNewestFirst: readonly HistoryEntry[]): LayerSizes {
  const layerEntries = [...historyNewestFirst].reverse().filter(makesLayer);
  if (layerEntries.length === diffIds.length) {
    return { layers: diffIds.map((diffId, i) => ({ diffId, sizeBytes: layerEntries[i]?.Size ?? 0 })), approximate: false };
  }
  // Fall back on the entries with bytes, aligned from the newest end (where edits land).
  const sized = [...historyNewestFirst].reverse().filter((e) => e.Size > 0);
  const offset = diffIds.length - sized.length;
  return {
    layers: diffIds.map((diffId, i) => ({ diffId, sizeBytes: i - offset >= 0 ? (sized[i - offset]?.Size ?? 0) : 0 })),
    approximate: true,
  };
}
