import { describe, expect, it } from 'vitest';
import { layerSizes, makesLayer, type HistoryEntry, type LayerSize } from '../../src/engine/layer-sizes.js';
import { compareLayers } from '../../src/measure/to-sample.js';

/** `/images/{id}/history` of a classic-builder image (newest first), as the daemon answered it. */
const CLASSIC_HISTORY: HistoryEntry[] = [
  { CreatedBy: '/bin/sh -c #(nop)  CMD ["python"]', Size: 0 },
  { CreatedBy: '/bin/sh -c #(nop)  EXPOSE 8000', Size: 0 },
  { CreatedBy: '/bin/sh -c #(nop) COPY dir:b546 in . ', Size: 14_400 },
  { CreatedBy: '/bin/sh -c #(nop) WORKDIR /app', Size: 0 },
  { CreatedBy: '/bin/sh -c #(nop) COPY dir:4fa4 in /opt/venv ', Size: 308_000_000 },
  { CreatedBy: '/bin/sh -c #(nop)  ENV PATH=/opt/venv/bin:/usr/bin', Size: 0 },
  { CreatedBy: '', Size: 289_000_000 },
];

/** The same kind of image from BuildKit: instructions without `/bin/sh -c #(nop)`. */
const BUILDKIT_HISTORY: HistoryEntry[] = [
  { CreatedBy: 'CMD ["x"]', Size: 0 },
  { CreatedBy: 'COPY . . # buildkit', Size: 20_000 },
  { CreatedBy: 'RUN /bin/sh -c pip install -r requirements.txt # buildkit', Size: 250_000_000 },
  { CreatedBy: 'ENV A=b', Size: 0 },
  { CreatedBy: 'WORKDIR /app', Size: 0 },
  { CreatedBy: '/bin/sh -c #(nop)  CMD ["python3"]', Size: 0 },
  { CreatedBy: '/bin/sh -c #(nop) ADD file:abc in / ', Size: 80_000_000 },
];

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `sha256:${String(i).repeat(4)}`);

describe('makesLayer', () => {
  it('counts every entry with bytes as a layer', () => {
    expect(makesLayer({ CreatedBy: '/bin/sh -c #(nop)  ENV X=1', Size: 1 })).toBe(true);
  });

  it('does not count classic-builder metadata instructions (#(nop) ENV, CMD, EXPOSE …) with no bytes', () => {
    for (const instruction of ['ENV PATH=/x', 'CMD ["python"]', 'EXPOSE 8000', 'LABEL a=b', 'ENTRYPOINT ["x"]', 'ARG V=1', 'USER app', 'HEALTHCHECK NONE']) {
      expect(makesLayer({ CreatedBy: `/bin/sh -c #(nop)  ${instruction}`, Size: 0 }), instruction).toBe(false);
    }
  });

  it('does not count BuildKit metadata instructions (ENV A=b, CMD ["x"] …) with no bytes', () => {
    for (const instruction of ['ENV A=b', 'CMD ["x"]', 'EXPOSE map[8000/tcp:{}]', 'LABEL a=b', 'USER app', 'STOPSIGNAL SIGTERM']) {
      expect(makesLayer({ CreatedBy: instruction, Size: 0 }), instruction).toBe(false);
    }
  });

  it('counts RUN, COPY, ADD and WORKDIR as layers even when they are empty', () => {
    for (const createdBy of [
      '/bin/sh -c touch /nothing',
      'RUN /bin/sh -c true # buildkit',
      '/bin/sh -c #(nop) COPY file:1 in /x ',
      'COPY . . # buildkit',
      '/bin/sh -c #(nop) ADD file:2 in / ',
      '/bin/sh -c #(nop) WORKDIR /app',
      'WORKDIR /app',
    ]) {
      expect(makesLayer({ CreatedBy: createdBy, Size: 0 }), createdBy).toBe(true);
    }
  });

  it('counts an entry without a creator (an imported base layer) as a layer', () => {
    expect(makesLayer({ CreatedBy: '', Size: 0 })).toBe(true);
  });

  it('does not mistake a RUN whose command mentions ENV for a metadata entry', () => {
    expect(makesLayer({ CreatedBy: '/bin/sh -c echo ENV > /tmp/x', Size: 0 })).toBe(true);
    expect(makesLayer({ CreatedBy: 'RUN /bin/sh -c env | sort # buildkit', Size: 0 })).toBe(true);
  });
});

