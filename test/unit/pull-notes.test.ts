/**
 * The notes under the pull table: where the time went (the last byte, then the extract tail;
 * each tier's downloads as an interval, never summed), the ratio and whether CPU bounds it, and
 * what a shared base saves, measured, with the bytes ÷ rate estimate only beside it. Per link
 * rate when the pulls swept several.
 */
import { describe, expect, it } from 'vitest';
import { pullNotes, pullTable } from '../../src/report/pull-table.js';
import { pullRecommendation } from '../../src/result/pull-recommendation.js';
import { summarize } from '../../src/result/summarize.js';
import type { PullCase, PulledLayerRecord, PullSample, PullSetup, SuiteResult } from '../../src/result/types.js';
import { resultOf } from './support/sample-factory.js';

const SETUP: PullSetup = {
  scale: 'default',
  link: { bandwidth: '100mbit', bitsPerSecond: 1e8, latency: 'not shaped' },
  freshHostMode: 'capabilities',
  images: [
    { name: 'app1', uncompressedBytes: 1, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 'a1', compressedBytes: 1e3, tier: 'app' }] },
    { name: 'app2', uncompressedBytes: 1, layers: [{ digest: 'os', compressedBytes: 80e6, tier: 'os' }, { digest: 'a2', compressedBytes: 2e3, tier: 'app' }] },
    { name: 'app1-monolithic', uncompressedBytes: 1, layers: [{ digest: 'm1', compressedBytes: 100e6, tier: 'own' }] },
    { name: 'app2-monolithic', uncompressedBytes: 1, layers: [{ digest: 'm2', compressedBytes: 100e6, tier: 'own' }] },
  ],
};

/** A downloaded layer: its tier, its bytes, and [download start, end] in ms from the request. */
function layer(tier: string, bytes: number, [start, end]: [number, number]): PulledLayerRecord {
  return { digest: `sha256:${tier}${start}`, tier, compressedBytes: bytes, status: 'downloaded', downloadMs: end - start, extractMs: 100, downloadStartMs: start, downloadEndMs: end, extractStartMs: end, extractEndMs: end + 100 };
}

interface Pull {
  case: PullCase;
  wallMs: number;
  lastByteMs: number;
  layers?: PulledLayerRecord[];
  bandwidth?: string;
  rep?: number;
}

function sample(pull: Pull): PullSample {
  const bitsPerSecond = pull.bandwidth === undefined ? undefined : { '20mbit': 2e7, '100mbit': 1e8, '1gbit': 1e9 }[pull.bandwidth];
  const layers = pull.layers ?? [layer('app', 2e3, [100, pull.lastByteMs])];
  return {
    kind: 'pull',
    case: pull.case,
    image: 'app2',
    rep: pull.rep ?? 1,
    wallMs: pull.wallMs,
    lastByteMs: pull.lastByteMs,
    extractTailMs: pull.wallMs - pull.lastByteMs,
    layers,
    downloadedBytes: layers.reduce((sum, l) => sum + (l.compressedBytes ?? 0), 0),
    bytesOverLink: null,
    ...(pull.bandwidth === undefined ? {} : { bandwidth: pull.bandwidth, bitsPerSecond: bitsPerSecond ?? null }),
    health: null,
    startedAt: '2026-11-25T10:00:00.000Z',
    machine: 'm',
  };
}

/** App2 without the base, three times: the OS tier's two layers download side by side with f1's. */
function withoutBase(bandwidth?: string): PullSample[] {
  return [
    { wallMs: 30_000, lastByteMs: 17_000 },
    { wallMs: 33_000, lastByteMs: 18_000 },
    { wallMs: 36_000, lastByteMs: 20_000 },
  ].map(({ wallMs, lastByteMs }, i) =>
    sample({
      case: 'without-base',
      wallMs,
      lastByteMs,
      rep: i + 1,
      ...(bandwidth === undefined ? {} : { bandwidth }),
      layers: [layer('os', 20e6, [0, 9_000]), layer('os', 10e6, [50, 5_000]), layer('f1', 40e6, [100, lastByteMs - 1_000]), layer('app', 2e3, [lastByteMs - 500, lastByteMs])],
    }),
  );
}

function resultWith(samples: PullSample[], setup: PullSetup = SETUP): SuiteResult {
  return { ...resultOf([]), samples, summary: summarize(samples), pull: setup };
}

