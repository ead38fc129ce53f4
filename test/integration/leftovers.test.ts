/**
 * What a run removes of the builder's unlabelled by-products, on the real daemon: exactly the
 * untagged images its own builds committed — not a base tagged meanwhile, and not the images
 * another run's build committed that this run only found in the cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportedImage } from '../../src/engine/build-trace.js';
import { BASE_CATALOG } from '../../src/bases/base-catalog.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { BuildLeftovers } from '../../src/measure/build-leftovers.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { danglingImages } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-leftovers-'));
const stamp = Date.now();
const freshBase = `layerbench-test/fresh-base:${stamp}`;
const tags = [`layerbench-test/leftovers-a:${stamp}`, `layerbench-test/leftovers-b:${stamp}`, `layerbench-test/leftovers-cut:${stamp}`];
afterAll(() => {
  spawnSync('docker', ['rmi', ...tags, freshBase], { stdio: 'ignore' });
  rmSync(scratch, { recursive: true, force: true });
});

const engine = new DockerodeEngine();

async function build(dir: string, tag: string, leftovers: BuildLeftovers, noCache: boolean, reportsUpTo = Number.POSITIVE_INFINITY): Promise<ReportedImage[]> {
  const workspace = Workspace.create(join(scratch, `ws-${Math.random().toString(36).slice(2)}`), join(scratch, dir), join(scratch, 'Dockerfile'));
  const reported: ReportedImage[] = [];
  leftovers.buildStarted(new Date());
  await engine.builds.build({
    context: workspace,
    dockerfile: workspace.dockerfileInContext,
    dockerfileModel: undefined,
    builder: 'classic',
    buildArgs: {},
    tag,
    noCache,
    variant: 'leftovers',
    hostNetwork: false,
    signal: undefined,
    onStep: undefined,
    onImage: (image) => {
      if (reported.length >= reportsUpTo) return;
      reported.push(image);
      leftovers.imageReported(image);
    },
  });
  if (reportsUpTo === Number.POSITIVE_INFINITY) leftovers.buildFinished();
  else leftovers.buildCut();
  workspace.dispose();
  return reported;
}

describe('BuildLeftovers', () => {
  it("removes the images this run's builds committed, keeps a base tagged meanwhile, and never one another build committed", async () => {
    const danglingBefore = danglingImages();
    const base = (await engine.images.inspect('python:3.11-slim-bookworm')) ? 'python:3.11-slim-bookworm' : (BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '');
    // a base made now, as a bootstrap during a run would make it
    const made = spawnSync('docker', ['build', '-q', '-t', freshBase, '-'], { input: `FROM ${base}\nLABEL layerbench.test=${stamp}\n`, env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    expect(made.status).toBe(0);
    mkdirSync(join(scratch, 'context'));
    writeFileSync(join(scratch, 'context', 'a.txt'), `${stamp}\n`);
    writeFileSync(join(scratch, 'Dockerfile'), `FROM ${freshBase}\nCOPY a.txt /a.txt\nRUN cp /a.txt /b.txt\nCMD ["true"]\n`);

    // "another run": builds the chain first
    const other = new BuildLeftovers(engine);
    const committedByOther = (await build('context', tags[0] as string, other, true)).filter((i) => i.how === 'created');
    expect(committedByOther.length).toBe(3);

    // this run: the same Dockerfile and context, every step found in the cache
    const mine = new BuildLeftovers(engine);
    const reported = await build('context', tags[1] as string, mine, false);
    expect(reported.filter((i) => i.how === 'created')).toEqual([]);
    spawnSync('docker', ['rmi', tags[1] as string], { stdio: 'ignore' });
    await mine.sweepAll();
    for (const image of committedByOther) expect(await engine.images.inspect(image.id), `another build's ${image.id}`).toBeDefined();

    // the other run ends: its tag goes, then its leftovers
    await engine.images.remove(tags[0] as string);
    await other.sweepAll();
    for (const image of committedByOther) expect(await engine.images.inspect(image.id)).toBeUndefined();
    expect(await engine.images.inspect(freshBase)).toBeDefined();
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
  });

  it('removes what a cut build committed after the last image its stream named, several steps deep', async () => {
    const danglingBefore = danglingImages();
    const base = (await engine.images.inspect('python:3.11-slim-bookworm')) ? 'python:3.11-slim-bookworm' : (BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '');
    mkdirSync(join(scratch, 'cut'));
    writeFileSync(join(scratch, 'cut', 'a.txt'), `cut ${stamp}\n`);
    writeFileSync(join(scratch, 'Dockerfile'), `FROM ${base}\nCOPY a.txt /a.txt\nRUN cp /a.txt /b.txt\nLABEL layerbench.test=${stamp}\nEXPOSE 8000\nCMD ["true"]\n`);
    const leftovers = new BuildLeftovers(engine);
    // the stream is cut after FROM and COPY: RUN, LABEL, EXPOSE and CMD commit unreported
    const reported = await build('cut', tags[2] as string, leftovers, true, 2);
    expect(reported.map((i) => i.how)).toEqual(['reused', 'created']);
    // as if the build's tag never came: its last image goes, the steps below it stay untagged
    expect(spawnSync('docker', ['rmi', '--no-prune', tags[2] as string]).status).toBe(0);
    expect(danglingImages().filter((id) => !danglingBefore.includes(id)).length).toBe(1);
    await leftovers.sweepAll();
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
    expect(await engine.images.inspect(reported[1]?.id ?? '')).toBeUndefined();
  });
});
