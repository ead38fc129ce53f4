/**
 * The daemon's side of a BuildKit session, for a stub daemon: once `POST /session` is upgraded,
 * the daemon is the HTTP/2 client and calls the gRPC methods layerbench serves. This peer makes
 * those calls over the hijacked socket: the health check, credentials, and a DiffCopy that
 * receives a synced dir as BuildKit does (every STAT, then REQ for each regular file, then FIN).
 */
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { decodePacket, encodePacket, FILE_MODE_TYPE, PacketType, type WirePacket, type WireStat } from '../../src/engine/session/wire.js';

export interface GrpcAnswer {
  /** the call's grpc-status (0 is OK) */
  status: number;
  message: string;
  /** the response messages, unframed */
  messages: Buffer[];
}

export interface ReceivedDir {
  /** every entry the sender walked, in its order */
  stats: WireStat[];
  /** the content of each regular file, by path */
  files: Map<string, Buffer>;
}

/** A gRPC message on the wire: not compressed, its length, its bytes. */
function framed(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** Splits the response bytes of a call into its messages as they arrive. */
function messageReader(onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5) {
      const length = pending.readUInt32BE(1);
      if (pending.length < 5 + length) return;
      onMessage(pending.subarray(5, 5 + length));
      pending = pending.subarray(5 + length);
    }
  };
}

export class SessionPeer {
  private constructor(private readonly http2: ClientHttp2Session) {}

  /** The daemon's end of an upgraded /session connection. */
  static over(socket: Duplex): SessionPeer {
    const http2 = connect('http://session', { createConnection: () => socket as never });
    // layerbench closing the session (as it does after each build) ends this side too
    http2.on('error', () => undefined);
    return new SessionPeer(http2);
  }

  /** A unary call: one request message, the answer's messages and status. */
  unary(path: string, request: Buffer, metadata: Record<string, string> = {}): Promise<GrpcAnswer> {
    const stream = this.call(path, metadata);
    const messages: Buffer[] = [];
    stream.on('data', messageReader((message) => messages.push(Buffer.from(message))));
    stream.end(framed(request));
    return this.answer(stream, messages);
  }

  /**
   * Receives a synced dir over DiffCopy, as BuildKit's receiver does: asks for every regular
   * file the walk names, then ends with FIN. `metadata` is what the daemon sends with the call
   * (`dir-name`, `include-patterns`, `followpaths` …).
   */
  async diffCopy(metadata: Record<string, string>): Promise<ReceivedDir & GrpcAnswer> {
    const stream = this.call('/moby.filesync.v1.FileSync/DiffCopy', metadata);
    const stats: WireStat[] = [];
    const files = new Map<string, Buffer>();
    const waiting = new Map<number, Buffer[]>();
    const messages: Buffer[] = [];
    const send = (packet: WirePacket): boolean => stream.write(framed(encodePacket(packet)));
    stream.on(
      'data',
      messageReader((message) => {
        messages.push(Buffer.from(message));
        const packet = decodePacket(message);
        if (packet.type === PacketType.STAT && packet.stat !== undefined) {
          stats.push(packet.stat);
        } else if (packet.type === PacketType.STAT) {
          // the walk has ended: ask for every regular file, FIN once none is left to ask for
          stats.forEach((stat, id) => {
            if ((stat.mode & FILE_MODE_TYPE) === 0) {
              waiting.set(id, []);
              send({ type: PacketType.REQ, id, data: new Uint8Array() });
            }
          });
          if (waiting.size === 0) send({ type: PacketType.FIN, id: 0, data: new Uint8Array() });
        } else if (packet.type === PacketType.DATA) {
          const chunks = waiting.get(packet.id);
          if (chunks === undefined) return;
          if (packet.data.length > 0) {
            chunks.push(Buffer.from(packet.data));
            return;
          }
          files.set(stats[packet.id]?.path ?? '', Buffer.concat(chunks));
          waiting.delete(packet.id);
          if (waiting.size === 0) send({ type: PacketType.FIN, id: 0, data: new Uint8Array() });
        } else if (packet.type === PacketType.FIN) {
          stream.end();
        }
      }),
    );
    const answer = await this.answer(stream, messages);
    return { ...answer, stats, files };
  }

  close(): void {
    this.http2.destroy();
  }

  private call(path: string, metadata: Record<string, string>): ClientHttp2Stream {
    return this.http2.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata });
  }

  /** The call's status, from its trailers (or from its headers, for a call refused outright). */
  private answer(stream: ClientHttp2Stream, messages: Buffer[]): Promise<GrpcAnswer> {
    return new Promise((resolve, reject) => {
      let status: number | undefined;
      let message = '';
      const note = (headers: Record<string, unknown>): void => {
        if (headers['grpc-status'] !== undefined) status = Number(headers['grpc-status']);
        if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
      };
      const settle = (): void => {
        if (status === undefined) reject(new Error('the call ended without a grpc-status'));
        else resolve({ status, message, messages });
        // the call is over once its status came, whether or not this side had finished sending
        stream.close();
      };
      stream.on('response', note);
      stream.on('trailers', note);
      stream.on('error', reject);
      stream.on('end', settle);
      stream.on('close', settle);
      stream.resume();
    });
  }
}
