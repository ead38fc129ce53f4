import type { Readable } from 'node:stream';

/**
 * Reads a Docker JSON-lines stream (build, pull, import) message by message.
 * Chunks may split a message; the remainder is carried to the next chunk.
 */
export async function readJsonStream(
  stream: Readable,
  onMessage: (message: Record<string, unknown>, atMs: number) => void,
  now: () => number,
): Promise<void> {
  let partial = '';
  const emit = (line: string): void => {
    const text = line.trim();
    if (text === '') return;
    try {
      onMessage(JSON.parse(text) as Record<string, unknown>, now());
    } catch {
      onMessage({ stream: `${text}\n` }, now());
    }
  };
  for await (const chunk of stream) {
    const lines = (partial + (Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk))).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) emit(line);
  }
  emit(partial);
}
