/**
 * A pull's timeline: each layer's download and extraction as offsets from the pull's request
 * (recorded streams from a fresh host), and the pull split at its last byte into the
 * download-bound part and the extract tail, as the result records them; and one pull per
 * case drawn from it in report.html.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PullTrace } from '../../src/engine/docker-engine.js';
import { PullProgressDecoder, type PulledLayer, type PullStreamMessage } from '../../src/engine/pull-progress.js';
import { toPullSample, type PullFacts } from '../../src/pull/pull-sample.js';
import { chartData, htmlReport } from '../../src/report/html-report.js';
import { buildComparison } from '../../src/result/comparison.js';
import { parseResult } from '../../src/result/read-result.js';
import { summarize } from '../../src/result/summarize.js';
import type { PullSample } from '../../src/result/types.js';
import { resultOf } from './support/sample-factory.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

function replay(name: string, startedAtMs: number): PullProgressDecoder {
  const decoder = new PullProgressDecoder(startedAtMs);
  for (const line of readFileSync(fixture(name), 'utf8').split('\n').filter(Boolean)) {
    const { t, msg } = JSON.parse(line) as { t: number; msg: PullStreamMessage };
    decoder.push(msg, t);
  }
  return decoder;
}

const timeline = (layer: PulledLayer | undefined): (number | null)[] => [layer?.downloadStartMs ?? null, layer?.downloadEndMs ?? null, layer?.extractStartMs ?? null, layer?.extractEndMs ?? null];

describe('each layer\'s timeline, from the pull\'s request', () => {
  it('a host that holds the base: the two downloads overlap, the extractions follow one another in the image\'s order', () => {
    // the request went out at t = 30 on the recording's clock
    const [present, first, second] = replay('pull-sharing-base.jsonl', 30).finish().layers;
    expect(timeline(present)).toEqual([null, null, null, null]);
    expect(timeline(first)).toEqual([16, 214, 214, 297]);
    expect(timeline(second)).toEqual([17, 168, 299, 364]);
    // overlapping intervals: the sum of the download times is more than the span they cover
    expect((first?.downloadMs ?? 0) + (second?.downloadMs ?? 0)).toBeGreaterThan(214 - 16);
  });

  it('an empty host: the one layer downloaded, then extracted', () => {
    const [layer] = replay('pull-empty-host.jsonl', 0).finish().layers;
    expect(timeline(layer)).toEqual([71, 3370, 3478, 7553]);
    expect(layer?.downloadMs).toBe(3370 - 71);
  });

  it('leaves unknown what the stream did not say (a download never reported complete)', () => {
    const decoder = new PullProgressDecoder(1000);
    decoder.push({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 1, total: 10 } }, 1100);
    expect(timeline(decoder.finish().layers[0])).toEqual([100, null, null, null]);
  });
});

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

function facts(trace: PullTrace): PullFacts {
  return {
    case: 'without-base',
    image: 'app2',
    rep: 1,
    trace,
    manifest: [{ digest: A, size: 1000 }, { digest: B, size: 700 }, { digest: C, size: 300 }],
    tiers: new Map([[A, 'os'], [B, 'f1'], [C, 'app']]),
    bytesOverLink: null,
    link: { bandwidth: '100mbit', bitsPerSecond: 1e8 },
    health: null,
    startedAt: new Date('2026-11-25T10:00:00Z'),
    machine: 'm',
  };
}

function downloaded(id: string, [downloadStartMs, downloadEndMs, extractStartMs, extractEndMs]: (number | null)[]): PulledLayer {
  return { id, status: 'downloaded', downloadBytes: 1, downloadMs: null, extractMs: null, downloadStartMs: downloadStartMs ?? null, downloadEndMs: downloadEndMs ?? null, extractStartMs: extractStartMs ?? null, extractEndMs: extractEndMs ?? null };
}

function present(id: string): PulledLayer {
  return { id, status: 'already-present', downloadBytes: null, downloadMs: null, extractMs: null, downloadStartMs: null, downloadEndMs: null, extractStartMs: null, extractEndMs: null };
}

describe('a pull split at its last byte', () => {
  it('the download-bound part ends when the last layer\'s download completed (not the last listed); the extract tail is the rest of the wall time', () => {
    const sample = toPullSample(facts({
      wallMs: 9000.4,
      digest: undefined,
      layers: [downloaded('aaaaaaaaaaaa', [10, 5200.6, 5300, 7000]), downloaded('bbbbbbbbbbbb', [12, 3000, 7000, 8000]), downloaded('cccccccccccc', [3000, 3100, 8000, 8990])],
    }));
    expect(sample).toMatchObject({ wallMs: 9000, lastByteMs: 5201, extractTailMs: 3799 });
    expect(sample.layers.map((l) => [l.tier, l.downloadStartMs, l.downloadEndMs, l.extractStartMs, l.extractEndMs])).toEqual([
      ['os', 10, 5201, 5300, 7000],
      ['f1', 12, 3000, 7000, 8000],
      ['app', 3000, 3100, 8000, 8990],
    ]);
  });

  it('nothing downloaded: no last byte and no tail; a layer already present has no timeline', () => {
    const sample = toPullSample(facts({ wallMs: 300, digest: undefined, layers: [present('aaaaaaaaaaaa'), present('bbbbbbbbbbbb'), present('cccccccccccc')] }));
    expect(sample).toMatchObject({ lastByteMs: null, extractTailMs: null });
    expect(sample.layers.every((l) => l.downloadStartMs === null && l.extractEndMs === null)).toBe(true);
  });

  it('a downloaded layer whose end the stream did not give: the last byte is unknown rather than guessed', () => {
    const sample = toPullSample(facts({ wallMs: 900, digest: undefined, layers: [present('aaaaaaaaaaaa'), downloaded('bbbbbbbbbbbb', [1, null, null, null]), downloaded('cccccccccccc', [1, 50, 60, 80])] }));
    expect(sample).toMatchObject({ lastByteMs: null, extractTailMs: null });
  });

  it('the recorded pull onto a host that holds the base: last byte at 214 ms of 369 ms', () => {
    const trace: PullTrace = { wallMs: 369, digest: undefined, layers: replay('pull-sharing-base.jsonl', 30).finish().layers };
    const manifest = JSON.parse(readFileSync(fixture('pull-sharing-base.manifest.json'), 'utf8')) as { layers: { digest: string; size: number }[] };
    const sample = toPullSample({ ...facts(trace), manifest: manifest.layers, tiers: new Map() });
    expect(sample).toMatchObject({ lastByteMs: 214, extractTailMs: 155 });
  });
});

describe('the result file', () => {
  const pull = (extra: Partial<PullSample>): PullSample => ({
    kind: 'pull', case: 'with-base', image: 'app2', rep: 1, wallMs: 1000, downloadedBytes: 10, bytesOverLink: null, health: null, startedAt: '2026-11-25T10:00:00.000Z', machine: 'engine-1',
    layers: [{ digest: A, tier: 'app', compressedBytes: 10, status: 'downloaded', downloadMs: 5, extractMs: 3 }],
    ...extra,
  });
  const parsed = (samples: PullSample[]): unknown => parseResult(JSON.stringify({ ...resultOf([]), samples, summary: summarize(samples) }), 'result.json');

  it('holds the timeline, the last byte and the extract tail', () => {
    const timed = pull({
      lastByteMs: 200,
      extractTailMs: 800,
      layers: [{ digest: A, tier: 'app', compressedBytes: 10, status: 'downloaded', downloadMs: 5, extractMs: 3, downloadStartMs: 10, downloadEndMs: 15, extractStartMs: 15, extractEndMs: 18 }],
    });
    expect(() => parsed([timed, pull({ rep: 2, lastByteMs: null, extractTailMs: null })])).not.toThrow();
  });

  it('still reads results written before the timeline', () => {
    expect(() => parsed([pull({})])).not.toThrow();
  });

  it('refuses a negative offset, on a sample or a layer', () => {
    expect(() => parsed([pull({ lastByteMs: -1 })])).toThrow(/samples\[0\]/);
    expect(() => parsed([pull({ layers: [{ digest: A, tier: 'app', compressedBytes: 10, status: 'downloaded', downloadMs: 5, extractMs: 3, downloadEndMs: -5 }] })])).toThrow(/samples\[0\]/);
  });
});

describe('report.html: one pull per case as a waterfall of its layers', () => {
  const layers = (offset: number): PullSample['layers'] => [
    { digest: A, tier: 'os', compressedBytes: 30e6, status: 'already-present', downloadMs: null, extractMs: null },
    { digest: B, tier: 'f1', compressedBytes: 20e6, status: 'downloaded', downloadMs: 900, extractMs: 300, downloadStartMs: 10, downloadEndMs: 910 + offset, extractStartMs: 910 + offset, extractEndMs: 1210 + offset },
    { digest: C, tier: 'app', compressedBytes: 2e3, status: 'downloaded', downloadMs: 20, extractMs: 5, downloadStartMs: 12, downloadEndMs: 32, extractStartMs: 1210 + offset, extractEndMs: 1215 + offset },
  ];
  const pulls: PullSample[] = [1300, 1500, 1400].map((wallMs, i) => ({
    kind: 'pull', case: 'without-base', image: 'app2', rep: i + 1, wallMs, lastByteMs: 910 + i, extractTailMs: wallMs - 910 - i, layers: layers(i),
    downloadedBytes: 20e6 + 2e3, bytesOverLink: null, bandwidth: '100mbit', bitsPerSecond: 1e8, health: null, startedAt: '2026-11-25T10:00:00.000Z', machine: 'engine-1',
  }));
  const setup = { scale: 'default', link: { bandwidth: '100mbit', bitsPerSecond: 1e8, latency: 'not shaped' }, freshHostMode: 'capabilities' as const, images: [] };
  const result = { ...resultOf([]), samples: pulls, summary: summarize(pulls), pull: setup };

  it('takes the median pull, each downloaded layer\'s download and extraction as intervals from the request', () => {
    expect(chartData(result, buildComparison(result)).pullWaterfalls).toEqual([
      {
        caption: 'App2, empty host (without base) · rep 3 at 100 Mbit/s · 1.40 s: last byte at 912 ms, extract tail 488 ms · 1 layer already present',
        layers: [
          { label: `f1 ${'b'.repeat(12)} · 20.0 MB`, download: [10, 912], extract: [912, 1212] },
          { label: `app ${'c'.repeat(12)} · 2.0 kB`, download: [12, 32], extract: [1212, 1217] },
        ],
      },
    ]);
  });

  it('draws it under the pull table', () => {
    const page = htmlReport(result, buildComparison(result));
    expect(page).toContain('<canvas id="chart-pull-waterfall-0"');
    expect(page).toContain('function drawPullWaterfall(');
  });
});
