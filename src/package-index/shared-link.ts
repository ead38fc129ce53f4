/**
 * One link that every download from the index shares, at a fixed rate: a token bucket that a
 * Transform per response draws from, so that concurrent downloads divide the rate between
 * them, as they would on a developer's line to PyPI. (The stream-throttling packages on npm
 * are unmaintained; this is the whole of it.)
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Bytes a burst may take at once: about 50 ms at the rate, at least one chunk. */
const BURST_SECONDS = 0.05;

export class SharedLink {
  private readonly bytesPerSecond: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly bitsPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bytesPerSecond = bitsPerSecond / 8;
    this.burst = Math.max(64 * 1024, this.bytesPerSecond * BURST_SECONDS);
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when `bytes` may be sent; callers are served in turn. */
  take(bytes: number): Promise<void> {
    const turn = this.queue.then(() => this.wait(bytes));
    this.queue = turn;
    return turn;
  }

  /** A stream that passes its chunks through the link. */
  throttle(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done: TransformCallback) => {
        this.take(chunk.length).then(() => done(null, chunk), done);
      },
    });
  }

  private async wait(bytes: number): Promise<void> {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const seconds = -this.tokens / this.bytesPerSecond;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    this.refill();
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.last) / 1000) * this.bytesPerSecond);
    this.last = at;
  }
}