const CASES: PullSample[] = [
  sample({ case: 'with-base', wallMs: 1_000, lastByteMs: 200 }),
  ...withoutBase(),
  sample({ case: 'monolithic-with-app1', wallMs: 14_000, lastByteMs: 13_000, layers: [layer('own', 100e6 + 2e3, [0, 13_000])] }),
];

describe('where the time went', () => {
  const notes = pullNotes(resultWith(CASES), CASES);

  it('splits each case at its last byte: the download-bound part and the extract tail, medians, and the tail\'s share', () => {
    expect(notes[0]).toBe('where the time went at 100 Mbit/s (medians; downloads overlap, three at a time):');
    expect(notes).toContain('  App2, empty host (without base): last byte at 18.0 s, extract tail 15.0 s (44 % of the pull)');
    expect(notes).toContain('  App2, host holds App1 (with base): last byte at 200 ms, extract tail 800 ms (80 % of the pull)');
    expect(notes).toContain('  monolithic App2, host holds monolithic App1: last byte at 13.0 s, extract tail 1.00 s (7 % of the pull)');
  });

  it('gives each tier the span its downloads covered, first start to last end, as intervals that overlap; never their sum', () => {
    const tiers = notes.find((line) => line.includes('downloads per tier'));
    expect(tiers).toBe('    downloads per tier, first start → last end (overlapping): os 30.0 MB 0 ms → 9.00 s · f1 40.0 MB 100 ms → 17.0 s · app 2.0 kB 17.5 s → 18.0 s');
    // the OS layers' download times summed would be 13.95 s, more than the 9 s they took side by side
    expect(notes.join('\n')).not.toContain('13.9');
  });

  it('names no tiers for a case that downloaded only one (the app layer onto a host with the base)', () => {
    const withBase = notes.findIndex((line) => line.includes('(with base)'));
    expect(notes[withBase + 1]).not.toContain('downloads per tier');
  });

  it('says nothing of where the time went for pulls recorded before the timeline, and sums nothing', () => {
    const old = CASES.map((s) => {
      const { lastByteMs: _l, extractTailMs: _e, ...rest } = s;
      return { ...rest, layers: rest.layers.map(({ digest, tier, compressedBytes, status, downloadMs, extractMs }) => ({ digest, tier, compressedBytes, status, downloadMs, extractMs })) };
    });
    const lines = pullNotes(resultWith(old), old);
    expect(lines.some((line) => line.startsWith('where the time went'))).toBe(false);
    expect(lines[0]).toMatch(/^without ÷ with base: 33\.0×$/);
  });
});

describe('the ratio, and when CPU bounds it', () => {
  it('says so beside the ratio when the extract tail is more than 30 % of the pull (median), for each of the two pulls', () => {
    const ratio = pullNotes(resultWith(CASES), CASES).find((line) => line.startsWith('without ÷ with base'));
    expect(ratio).toBe('without ÷ with base: 33.0× · CPU-bound: the extract tail is 44 % of the pull without base, 80 % of the pull with base');
  });

  it('says nothing of the CPU when both pulls are bound by their bytes (tails of 30 % and less)', () => {
    const samples = [sample({ case: 'with-base', wallMs: 1_000, lastByteMs: 700 }), sample({ case: 'without-base', wallMs: 20_000, lastByteMs: 18_000 })];
    expect(pullNotes(resultWith(samples), samples)).toContain('without ÷ with base: 20.0×');
  });
});

describe('what a shared base saves', () => {
  const notes = pullNotes(resultWith(CASES), CASES);

  it('per deploy of App2 to a host holding App1: the measured medians, monolithic minus shared tiers; bytes ÷ rate only beside it, as an estimate', () => {
    expect(notes).toContain('a shared base saves 13.0 s per deploy of App2 to a host that holds App1 (measured medians: monolithic 14.0 s − shared tiers 1.00 s) and 100 MB (bytes ÷ link rate: ≈ 8.00 s at 100 Mbit/s)');
  });

  it('for App2 onto a host that holds the base against an empty one: measured', () => {
    expect(notes).toContain('the base already on the host saves 32.0 s per pull of App2 (measured medians: 33.0 s without it − 1.00 s with it)');
  });

  it('both apps onto an empty host: bytes, their time only as the estimate', () => {
    expect(notes).toContain('App1 + App2 onto an empty host: 80.0 MB on shared tiers, 200 MB as monolithic images: 120 MB less (bytes ÷ link rate: ≈ 9.60 s at 100 Mbit/s)');
  });

  it('a shared base that was slower is not a saving', () => {
    const samples = [sample({ case: 'with-base', wallMs: 2_000, lastByteMs: 200 }), sample({ case: 'monolithic-with-app1', wallMs: 1_500, lastByteMs: 200 })];
    expect(pullNotes(resultWith(samples), samples).find((line) => line.startsWith('a shared base'))).toMatch(/^a shared base saves no time \(500 ms slower\) per deploy/);
  });
});

