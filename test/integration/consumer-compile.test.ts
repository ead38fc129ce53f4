/**
 * The package as a consumer meets it: `npm pack` of the built project, installed into a
 * folder of its own, and a strict TypeScript file that imports every export by name and uses
 * each in a type position. The list of exports is read from the packed index.d.ts, so a new
 * export is covered without touching this spec; and every type those declarations reach must
 * be exported too, or a consumer meets a type it cannot name.
 *
 * No network: the consumer's node_modules links the project's own copies of the package's
 * dependencies (and nothing else), and `npm install --offline` adds the tarball beside them.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPublicSurface, type PublicExport, type PublicSurface } from '../support/public-surface.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-consumer-'));
const consumer = join(scratch, 'consumer');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const outcome = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (outcome.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${outcome.status}:\n${outcome.stdout}\n${outcome.stderr}`);
  return outcome;
}

/** Links the project's copy of each package into the consumer's node_modules. */
function linkPackages(names: readonly string[]): void {
  for (const name of names) {
    const link = join(consumer, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
}

/** Packs the built project (its `prepare` would rebuild dist: not here) and installs the tarball offline. */
function installPackedPackage(): string {
  const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT).stdout) as { filename: string }[];
  const tarball = join(scratch, packed[0]?.filename ?? 'no tarball');
  mkdirSync(consumer, { recursive: true });
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'layerbench-consumer', private: true, type: 'module' })}\n`);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  // the package's dependencies, as an install from the registry would bring them
  linkPackages(Object.keys(manifest.dependencies ?? {}));
  run('npm', ['install', tarball, '--offline', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  // the consumer's own (after the install, which removes what its package.json does not ask for)
  linkPackages(['@types/node']);
  return join(consumer, 'node_modules', 'layerbench', 'dist', 'index.d.ts');
}

/** `Name`, `Name<any, any>` for a generic, `typeof name` for a value: every export in a type position. */
function typePositions(entry: PublicExport): string[] {
  const typeArguments = entry.requiredTypeArguments === 0 ? '' : `<${Array.from({ length: entry.requiredTypeArguments }, () => 'any').join(', ')}>`;
  return [...(entry.isType ? [`${entry.name}${typeArguments}`] : []), ...(entry.isValue ? [`typeof ${entry.name}`] : [])];
}

/** A file that imports every export by name: values that exist at run time as values, the rest as types. */
function consumerSource(surface: PublicSurface, runtimeNames: ReadonlySet<string>): string {
  const values = surface.exports.filter((e) => runtimeNames.has(e.name)).map((e) => e.name);
  const types = surface.exports.filter((e) => !runtimeNames.has(e.name)).map((e) => e.name);
  return [
    `import { ${values.join(', ')} } from 'layerbench';`,
    `import type { ${types.join(', ')} } from 'layerbench';`,
    '',
    `export const values = [${values.join(', ')}] as const;`,
    `export type EveryExport = [\n  ${surface.exports.flatMap(typePositions).join(',\n  ')},\n];`,
    '',
  ].join('\n');
}

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    // the package's declarations are checked too: that is what a consumer compiles against
    skipLibCheck: false,
    noUnusedLocals: true,
  },
  files: ['uses-every-export.ts'],
};

describe('the packed package, compiled against by a consumer', () => {
  let surface: PublicSurface;
  let runtimeNames: Set<string>;

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'index.d.ts'))) throw new Error('dist/index.d.ts is missing: run `npm run build` (npm test does it)');
    surface = readPublicSurface(installPackedPackage());
    const loaded = run('node', ['--input-type=module', '-e', "const api = await import('layerbench'); console.log(JSON.stringify(Object.keys(api)));"], consumer);
    runtimeNames = new Set(JSON.parse(loaded.stdout) as string[]);
  }, 180_000);

  it('loads from the tarball with only its declared dependencies beside it, and each run-time export is declared', () => {
    const declared = new Set(surface.exports.filter((e) => e.isValue).map((e) => e.name));
    expect([...runtimeNames].filter((name) => !declared.has(name))).toEqual([]);
    expect(runtimeNames.size).toBeGreaterThan(0);
  });

  it('exports by name every type its declarations reach', () => {
    const forgotten = surface.forgotten.map((f) => `${f.name} (${f.file}, reached from ${f.reachedFrom})`);
    expect(forgotten).toEqual([]);
  });

  it('compiles a strict consumer that imports and uses every export', () => {
    writeFileSync(join(consumer, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
    writeFileSync(join(consumer, 'uses-every-export.ts'), consumerSource(surface, runtimeNames));
    const compiled = spawnSync('node', [TSC, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
  }, 120_000);
});
