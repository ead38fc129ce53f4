/** How the consumer-compile spec reads a package's declarations: its exports, and the types they reach without exporting. */
import { afterEach, describe, expect, it } from 'vitest';
import { readPublicSurface } from '../support/public-surface.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

afterEach(removeTempDirs);

function surfaceOf(files: Record<string, string>): ReturnType<typeof readPublicSurface> {
  const root = makeTempDir();
  writeTree(root, { 'package.json': '{"type":"module"}', ...files });
  return readPublicSurface(`${root}/index.d.ts`);
}

describe('the public surface of declarations', () => {
  it('lists the exports: types, values, and the type arguments a generic needs', () => {
    const surface = surfaceOf({
      'index.d.ts': "export type { Box } from './box.js';\nexport { open, Engine } from './engine.js';\n",
      'box.d.ts': 'export interface Box<T, U = string> { item: T; label: U }\n',
      'engine.d.ts': 'export declare function open(): void;\nexport declare class Engine {}\n',
    });
    expect(surface.exports).toEqual([
      { name: 'Box', isType: true, isValue: false, requiredTypeArguments: 1 },
      { name: 'Engine', isType: true, isValue: true, requiredTypeArguments: 0 },
      { name: 'open', isType: false, isValue: true, requiredTypeArguments: 0 },
    ]);
    expect(surface.forgotten).toEqual([]);
  });

  it('names a type an export reaches but the entry does not export, however deep, and what reached it', () => {
    const surface = surfaceOf({
      'index.d.ts': "export { start, type Options } from './run.js';\n",
      'run.d.ts': [
        "import type { Registry } from './registry.js';",
        'export interface Options { registry?: Registry; phase: Phase }',
        "type Phase = 'cold' | 'warm';",
        'export declare function start(options: Options): Promise<void>;',
      ].join('\n'),
      'registry.d.ts': 'export declare class Registry extends Base { private secret; list(): Entry[] }\ndeclare class Base {}\nexport interface Entry { id: string }\n',
    });
    expect(surface.forgotten.map((f) => [f.name, f.file, f.reachedFrom])).toEqual([
      ['Base', 'registry.d.ts', 'Options'],
      ['Entry', 'registry.d.ts', 'Options'],
      ['Phase', 'run.d.ts', 'Options'],
      ['Registry', 'registry.d.ts', 'Options'],
    ]);
  });

  it('passes over type parameters, private members and what the platform declares', () => {
    const surface = surfaceOf({
      'index.d.ts': "export { Pool } from './pool.js';\n",
      'pool.d.ts': 'interface Hidden { x: number }\nexport declare class Pool<T> { private hidden; take(signal: AbortSignal): T; map<U>(f: (t: T) => U): U[] }\n',
    });
    expect(surface.forgotten).toEqual([]);
  });
});
