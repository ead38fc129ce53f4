import { relative } from 'node:path';

/** A path as messages show it: relative to the working directory when inside it, absolute otherwise. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}
