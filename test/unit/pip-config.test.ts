import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageIndexError } from '../../src/errors.js';
import { serveIndexes, type RunningIndex } from '../../src/package-index/index-server.js';
import { localIndexesFrom } from '../../src/package-index/pip-config.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

/** `pip config list` on a machine whose pip reads two local indexes (recorded as is). */
const PIP_CONFIG_LIST = [
  ":env:.cert='/etc/ssl/certs/ca-certificates.crt'",
  ":env:.default-timeout='180'",
  ":env:.find-links='/srv/wheels'",
  "global.cert='/etc/ssl/certs/ca-certificates.crt'",
  "global.extra-index-url='file:///srv/index-a/simple file:///srv/index-b/simple'",
  "global.find-links='/srv/wheels'",
  '',
].join('\n');

describe('localIndexesFrom', () => {
  it("finds the file:// indexes of real `pip config list` output, in pip's order", () => {
    expect(localIndexesFrom(PIP_CONFIG_LIST, {})).toEqual({ directories: ['/srv/index-a/simple', '/srv/index-b/simple'] });
  });

  it('ignores settings other than index-url and extra-index-url, such as find-links and cert', () => {
    const text = "global.find-links='file:///srv/wheels'\nglobal.cert='/etc/ssl/certs/ca.crt'\n";
    expect(localIndexesFrom(text, {}).directories).toEqual([]);
  });

  it('ignores an http(s) index-url: containers can reach those themselves', () => {
    const text = "global.index-url='https://pypi.org/simple'\nglobal.extra-index-url='file:///srv/index-a/simple http://mirror.local/simple'\n";
    expect(localIndexesFrom(text, {}).directories).toEqual(['/srv/index-a/simple']);
  });

  it('lists the index-url before the extra indexes', () => {
    const text = "global.extra-index-url='file:///srv/extra/simple'\nglobal.index-url='file:///srv/main/simple'\n";
    expect(localIndexesFrom(text, {}).directories).toEqual(['/srv/main/simple', '/srv/extra/simple']);
  });

  it('lets PIP_INDEX_URL in the environment override the configured index-url', () => {
    const text = "global.index-url='file:///opt/configured/simple'\n";
    expect(localIndexesFrom(text, { PIP_INDEX_URL: 'file:///opt/from-env/simple' }).directories).toEqual(['/opt/from-env/simple']);
  });

  it('lets PIP_EXTRA_INDEX_URL in the environment override the configured extra indexes', () => {
    const directories = localIndexesFrom(PIP_CONFIG_LIST, { PIP_EXTRA_INDEX_URL: 'file:///srv/a/simple  file:///srv/b/simple' }).directories;
    expect(directories).toEqual(['/srv/a/simple', '/srv/b/simple']);
  });

  it('lists a directory once even when it is configured twice', () => {
    const text = "global.index-url='file:///srv/index-a/simple'\nglobal.extra-index-url='file:///srv/index-a/simple file:///srv/index-a/simple/'\n";
    expect(localIndexesFrom(text, {}).directories).toEqual(['/srv/index-a/simple']);
  });

  it('drops trailing slashes', () => {
    expect(localIndexesFrom("global.index-url='file:///srv/index-a/simple//'\n", {}).directories).toEqual(['/srv/index-a/simple']);
  });

  it('decodes percent-escapes in file URLs', () => {
    expect(localIndexesFrom("global.index-url='file:///opt/my%20index/simple'\n", {}).directories).toEqual(['/opt/my index/simple']);
  });

  it('gives no directories for empty output and an empty environment (no pip)', () => {
    expect(localIndexesFrom('', {})).toEqual({ directories: [] });
  });

  it('still reads the environment when pip printed nothing', () => {
    expect(localIndexesFrom('', { PIP_INDEX_URL: 'file:///srv/simple' }).directories).toEqual(['/srv/simple']);
  });

  // Regression: pip prints values with repr(), so a multi-line setting
  //   extra-index-url =
  //       file:///srv/a/simple
  //       file:///srv/b/simple
  // arrives as '\nfile:///srv/a/simple\nfile:///srv/b/simple' with literal backslash-n separators.
  it('reads a multi-line extra-index-url, which pip config list prints with \\n escapes', () => {
    const text = "global.extra-index-url='\\nfile:///srv/a/simple\\nfile:///srv/b/simple'\n";
    expect(localIndexesFrom(text, {}).directories).toEqual(['/srv/a/simple', '/srv/b/simple']);
  });
});

