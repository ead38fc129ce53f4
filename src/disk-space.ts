/** Free space, and "disk full" named with the directory that filled up. */
import { statfsSync } from 'node:fs';
import { DiskFullError } from './errors.js';

/** Bytes available to this user under `path`, or undefined when it cannot be read. */
export function freeBytes(path: string): number | undefined {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** Runs a file-system write; ENOSPC becomes a DiskFullError naming `directory`. */
export function writingInto<T>(directory: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw asDiskFull(err, directory) ?? err;
  }
}

/** The DiskFullError for an ENOSPC (or EDQUOT) under `directory`; undefined for any other error. */
export function asDiskFull(err: unknown, directory: string): DiskFullError | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new DiskFullError(directory, freeBytes(directory), code === 'ENOSPC' ? 'no space left on device' : 'disk quota exceeded');
}
