/**
 * The files a build receives from a context, and the file a `touch` glob picks among them.
 * Reads the user's tree (or the workspace copy), writes nothing; an ignored directory is not
 * entered unless an exception (`!pattern`) could re-include something below it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { IgnoreRules } from './ignore-rules.js';

/** Regular files the build receives, `/`-separated and sorted. */
export function sentFiles(context: string, rules: Pick<IgnoreRules, 'ignores' | 'hasExceptions'>): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(context, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const ignored = rules.ignores(path);
      if (entry.isDirectory()) {
        if (!ignored || rules.hasExceptions) walk(path);
      } else if (entry.isFile() && !ignored) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort();
}

/** Where the copy of a context holds a Dockerfile that lives outside the context. */
export const OUTSIDE_DOCKERFILE_NAME = '.layerbench-dockerfile';

/** Files a `touch` never picks: the ignore file and what layerbench itself adds to the copy. */
const NEVER_TOUCHED = new Set(['.dockerignore', OUTSIDE_DOCKERFILE_NAME]);

/** The file a `touch` glob changes: the first match in path order. */
export function touchTarget(glob: string, files: readonly string[]): string | undefined {
  const matches = picomatch(glob.replace(/^\.\//, ''), { dot: true });
  return files.find((file) => !NEVER_TOUCHED.has(file) && matches(file));
}
