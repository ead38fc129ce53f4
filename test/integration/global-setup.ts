/**
 * Before the integration specs: the CLI is built (npm test builds it), a daemon answers
 * (npm test runs the engine set-up), and the base images exist — made here once, so that
 * no spec pays for a bootstrap inside its own timing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
  execFileSync('node', ['dist/cli.js', 'doctor'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('node', ['dist/cli.js', 'bootstrap'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
