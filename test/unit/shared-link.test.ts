/**
 * One link that every download from the local index shares: a burst passes at once, beyond it
 * bytes wait their time at the rate, and concurrent downloads divide the rate between them.
 * Time is vitest's fake clock (setTimeout and Date both), handed to the link as its clock.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SharedLink } from '../../src/package-index/shared-link.js';

/** 8 Mbit/s: 1 000 000 bytes a second, 1 000 bytes a millisecond. */
const RATE_BITS = 8_000_000;
const BYTES_PER_MS = 1_000;
/** The burst at this rate: 50 ms of it would be 50 000 bytes, below the 64 KiB floor. */
const BURST = 64 * 1024;

/** A promise's state, readable while fake time stands still. */
function track(promise: Promise<unknown>): { done: boolean; at: number | undefined } {
  const state: { done: boolean; at: number | undefined } = { done: false, at: undefined };
  void promise.then(() => {
    state.done = true;
    state.at = Date.now();
  });
  return state;
}

/** Lets the promise chains settle without moving the clock. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

let start: number;

beforeEach(() => {
  vi.useFakeTimers();
  start = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

const link = (): SharedLink => new SharedLink(RATE_BITS, () => Date.now());

describe('SharedLink.take', () => {
  it('lets the first burst (64 KiB at this rate) pass at once', async () => {
    const taken = track(link().take(BURST));
    await settle();
    expect(taken.done).toBe(true);
    expect(taken.at).toBe(start);
  });

  it('makes bytes beyond the burst wait bytes ÷ rate: 100 000 bytes more wait 100 ms at 1 MB/s', async () => {
    const taken = track(link().take(BURST + 100_000));
    await vi.advanceTimersByTimeAsync(99);
    expect(taken.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken.done).toBe(true);
  });

  it('after the burst is spent, every take waits its own bytes ÷ rate', async () => {
    const shared = link();
    await shared.take(BURST);
    const taken = track(shared.take(250 * BYTES_PER_MS));
    await vi.advanceTimersByTimeAsync(249);
    expect(taken.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken.done).toBe(true);
  });

  it('refills while idle, but never beyond the burst: a long pause does not buy a longer free run', async () => {
    const shared = link();
    await shared.take(BURST);
    await vi.advanceTimersByTimeAsync(10_000);
    const idle = Date.now();
    const taken = track(shared.take(BURST + 200 * BYTES_PER_MS));
    await vi.advanceTimersByTimeAsync(199);
    expect(taken.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken.done).toBe(true);
    expect(taken.at).toBe(idle + 200);
  });

  it('serves concurrent takers in turn, so that together they get the rate: two takers of N bytes finish at N/rate and 2N/rate', async () => {
    const shared = link();
    await shared.take(BURST);
    const n = 500 * BYTES_PER_MS;
    const first = track(shared.take(n));
    const second = track(shared.take(n));
    await vi.advanceTimersByTimeAsync(500);
    expect(first.done).toBe(true);
    expect(second.done).toBe(false);
    await vi.advanceTimersByTimeAsync(499);
    expect(second.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.done).toBe(true);
    expect([first.at, second.at]).toEqual([start + 500, start + 1_000]);
  });

  it('serves takers in the order they asked, a small one behind a large one included', async () => {
    const shared = link();
    await shared.take(BURST);
    const order: string[] = [];
    const large = shared.take(300 * BYTES_PER_MS).then(() => order.push('large'));
    const small = shared.take(1).then(() => order.push('small'));
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([large, small]);
    expect(order).toEqual(['large', 'small']);
  });

  it('keeps its rate as given, in bits per second', () => {
    expect(link().bitsPerSecond).toBe(RATE_BITS);
  });
});

describe('SharedLink.throttle', () => {
  it('passes every byte through unchanged and in order, and holds them to the rate', async () => {
    const data = Buffer.alloc(BURST + 300 * BYTES_PER_MS);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 31 + (i >> 9)) & 0xff;
    const chunks: Buffer[] = [];
    let finishedAt: number | undefined;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const flow = pipeline(Readable.from([data.subarray(0, 40_000), data.subarray(40_000, 200_000), data.subarray(200_000)]), link().throttle(), sink).then(() => {
      finishedAt = Date.now();
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(finishedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    await flow;
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(finishedAt).toBeGreaterThanOrEqual(start + 300);
  });
});
