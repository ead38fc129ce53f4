/**
 * The walk a file-sync sender makes over one synced directory, in fsutil's order and with
 * fsutil's filter semantics (tonistiigi/fsutil fs.go, filter.go, followlinks.go, stat.go):
 * - depth first, each directory's entries sorted by the bytes of their names (Go's WalkDir);
 * - a path is included when it, or one of its parents, matches an include pattern; a parent
 *   directory that is not itself included is sent just before the first entry inside it that is;
 * - a path is excluded when it (or a parent) matches the exclude patterns, `!` exceptions
 *   re-including; an excluded directory is not even entered unless an exception could reach
 *   inside it, so what it holds is never statted;
 * - follow paths are resolved through the symlinks they pass and added to the include patterns,
 *   the link and its target both;
 * - symlinks are sent as links (never followed), hard links after the first as links to it.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { posix } from 'node:path';
import { rulesFrom } from '../../workspace/ignore-rules.js';
import { FileModeBits, FILE_MODE_TYPE, type WireStat } from './wire.js';

export interface WalkFilter {
  /** empty: everything is included */
  includePatterns: readonly string[];
  excludePatterns: readonly string[];
  /** paths (possibly through symlinks) whose resolved targets are included as well */
  followPaths: readonly string[];
}

export interface WalkOptions {
  /** uid and gid are sent as 0 (the docker CLI does this for the build context) */
  resetOwner: boolean;
  signal?: AbortSignal;
}

export interface WalkEntry {
  stat: WireStat;
  /** where its content is read from, for a regular file */
  absolutePath: string;
}

