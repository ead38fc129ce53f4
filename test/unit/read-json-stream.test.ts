/**
 * readJsonStream: a Docker JSON-lines stream (build, pull, push, import), message by message,
 * however the chunks cut it. A line that is not JSON reaches the handler as plain output
 * (`{stream}`); an exception the handler throws is the caller's, never a second delivery.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonStream } from '../../src/engine/read-json-stream.js';
import { loadFixture } from './support/replay-fixture.js';

/** Reads `chunks` as a stream; resolves with what the handler was given, in order. */
async function deliveries(chunks: (string | Buffer)[], onMessage?: (message: Record<string, unknown>) => void): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  await readJsonStream(
    Readable.from(chunks),
    (message) => {
      seen.push(message);
      onMessage?.(message);
    },
    () => 0,
  );
  return seen;
}

describe('readJsonStream', () => {
  it('delivers a recorded build stream message by message, whatever the chunks cut', async () => {
    const recorded = loadFixture('classic-cold').map((line) => line.msg);
    const text = recorded.map((message) => `${JSON.stringify(message)}\r\n`).join('');
    // chunks of 7 bytes: messages split mid-word
    const chunks: Buffer[] = [];
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.subarray(at, at + 7));
    expect(await deliveries(chunks)).toEqual(recorded);
  });

  it('keeps a character whole when a chunk ends inside it (pip draws its progress bar with ━)', async () => {
    const bytes = Buffer.from('{"stream":"━━ 3.2 MB"}\n', 'utf8');
    const cut = bytes.indexOf(Buffer.from('━', 'utf8')) + 1;
    expect(await deliveries([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([{ stream: '━━ 3.2 MB' }]);
  });

  it('delivers the last message when the stream ends without a newline, and skips blank lines', async () => {
    expect(await deliveries(['{"status":"a"}\n\n  \n{"sta', 'tus":"b"}'])).toEqual([{ status: 'a' }, { status: 'b' }]);
  });

  it('delivers a line that is not a JSON object as plain output, once', async () => {
    expect(await deliveries(['{"status":"a"}\nnot json at all\nnull\n'])).toEqual([{ status: 'a' }, { stream: 'not json at all\n' }, { stream: 'null\n' }]);
  });

  it('gives each message the time it arrived, from the clock it was given', async () => {
    const times: number[] = [];
    let clock = 100;
    await readJsonStream(Readable.from(['{"a":1}\n{"a":2}\n']), (_message, atMs) => times.push(atMs), () => (clock += 5));
    expect(times).toEqual([105, 110]);
  });

  it("rejects with the handler's exception, without delivering the same line again as plain output", async () => {
    const refused = new Error('the decoder refuses this message');
    const seen: Record<string, unknown>[] = [];
    const reading = readJsonStream(
      Readable.from(['{"aux":{"ID":"sha256:1"}}\n{"stream":"after"}\n']),
      (message) => {
        seen.push(message);
        if ('aux' in message) throw refused;
      },
      () => 0,
    );
    await expect(reading).rejects.toBe(refused);
    expect(seen).toEqual([{ aux: { ID: 'sha256:1' } }]);
  });

  it("rejects with the handler's exception for the last line too (no newline after it)", async () => {
    const refused = new Error('no');
    const reading = readJsonStream(Readable.from(['{"a":1}']), () => {
      throw refused;
    }, () => 0);
    await expect(reading).rejects.toBe(refused);
  });

  it('a stream that breaks rejects with its error', async () => {
    const broken = new Readable({
      read() {
        this.push('{"a":1}\n');
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(readJsonStream(broken, () => {}, () => 0)).rejects.toThrow('socket hang up');
  });
});
