/**
 * What a reader of a BuildKit result should know about how it was measured: what a cold build
 * does and does not clear. Said in the result, since it does not show in the numbers (how the
 * context reached the builder is the driver's note).
 */
import type { BuildCacheUsage } from '../engine/docker-engine.js';
import { formatBytes } from '../format.js';
import type { RunNote } from '../result/types.js';

export function buildkitNotes(atStart: BuildCacheUsage): RunNote[] {
  return [
    {
      code: 'buildkit-cold-build',
      message:
        "Cold BuildKit builds ran with --no-cache: they used none of BuildKit's build cache, but --no-cache does not empty cache mounts " +
        `(RUN --mount=type=cache), which held ${formatBytes(atStart.cacheMountBytes)} when the run began (the build cache: ${atStart.entries} entries, ${formatBytes(atStart.totalBytes)}). ` +
        "layerbench never prunes BuildKit's cache, which is every BuildKit build's on this daemon; `layerbench clean --build-cache` does, when asked.",
    },
  ];
}
