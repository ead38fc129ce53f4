import { Transform, type Readable } from 'node:stream';

/** Passes a stream through and counts its bytes: what a tar upload sent. */
export function countingBytes(source: Readable): { stream: Readable; bytes: () => number } {
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      done(null, chunk);
    },
  });
  source.on('error', (err) => counter.destroy(err));
  source.pipe(counter);
  return { stream: counter, bytes: () => total };
}
