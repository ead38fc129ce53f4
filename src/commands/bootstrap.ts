/** `layerbench bootstrap`: make (or remake) the base images ahead of a run. */
import { BASE_CATALOG } from '../bases/base-catalog.js';
import { bootstrapBase } from '../bases/bootstrap-base.js';
import { resolveBase } from '../bases/resolve-bases.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { UsageError } from '../errors.js';
import { scratchParent } from '../scratch-parent.js';
import type { CliIo } from './cli-io.js';
import { defineCommand } from './command-module.js';
import { createProgress } from './progress.js';

export async function bootstrapCommand(engine: DockerEngine, names: string[], force: boolean, io: CliIo): Promise<number> {
  await engine.system.ping();
  const unknown = names.filter((n) => !Object.hasOwn(BASE_CATALOG, n));
  if (unknown.length > 0) throw new UsageError(`Unknown base ${unknown.join(', ')}; the bases are: ${Object.keys(BASE_CATALOG).join(', ')}.`);
  const chosen = names.length > 0 ? names : Object.keys(BASE_CATALOG);
  const progress = createProgress(io.stderr, Date.now(), io.env);
  const say = (line: string): void => progress.note(line);
  const records = await Promise.all(
    chosen.map(async (name) => {
      const base = BASE_CATALOG[name];
      if (force && base !== undefined) {
        await engine.images.remove(base.bootstrap.image);
        const id = await bootstrapBase(engine, base, say, scratchParent(io.env));
        return { name, image: base.bootstrap.image, id, source: 'bootstrapped' as const };
      }
      return resolveBase(engine, name, say, undefined, scratchParent(io.env));
    }),
  );
  progress.done();
  for (const record of records) io.stdout.write(`${record.name.padEnd(18)} ${record.image} (${record.source})\n`);
  return 0;
}

export const bootstrapModule = defineCommand({
  command: 'bootstrap [bases..]',
  describe: 'Make the base images now (pulled where possible, else built from Debian\'s mirror with debootstrap)',
  builder: (y) =>
    y
      .positional('bases', { type: 'string', array: true, describe: 'logical bases (default: all): general-os, python-3.11-slim' })
      .option('force', { type: 'boolean', default: false, describe: 'remake bootstrapped bases even when present' })
      .example('$0 bootstrap', 'make every base a run may need'),
  handler: (args, { engine, io }) => bootstrapCommand(engine(), args.bases ?? [], args.force, io),
});
