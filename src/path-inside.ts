import { isAbsolute, relative, sep } from 'node:path';

/**
 * Where `path` lies below `root`, `/`-separated, or undefined when it lies outside.
 * (`..notes` is a name inside; `../notes` is not.)
 */
export function pathInside(root: string, path: string): string | undefined {
  const inside = relative(root, path);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  return inside.split(sep).join('/');
}
