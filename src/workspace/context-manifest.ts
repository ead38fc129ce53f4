/**
 * What a build context holds, file by file, hashed the way builders tell files apart: type,
 * mode, owner, size, and content (or link target) — not the modification time, which is why
 * touching a file does not bust a build cache. Its digest is the context's provenance.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestEntry {
  /** `/`-separated, relative to the context */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** sha256 of the content (files) or of the link target (symlinks); null otherwise */
  sha256: string | null;
}

export class ContextManifest {
  private constructor(
    private readonly root: string,
    private readonly entries: Map<string, ManifestEntry>,
  ) {}

  static scan(root: string): ContextManifest {
    const entries = new Map<string, ManifestEntry>();
    const walk = (relative: string): void => {
      for (const name of readdirSync(join(root, relative)).sort()) {
        const path = relative === '' ? name : `${relative}/${name}`;
        const entry = describe(root, path);
        entries.set(path, entry);
        if (entry.type === 'directory') walk(path);
      }
    };
    walk('');
    return new ContextManifest(root, entries);
  }

  /** Re-reads one path after it was written. */
  refresh(path: string): ManifestEntry {
    const entry = describe(this.root, path);
    this.entries.set(path, entry);
    return entry;
  }

  get(path: string): ManifestEntry | undefined {
    return this.entries.get(path);
  }

  get size(): number {
    return this.entries.size;
  }

  /** One digest over every entry, in path order. */
  digest(): string {
    const hash = createHash('sha256');
    for (const path of [...this.entries.keys()].sort()) hash.update(`${entryLine(this.entries.get(path) as ManifestEntry)}\n`);
    return hash.digest('hex');
  }

  /** What each path is now, as builders tell entries apart (for `changedPaths` after the next edit). */
  snapshot(): ManifestSnapshot {
    return new Map([...this.entries].map(([path, entry]) => [path, entryLine(entry)]));
  }

  /** The regular files, in path order. */
  files(): string[] {
    return [...this.entries.values()].filter((entry) => entry.type === 'file').map((entry) => entry.path).sort();
  }

  /** Path → sha256 of the regular files (and link targets). */
  fileDigests(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const path of [...this.entries.keys()].sort()) {
      const entry = this.entries.get(path) as ManifestEntry;
      if (entry.sha256 !== null) files[path] = entry.sha256;
    }
    return files;
  }
}

/** Path → the entry as a builder hashes it (type, mode, owner, size, content or link target). */
export type ManifestSnapshot = ReadonlyMap<string, string>;

/** Paths added, removed or changed between two snapshots, sorted; a new modification time alone is no change. */
export function changedPaths(before: ManifestSnapshot, after: ManifestSnapshot): string[] {
  const changed = new Set<string>();
  for (const [path, line] of after) if (before.get(path) !== line) changed.add(path);
  for (const path of before.keys()) if (!after.has(path)) changed.add(path);
  return [...changed].sort();
}

function describe(root: string, path: string): ManifestEntry {
  const full = join(root, path);
  const stats = lstatSync(full);
  const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'other';
  const sha256 =
    type === 'file' ? createHash('sha256').update(readFileSync(full)).digest('hex')
    : type === 'symlink' ? createHash('sha256').update(readlinkSync(full)).digest('hex')
    : null;
  return { path, type, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, size: type === 'file' ? stats.size : 0, sha256 };
}

function entryLine(entry: ManifestEntry): string {
  return [entry.type, entry.mode.toString(8), `${entry.uid}:${entry.gid}`, entry.size, entry.sha256 ?? '-', entry.path].join(' ');
}
