/**
 * Before the integration specs: the CLI is built (npm test builds it), a daemon answers
 * (npm test runs the engine set-up), and the base images exist — made here once, so that
 * no spec pays for a bootstrap inside its own timing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync('dist/bin.js')) throw new Error('dist/bin.js is missing: run `npm run build` (npm test does it)');
  execFileSync('node', ['dist/bin.js', 'doctor'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('node', ['dist/bin.js', 'bootstrap'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