/** True for what a receiver may ask the content of: a regular file (fsutil's fileCanRequestData). */
export function isRegularFileMode(mode: number): boolean {
  return (mode & FILE_MODE_TYPE) === 0;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFBLK = 0o060000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000;

/** A POSIX st_mode as Go's os.FileMode, the way fsutil sends it (the socket bit cleared). */
export function goFileMode(stMode: number): number {
  let mode = stMode & 0o777;
  switch (stMode & S_IFMT) {
    case S_IFDIR: mode |= FileModeBits.dir; break;
    case S_IFLNK: mode |= FileModeBits.symlink; break;
    case S_IFBLK: mode |= FileModeBits.device; break;
    case S_IFCHR: mode |= FileModeBits.device | FileModeBits.charDevice; break;
    case S_IFIFO: mode |= FileModeBits.namedPipe; break;
    case S_IFSOCK: break; // fsutil clears ModeSocket: tar cannot carry it
    default: break;
  }
  if (stMode & 0o4000) mode |= FileModeBits.setuid;
  if (stMode & 0o2000) mode |= FileModeBits.setgid;
  if (stMode & 0o1000) mode |= FileModeBits.sticky;
  return mode >>> 0;
}

function byNameBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const PATTERN_CHARS = /[*[\]?^\\]/;

/** fsutil's patternWithoutTrailingGlob, on a cleaned pattern */
function withoutTrailingGlob(pattern: string): string {
  return pattern.replace(/\/\*\*$/, '').replace(/\/\*$/, '');
}

function cleanPattern(pattern: string): string {
  const cleaned = posix.normalize(pattern.trim()).replace(/\/$/, '');
  return cleaned.length > 1 && cleaned.startsWith('/') ? cleaned.slice(1) : cleaned;
}

/** A matcher with docker's .dockerignore semantics: a path matches when it or a parent matches. */
interface PatternSet {
  matches(relativePath: string): boolean;
  /** false when a directory may be skipped: no pattern of this kind can name a path inside it */
  mayReachInside(dir: string): boolean;
  /** any `!` pattern */
  hasExceptions: boolean;
}

function patternSet(patterns: readonly string[], reachKind: 'positive' | 'exceptions'): PatternSet | undefined {
  if (patterns.length === 0) return undefined;
  const rules = rulesFrom(undefined, [...patterns]);
  const relevant = patterns
    .filter((p) => (reachKind === 'exceptions') === p.trim().startsWith('!'))
    .map((p) => cleanPattern(p.trim().replace(/^!/, '')));
  const prefixOnly = relevant.every((p) => !PATTERN_CHARS.test(withoutTrailingGlob(p)));
  return {
    matches: (relativePath) => rules.ignores(relativePath),
    mayReachInside: (dir) => !prefixOnly || relevant.some((p) => `${withoutTrailingGlob(p)}/`.startsWith(`${dir}/`)),
    hasExceptions: rules.hasExceptions,
  };
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (ch === '\\' && i + 1 < glob.length) source += `\\${glob[++i] ?? ''}`;
    else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * fsutil's FollowLinks: each path is walked component by component from the root; a
 * component that is a symlink adds itself, and the rest of the path continues from its
 * target (an absolute target is taken inside the synced dir). Returns the paths to include.
 */
export async function resolveFollowPaths(root: string, followPaths: readonly string[]): Promise<string[] | undefined> {
  const resolved = new Set<string>();
  const linkTargets = async (relative: string, allowWildcard: boolean): Promise<string[] | undefined> => {
    const base = posix.basename(relative);
    if (allowWildcard && /[*?[]/.test(base)) {
      const dir = posix.dirname(relative);
      let names: string[];
      try {
        names = await readdir(posix.join(root, dir));
      } catch {
        return undefined;
      }
      const pattern = globToRegExp(base);
      const out: string[] = [];
      for (const name of names.sort(byNameBytes)) {
        if (pattern.test(name)) out.push(...((await linkTargets(posix.join(dir, name), false)) ?? []));
      }
      return out.length > 0 ? out : undefined;
    }
    try {
      const stats = await lstat(posix.join(root, relative));
      if (!stats.isSymbolicLink()) return undefined;
      const link = posix.normalize(await readlink(posix.join(root, relative)));
      return [link.startsWith('/') ? link : posix.join('/', posix.dirname(relative), link)];
    } catch {
      return undefined;
    }
  };
  const append = async (path: string, depth: number): Promise<void> => {
    if (depth > 255) throw new Error(`too many levels of symbolic links resolving follow path ${path}`);
    let rest = posix.normalize(posix.join('.', path.replace(/^\/+/, '')));
    let current = '.';
    for (;;) {
      const slash = rest.indexOf('/');
      const first = slash < 0 ? rest : rest.slice(0, slash);
      rest = slash < 0 ? '' : rest.slice(slash + 1);
      current = posix.join(current, first);
      const targets = current === '.' ? undefined : await linkTargets(current, true);
      if ((rest === '' || targets !== undefined) && resolved.has(current)) return;
      if (targets !== undefined) {
        resolved.add(current);
        for (const target of targets) await append(posix.join(target, rest), depth + 1);
        return;
      }
      if (rest === '') {
        resolved.add(current);
        return;
      }
    }
  };
  for (const p of followPaths) await append(p, 0);
  const sorted = [...resolved].sort(byNameBytes);
  if (sorted.includes('.')) return undefined; // the root itself: no filter
  return sorted.filter((p, i) => !sorted.slice(0, i).some((q) => p.startsWith(`${q}/`)));
}

function statOf(relativePath: string, s: BigIntStats, linkname: string, resetOwner: boolean): WireStat {
  const mode = goFileMode(Number(s.mode));
  const isDir = (mode & FileModeBits.dir) !== 0;
  const isDevice = (mode & FileModeBits.device) !== 0;
  const rdev = Number(s.rdev);
  return {
    path: relativePath,
    mode,
    uid: resetOwner ? 0 : Number(s.uid),
    gid: resetOwner ? 0 : Number(s.gid),
    size: isDir ? 0 : Number(s.size),
    modTimeNs: s.mtimeNs.toString(),
    linkname,
    devmajor: isDevice ? (rdev >> 8) & 0xfff : 0,
    devminor: isDevice ? (rdev & 0xff) | ((rdev >> 12) & 0xfff00) : 0,
  };
}

/** Walks `root` as a file-sync sender does; yields the entries to send as STAT packets, in order. */
export async function* walkSyncedDir(root: string, filter: WalkFilter, options: WalkOptions): AsyncGenerator<WalkEntry> {
  const followed = filter.followPaths.length > 0 ? await resolveFollowPaths(root, filter.followPaths) : undefined;
  const includePatterns = [...filter.includePatterns, ...(followed ?? [])];
  const include = patternSet([...new Set(includePatterns)], 'positive');
  const exclude = patternSet(filter.excludePatterns, 'exceptions');
  /** the first path sent for each hard-linked inode */
  const firstLinks = new Map<string, string>();

  interface Pending { entry: WalkEntry; sent: boolean }
  const parents: Pending[] = [];

  async function* visit(dirRelative: string): AsyncGenerator<WalkEntry> {
    let names: string[];
    try {
      names = await readdir(dirRelative === '' ? root : posix.join(root, dirRelative));
    } catch (error) {
      // a directory removed during the walk is skipped, as fsutil does for not-exist errors
      if (isNotExist(error)) return;
      throw error;
    }
    for (const name of names.sort(byNameBytes)) {
      options.signal?.throwIfAborted();
      const relative = dirRelative === '' ? name : `${dirRelative}/${name}`;
      const absolutePath = posix.join(root, relative);
      let stats: BigIntStats;
      try {
        stats = await lstat(absolutePath, { bigint: true });
      } catch (error) {
        if (isNotExist(error)) continue;
        throw error;
      }
      const isDir = stats.isDirectory();
      let skip = false;
      if (include !== undefined && !include.matches(relative)) {
        if (isDir && !include.mayReachInside(relative)) continue;
        skip = true;
      }
      if (exclude !== undefined && exclude.matches(relative)) {
        if (isDir && (!exclude.hasExceptions || !exclude.mayReachInside(relative))) continue;
        skip = true;
      }
      let linkname = '';
      if (stats.isSymbolicLink()) {
        try {
          linkname = await readlink(absolutePath);
        } catch (error) {
          if (isNotExist(error)) continue;
          throw error;
        }
      }
      const entry: WalkEntry = { stat: statOf(relative, stats, linkname, options.resetOwner), absolutePath };
      if (!skip) {
        for (const parent of parents) {
          if (parent.sent) continue;
          parent.sent = true;
          yield parent.entry;
        }
        if (stats.isFile() && stats.nlink > 1n) {
          const inode = `${stats.dev}:${stats.ino}`;
          const first = firstLinks.get(inode);
          if (first === undefined) firstLinks.set(inode, relative);
          else entry.stat = { ...entry.stat, linkname: first, size: 0 };
        }
        yield entry;
      }
      if (isDir) {
        parents.push({ entry, sent: !skip });
        yield* visit(relative);
        parents.pop();
      }
    }
  }
  yield* visit('');
}

function isNotExist(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
