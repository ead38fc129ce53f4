/**
 * Serves local package index directories over HTTP on 127.0.0.1 only, for builds that run
 * with the host network. Directory `/x/simple` is served under `/index-N/` (its parent), so
 * that the relative file links simple indexes use (`../../files/…`) still resolve.
 *
 * Like PyPI, package files are marked immutable (pip keeps them in its HTTP cache, which a
 * BuildKit cache mount then keeps between builds) and index pages cacheable for a while.
 * Given a link, every response goes through it: downloads cost what they would over that line.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { pipeline } from 'node:stream';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { PackageIndexError } from '../errors.js';
import type { SharedLink } from './shared-link.js';

export interface RunningIndex {
  /** the index URLs, in pip's order: the first is PIP_INDEX_URL, the rest extra indexes */
  urls: string[];
  close(): Promise<void>;
}

export async function serveIndexes(directories: readonly string[], port: number, link?: SharedLink): Promise<RunningIndex> {
  const mounts = directories.map((directory, i) => ({ prefix: `/index-${i}/`, root: dirname(directory), simple: basename(directory) }));
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const mount = mounts.find((m) => url.pathname.startsWith(m.prefix));
    if (mount === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404).end();
      return;
    }
    let relativePath: string;
    try {
      relativePath = decodeURIComponent(url.pathname.slice(mount.prefix.length));
    } catch {
      response.writeHead(400).end();
      return;
    }
    const path = normalize(join(mount.root, relativePath));
    const rootWithSep = mount.root.endsWith(sep) ? mount.root : mount.root + sep;
    if (path !== mount.root && !path.startsWith(rootWithSep)) {
      response.writeHead(403).end();
      return;
    }
    let file = path;
    let stats;
    try {
      stats = statSync(path);
      if (stats.isDirectory()) {
        if (!url.pathname.endsWith('/')) {
          response.writeHead(301, { location: `${url.pathname}/` }).end();
          return;
        }
        file = join(path, 'index.html');
        stats = statSync(file);
      }
    } catch {
      response.writeHead(404).end();
      return;
    }
    const page = file.endsWith('.html');
    response.writeHead(200, {
      'content-type': page ? 'text/html; charset=utf-8' : 'application/octet-stream',
      'content-length': stats.size,
      'last-modified': stats.mtime.toUTCString(),
      // PyPI's own: files never change, index pages for ten minutes
      'cache-control': page ? 'max-age=600, public' : 'max-age=365000000, immutable, public',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    // pipeline, not pipe: a download the client gives up on closes the file too
    const content = createReadStream(file);
    const done = (): void => {};
    if (link === undefined) pipeline(content, response, done);
    else pipeline(content, link.throttle(), response, done);
  });
  await listen(server, port);
  // port 0 asks the system for a free one: the URLs name the port actually bound
  const bound = (server.address() as { port: number }).port;
  return {
    urls: mounts.map((m) => `http://127.0.0.1:${bound}${m.prefix}${m.simple}/`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new PackageIndexError(
          `Could not serve the local package index on 127.0.0.1:${port} (${err.code ?? err.message}).`,
          err.code === 'EADDRINUSE'
            ? 'Another process holds that port (another layerbench run?). Wait for it, or pass --index-port; note that a different port changes the build cache key, so the first build after it reinstalls packages.'
            : undefined,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Whether 127.0.0.1:port can be served on right now (asked by binding it for a moment). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