describe('notes per link rate', () => {
  const swept = [...withoutBase('1gbit'), sample({ case: 'with-base', wallMs: 900, lastByteMs: 100, bandwidth: '1gbit' }), ...withoutBase('20mbit'), sample({ case: 'with-base', wallMs: 1_200, lastByteMs: 400, bandwidth: '20mbit' })];
  const monolithic = [sample({ case: 'monolithic-with-app1', wallMs: 50_000, lastByteMs: 48_000, bandwidth: '20mbit', layers: [layer('own', 100e6, [0, 48_000])] })];
  const result = resultWith([...swept, ...monolithic], { ...SETUP, link: { ...SETUP.link, bandwidth: '20mbit', bitsPerSecond: 2e7 }, bandwidths: ['20mbit', '1gbit'] });

  it('the table\'s notes take each rate on its own, the slowest first', () => {
    const notes = pullTable(result).split('\n');
    const headers = notes.filter((line) => line.startsWith('where the time went'));
    expect(headers).toEqual(['where the time went at 20 Mbit/s (medians; downloads overlap, three at a time):', 'where the time went at 1 Gbit/s (medians; downloads overlap, three at a time):']);
    const ratios = notes.filter((line) => line.startsWith('without ÷ with base:'));
    expect(ratios.map((line) => line.split(' · ')[0])).toEqual(['without ÷ with base: 27.5×', 'without ÷ with base: 36.7×']);
  });

  it('each rate\'s estimate divides by its own rate', () => {
    const slow = pullNotes(result, [...swept, ...monolithic].filter((s) => s.bandwidth === '20mbit'));
    expect(slow.find((line) => line.startsWith('a shared base'))).toContain('(bytes ÷ link rate: ≈ 40.0 s at 20 Mbit/s)');
    const fast = pullNotes(result, swept.filter((s) => s.bandwidth === '1gbit'));
    expect(fast.find((line) => line.startsWith('App1 + App2'))).toContain('(bytes ÷ link rate: ≈ 960 ms at 1 Gbit/s)');
  });
});

describe('pullRecommendation', () => {
  it('keeps the measured medians it subtracts, beside the bytes and their estimate', () => {
    const advice = pullRecommendation(summarize(CASES), SETUP);
    expect(advice.measuredPerDeploy).toEqual({ insteadMs: 14_000, withSharedBaseMs: 1_000, savedMs: 13_000 });
    expect(advice.measuredBaseHeld).toEqual({ insteadMs: 33_000, withSharedBaseMs: 1_000, savedMs: 32_000 });
    expect(advice.savedBytesPerDeploy).toBe(100e6);
    expect(advice.savedSecondsPerDeploy).toBeCloseTo((100e6 * 8) / 1e8, 9);
    expect(advice.bitsPerSecond).toBe(1e8);
  });

  it('has no measured saving without both pulls', () => {
    const advice = pullRecommendation(summarize(CASES.filter((s) => s.case !== 'monolithic-with-app1')), SETUP);
    expect(advice.measuredPerDeploy).toBeNull();
    expect(advice.measuredBaseHeld).not.toBeNull();
  });

  it('over a sweep\'s summary, takes the rows of one rate, and divides by that rate', () => {
    const summary = summarize([...withoutBase('20mbit'), sample({ case: 'with-base', wallMs: 1_200, lastByteMs: 400, bandwidth: '20mbit' }), ...withoutBase('1gbit'), sample({ case: 'with-base', wallMs: 900, lastByteMs: 100, bandwidth: '1gbit' })]);
    const fast = pullRecommendation(summary, SETUP, '1gbit');
    expect(fast.measuredBaseHeld).toEqual({ insteadMs: 33_000, withSharedBaseMs: 900, savedMs: 32_100 });
    expect(fast.bitsPerSecond).toBe(1e9);
    expect(fast.bothApps?.savedSeconds).toBeCloseTo(((200e6 - 80e6 - 3e3) * 8) / 1e9, 9);
    expect(pullRecommendation(summary, SETUP).bitsPerSecond).toBe(2e7);
  });
});