/** One raw GET, with the path sent exactly as given (fetch would normalise `..` away). */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** serveIndexes takes a fixed port: try random high ports until one is free. */
async function serveOnFreePort(directories: string[]): Promise<{ index: RunningIndex; port: number }> {
  for (let attempt = 0; ; attempt += 1) {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    try {
      return { index: await serveIndexes(directories, port), port };
    } catch (err) {
      if (attempt >= 20 || !(err instanceof PackageIndexError) || !err.message.includes('EADDRINUSE')) throw err;
    }
  }
}

describe('serveIndexes', () => {
  let root: string;
  let index: RunningIndex;
  let port: number;
  let url: string;

  beforeAll(async () => {
    root = makeTempDir();
    writeTree(root, {
      'idx/simple/pkg/index.html': '<!DOCTYPE html><html><body><a href="../../files/pkg-1.0.whl">pkg-1.0.whl</a></body></html>\n',
      'idx/files/pkg-1.0.whl': 'PK-wheel-bytes',
      'more/simple/other/index.html': '<a href="../../files/other-2.0.whl">other-2.0.whl</a>\n',
      'more/files/other-2.0.whl': 'other-wheel',
      'secret.txt': 'not for builds',
    });
    ({ index, port } = await serveOnFreePort([join(root, 'idx/simple'), join(root, 'more/simple')]));
    url = index.urls[0] ?? '';
  });

  afterAll(async () => {
    await index.close();
    removeTempDirs();
  });

  it('gives one URL per directory, in order, on 127.0.0.1, each ending with /simple/', () => {
    expect(index.urls).toHaveLength(2);
    for (const served of index.urls) {
      expect(served.startsWith(`http://127.0.0.1:${port}/`)).toBe(true);
      expect(served.endsWith('/simple/')).toBe(true);
    }
    expect(new Set(index.urls).size).toBe(2);
  });

  it('serves a package page as text/html', async () => {
    const response = await fetch(`${url}pkg/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('href="../../files/pkg-1.0.whl"');
  });

  it('redirects (301) a directory URL without its trailing slash, so that relative links resolve', async () => {
    const response = await fetch(`${url}pkg`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get('location') ?? '', url).href).toBe(`${url}pkg/`);
  });

  it('resolves the relative wheel link of the package page and serves the wheel', async () => {
    const page = `${url}pkg/`;
    const href = /href="([^"]+)"/.exec(await (await fetch(page)).text())?.[1] ?? '';
    const response = await fetch(new URL(href, page));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(await response.text()).toBe('PK-wheel-bytes');
  });

  it('serves the second directory under its own URL', async () => {
    const second = index.urls[1] ?? '';
    expect(await (await fetch(`${second}other/`)).text()).toContain('other-2.0.whl');
    expect(await (await fetch(new URL('../../files/other-2.0.whl', `${second}other/`))).text()).toBe('other-wheel');
  });

  it('answers HEAD with the headers only', async () => {
    const response = await fetch(new URL('../files/pkg-1.0.whl', url), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String('PK-wheel-bytes'.length));
    expect(await response.text()).toBe('');
  });

  it('refuses to serve files outside the served root, whichever way .. is spelt', async () => {
    const prefix = new URL(url).pathname.replace(/simple\/$/, '');
    for (const path of [`${prefix}..%2F..%2Fsecret.txt`, `${prefix}..%2fsecret.txt`, `${prefix}../secret.txt`, `${prefix}%2e%2e/secret.txt`, `${prefix}simple/..%2F..%2F..%2Fsecret.txt`]) {
      expect([403, 404], path).toContain(await rawGet(port, path));
    }
  });

  it('answers 404 for paths outside every mount, missing files and methods other than GET and HEAD', async () => {
    expect(await rawGet(port, '/secret.txt')).toBe(404);
    expect((await fetch(`${url}missing/`)).status).toBe(404);
    expect((await fetch(`${url}pkg/`, { method: 'POST' })).status).toBe(404);
  });

  it('listens on 127.0.0.1', async () => {
    expect((await fetch(`http://127.0.0.1:${port}${new URL(url).pathname}pkg/`)).status).toBe(200);
  });

  it('reports a port that is already taken as a PackageIndexError that says EADDRINUSE', async () => {
    await expect(serveIndexes([join(root, 'idx/simple')], port)).rejects.toThrow(PackageIndexError);
    await expect(serveIndexes([join(root, 'idx/simple')], port)).rejects.toThrow(/EADDRINUSE/);
  });

  it('stops answering once closed', async () => {
    const extra = await serveOnFreePort([join(root, 'idx/simple')]);
    expect((await fetch(`${extra.index.urls[0] ?? ''}pkg/`)).status).toBe(200);
    await extra.index.close();
    await expect(rawGet(extra.port, '/index-0/simple/pkg/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
