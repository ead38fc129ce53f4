/**
 * A stand-in for the daemon's socket that forwards to the real one until `cut()`: then every
 * connection breaks and the socket is gone, as when the daemon stops mid-build.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export class SocketProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  private constructor(readonly path: string) {}

  static async start(path: string, target = '/var/run/docker.sock'): Promise<SocketProxy> {
    const proxy = new SocketProxy(path);
    rmSync(path, { force: true });
    proxy.server = createServer((client) => {
      const upstream = connect(target);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => proxy.server?.listen(path, resolve));
    return proxy;
  }

  get dockerHost(): string {
    return `unix://${this.path}`;
  }

  /** The daemon "stops": open connections break, new ones are refused. */
  cut(): void {
    this.server?.close();
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    rmSync(this.path, { force: true });
  }
}
