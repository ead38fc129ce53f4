/**
 * Decides how builds reach Python packages, and what build args carry that.
 * - PyPI reachable: nothing to do.
 * - otherwise, pip configured with local (file://) indexes: serve them on 127.0.0.1 and pass
 *   PIP_INDEX_URL / PIP_EXTRA_INDEX_URL / PIP_TRUSTED_HOST. Their values are part of the
 *   build cache key, so the port is fixed (not random) and the order is pip's.
 * - neither: builds that run pip will fail; say so up front.
 */
import { request } from 'node:https';
import { readLocalIndexes } from './pip-config.js';
import { portIsFree, serveIndexes } from './index-server.js';
import { SharedLink } from './shared-link.js';
import { PackageIndexError, UsageError } from '../errors.js';

/** A fixed port: the index URL is part of the cache key, so it must not change between runs. */
export const DEFAULT_INDEX_PORT = 38751;

export type IndexMode = 'pypi' | 'local' | 'none';

export interface PackageIndex {
  mode: IndexMode;
  urls: string[];
  /** the rate downloads from the local index are held to; null: as fast as loopback goes */
  bitsPerSecond: number | null;
  buildArgs: Record<string, string>;
  close(): Promise<void>;
}

export interface IndexChoice {
  mode: IndexMode;
  directories: string[];
}

/** What would be used, without serving anything (for `doctor`). */
export async function chooseIndex(): Promise<IndexChoice> {
  if (await pypiReachable()) return { mode: 'pypi', directories: [] };
  const { directories } = readLocalIndexes();
  return directories.length > 0 ? { mode: 'local', directories } : { mode: 'none', directories: [] };
}

/** @param bitsPerSecond hold downloads from the local index to this rate (null: unlimited) */
export async function preparePackageIndex(port: number, choice?: IndexChoice, bitsPerSecond: number | null = null): Promise<PackageIndex> {
  const chosen = choice ?? (await chooseIndex());
  if (chosen.mode !== 'local') {
    return { mode: chosen.mode, urls: [], bitsPerSecond: null, buildArgs: {}, close: async () => {} };
  }
  const served = await serveIndexes(chosen.directories, port, bitsPerSecond === null ? undefined : new SharedLink(bitsPerSecond));
  const [first, ...extra] = served.urls;
  return {
    mode: 'local',
    urls: served.urls,
    bitsPerSecond,
    buildArgs: {
      PIP_INDEX_URL: first ?? '',
      ...(extra.length > 0 ? { PIP_EXTRA_INDEX_URL: extra.join(' ') } : {}),
      PIP_TRUSTED_HOST: '127.0.0.1',
    },
    close: served.close,
  };
}

/** One HEAD request to PyPI's simple index, answered or not within 3 s. */
export function pypiReachable(timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request('https://pypi.org/simple/pip/', { method: 'HEAD', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 500);
    });
    probe.on('timeout', () => probe.destroy(new Error('timeout')));
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

/**
 * Checks, before any work, that the index can be served where asked: a port number, and free
 * (a second run, or another program, may hold it).
 */
export async function checkIndexPort(port: number, options: { mustBeFree: boolean }, option = '--index-port'): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${option} must be a port number from 1 to 65535; it was given ${JSON.stringify(port)}.`);
  if (options.mustBeFree && !(await portIsFree(port))) {
    throw new PackageIndexError(
      `The local package index cannot be served on 127.0.0.1:${port}: the port is in use.`,
      `Another layerbench run (\`layerbench doctor\` shows runs in progress) or another program holds it. Wait for it, or pass ${option} with a free port; a different port changes the build cache key, so the first build after it reinstalls packages.`,
    );
  }
}
