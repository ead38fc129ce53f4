/**
 * The sender side of fsutil's DiffCopy packet protocol (tonistiigi/fsutil send.go, receive.go):
 * - the sender walks the synced dir and sends one STAT per entry; an entry's ID is its index in
 *   that sequence; an empty STAT ends the walk;
 * - the receiver sends REQ(id) for each regular file whose content it needs (from the second
 *   build on with the same shared key, only the changed ones);
 * - the sender answers each REQ with DATA(id) chunks and an empty DATA(id);
 * - the receiver sends FIN when it has all it wants; the sender answers FIN and is done.
 * Either side sends ERR with a message on failure. The walk and the answers to REQs run side by
 * side, as in fsutil: a receiver may ask for a file before the walk has ended.
 */
import { open } from 'node:fs/promises';
import { PacketType, type WirePacket } from './wire.js';
import { isRegularFileMode, walkSyncedDir, type WalkFilter } from './synced-dir-walk.js';

/** Both directions of one DiffCopy call. */
export interface PacketChannel {
  /** resolves once the packet may be followed by another (flow control) */
  send(packet: WirePacket): Promise<void>;
  /** the receiver's packets in order; ends when the receiver closes its side */
  received: AsyncIterable<WirePacket>;
}

/** What file sync sent: bytes of file content (DATA payloads) and files whose content was sent. */
export interface SendTally {
  bytes: number;
  files: number;
}

export interface SendOptions {
  filter: WalkFilter;
  resetOwner: boolean;
  /** counted as content travels */
  tally: SendTally;
  signal?: AbortSignal;
}

/** fsutil's copy buffer */
const CHUNK_BYTES = 32 * 1024;

export class FileSyncError extends Error {
  override readonly name = 'FileSyncError';
}

const EMPTY = new Uint8Array(0);

/**
 * Serves one synced dir over `channel` until the receiver's FIN (resolves) or a failure
 * (sends ERR when the failure is this side's, then rejects).
 */
export async function sendSyncedDir(channel: PacketChannel, root: string, options: SendOptions): Promise<void> {
  const abort = new AbortController();
  const signal = options.signal === undefined ? abort.signal : AbortSignal.any([abort.signal, options.signal]);
  /** regular files the receiver may still ask for, by ID */
  const requestable = new Map<number, string>();
  const queue = fileQueue((id, path) => sendFile(channel, id, path, options.tally, signal));
  const walking = sendStats(channel, root, options, signal, requestable);
  walking.catch(() => undefined);
  try {
    await Promise.race([answerRequests(channel, requestable, queue), queue.failure, walking.then(() => new Promise<never>(() => undefined))]);
    await walking;
  } catch (error) {
    await failCall(channel, abort, error);
  }
}

/** Ends the call on this side's failure: stops the walk and the sending, tells the receiver why, rethrows. */
async function failCall(channel: PacketChannel, abort: AbortController, error: unknown): Promise<never> {
  abort.abort(error);
  const message = error instanceof Error ? error.message : String(error);
  await channel.send({ type: PacketType.ERR, id: 0, data: Buffer.from(message) }).catch(() => undefined);
  throw error;
}

/** The walk: one STAT per entry (its ID is its index), then the empty STAT; notes each regular file's ID as requestable. */
async function sendStats(channel: PacketChannel, root: string, options: SendOptions, signal: AbortSignal, requestable: Map<number, string>): Promise<void> {
  let id = 0;
  for await (const entry of walkSyncedDir(root, options.filter, { resetOwner: options.resetOwner, signal })) {
    if (isRegularFileMode(entry.stat.mode)) requestable.set(id, entry.absolutePath);
    id++;
    await channel.send({ type: PacketType.STAT, stat: entry.stat, id: 0, data: EMPTY });
  }
  await channel.send({ type: PacketType.STAT, id: 0, data: EMPTY });
}

interface FileQueue {
  /** queues the file behind those asked for before it */
  push(id: number, path: string): void;
  /** settles when every file queued so far is sent */
  drained(): Promise<void>;
  /** rejects as soon as a queued file cannot be sent */
  failure: Promise<never>;
}

/** The files asked for are sent one at a time, in the order asked. */
function fileQueue(send: (id: number, path: string) => Promise<void>): FileQueue {
  let sending: Promise<void> = Promise.resolve();
  let rejectFailure: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  failure.catch(() => undefined);
  return {
    push(id, path) {
      sending = sending.then(() => send(id, path));
      // a file that cannot be sent ends the call now: the receiver would wait for it forever
      sending.catch(rejectFailure);
    },
    drained: () => sending,
    failure,
  };
}

/** One file's content as DATA(id) chunks, then the empty DATA(id) that ends it. */
async function sendFile(channel: PacketChannel, id: number, path: string, tally: SendTally, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    // gone since its stat: fsutil sends the end of its data and leaves the check to the receiver
    handle = undefined;
  }
  if (handle !== undefined) {
    try {
      // read what is there now, to its end, whatever the stat said (as fsutil's io.Copy)
      for (;;) {
        signal.throwIfAborted();
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        tally.bytes += bytesRead;
        await channel.send({ type: PacketType.DATA, id, data: buffer.subarray(0, bytesRead) });
      }
    } finally {
      await handle.close();
    }
  }
  tally.files += 1;
  await channel.send({ type: PacketType.DATA, id, data: EMPTY });
}

/** The receiver's side of the call: REQs queue files, FIN (once the queue is sent) ends it, ERR fails it. */
async function answerRequests(channel: PacketChannel, requestable: Map<number, string>, queue: FileQueue): Promise<void> {
  for await (const packet of channel.received) {
    switch (packet.type) {
      case PacketType.ERR:
        throw new FileSyncError(`error from receiver: ${Buffer.from(packet.data).toString()}`);
      case PacketType.REQ: {
        const path = requestable.get(packet.id);
        if (path === undefined) throw new FileSyncError(`invalid file id ${packet.id}`);
        requestable.delete(packet.id);
        queue.push(packet.id, path);
        break;
      }
      case PacketType.FIN:
        await queue.drained();
        await channel.send({ type: PacketType.FIN, id: 0, data: EMPTY });
        return;
      default:
        break;
    }
  }
  throw new FileSyncError('the receiver closed the stream before FIN');
}
