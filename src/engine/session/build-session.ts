/**
 * A BuildKit session served by layerbench, as the docker CLI serves one (docker/cli
 * build_buildkit.go, moby/buildkit session/): `POST /session` is upgraded to h2c; on that
 * socket the daemon is the HTTP/2 client and layerbench the gRPC server. A build with
 * `remote=client-session&session=<id>` then pulls its files over the session's file sync.
 *
 * Served: `moby.filesync.v1.FileSync/DiffCopy` (dirs `context` and `dockerfile`),
 * `moby.filesync.v1.Auth/Credentials` (anonymous) and `grpc.health.v1.Health/Check`.
 * Auth's token methods are left unimplemented on purpose: the daemon falls back from
 * GetTokenAuthority / VerifyTokenAuthority on Unimplemented and then fetches registry tokens
 * itself, anonymously; it asks the session for FetchToken only when GetTokenAuthority answered.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { parsePatterns } from '../../workspace/ignore-rules.js';
import { sendSyncedDir, type PacketChannel, type SendTally } from './file-sender.js';
import {
  decodeCredentialsRequest,
  decodeHealthRequest,
  decodePacket,
  encodeAnonymousCredentials,
  encodeHealthResponse,
  encodePacket,
  HEALTH_SERVING,
  type WirePacket,
} from './wire.js';

export interface SyncedDirs {
  /** the build context */
  context: string;
  /** the folder holding the Dockerfile */
  dockerfile: string;
}

export interface SessionTraffic {
  /** bytes of file content sent (DATA payloads) */
  bytes: number;
  /** files whose content was sent */
  files: number;
}

