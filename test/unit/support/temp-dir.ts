/**
 * Throw-away directories for specs that need files on disk.
 * `makeTempDir()` registers the directory; `removeTempDirs()` (in an afterEach) deletes them all.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];

export function makeTempDir(): string {
  const dir = mkdtempSync(`${tmpdir()}/lb-test-`);
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (relative path → content) under `root`, creating parent directories. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [relativePath, content] of Object.entries(files)) {
    const path = join(root, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
