import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Reads a Docker JSON-lines stream (build, pull, import) message by message.
 * Chunks may split a message, or a character; the remainder is carried to the next chunk. A
 * line that is not a JSON object reaches `onMessage` as plain output (`{stream}`); what
 * `onMessage` throws rejects.
 */
export async function readJsonStream(
  stream: Readable,
  onMessage: (message: Record<string, unknown>, atMs: number) => void,
  now: () => number,
): Promise<void> {
  const text = new StringDecoder('utf8');
  let partial = '';
  const emit = (line: string): void => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    onMessage(parsed(trimmed) ?? { stream: `${trimmed}\n` }, now());
  };
  for await (const chunk of stream) {
    const lines = (partial + (Buffer.isBuffer(chunk) ? text.write(chunk) : String(chunk))).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) emit(line);
  }
  emit(partial + text.end());
}

/**
 * The message a line holds; undefined when it holds no JSON object. Only the parse is guarded:
 * an exception of the handler must not turn into a second delivery of its line.
 */
function parsed(line: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