export interface BuildSession {
  readonly id: string;
  readonly sharedKey: string;
  /** what file sync sent since the last call (and resets it) */
  takeTraffic(): SessionTraffic;
  /** resolves when the connection ends, whichever side ended it (a daemon restart, close()) */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export interface BuildSessionOptions {
  dirs: SyncedDirs;
  /**
   * Keys the daemon's cache of what it already holds from this client: the same key from build
   * to build means only changed files travel. The docker CLI derives it from the context path.
   */
  sharedKey: string;
  /** @default the last part of the context path, as the docker CLI names it */
  name?: string;
}

/** Performs the `POST /session` upgrade with these headers; resolves with the raw socket (101 consumed). */
export type SessionHijack = (headers: Record<string, string | string[]>) => Promise<Duplex>;

export const SESSION_HEADERS = {
  id: 'X-Docker-Expose-Session-Uuid',
  name: 'X-Docker-Expose-Session-Name',
  sharedKey: 'X-Docker-Expose-Session-Sharedkey',
  method: 'X-Docker-Expose-Session-Grpc-Method',
} as const;

const DIFF_COPY = '/moby.filesync.v1.FileSync/DiffCopy';
const CREDENTIALS = '/moby.filesync.v1.Auth/Credentials';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
/** the methods announced in the session's headers: exactly those served */
export const SERVED_METHODS = [DIFF_COPY, CREDENTIALS, HEALTH_CHECK] as const;

const fromBuffer = <T>(decode: (bytes: Uint8Array) => T) => (bytes: Buffer): T => decode(bytes);
const asIs = (bytes: Buffer): Buffer => bytes;

function method<Req, Res>(
  path: string,
  stream: boolean,
  requestDeserialize: (bytes: Buffer) => Req,
  responseSerialize: (value: Res) => Buffer,
): grpc.MethodDefinition<Req, Res> {
  return {
    path,
    requestStream: stream,
    responseStream: stream,
    requestSerialize: () => Buffer.alloc(0),
    requestDeserialize,
    responseSerialize,
    responseDeserialize: () => {
      throw new Error('the session only serves');
    },
  };
}

const fileSyncService = {
  DiffCopy: method<WirePacket, WirePacket>(DIFF_COPY, true, fromBuffer(decodePacket), encodePacket),
};
const authService = {
  Credentials: method<{ host: string }, Buffer>(CREDENTIALS, false, fromBuffer(decodeCredentialsRequest), asIs),
};
const healthService = {
  Check: method<{ service: string }, Buffer>(HEALTH_CHECK, false, fromBuffer(decodeHealthRequest), asIs),
};

/**
 * The values of a metadata key. Go's gRPC sends a repeated key as one header field per value;
 * Node's HTTP/2 layer joins repeated fields into one value with ", ", so a joined value is
 * split again (a pattern that itself holds ", " cannot be told apart).
 */
function metadataValues(metadata: grpc.Metadata, key: string): string[] {
  const raw = metadata.get(key).map((v) => (typeof v === 'string' ? v : v.toString()));
  const values = raw.flatMap((v) => v.split(', '));
  const encoded = metadata.get(`${key}-encoded`).map(String)[0];
  // BuildKit ≥ 0.12 query-escapes values holding non-ASCII characters and says so in `<key>-encoded`
  if (encoded === '1' || encoded === 'true') return values.map((v) => decodeURIComponent(v.replace(/\+/g, ' ')));
  return values;
}

/** The context's .dockerignore, as the docker CLI once gave it as the context's SyncedDir Excludes. */
function contextExcludes(context: string): string[] {
  const file = join(context, '.dockerignore');
  return existsSync(file) ? parsePatterns(readFileSync(file, 'utf8')) : [];
}

/** A DiffCopy call as a PacketChannel: writes wait for the stream to drain; the call's end ends `received`. */
function channelOf(call: grpc.ServerDuplexStream<WirePacket, WirePacket>, signal: AbortSignal): PacketChannel {
  return {
    send: (packet) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted || call.destroyed || call.writableEnded) {
          reject(new Error('the file-sync call has ended'));
          return;
        }
        if (call.write(packet)) {
          resolve();
          return;
        }
        const done = (): void => {
          call.off('drain', done);
          signal.removeEventListener('abort', done);
          if (signal.aborted) reject(new Error('the file-sync call has ended'));
          else resolve();
        };
        call.on('drain', done);
        signal.addEventListener('abort', done);
      }),
    received: {
      async *[Symbol.asyncIterator]() {
        try {
          // not the stream's own iterator: leaving it early (at FIN) would destroy the call before its status is sent
          for await (const packet of call.iterator({ destroyOnReturn: false }) as AsyncIterable<WirePacket>) yield packet;
        } catch (error) {
          if (!signal.aborted) throw error;
        }
      },
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Opens a session for one build. Open a new one per build, as the docker CLI does: BuildKit keys
 * a local source by session ID, so a second build on the same session reuses the first one's
 * files without asking; it is the shared key that lets a new session send only what changed.
 */
export async function openBuildSession(hijack: SessionHijack, options: BuildSessionOptions): Promise<BuildSession> {
  const id = randomUUID().replace(/-/g, '');
  const { dirs, sharedKey } = options;
  const name = options.name ?? (dirs.context.split('/').filter(Boolean).pop() ?? 'context');
  const traffic: SendTally = { bytes: 0, files: 0 };
  const server = sessionServer(dirs, traffic);

  let socket: Duplex;
  try {
    socket = await hijack(sessionHeaders(id, name, sharedKey));
  } catch (error) {
    server.forceShutdown();
    throw error;
  }
  const ended = new Promise<void>((resolve) => {
    if (socket.destroyed) resolve();
    socket.once('close', () => resolve());
  });
  // an error on the socket (daemon gone) shows as its close; never as an unhandled 'error'
  socket.on('error', () => undefined);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  injector.injectConnection(socket);
  // Node's HTTP/2 session reads what the socket already buffered (the daemon's preface) on the
  // next tick, and throws if the session is gone by then: let it read before anyone may close
  await settle();

  return {
    id,
    sharedKey,
    takeTraffic: () => takeTally(traffic),
    ended,
    async close() {
      await settle();
      injector.destroy();
      server.forceShutdown();
      socket.destroy();
      await ended;
    },
  };
}

function sessionHeaders(id: string, name: string, sharedKey: string): Record<string, string | string[]> {
  return {
    [SESSION_HEADERS.id]: id,
    [SESSION_HEADERS.name]: name,
    [SESSION_HEADERS.sharedKey]: sharedKey,
    [SESSION_HEADERS.method]: [...SERVED_METHODS],
  };
}

/** What was sent so far, and the tally back to zero. */
function takeTally(traffic: SendTally): SessionTraffic {
  // what a call still running sends from now on counts towards the next take
  const taken = { bytes: traffic.bytes, files: traffic.files };
  traffic.bytes = 0;
  traffic.files = 0;
  return taken;
}

/** The gRPC server of the session, serving exactly SERVED_METHODS; file sync counts into `traffic`. */
function sessionServer(dirs: SyncedDirs, traffic: SendTally): grpc.Server {
  const server = new grpc.Server();
  server.addService(fileSyncService, {
    DiffCopy: (call: grpc.ServerDuplexStream<WirePacket, WirePacket>) => serveDiffCopy(call, dirs, traffic),
  });
  server.addService(authService, {
    Credentials: (_call: grpc.ServerUnaryCall<{ host: string }, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      callback(null, encodeAnonymousCredentials());
    },
  });
  server.addService(healthService, {
    Check: (_call: grpc.ServerUnaryCall<{ service: string }, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      callback(null, encodeHealthResponse(HEALTH_SERVING));
    },
  });
  return server;
}

/** One DiffCopy call: the dir it names (context or dockerfile), filtered as the call asks, sent until FIN. */
function serveDiffCopy(call: grpc.ServerDuplexStream<WirePacket, WirePacket>, dirs: SyncedDirs, traffic: SendTally): void {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  call.on('cancelled', stop);
  call.on('close', stop);
  const dirName = metadataValues(call.metadata, 'dir-name')[0] ?? '';
  const root = dirName === 'context' ? dirs.context : dirName === 'dockerfile' ? dirs.dockerfile : undefined;
  if (root === undefined) {
    failDiffCopy(call, grpc.status.NOT_FOUND, `no access allowed to dir "${dirName}"`);
    return;
  }
  // BuildKit's rule (session/filesync): the dir's own excludes win unless the request says override-excludes
  const dirExcludes = dirName === 'context' ? contextExcludes(root) : [];
  const override = metadataValues(call.metadata, 'override-excludes')[0] === 'true';
  const excludePatterns = dirExcludes.length > 0 && !override ? dirExcludes : metadataValues(call.metadata, 'exclude-patterns');
  sendSyncedDir(channelOf(call, abort.signal), root, {
    filter: {
      includePatterns: metadataValues(call.metadata, 'include-patterns'),
      excludePatterns,
      followPaths: metadataValues(call.metadata, 'followpaths'),
    },
    // the docker CLI maps the context's owners to 0 (resetUIDAndGID), not the Dockerfile's dir
    resetOwner: dirName === 'context',
    tally: traffic,
    signal: abort.signal,
  }).then(
    () => call.end(),
    (error: unknown) => {
      if (abort.signal.aborted) return;
      failDiffCopy(call, grpc.status.UNKNOWN, error instanceof Error ? error.message : String(error));
    },
  );
}

/**
 * Ends a DiffCopy call with a gRPC status the daemon reads. An 'error' event is how grpc-js
 * sends one on a streaming call; destroy() would drop the call before its status is sent,
 * leaving the daemon's side waiting.
 */
function failDiffCopy(call: grpc.ServerDuplexStream<WirePacket, WirePacket>, code: grpc.status, message: string): void {
  call.emit('error', Object.assign(new Error(message), { code, details: message }));
}
