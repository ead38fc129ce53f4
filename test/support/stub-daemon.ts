/**
 * A stand-in for the Docker daemon in unit specs: an HTTP server on a unix socket in a
 * temporary folder that answers the Engine API requests a spec routes, and records every
 * request it gets. An engine reaches it through `DOCKER_HOST=unix://…` (`daemon.env`), so the
 * adapter's own requests, error translation and stream reading are what a spec exercises.
 *
 * A route is a method, a path pattern (matched against the path without its query or API
 * version prefix) and a reply: JSON, text, a stream of JSON lines (optionally broken off, as
 * when the connection drops, or ending with the daemon gone), a connection hung up without an
 * answer, or an upgrade (exec's and /session's hijacked socket, handed to the spec).
 * Routes added later win; a request no route matches is answered 501, naming itself, so that
 * a missing route fails a spec loudly rather than reading as "not found".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

export interface StubRequest {
  method: string;
  /** the path without its query or `/v1.xx` prefix, e.g. `/images/app:1/json` */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** the request body as sent (for an upgrade, what arrived with its headers) */
  body: Buffer;
}

export type StubReply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string | Buffer; headers?: Record<string, string> }
  | {
      status?: number;
      /** each written as one JSON line, in its own chunk */
      lines: readonly unknown[];
      /** after the lines: end the response (default), cut the connection, or take the daemon away */
      then?: 'end' | 'break' | 'vanish';
    }
  /** the connection is closed without an answer */
  | { hangUp: true }
  /** `101 Switching Protocols`; the socket is then the spec's (exec's stream, a BuildKit session) */
  | { upgrade: (socket: Duplex) => void };

export type StubResponder = StubReply | ((request: StubRequest) => StubReply | Promise<StubReply>);

interface Route {
  method: string;
  path: RegExp;
  responder: StubResponder;
}

export class StubDaemon {
  /** every request, in the order it arrived */
  readonly requests: StubRequest[] = [];
  private routes: Route[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly dir: string,
    private readonly server: Server,
  ) {}

  /** Starts a daemon that answers `/_ping` (with `Builder-Version: 2`) and, until routed, nothing else. */
  static async start(): Promise<StubDaemon> {
    const dir = mkdtempSync(join(tmpdir(), 'lb-stub-daemon-'));
    const server = createServer();
    const daemon = new StubDaemon(dir, server);
    server.on('connection', (socket) => {
      daemon.sockets.add(socket);
      socket.on('close', () => daemon.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void daemon.answer(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void daemon.answerUpgrade(req, socket, head));
    daemon.on('GET', /^\/_ping$/, { text: 'OK', headers: { 'Api-Version': '1.43', 'Builder-Version': '2' } });
    await new Promise<void>((resolve) => server.listen(daemon.socketPath, resolve));
    return daemon;
  }

  get socketPath(): string {
    return join(this.dir, 'docker.sock');
  }

  /** DOCKER_HOST for an engine that talks to this daemon */
  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  /** the environment to give DockerodeEngine */
  get env(): NodeJS.ProcessEnv {
    return { DOCKER_HOST: this.dockerHost };
  }

  /** Routes `method` requests whose path matches `path` to `responder` (over any earlier route). */
  on(method: string, path: RegExp, responder: StubResponder): this {
    this.routes.unshift({ method, path, responder });
    return this;
  }

  /** The requests made so far with this method whose path matches. */
  requestsTo(method: string, path: RegExp): StubRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  /** The daemon goes away: open connections break, the socket is gone, new connections are refused. */
  vanish(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
    rmSync(this.socketPath, { force: true });
  }

  async stop(): Promise<void> {
    this.vanish();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = await this.replyTo(this.record(req, Buffer.concat(chunks)));
    if ('hangUp' in reply) {
      res.socket?.destroy();
      return;
    }
    if ('upgrade' in reply) {
      res.writeHead(400).end('not an upgrade request');
      return;
    }
    if ('lines' in reply) {
      await this.stream(res, reply.status ?? 200, reply.lines, reply.then ?? 'end');
      return;
    }
    const body = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
    const type = 'json' in reply ? 'application/json' : 'text/plain';
    res.writeHead(reply.status ?? 200, { 'Content-Type': type, ...reply.headers }).end(body);
  }

  private async stream(res: ServerResponse, status: number, lines: readonly unknown[], then: 'end' | 'break' | 'vanish'): Promise<void> {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    for (const line of lines) {
      res.write(`${JSON.stringify(line)}\r\n`);
      // each line its own chunk, as the daemon flushes them
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (then === 'end') res.end();
    else if (then === 'break') res.socket?.destroy();
    else this.vanish();
  }

  /** An upgrade request (exec start, /session): a 101 and the socket to the spec, or a plain answer written on the socket. */
  private async answerUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const reply = await this.replyTo(this.record(req, head));
    if ('upgrade' in reply) {
      // a hijacked request has no length: Node's client ends its (empty) chunked body first
      const rest = await dropChunkedEnd(socket, head, req.headers['transfer-encoding'] === 'chunked');
      const protocol = String(req.headers.upgrade ?? 'tcp');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n`);
      if (rest.length > 0) socket.unshift(rest);
      reply.upgrade(socket);
      return;
    }
    if ('hangUp' in reply || 'lines' in reply) {
      socket.destroy();
      return;
    }
    const body = Buffer.from('json' in reply ? JSON.stringify(reply.json) : reply.text);
    const status = reply.status ?? 200;
    socket.end(
      Buffer.concat([
        Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
        body,
      ]),
    );
  }

  private record(req: IncomingMessage, body: Buffer): StubRequest {
    const url = new URL(req.url ?? '/', 'http://daemon');
    const request: StubRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '')),
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(request);
    return request;
  }

  private async replyTo(request: StubRequest): Promise<StubReply> {
    const route = this.routes.find((r) => r.method === request.method && r.path.test(request.path));
    if (route === undefined) return { status: 501, json: { message: `the stub daemon has no route for ${request.method} ${request.path}` } };
    return typeof route.responder === 'function' ? route.responder(request) : route.responder;
  }
}

/** Reads past `0\r\n\r\n` (the end of an empty chunked body) when it is expected; resolves with what followed it. */
async function dropChunkedEnd(socket: Socket, head: Buffer, chunked: boolean): Promise<Buffer> {
  const end = Buffer.from('0\r\n\r\n');
  if (!chunked) return head;
  let seen = head;
  while (seen.length < end.length) {
    const more = await new Promise<Buffer>((resolve) =>
      socket.once('data', (chunk: Buffer) => {
        // nothing after the terminator may flow past before the spec takes the socket
        socket.pause();
        resolve(chunk);
      }),
    );
    seen = Buffer.concat([seen, more]);
  }
  return seen.subarray(0, end.length).equals(end) ? seen.subarray(end.length) : seen;
}
