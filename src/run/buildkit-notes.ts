/**
 * What a reader of a BuildKit result should know about how it was measured: what a cold build
 * does and does not clear, and how the context reaches the builder. Said in the result, since
 * neither shows in the numbers.
 */
import type { BuildCacheUsage } from '../engine/docker-engine.js';
import { formatBytes } from '../report/format.js';
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
    {
      code: 'buildkit-context-upload',
      message:
        'Under BuildKit, layerbench sends the whole build context as a tar on every build, as the classic docker CLI does; the BuildKit CLI sends only ' +
        "the files that changed over its session. On a small context that makes layerbench's BuildKit rebuilds some 20–30 ms slower than `docker build` (npm run bench:overhead).",
    },
  ];
}
