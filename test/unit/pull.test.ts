/**
 * The pull experiment's pure parts: the pull progress stream (recorded from a fresh host),
 * the tc commands, the scenario and its scales, which tier a layer belongs to, a pull as a
 * sample, the arithmetic of the recommendation, and the table in the article's form.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PullProgressDecoder, type PullStreamMessage } from '../../src/engine/pull-progress.js';
import { UsageError } from '../../src/errors.js';
import { clearCommand, netemCommand, tbfCommand } from '../../src/pull/link-shaper.js';
import { toPullSample } from '../../src/pull/pull-sample.js';
import { shortLayerId } from '../../src/pull/registry-manifest.js';
import { tierBuildPlan, tierOfLayers } from '../../src/pull/tier-images.js';
import { pullTable } from '../../src/report/pull-table.js';
import { pullRecommendation } from '../../src/result/pull-recommendation.js';
import { summarize } from '../../src/result/summarize.js';
import type { PullCase, PullSample, PullSetup } from '../../src/result/types.js';
import { bitsPerSecond } from '../../src/scenario/bandwidth.js';
import { loadPullScenario } from '../../src/scenario/pull-scenario.js';
import { resultOf } from './support/sample-factory.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

function decode(name: string): ReturnType<PullProgressDecoder['finish']> {
  const decoder = new PullProgressDecoder();
  for (const line of readFileSync(fixture(name), 'utf8').split('\n').filter(Boolean)) {
    const { t, msg } = JSON.parse(line) as { t: number; msg: PullStreamMessage };
    decoder.push(msg, t);
  }
  return decoder.finish();
}

describe('PullProgressDecoder on streams recorded from a fresh host', () => {
  it('an empty host: every layer downloaded, with its compressed size, download and extract time', () => {
    const pull = decode('pull-empty-host.jsonl');
    expect(pull.failure).toBeUndefined();
    expect(pull.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pull.layers).toHaveLength(1);
    const [layer] = pull.layers;
    expect(layer?.status).toBe('downloaded');
    expect(layer?.downloadBytes).toBe(79_422_539);
    expect(layer?.downloadMs).toBeGreaterThan(0);
    expect(layer?.extractMs).toBeGreaterThan(0);
  });

  it('a host that holds the base: the base layer already present, only the others downloaded', () => {
    const pull = decode('pull-sharing-base.jsonl');
    const manifest = JSON.parse(readFileSync(fixture('pull-sharing-base.manifest.json'), 'utf8')) as { layers: { digest: string; size: number }[] };
    expect(pull.layers.map((l) => l.id)).toEqual(manifest.layers.map((l) => shortLayerId(l.digest)));
    expect(pull.layers.map((l) => l.status)).toEqual(['already-present', 'downloaded', 'downloaded']);
    expect(pull.layers[0]).toMatchObject({ downloadBytes: null, downloadMs: null, extractMs: null });
    expect(pull.layers.slice(1).map((l) => l.downloadBytes)).toEqual(manifest.layers.slice(1).map((l) => l.size));
  });

  it('times a download from its first progress, not from when it queued', () => {
    const decoder = new PullProgressDecoder();
    decoder.push({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' }, 0);
    decoder.push({ status: 'Waiting', id: 'aaaaaaaaaaaa' }, 5);
    decoder.push({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 1, total: 1000 } }, 100);
    decoder.push({ status: 'Download complete', id: 'aaaaaaaaaaaa' }, 350);
    decoder.push({ status: 'Extracting', id: 'aaaaaaaaaaaa', progressDetail: { current: 1, total: 9 } }, 400);
    decoder.push({ status: 'Pull complete', id: 'aaaaaaaaaaaa' }, 480);
    expect(decoder.finish().layers).toEqual([
      { id: 'aaaaaaaaaaaa', status: 'downloaded', downloadBytes: 1000, downloadMs: 250, extractMs: 80, downloadStartMs: 100, downloadEndMs: 350, extractStartMs: 400, extractEndMs: 480 },
    ]);
  });

  it('keeps the daemon\'s error', () => {
    const decoder = new PullProgressDecoder();
    decoder.push({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }, 1);
    expect(decoder.finish().failure).toBe('manifest unknown');
  });
});

describe('the link', () => {
  it('shapes bandwidth with a token bucket whose burst holds at least 256 kB', () => {
    expect(tbfCommand('eth0', '100mbit')).toEqual(['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', '100mbit', 'burst', '256kb', 'latency', '50ms']);
    expect(tbfCommand('eth0', '10gbit')).toContain('4883kb');
    expect(() => tbfCommand('eth0', 'unlimited')).toThrow();
  });

  it('adds latency with netem (where the kernel has it), with the rate in the same qdisc', () => {
    expect(netemCommand('eth0', '40mbit', '20ms')).toEqual(['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'delay', '20ms', 'rate', '40mbit']);
    expect(netemCommand('eth0', 'unlimited', '20ms')).toEqual(['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'delay', '20ms']);
    expect(clearCommand('eth0')).toEqual(['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
  });

  it('reads rates: kbit, mbit, gbit; unlimited has none', () => {
    expect([bitsPerSecond('512kbit'), bitsPerSecond('100mbit'), bitsPerSecond('1.5gbit'), bitsPerSecond('unlimited')]).toEqual([512e3, 1e8, 1.5e9, null]);
  });
});

describe('scenarios/pull.yaml', () => {
  const file = fileURLToPath(new URL('../../scenarios/pull.yaml', import.meta.url));

  it('has a quick default scale and the article\'s, which brings a link of its own', () => {
    const quick = loadPullScenario(file);
    expect(quick).toMatchObject({ reps: 3, bandwidths: ['100mbit'], freshHost: 'auto', bases: { os: 'python-3.11-slim', helpers: 'general-os' } });
    expect(quick.scale.name).toBe('default');
    const article = loadPullScenario(file, { scale: 'article' });
    expect(article.bandwidths).toEqual(['40mbit']);
    expect(article.scale.modelBytes).toBeGreaterThan(quick.scale.modelBytes);
    expect(loadPullScenario(file, { scale: 'article', bandwidth: 'unlimited' }).bandwidths).toEqual(['unlimited']);
    expect(loadPullScenario(file, { bandwidth: '20mbit,100mbit, 1gbit' }).bandwidths).toEqual(['20mbit', '100mbit', '1gbit']);
  });

  it('refuses overrides outside the schema: an unknown scale, a rate without a unit, reps out of range', () => {
    expect(() => loadPullScenario(file, { scale: 'huge' })).toThrow(UsageError);
    expect(() => loadPullScenario(file, { scale: 'huge' })).toThrow(/--scale names huge, which is not among the scales \(default, article\)/);
    expect(() => loadPullScenario(file, { bandwidth: '100' })).toThrow(/--bandwidth takes rates such as 100mbit/);
    expect(() => loadPullScenario(file, { bandwidth: '20mbit,nope' })).toThrow(/it was given "nope"/);
    expect(() => loadPullScenario(file, { bandwidth: '20mbit,20mbit' })).toThrow(/names a rate twice/);
    expect(() => loadPullScenario(file, { reps: 0 })).toThrow(/--reps must be a whole number from 1 to 20/);
  });
});

describe('the tiers', () => {
  const scale = { name: 'x', securityPackages: ['openssl'], generalPackages: ['numpy', 'pandas'], modelPackages: ['fastapi'], modelBytes: 5, appAssetBytes: 0, bandwidth: undefined };

  it('builds f1 → f2 → f3 → the apps on the shared tiers, then the monolithic apps without cache', () => {
    const plan = tierBuildPlan({ scale, osImage: 'os:1', indexArgs: { PIP_INDEX_URL: 'http://127.0.0.1:1/' }, tagOf: (name) => `t/${name}` });
    expect(plan.map((b) => [b.name, b.noCache])).toEqual([['f1', false], ['f2', false], ['f3', false], ['app1', false], ['app2', false], ['app1-monolithic', true], ['app2-monolithic', true]]);
    expect(plan[1]?.buildArgs).toMatchObject({ F1_IMAGE: 't/f1', GENERAL_PACKAGES: 'numpy pandas', PIP_INDEX_URL: 'http://127.0.0.1:1/' });
    expect(plan[4]?.buildArgs).toEqual({ F3_IMAGE: 't/f3', APP: 'app2', ASSET_BYTES: '0' });
    expect(plan[6]?.buildArgs).toMatchObject({ OS_BASE: 'os:1', APP: 'app2', GENERAL_PACKAGES: 'numpy pandas', MODEL_BYTES: '5' });
  });

  it('names the tier of each layer: the OS first, each tier\'s own, the app, a monolithic image\'s own', () => {
    const tiers = tierOfLayers(
      new Map([
        ['f1', ['os', 'f1']],
        ['f2', ['os', 'f1', 'f2']],
        ['f3', ['os', 'f1', 'f2', 'f3a', 'f3b']],
        ['app2', ['os', 'f1', 'f2', 'f3a', 'f3b', 'code']],
        ['app2-monolithic', ['os', 'm1', 'm2']],
      ]),
      1,
    );
    expect(Object.fromEntries(tiers)).toEqual({ os: 'os', f1: 'f1', f2: 'f2', f3a: 'f3', f3b: 'f3', code: 'app', m1: 'own', m2: 'own' });
  });
});

describe('a pull as a sample', () => {
  it('takes every layer from the manifest, its tier, and what the fresh host did with it', () => {
    const sample = toPullSample({
      case: 'with-base',
      image: 'app2',
      rep: 2,
      trace: {
        wallMs: 1234.6,
        digest: 'sha256:x',
        layers: [
          { id: 'aaaaaaaaaaaa', status: 'already-present', downloadBytes: null, downloadMs: null, extractMs: null, downloadStartMs: null, downloadEndMs: null, extractStartMs: null, extractEndMs: null },
          { id: 'bbbbbbbbbbbb', status: 'downloaded', downloadBytes: 700, downloadMs: 12.4, extractMs: 3.6, downloadStartMs: 40.2, downloadEndMs: 52.6, extractStartMs: 1200, extractEndMs: 1203.6 },
        ],
      },
      manifest: [{ digest: `sha256:${'a'.repeat(64)}`, size: 1000 }, { digest: `sha256:${'b'.repeat(64)}`, size: 700 }],
      tiers: new Map([[`sha256:${'a'.repeat(64)}`, 'f3'], [`sha256:${'b'.repeat(64)}`, 'app']]),
      bytesOverLink: 9000,
      link: { bandwidth: '100mbit', bitsPerSecond: 1e8 },
      health: null,
      startedAt: new Date('2026-11-25T10:00:00Z'),
      machine: 'm',
    });
    expect(sample).toMatchObject({ kind: 'pull', case: 'with-base', rep: 2, wallMs: 1235, downloadedBytes: 700, bytesOverLink: 9000, bandwidth: '100mbit', bitsPerSecond: 1e8 });
    expect(sample.layers.map((l) => [l.tier, l.status, l.compressedBytes, l.downloadMs, l.extractMs])).toEqual([['f3', 'already-present', 1000, null, null], ['app', 'downloaded', 700, 12, 4]]);
  });
});

function pullSample(kind: PullCase, wallMs: number, downloadedBytes: number): PullSample {
  return { kind: 'pull', case: kind, image: kind === 'base-alone' ? 'f3' : 'app2', rep: 1, wallMs, layers: [], downloadedBytes, bytesOverLink: downloadedBytes * 1.01, health: null, startedAt: '2026-11-25T10:00:00.000Z', machine: 'm' };
}

const SETUP: PullSetup = {
  scale: 'default',
  link: { bandwidth: '100mbit', bitsPerSecond: 1e8, latency: 'not shaped (this kernel has no netem)' },
  freshHostMode: 'capabilities',
  images: [
    { name: 'f3', uncompressedBytes: 480e6, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 't', compressedBytes: 120e6, tier: 'f2' }] },
    { name: 'app1', uncompressedBytes: 480e6, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 't', compressedBytes: 120e6, tier: 'f2' }, { digest: 'a1', compressedBytes: 1e3, tier: 'app' }] },
    { name: 'app2', uncompressedBytes: 480e6, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 't', compressedBytes: 120e6, tier: 'f2' }, { digest: 'a2', compressedBytes: 2e3, tier: 'app' }] },
    { name: 'app1-monolithic', uncompressedBytes: 480e6, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 'm1', compressedBytes: 121e6, tier: 'own' }] },
    { name: 'app2-monolithic', uncompressedBytes: 480e6, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 'm2', compressedBytes: 122e6, tier: 'own' }] },
  ],
};
const SAMPLES = [pullSample('with-base', 500, 2e3), pullSample('without-base', 20_000, 200e6), pullSample('base-alone', 19_000, 200e6), pullSample('monolithic-with-app1', 12_000, 122e6)];

describe('pullRecommendation', () => {
  it('counts what a shared base saves per deploy of App2 onto a host that holds App1, in bytes and at the link\'s rate', () => {
    const advice = pullRecommendation(summarize(SAMPLES), SETUP);
    expect(advice.savedBytesPerDeploy).toBe(122e6 - 2e3);
    expect(advice.savedSecondsPerDeploy).toBeCloseTo(((122e6 - 2e3) * 8) / 1e8, 9);
    expect(advice.ratioWithoutOverWith).toBe(40);
  });

  it('counts both apps onto an empty host by the distinct layers each way', () => {
    const advice = pullRecommendation(summarize(SAMPLES), SETUP);
    expect(advice.bothApps).toEqual({ sharedBytes: 200e6 + 3e3, monolithicBytes: 80e6 + 243e6, savedBytes: 80e6 + 243e6 - 200e6 - 3e3, savedSeconds: ((123e6 - 3e3) * 8) / 1e8 });
  });

  it('has no time on an unlimited link', () => {
    const advice = pullRecommendation(summarize(SAMPLES), { ...SETUP, link: { ...SETUP.link, bandwidth: 'unlimited', bitsPerSecond: null } });
    expect(advice.savedSecondsPerDeploy).toBeNull();
    expect(advice.bothApps?.savedSeconds).toBeNull();
  });
});

describe('pullTable', () => {
  it('is the article\'s table: the four cases, time, bytes, ratio to the pull with the base, and seed 001\'s figures', () => {
    const result = { ...resultOf([]), samples: SAMPLES, summary: summarize(SAMPLES), pull: SETUP };
    const lines = pullTable(result).split('\n');
    expect(lines[0]).toMatch(/^pull of App2 · scale default · tiers 480 MB, app 480 MB · link 100 Mbit\/s, latency not shaped/);
    expect(lines[2]).toMatch(/App2, host holds App1 \(with base\)\s+500 ms\s+1\s+2.0 kB\s+2.0 kB\s+1.0×\s+–\s+1 min 33 s/);
    expect(lines[3]).toMatch(/App2, empty host \(without base\)\s+20.0 s\s+1\s+200 MB\s+202 MB\s+40×\s+–\s+> 7 min/);
    expect(lines[4]).toMatch(/base tiers alone, empty host\s+19.0 s .* > 4 min/);
    expect(lines.join('\n')).toContain('a shared base saves 11.5 s per deploy of App2 to a host that holds App1 (measured medians: monolithic 12.0 s − shared tiers 500 ms)');
  });
});
