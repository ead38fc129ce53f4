/**
 * pulls.csv: one row per layer of each pull, the pull's own fields on each of its rows; the
 * columns of a sweep (the link rate, the last byte, the extract tail) come after the first
 * ones, which keep their order, so a script that reads by position still reads them.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { pullsCsv } from '../../src/report/csv-report.js';
import { summarize } from '../../src/result/summarize.js';
import type { PullSample, SuiteResult } from '../../src/result/types.js';
import { resultOf } from './support/sample-factory.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

function pull(extra: Partial<PullSample>): PullSample {
  return {
    kind: 'pull', case: 'without-base', image: 'app2', rep: 1, wallMs: 33_100, downloadedBytes: 30e6, bytesOverLink: 30.2e6, health: null, startedAt: '2026-11-25T10:00:00.000Z', machine: 'engine-1',
    layers: [
      { digest: A, tier: 'os', compressedBytes: 30e6, status: 'downloaded', downloadMs: 17_000, extractMs: 9_000 },
      { digest: B, tier: 'app', compressedBytes: null, status: 'already-present', downloadMs: null, extractMs: null },
    ],
    ...extra,
  };
}

function resultWith(samples: PullSample[]): SuiteResult {
  const link = { bandwidth: '100mbit', bitsPerSecond: 1e8, latency: 'not shaped' };
  return { ...resultOf([]), samples, summary: summarize(samples), pull: { scale: 'default', link, freshHostMode: 'capabilities', images: [] } };
}

const rowsOf = (csv: string): Record<string, string>[] => parse(csv, { columns: true }) as Record<string, string>[];

describe('pulls.csv', () => {
  it('keeps its first columns in their order and appends the link rate, the last byte and the extract tail', () => {
    expect(pullsCsv(resultWith([])).split('\n')[0]).toBe(
      'run_id,case,image,rep,pull_ms,bytes_over_link,layer,tier,compressed_bytes,status,download_ms,extract_ms,bandwidth,last_byte_ms,extract_tail_ms',
    );
  });

  it('repeats the pull\'s rate, last byte and extract tail on each of its layers\' rows', () => {
    const rows = rowsOf(pullsCsv(resultWith([pull({ bandwidth: '20mbit', bitsPerSecond: 20e6, lastByteMs: 24_000, extractTailMs: 9_100 }), pull({ rep: 2, bandwidth: '1gbit', bitsPerSecond: 1e9, lastByteMs: 2_500, extractTailMs: 8_900, wallMs: 11_400 })])));
    expect(rows.map((r) => [r['rep'], r['layer']?.slice(7, 10), r['bandwidth'], r['last_byte_ms'], r['extract_tail_ms']])).toEqual([
      ['1', 'aaa', '20mbit', '24000', '9100'],
      ['1', 'bbb', '20mbit', '24000', '9100'],
      ['2', 'aaa', '1gbit', '2500', '8900'],
      ['2', 'bbb', '1gbit', '2500', '8900'],
    ]);
    expect(rows[0]).toMatchObject({ case: 'without-base', pull_ms: '33100', bytes_over_link: '30200000', tier: 'os', status: 'downloaded', download_ms: '17000', extract_ms: '9000' });
    expect(rows[1]).toMatchObject({ compressed_bytes: '', download_ms: '' });
  });

  it('leaves the last byte and the tail empty where the pull downloaded nothing or the result predates them', () => {
    const rows = rowsOf(pullsCsv(resultWith([pull({ bandwidth: '100mbit', lastByteMs: null, extractTailMs: null }), pull({ rep: 2 })])));
    expect(rows.map((r) => [r['last_byte_ms'], r['extract_tail_ms']])).toEqual([['', ''], ['', ''], ['', ''], ['', '']]);
  });

  it('gives a result from before sweeps the one link it ran at', () => {
    const rows = rowsOf(pullsCsv(resultWith([pull({})])));
    expect(rows.map((r) => r['bandwidth'])).toEqual(['100mbit', '100mbit']);
  });
});