describe('layerSizes', () => {
  it('matches a classic-builder history to its 4 diff IDs, oldest first: [289 MB, 308 MB, 0, 14.4 kB], not approximate', () => {
    const diffIds = ids(4);
    const sizes = layerSizes(diffIds, CLASSIC_HISTORY);
    expect(sizes.approximate).toBe(false);
    expect(sizes.layers).toEqual([
      { diffId: diffIds[0], sizeBytes: 289_000_000 },
      { diffId: diffIds[1], sizeBytes: 308_000_000 },
      { diffId: diffIds[2], sizeBytes: 0 },
      { diffId: diffIds[3], sizeBytes: 14_400 },
    ]);
  });

  it('matches a BuildKit history (RUN … # buildkit, COPY . . # buildkit, WORKDIR, ENV, CMD) to its diff IDs', () => {
    const sizes = layerSizes(ids(4), BUILDKIT_HISTORY);
    expect(sizes.approximate).toBe(false);
    expect(sizes.layers.map((l) => l.sizeBytes)).toEqual([80_000_000, 0, 250_000_000, 20_000]);
  });

  it('counts a RUN step that produced a 0-byte layer as a layer', () => {
    const history: HistoryEntry[] = [
      { CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]', Size: 0 },
      { CreatedBy: '/bin/sh -c rm -f /nonexistent', Size: 0 },
      { CreatedBy: '/bin/sh -c #(nop) ADD file:1 in / ', Size: 5_000_000 },
    ];
    const sizes = layerSizes(ids(2), history);
    expect(sizes.approximate).toBe(false);
    expect(sizes.layers.map((l) => l.sizeBytes)).toEqual([5_000_000, 0]);
  });

  it('marks the sizes approximate when the history and the diff IDs disagree, and aligns the sized entries to the newest layers', () => {
    // 4 layer-making entries, but the image has 5 diff IDs (e.g. history squashed by an export).
    const diffIds = ids(5);
    const sizes = layerSizes(diffIds, CLASSIC_HISTORY);
    expect(sizes.approximate).toBe(true);
    expect(sizes.layers.map((l) => l.diffId)).toEqual(diffIds);
    // the three entries with bytes land on the three newest layers; the older ones get 0
    expect(sizes.layers.map((l) => l.sizeBytes)).toEqual([0, 0, 289_000_000, 308_000_000, 14_400]);
  });

  it('keeps only the newest sized entries when there are more of them than diff IDs', () => {
    const sizes = layerSizes(ids(2), CLASSIC_HISTORY);
    expect(sizes.approximate).toBe(true);
    expect(sizes.layers.map((l) => l.sizeBytes)).toEqual([308_000_000, 14_400]);
  });

  it('gives no layers for an image without diff IDs', () => {
    expect(layerSizes([], []).layers).toEqual([]);
  });

  it('does not reorder or change the history it is given', () => {
    const history = structuredClone(CLASSIC_HISTORY);
    layerSizes(ids(4), history);
    expect(history).toEqual(CLASSIC_HISTORY);
  });
});

describe('compareLayers', () => {
  const layers: LayerSize[] = [
    { diffId: 'sha256:base', sizeBytes: 289_000_000 },
    { diffId: 'sha256:venv', sizeBytes: 308_000_000 },
    { diffId: 'sha256:workdir', sizeBytes: 0 },
    { diffId: 'sha256:code-new', sizeBytes: 14_400 },
  ];

  it('counts the layers whose diff IDs were there before as reused, with their bytes', () => {
    const comparison = compareLayers(layers, new Set(['sha256:base', 'sha256:venv', 'sha256:workdir', 'sha256:code-old']));
    expect(comparison).toEqual({ total: 4, reused: 3, reusedBytes: 597_000_000, newBytes: 14_400 });
  });

  it('counts every byte as new when nothing was there before (a cold build onto nothing)', () => {
    expect(compareLayers(layers, new Set())).toEqual({ total: 4, reused: 0, reusedBytes: 0, newBytes: 597_014_400 });
  });

  it('counts nothing as new when every layer was there before (a fully cached build)', () => {
    expect(compareLayers(layers, new Set(layers.map((l) => l.diffId)))).toEqual({ total: 4, reused: 4, reusedBytes: 597_014_400, newBytes: 0 });
  });

  it('gives zero totals for an image without layers', () => {
    expect(compareLayers([], new Set(['sha256:x']))).toEqual({ total: 0, reused: 0, reusedBytes: 0, newBytes: 0 });
  });
});
