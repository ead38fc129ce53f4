/**
 * The local package index over HTTP on 127.0.0.1: files marked immutable and index pages
 * cacheable for ten minutes, as PyPI marks them; nothing outside the index directory served;
 * and, given a shared link, downloads that take the time the link's rate says.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveIndexes, type RunningIndex } from '../../src/package-index/index-server.js';
import { SharedLink } from '../../src/package-index/shared-link.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

const PAGE = '<!DOCTYPE html><html><body><a href="../../files/pkg-1.0-py3-none-any.whl">pkg-1.0-py3-none-any.whl</a></body></html>\n';
const WHEEL_NAME = 'pkg-1.0-py3-none-any.whl';
/** 1 MB of bytes that are not all alike, so that a reordered or altered chunk shows. */
const WHEEL = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => (i * 7 + (i >> 10)) & 0xff));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET (or HEAD) of a raw path, sent as written (no client-side normalisation of `..`), without keep-alive. */
function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let tmp: string;
let index: RunningIndex;
let port: number;

beforeAll(async () => {
  tmp = makeTempDir();
  writeTree(tmp, {
    'idx/simple/pkg/index.html': PAGE,
    'idx/simple/index.html': '<a href="pkg/">pkg</a>\n',
    [`idx/files/${WHEEL_NAME}`]: WHEEL,
    'secret.txt': 'not part of the index\n',
    'idx2/leak.txt': 'not part of the index either\n',
  });
  index = await serveIndexes([join(tmp, 'idx', 'simple')], 0);
  port = Number(new URL(index.urls[0] ?? '').port);
});
afterAll(async () => {
  await index.close();
  removeTempDirs();
});

describe('serveIndexes: what it serves and how it marks it', () => {
  it('names one URL per directory, on 127.0.0.1 and the port it bound (port 0 asked for a free one)', () => {
    expect(index.urls).toEqual([`http://127.0.0.1:${port}/index-0/simple/`]);
    expect(port).toBeGreaterThan(0);
  });

  it('serves a package page as HTML, cacheable for ten minutes, with its modification time', async () => {
    const answer = await get(port, '/index-0/simple/pkg/');
    expect(answer.status).toBe(200);
    expect(answer.body.toString('utf8')).toBe(PAGE);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['cache-control']).toContain('max-age=600');
    expect(answer.headers['cache-control']).not.toContain('immutable');
    expect(Number.isNaN(Date.parse(String(answer.headers['last-modified'])))).toBe(false);
  });

  it('serves a package file byte for byte, marked immutable, with its length and modification time', async () => {
    const answer = await get(port, `/index-0/files/${WHEEL_NAME}`);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(WHEEL)).toBe(true);
    expect(answer.headers['cache-control']).toContain('immutable');
    expect(answer.headers['cache-control']).not.toContain('max-age=600');
    expect(answer.headers['content-length']).toBe(String(WHEEL.length));
    expect(Number.isNaN(Date.parse(String(answer.headers['last-modified'])))).toBe(false);
  });

  it('answers HEAD with the headers and no body', async () => {
    const answer = await get(port, `/index-0/files/${WHEEL_NAME}`, 'HEAD');
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toContain('immutable');
    expect(answer.body.length).toBe(0);
  });

  it('redirects a package directory without its trailing slash, so relative links resolve', async () => {
    const answer = await get(port, '/index-0/simple/pkg');
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe('/index-0/simple/pkg/');
  });

  it('answers 404 for a file that is not there and for a path outside every index', async () => {
    expect((await get(port, '/index-0/files/nope-1.0.whl')).status).toBe(404);
    expect((await get(port, '/elsewhere/secret.txt')).status).toBe(404);
  });

  it('refuses other methods', async () => {
    expect((await get(port, `/index-0/files/${WHEEL_NAME}`, 'POST')).status).toBe(404);
  });

  it.each([
    ['an escaped ../', '/index-0/..%2fsecret.txt'],
    ['an escaped ../ from deeper down', '/index-0/files/..%2f..%2fsecret.txt'],
    ['a literal ../', '/index-0/../secret.txt'],
    ['a dot-dot the URL parser resolves', '/index-0/%2e%2e/secret.txt'],
    ['a sibling directory whose name starts like the index\'s', '/index-0/..%2fidx2%2fleak.txt'],
  ])('never serves a file outside the index directory (%s): 403 or 404', async (_what, path) => {
    const answer = await get(port, path);
    expect([403, 404]).toContain(answer.status);
    expect(answer.body.toString('utf8')).not.toContain('not part of the index');
  });
});

describe('serveIndexes through a shared link', () => {
  it('holds a 1 MB download to 8 Mbit/s (at least ~0.8 s) and delivers it byte for byte', async () => {
    const throttled = await serveIndexes([join(tmp, 'idx', 'simple')], 0, new SharedLink(8_000_000));
    try {
      const throttledPort = Number(new URL(throttled.urls[0] ?? '').port);
      const started = performance.now();
      const answer = await get(throttledPort, `/index-0/files/${WHEEL_NAME}`);
      const elapsed = performance.now() - started;
      expect(answer.status).toBe(200);
      expect(answer.body.equals(WHEEL)).toBe(true);
      // (1 MB − the 64 KiB burst) at 1 MB/s is 0.93 s; a lower bound only
      expect(elapsed).toBeGreaterThanOrEqual(800);
    } finally {
      await throttled.close();
    }
  });
});

describe('RunningIndex.close', () => {
  it('stops the server: the port answers no more', async () => {
    const other = await serveIndexes([join(tmp, 'idx', 'simple')], 0);
    const otherPort = Number(new URL(other.urls[0] ?? '').port);
    expect((await get(otherPort, '/index-0/simple/pkg/')).status).toBe(200);
    await other.close();
    await expect(get(otherPort, '/index-0/simple/pkg/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
