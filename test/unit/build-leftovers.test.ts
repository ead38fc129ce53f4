/**
 * The classic builder's by-products after an interrupt: the daemon finishes the step under way
 * after the connection is cut, and commits it without telling anyone. The run must wait for it
 * before removing anything, and take it as its own.
 */
import { describe, expect, it } from 'vitest';
import { BuildLeftovers } from '../../src/measure/build-leftovers.js';
import { FakeEngine } from '../support/fake-engine.js';

/** a run that built once (its dependency layer on `base:1`), then started a second build */
function runWithCache(): { engine: FakeEngine; leftovers: BuildLeftovers; journal: string[]; base: string; deps: string } {
  const engine = new FakeEngine();
  const journal: string[] = [];
  const leftovers = new BuildLeftovers(engine, (id) => journal.push(id));
  const base = engine.addImage('base:2', ['sha256:os'], [100]);
  leftovers.buildStarted(new Date(Date.now() - 60_000));
  const deps = engine.addImage(undefined, ['sha256:os', 'sha256:deps'], [100, 50], base);
  leftovers.imageReported({ id: deps, how: 'created' });
  leftovers.buildFinished();
  return { engine, leftovers, journal, base, deps };
}

describe('BuildLeftovers after a cut', () => {
  it('a build cut before its stream named any image: waits for what the daemon commits on the run’s cache, journals it, and removes it', async () => {
    const { engine, leftovers, journal, deps } = runWithCache();
    leftovers.buildStarted(new Date());
    leftovers.buildCut();
    // the daemon commits the cut build's COPY on the cached dependency image, 450 ms after the cut
    let orphan = '';
    const committing = new Promise<void>((resolve) =>
      setTimeout(() => {
        orphan = engine.addImage(undefined, ['sha256:os', 'sha256:deps', 'sha256:code'], [100, 50, 1], deps);
        resolve();
      }, 450),
    );
    await leftovers.settleCutBuilds();
    await committing;
    expect(orphan).not.toBe('');
    expect(journal).toContain(orphan);
    await leftovers.sweepAll();
    expect(await engine.images.inspect(orphan)).toBeUndefined();
    expect(await engine.images.inspect(deps)).toBeUndefined();
    expect(await engine.images.inspect('base:2')).toBeDefined();
  });

  it('a build cut after its stream named an image searches only above that image', async () => {
    const { engine, leftovers, journal, base, deps } = runWithCache();
    const unrelated = engine.addImage(undefined, ['sha256:os', 'sha256:deps', 'sha256:else'], [100, 50, 1], deps);
    leftovers.buildStarted(new Date());
    const copied = engine.addImage(undefined, ['sha256:os', 'sha256:other'], [100, 2], base);
    leftovers.imageReported({ id: copied, how: 'created' });
    leftovers.buildCut();
    const above = engine.addImage(undefined, ['sha256:os', 'sha256:other', 'sha256:cmd'], [100, 2, 0], copied);
    await leftovers.settleCutBuilds();
    expect(journal).toContain(above);
    expect(journal).not.toContain(unrelated);
  });

  it('nothing cut, nothing waited for: a run that ended normally sweeps at once', async () => {
    const { leftovers } = runWithCache();
    const started = Date.now();
    await leftovers.settleCutBuilds();
    expect(Date.now() - started).toBeLessThan(250);
  });
});
