/**
 * Which .dockerignore applies, and whether a context path is left out.
 * As BuildKit does, `<Dockerfile>.dockerignore` beside the Dockerfile wins over the
 * context's own `.dockerignore`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';

// The package is CommonJS (`module.exports = factory`) while its types declare a default export.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as (options?: { ignorecase?: boolean }) => Ignore;

export interface IgnoreRules {
  /** where the patterns came from, or undefined when nothing is ignored */
  source: string | undefined;
  patterns: string[];
  /** true when the context path (relative, `/`-separated) is left out of the context */
  ignores(relativePath: string): boolean;
  /** patterns that re-include paths (`!…`) prevent skipping whole directories */
  hasExceptions: boolean;
}

export function ignoreRulesFor(context: string, dockerfile: string): IgnoreRules {
  const candidates = [`${dockerfile}.dockerignore`, join(context, '.dockerignore')];
  const source = candidates.find((file) => existsSync(file));
  const patterns = source === undefined ? [] : parsePatterns(readFileSync(source, 'utf8'));
  return rulesFrom(source, patterns);
}

export function rulesFrom(source: string | undefined, patterns: string[]): IgnoreRules {
  const matcher = dockerignore({ ignorecase: false }).add(patterns);
  return {
    source,
    patterns,
    ignores: (relativePath) => relativePath !== '' && matcher.ignores(relativePath),
    hasExceptions: patterns.some((p) => p.startsWith('!')),
  };
}

export function parsePatterns(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
