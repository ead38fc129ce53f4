/**
 * Where a run may write its results: an existing writable directory, or a path that can be
 * created under one. Checked before anything is written; nothing here creates it.
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * File systems that hold no files of their own: the kernel's views of processes, devices and
 * settings. Writing results there fails, or worse (a loop that never ends under /proc).
 */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
]);

/** The absolute directory results will go to; a UsageError naming `option` when it cannot be. */
export function checkOutputDirectory(path: string, option = '--out'): string {
  if (path.trim() === '') throw new UsageError(`${option} needs a directory (it was given an empty value).`);
  const target = resolve(path);
  let existing = target;
  for (;;) {
    const stats = statOrUndefined(existing);
    if (stats !== undefined) {
      if (!stats.isDirectory()) {
        throw new UsageError(
          existing === target ? `${option} ${path} is an existing file, not a directory.` : `${option} ${path} cannot be created: ${existing} is a file.`,
        );
      }
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const fileSystem = pseudoFileSystemOf(existing);
  if (fileSystem !== undefined) throw new UsageError(`${option} ${path} lies on ${fileSystem}, a kernel file system that holds no files: choose a directory on a disk.`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${option} ${path} cannot be written: ${existing} is not writable for this user.`);
  }
  return target;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function pseudoFileSystemOf(path: string): string | undefined {
  try {
    return PSEUDO_FILE_SYSTEMS.get(Number(statfsSync(path).type));
  } catch {
    return undefined;
  }
}
